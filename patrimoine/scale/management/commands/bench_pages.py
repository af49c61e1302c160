"""`manage.py bench_pages [--repeat N] [--only TEXT] [--profile DIR]`: server time, SQL queries and SQL
floor of the key pages (JSON); with --profile, where the application's time goes on each."""

import json

from django.core.management.base import BaseCommand, CommandError

from patrimoine.scale.pagebench import run


class Command(BaseCommand):
    help = "Mesure les pages clés sur un jeu de données généré (p50/p95, requêtes SQL, temps SQL seul)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--only", default="", help="Seulement les pages dont le nom contient ce texte.")
        parser.add_argument(
            "--profile", default="", metavar="DOSSIER", help="Profil (cProfile) de chaque page, dans ce dossier."
        )

    def handle(self, *args, repeat, only, profile, **options):
        try:
            result = run(repeat=repeat, only=only, profile_dir=profile)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
