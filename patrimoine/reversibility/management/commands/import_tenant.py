"""`manage.py import_tenant <archive.zip> [--as <slug>]`: load an organisation's archive here."""

from django.core.management.base import BaseCommand, CommandError

from patrimoine.reversibility.archive import ArchiveRefused
from patrimoine.reversibility.importer import import_tenant


class Command(BaseCommand):
    help = "Importe l'archive de réversibilité d'une collectivité (créée par export_tenant) dans cette instance."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="chemin de l'archive ZIP")
        parser.add_argument(
            "--as", dest="as_slug", default=None, help="identifiant court à donner à la collectivité importée"
        )

    def handle(self, *args, archive, as_slug, **options):
        try:
            with open(archive, "rb") as source:
                report = import_tenant(source, as_slug=as_slug)
        except FileNotFoundError as exc:
            raise CommandError(f"Fichier introuvable : {archive}") from exc
        except ArchiveRefused as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
