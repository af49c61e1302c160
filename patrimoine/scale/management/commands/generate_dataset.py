"""`manage.py generate_dataset --size {tiny,commune,ville,metropole} [--seed N]`: see scale/dataset.py."""

import json
import resource
import time

from django.core.management.base import BaseCommand, CommandError

from patrimoine.scale.dataset import SIZES, Generator, existing_dataset


class Command(BaseCommand):
    help = "Génère un jeu de données réaliste et reproductible à la taille choisie (bancs d'essai)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="commune")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-absent", action="store_true", help="Ne rien faire si un jeu généré est déjà dans la base."
        )

    def handle(self, *args, size, seed, if_absent, **options):
        if if_absent and existing_dataset():
            self.stdout.write(json.dumps({"size": size, "reused": True}))
            return
        started = time.perf_counter()
        generator = Generator(size, seed=seed, log=lambda line: self.stderr.write(line))
        try:
            result = generator.run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        result["total_rows"] = sum(result["rows"].values())
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
