"""The generator: due dates a year ahead, work orders `lead_days` ahead, never twice, in batches."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from patrimoine.maintenance.generation import generate_due, meter_threshold_reached
from patrimoine.maintenance.models import MaintenancePlan, Occurrence
from patrimoine.workorders.models import ChecklistItem, WorkOrder

from .conftest import at, make_plan

pytestmark = pytest.mark.django_db
TODAY = date(2026, 8, 20)


def _orders(plan):
    with scopes_disabled():
        return list(WorkOrder.objects.filter(maintenance_occurrence__plan=plan).order_by("due_date"))


def _dates(plan):
    with scopes_disabled():
        return list(Occurrence.objects.filter(plan=plan).order_by("due_on").values_list("due_on", flat=True))


def test_schedules_a_year_ahead_and_creates_the_order_lead_days_before(commune):
    plan = make_plan(
        commune.org, building=commune.building, rrule="FREQ=MONTHLY;INTERVAL=3", dtstart=at(date(2026, 9, 15))
    )
    result = generate_due(today=TODAY)
    assert _dates(plan) == [date(2026, 9, 15), date(2026, 12, 15), date(2027, 3, 15), date(2027, 6, 15)]
    orders = _orders(plan)
    assert [o.due_date for o in orders] == [date(2026, 9, 15)]  # 26 days ahead, within the 30-day lead
    order = orders[0]
    assert (order.kind, order.status, order.building_id) == (
        WorkOrder.Kind.PREVENTIVE,
        WorkOrder.Status.TO_PLAN,
        commune.building.pk,
    )
    assert order.title == f"Vérification annuelle — {commune.building.name}"
    assert (result.occurrences_created, result.orders_created, result.plans_done) == (4, 1, 1)


def test_running_again_creates_nothing(commune):
    plan = make_plan(commune.org, building=commune.building, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 9, 1)))
    generate_due(today=TODAY)
    before = (_dates(plan), [o.pk for o in _orders(plan)])
    again = generate_due(today=TODAY)
    assert (again.occurrences_created, again.orders_created) == (0, 0)
    assert (_dates(plan), [o.pk for o in _orders(plan)]) == before


def test_the_next_days_orders_come_as_time_passes(commune):
    plan = make_plan(
        commune.org, building=commune.building, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 9, 1)), lead_days=12
    )
    generate_due(today=TODAY)
    assert [o.due_date for o in _orders(plan)] == [date(2026, 9, 1)]
    generate_due(today=date(2026, 9, 21))
    assert [o.due_date for o in _orders(plan)] == [date(2026, 9, 1), date(2026, 10, 1)]
    assert _dates(plan)[-1] == date(2027, 9, 1)  # the horizon moved too


def test_a_plan_started_in_the_past_catches_up_only_its_latest_due_date(commune):
    plan = make_plan(commune.org, building=commune.building, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 1, 10)))
    generate_due(today=TODAY)
    assert _dates(plan)[:2] == [date(2026, 8, 10), date(2026, 9, 10)]
    assert [o.due_date for o in _orders(plan)] == [date(2026, 8, 10), date(2026, 9, 10)]  # the first one is late


def test_contractor_plan_gives_the_order_to_the_contractor(commune, f):
    contractor = f.contractor(commune.org, "Ouest Sécurité Incendie")
    plan = make_plan(commune.org, building=commune.building, contractor=contractor, dtstart=at(date(2026, 9, 1)))
    generate_due(today=TODAY)
    (order,) = _orders(plan)
    assert (order.status, order.contractor_id) == (WorkOrder.Status.PLANNED, contractor.pk)


def test_category_plan_lists_each_equipment_of_the_building_in_the_checklist(commune, f):
    extinguisher = f.category("extincteurs", "Extincteurs et RIA")
    for code in ("EX-01", "EX-02"):
        f.equipment(commune.building, f"Extincteur {code}", category=extinguisher, code=code)
    elsewhere = f.building(commune.org, "Mairie")
    f.equipment(elsewhere, "Extincteur de la mairie", category=extinguisher, code="EX-99")
    plan = make_plan(
        commune.org,
        building=commune.building,
        category=extinguisher,
        checklist="Pression\nScellés",
        dtstart=at(date(2026, 9, 1)),
    )
    generate_due(today=TODAY)
    (order,) = _orders(plan)
    with scopes_disabled():
        labels = list(
            ChecklistItem.objects.filter(work_order=order).order_by("position").values_list("label", flat=True)
        )
    assert labels == ["Pression", "Scellés", "Extincteur EX-01 (EX-01)", "Extincteur EX-02 (EX-02)"]


def test_batches_stream_every_plan_and_report_progress(commune):
    plans = [
        make_plan(
            commune.org, building=commune.building, name=f"Plan {n}", rrule="FREQ=MONTHLY", dtstart=at(date(2026, 9, 1))
        )
        for n in range(5)
    ]
    seen = []
    result = generate_due(today=TODAY, batch_size=2, on_progress=lambda p: seen.append(p.plans_done))
    assert seen == [2, 4, 5]
    assert result.plans_total == 5 and result.occurrences_created == 5 * 12 and result.orders_created == 5
    assert all(len(_orders(plan)) == 1 for plan in plans)


def test_archived_plans_and_other_organisations_are_left_alone(commune, f):
    other = f.organisation("Venansault")
    other_plan = make_plan(other, building=f.building(other), dtstart=at(date(2026, 9, 1)))
    archived = make_plan(commune.org, building=commune.building, dtstart=at(date(2026, 9, 1)), is_active=False)
    generate_due(today=TODAY, organisation_ids=[commune.org.pk])
    assert _dates(other_plan) == [] and _dates(archived) == []


# --- Meters ----------------------------------------------------------------------------------


def test_threshold_arithmetic():
    plan = MaintenancePlan(meter_every=Decimal("500"), meter_origin=Decimal("100"), meter_lead=Decimal("50"))
    assert meter_threshold_reached(plan, Decimal("540")) is None
    assert meter_threshold_reached(plan, Decimal("550")) == Decimal("600")
    assert meter_threshold_reached(plan, Decimal("1600")) == Decimal("1600")
    assert meter_threshold_reached(plan, Decimal("1549")) == Decimal("1100")
