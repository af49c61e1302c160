"""python manage.py seed_demo — load the demo agglomeration (idempotent: run it at every start)."""

from django.core.management.base import BaseCommand

from patrimoine.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (agglomération, trois communes, deux ans d'historique)."

    def handle(self, *args, **options):
        summary = seed_demo()
        for line in summary.lines():
            self.stdout.write(line)
