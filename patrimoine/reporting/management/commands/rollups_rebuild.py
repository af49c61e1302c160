"""`manage.py rollups_rebuild [--org SLUG …]`: recompute the dashboards' rollups from the raw tables."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Organisation
from patrimoine.reporting import rollups


class Command(BaseCommand):
    help = "Recalcule les cumuls des tableaux de bord à partir des bons et des demandes (toutes ou --org)."

    def add_arguments(self, parser):
        parser.add_argument("--org", action="append", default=[], metavar="SLUG", help="Collectivité (répétable).")

    @scopes_disabled()
    def handle(self, *args, org, **options):
        organisation_ids = None
        if org:
            found = dict(Organisation.objects.filter(slug__in=org).values_list("slug", "pk"))
            missing = sorted(set(org) - set(found))
            if missing:
                raise CommandError(f"Collectivité inconnue : {', '.join(missing)}")
            organisation_ids = list(found.values())
        started = time.perf_counter()
        rows = rollups.rebuild(organisation_ids)
        seconds = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps({"rows": rows, "seconds": seconds}, ensure_ascii=False))
