from django.core.management.base import BaseCommand

from patrimoine.maintenance.bench import main


class Command(BaseCommand):
    help = "Mesure la génération d'une année d'échéances pour N plans (JSON : durée, mémoire de pointe)."

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=10000)
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--orders", action="store_true", help="Créer aussi les bons déjà dus (plus lent).")
        parser.add_argument(
            "--no-trace", action="store_false", dest="trace", help="Sans tracemalloc (mesure du temps seul)."
        )

    def handle(self, *args, plans, batch_size, orders, trace, **options):
        self.stdout.write(main(plans, batch_size, orders, trace))
