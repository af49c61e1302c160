"""Benchmark of the generator: a year of occurrences for N plans, in streaming batches.

`python manage.py maintenance_bench --plans 100000` creates N plans (a mix of yearly, half-yearly,
quarterly, monthly, six-weekly and weekly rules) in a throw-away organisation, runs the generator's
scheduling step over a 365-day horizon — the same `generate_due` the worker runs — and prints JSON:
plans, occurrences created, seconds, peak Python memory of the generation (tracemalloc, which
slows it about threefold: `--no-trace` to time it alone) and the process's peak resident memory,
batch size and database. Everything happens in a transaction rolled back at the end.
`--orders` also materializes the work orders already due (slower: each goes through
`work_order_create`). For `make bench` (owned by another issue).
"""

import json
import resource
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.assets.models import Building, Site
from patrimoine.organisations.models import Organisation, Trade

from .generation import generate_due
from .models import MaintenancePlan, Occurrence
from .recurrence import PARIS

RULES = [
    "FREQ=YEARLY",
    "FREQ=MONTHLY;INTERVAL=6",
    "FREQ=MONTHLY;INTERVAL=3",
    "FREQ=MONTHLY",
    "FREQ=WEEKLY;INTERVAL=6",
    "FREQ=YEARLY;INTERVAL=3",
    "FREQ=WEEKLY",
]
CREATE_BATCH = 5000


class _Rollback(Exception):
    pass


def run_bench(*, plans: int, batch_size: int = 1000, orders: bool = False, trace: bool = True) -> dict:
    result: dict = {}
    try:
        # DEBUG keeps the last 9 000 SQL statements in memory: not what is measured here.
        with override_settings(DEBUG=False), scopes_disabled(), transaction.atomic():
            organisation, building, trade = _scaffold()
            _create_plans(organisation, building, trade, plans)
            today = timezone.localdate()
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            progress = generate_due(
                today=today,
                organisation_ids=[organisation.pk],
                batch_size=batch_size,
                horizon_days=365,
                materialize=orders,
            )
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if trace else None
            if trace:
                tracemalloc.stop()
            result = {
                "plans": plans,
                "occurrences": progress.occurrences_created,
                "occurrences_in_database": Occurrence.objects.filter(organisation=organisation).count(),
                "work_orders": progress.orders_created,
                "seconds": round(seconds, 2),
                "occurrences_per_second": round(progress.occurrences_created / seconds) if seconds else None,
                "peak_memory_mib": round(peak / 2**20, 1) if peak is not None else None,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "batch_size": batch_size,
                "database": connection.vendor,
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def _scaffold():
    tag = uuid.uuid4().hex[:8]
    organisation = Organisation.objects.create(name=f"Banc d'essai {tag}", slug=f"banc-{tag}")
    site = Site.objects.create(organisation=organisation, name="Site du banc", code="BANC")
    building = Building.objects.create(organisation=organisation, site=site, name="Bâtiment du banc", code="BANC")
    trade = Trade.objects.get_or_create(code="cvc", defaults={"name": "CVC / chauffage"})[0]
    return organisation, building, trade


def _create_plans(organisation, building, trade, count: int) -> None:
    first = timezone.localdate()
    for start in range(0, count, CREATE_BATCH):
        rows = []
        for n in range(start, min(count, start + CREATE_BATCH)):
            day = first + timedelta(days=n % 365)
            rows.append(
                MaintenancePlan(
                    organisation=organisation,
                    name=f"Plan {n}",
                    target=MaintenancePlan.Target.BUILDING,
                    building=building,
                    trade=trade,
                    rrule=RULES[n % len(RULES)],
                    dtstart=datetime.combine(day.replace(day=min(day.day, 28)), clock(8, 0), tzinfo=PARIS),
                    lead_days=30,
                )
            )
        MaintenancePlan.objects.bulk_create(rows, batch_size=1000)


def main(plans: int, batch_size: int, orders: bool, trace: bool = True) -> str:
    return json.dumps(run_bench(plans=plans, batch_size=batch_size, orders=orders, trace=trace), ensure_ascii=False)
