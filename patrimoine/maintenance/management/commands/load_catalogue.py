from django.core.management.base import BaseCommand
from django.db import transaction

from patrimoine.maintenance.catalogue import CSV_PATH, load_catalogue


class Command(BaseCommand):
    help = "Charge (ou met à jour) le catalogue des contrôles réglementaires depuis data/statutory_checks.csv."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_catalogue()
        self.stdout.write(
            f"Catalogue {CSV_PATH.name} : {counts['created']} contrôle(s) créé(s), {counts['updated']} mis à jour, "
            f"{counts['deactivated']} désactivé(s)."
        )
