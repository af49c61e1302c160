"""Two generators at the same moment, on PostgreSQL (real row locks, separate connections):
each due date is inserted once and each occurrence gets exactly one work order."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.db.models import Count
from django_scopes import scopes_disabled

from patrimoine.maintenance.generation import generate_due, occurrence_materialize
from patrimoine.maintenance.models import MaintenancePlan, Occurrence
from patrimoine.workorders.models import WorkOrder

from .conftest import at, make_plan

TODAY = date(2026, 8, 20)


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (SQLite serialises every write)")


def _together(*functions):
    """Run the functions in threads released at the same instant; re-raise the first error."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait(timeout=10)
            function()
        except BaseException as exc:  # noqa: BLE001 — reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


@pytest.mark.django_db(transaction=True)
def test_two_generators_running_at_once_never_duplicate(postgresql_only, f):
    org = f.organisation("Nesmy")
    building = f.building(org)
    for n in range(40):
        make_plan(
            org, building=building, name=f"Plan {n}", rrule="FREQ=MONTHLY", dtstart=at(date(2026, 8, 25)), lead_days=70
        )

    _together(*(lambda: generate_due(today=TODAY, batch_size=7) for _ in range(3)))

    with scopes_disabled():
        assert Occurrence.objects.count() == 40 * 12
        assert not Occurrence.objects.values("plan", "due_on").annotate(n=Count("id")).filter(n__gt=1).exists()
        # Aug 25, Sep 25 and Oct 25 are within the 70 days of lead time: three orders per plan, no more.
        assert WorkOrder.objects.count() == 40 * 3
        assert Occurrence.objects.filter(work_order__isnull=False).count() == 40 * 3
        assert not WorkOrder.objects.filter(maintenance_occurrence__isnull=True).exists()  # no orphan order
        assert WorkOrder.objects.values("reference").distinct().count() == 40 * 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_materializing_the_same_occurrence_make_one_order(postgresql_only, f):
    org = f.organisation("Nesmy")
    plan = make_plan(org, building=f.building(org), dtstart=at(date(2026, 9, 1)))
    generate_due(today=TODAY, materialize=False)
    with scopes_disabled():
        occurrence = Occurrence.objects.get(plan=plan, due_on=date(2026, 9, 1))
        fresh = MaintenancePlan.objects.select_related("organisation", "building", "trade").get(pk=plan.pk)

    for _attempt in range(5):
        _together(*(lambda: occurrence_materialize(fresh, occurrence.pk) for _ in range(4)))
    with scopes_disabled():
        assert WorkOrder.objects.count() == 1
        assert Occurrence.objects.get(pk=occurrence.pk).work_order_id == WorkOrder.objects.get().pk


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_once_enqueue_each_job_once(postgresql_only):
    from datetime import datetime

    from django_tasks_db.models import DBTaskResult

    from patrimoine.maintenance import scheduler
    from patrimoine.maintenance.recurrence import PARIS

    monday = datetime(2026, 11, 30, 7, 5, tzinfo=PARIS)
    enqueued = []
    _together(*(lambda: enqueued.extend(scheduler.tick(monday)) for _ in range(3)))
    assert sorted(enqueued) == ["generation", "overdue_alerts", "privacy_retention", "weekly_digest"]
    assert DBTaskResult.objects.count() == 4
