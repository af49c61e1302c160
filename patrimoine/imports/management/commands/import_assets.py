"""`manage.py import_assets <file> --org <slug> [--kind …] [--dry-run] [--mapping <name>]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from patrimoine.core.errors import DomainError
from patrimoine.imports import importer
from patrimoine.imports.models import Kind
from patrimoine.imports.reading import MAX_BYTES, read_table
from patrimoine.imports.schema import guess_mapping
from patrimoine.imports.services import saved_mapping
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership, Organisation


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV, XLSX ou GeoJSON (bâtiments, locaux, équipements, articles, prestataires, "
        "bons de travail historiques) : toutes les lignes ou aucune. Affiche chaque erreur (ligne, colonne, "
        "valeur, motif) et sort avec le code 1 si le fichier en contient."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="identifiant court (slug) de la collectivité")
        parser.add_argument("--kind", choices=Kind.values, default=Kind.BUILDINGS)
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien enregistrer")
        parser.add_argument("--mapping", default="", help="nom d'une correspondance de colonnes enregistrée")

    def handle(self, *args, file, org, kind, dry_run, mapping, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"Le fichier dépasse la taille maximale de {MAX_BYTES // (1024 * 1024)} Mo.")
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"Aucune collectivité n'a l'identifiant « {org} ».")
        # The command acts as the organisation's administrator (no user: the audit rows say « système »).
        access = Access(
            user=None,
            organisation=organisation,
            role=Membership.Role.ADMIN,
            read_org_ids=frozenset({organisation.pk}),
            write_org_ids=frozenset({organisation.pk}),
        )
        try:
            table = read_table(path.read_bytes(), path.name)
            with scopes_disabled():
                saved = saved_mapping(organisation, kind, mapping).columns if mapping else None
            columns = guess_mapping(kind, table.headers, saved)
            outcome = importer.run(
                access=access, organisation=organisation, kind=kind, table=table, mapping=columns, commit=not dry_run
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        described = f"{table.file_format.upper()}"
        if table.encoding:
            described += f", {table.encoding}"
        if table.delimiter:
            described += f", séparateur « {table.delimiter} »"
        self.stdout.write(f"{path.name} : {described}, {outcome.rows} ligne(s).")
        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(
                    f"ligne {error.line}, colonne « {error.column or '—'} », valeur « {error.value} » : {error.reason}"
                )
            raise CommandError(f"{len(outcome.errors)} erreur(s) : rien n'a été enregistré.")
        counts = ", ".join(f"{key} : {value}" for key, value in sorted(outcome.counts.items()))
        if dry_run:
            self.stdout.write(f"Vérification sans erreur (rien n'a été enregistré) ; l'import créerait {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Import terminé : {counts}."))
