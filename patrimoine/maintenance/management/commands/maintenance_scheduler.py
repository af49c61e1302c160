import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from patrimoine.maintenance.scheduler import tick


class Command(BaseCommand):
    help = (
        "Planificateur périodique : met en file la génération des bons préventifs, les alertes de retard "
        "et la synthèse hebdomadaire (exécutées par « manage.py db_worker »)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis s'arrêter.")
        parser.add_argument("--interval", type=float, default=60, help="Secondes entre deux passages (60).")
        parser.add_argument(
            "--generation-minutes", type=int, default=60, help="Générer toutes les N minutes (60 ; 1440 = par jour)."
        )

    def handle(self, *args, once=False, interval=60.0, generation_minutes=60, **options):
        self.running = True

        def stop(signum, frame):
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while self.running:
            close_old_connections()
            for job in tick(generation_minutes=generation_minutes):
                self.stdout.write(f"Mis en file : {job}")
            if once:
                return
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(min(1.0, interval))
