"""`manage.py export_tenant <slug> <archive.zip>`: everything one organisation owns, in one archive."""

from django.core.management.base import BaseCommand, CommandError

from patrimoine.organisations.models import Organisation
from patrimoine.reversibility.exporter import export_tenant


class Command(BaseCommand):
    help = "Exporte toutes les données d'une collectivité dans une archive ZIP (réversibilité)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="identifiant court de la collectivité")
        parser.add_argument("archive", help="chemin du fichier ZIP à écrire")

    def handle(self, *args, slug, archive, **options):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"Aucune collectivité d'identifiant « {slug} ».")
        manifest = export_tenant(organisation, archive)
        rows = sum(manifest["comptes"].values())
        missing = len(manifest["fichiers_absents"])
        warning = f", {missing} pièces jointes introuvables" if missing else ""
        self.stdout.write(f"Archive écrite : {archive} — {len(manifest['fichiers'])} fichiers, {rows} lignes{warning}.")
