"""Services: plans (validation, rescheduling), meters, findings that become corrective orders and
clear on validation, reports, the catalogue applied to a building."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.maintenance import services
from patrimoine.maintenance.models import Finding, MaintenancePlan, MeterReading, Occurrence, StatutoryCheck
from patrimoine.maintenance.selectors import FindingState, finding_state, get_finding_for
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_plan, work_order_transition

from .conftest import at

pytestmark = pytest.mark.django_db
Role = Membership.Role
Status = WorkOrder.Status
TODAY = date(2026, 8, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _create(commune, f, **fields):
    values = {
        "name": "Entretien de la chaudière",
        "building": commune.building,
        "trade": f.trade("cvc", "CVC"),
        "rrule": "FREQ=YEARLY;BYMONTH=9",
        "dtstart": at(date(2026, 9, 10)),
    }
    values.update(fields)
    with scopes_disabled():
        return services.plan_create(access=commune.access, organisation=commune.org, today=TODAY, **values)


def _state():
    with scopes_disabled():
        return (
            MaintenancePlan.objects.count(),
            Occurrence.objects.count(),
            WorkOrder.objects.count(),
            Finding.objects.count(),
            MeterReading.objects.count(),
            AuditEntry.objects.count(),
        )


def _orders(plan):
    with scopes_disabled():
        return list(WorkOrder.objects.filter(maintenance_occurrence__plan=plan).order_by("due_date"))


# --- Plans -------------------------------------------------------------------------------------


def test_creating_a_plan_schedules_it_at_once(commune, f):
    plan = _create(commune, f)
    assert plan.target == MaintenancePlan.Target.BUILDING
    (order,) = _orders(plan)
    assert order.due_date == date(2026, 9, 10)
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="maintenance_plan.create", target_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "intitulé"),
        ({"building": None}, "bâtiment"),
        ({"rrule": "FREQ=HOURLY"}, "fréquence"),
        ({"dtstart": None}, "première échéance"),
        ({"dtstart": at(date(2019, 1, 1))}, "cinq ans"),
        ({"lead_days": 400}, "délai"),
        ({"estimated_cost": Decimal("-1")}, "négatives"),
        ({"trigger": MaintenancePlan.Trigger.METER, "meter_unit": "h", "meter_every": None}, "combien"),
        ({"trigger": MaintenancePlan.Trigger.METER, "meter_unit": "", "meter_every": Decimal("500")}, "unité"),
    ],
)
def test_invalid_plans_are_refused_in_french_and_nothing_is_written(commune, f, fields, message):
    before = _state()
    with pytest.raises(DomainError) as refused:
        _create(commune, f, **fields)
    assert message in refused.value.message
    assert _state() == before


def test_a_plan_on_another_communes_building_or_team_is_refused(commune, f):
    other = f.organisation("Venansault")
    before = _state()
    with pytest.raises(DomainError):
        _create(commune, f, building=f.building(other))
    with pytest.raises(DomainError):
        _create(commune, f, team=f.team(other))
    with pytest.raises(DomainError):
        _create(commune, f, contractor=f.contractor(other))
    assert _state() == before


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.TECHNICIAN, Role.READER, Role.REQUESTER])
def test_only_managers_and_administrators_create_plans(commune, f, role):
    someone = f.user(role=role, organisation=commune.org)
    before = _state()
    with pytest.raises(PermissionRefused), scopes_disabled():
        services.plan_create(
            access=access_of(someone, commune.org),
            organisation=commune.org,
            today=TODAY,
            name="Plan",
            building=commune.building,
            trade=f.trade(),
            rrule="FREQ=YEARLY",
            dtstart=at(date(2026, 9, 10)),
        )
    assert _state() == before


def test_a_changed_rule_moves_future_orders_not_started_and_leaves_the_others(commune, f):
    lead = f.user("chef", role=Role.TEAM_LEAD, organisation=commune.org)
    tech = f.user("tech", role=Role.TECHNICIAN, organisation=commune.org)
    team = f.team(commune.org, "Régie", lead=lead, members=[tech])
    plan = _create(commune, f, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 8, 25)), lead_days=70)
    orders = _orders(plan)
    assert [o.due_date for o in orders] == [date(2026, 8, 25), date(2026, 9, 25), date(2026, 10, 25)]
    started, planned, waiting = orders
    with scopes_disabled():  # the first one is under way, the second has a team and a slot
        work_order_plan(
            access=access_of(lead, commune.org),
            work_order=started,
            expected_version=started.version,
            team=team,
            technicians=[tech],
        )
        work_order_transition(
            access=access_of(tech, commune.org),
            work_order=started,
            to_status=Status.IN_PROGRESS,
            expected_version=started.version,
        )
        work_order_plan(
            access=access_of(lead, commune.org), work_order=planned, expected_version=planned.version, team=team
        )
        plan.refresh_from_db()
        services.plan_update(
            access=commune.access,
            plan=plan,
            expected_version=plan.version,
            today=TODAY,
            rrule="FREQ=MONTHLY;INTERVAL=2",
        )
    with scopes_disabled():
        started.refresh_from_db(), planned.refresh_from_db(), waiting.refresh_from_db()
        occurrences = dict(Occurrence.objects.filter(plan=plan).values_list("work_order_id", "due_on"))
    # Under way: untouched. Not started: the one whose date is still in the rule stays, the other is
    # moved onto a new date (same number, same team).
    assert (started.status, started.due_date, occurrences[started.pk]) == (
        Status.IN_PROGRESS,
        date(2026, 8, 25),
        date(2026, 8, 25),
    )
    assert (waiting.status, waiting.due_date, occurrences[waiting.pk]) == (
        Status.TO_PLAN,
        date(2026, 10, 25),
        date(2026, 10, 25),
    )
    assert (planned.status, planned.team_id, planned.due_date) == (Status.PLANNED, team.pk, date(2026, 12, 25))
    assert occurrences[planned.pk] == date(2026, 12, 25)
    with scopes_disabled():
        future = list(
            Occurrence.objects.filter(plan=plan, due_on__gt=TODAY).order_by("due_on").values_list("due_on", flat=True)
        )
    assert future == [
        date(2026, 8, 25),
        date(2026, 10, 25),
        date(2026, 12, 25),
        date(2027, 2, 25),
        date(2027, 4, 25),
        date(2027, 6, 25),
    ]


def test_a_rule_with_fewer_dates_cancels_the_orders_left_over(commune, f):
    plan = _create(commune, f, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 8, 25)), lead_days=70)
    orders = _orders(plan)
    assert len(orders) == 3
    with scopes_disabled():
        services.plan_update(
            access=commune.access,
            plan=plan,
            expected_version=plan.version,
            today=TODAY,
            rrule="FREQ=YEARLY;BYMONTH=8",
            dtstart=at(date(2026, 8, 25)),
        )
        statuses = [WorkOrder.objects.get(pk=o.pk).status for o in orders]
    assert statuses == [Status.TO_PLAN, Status.CANCELLED, Status.CANCELLED]
    assert _orders(plan) == orders[:1]  # the cancelled ones no longer stand for a due date


def test_a_stale_plan_update_is_refused(commune, f):
    plan = _create(commune, f)
    stale = plan.version
    with scopes_disabled():
        services.plan_update(access=commune.access, plan=plan, expected_version=stale, today=TODAY, name="Nouveau nom")
        with pytest.raises(DomainError):
            services.plan_update(access=commune.access, plan=plan, expected_version=stale, today=TODAY, name="Autre")
        plan.refresh_from_db()
    assert plan.name == "Nouveau nom"


def test_archiving_cancels_the_orders_not_started(commune, f):
    plan = _create(commune, f, rrule="FREQ=MONTHLY", dtstart=at(date(2026, 8, 25)), lead_days=40)
    orders = _orders(plan)
    assert len(orders) == 2
    with scopes_disabled():
        services.plan_archive(access=commune.access, plan=plan, expected_version=plan.version, today=TODAY)
        assert not Occurrence.objects.filter(plan=plan, due_on__gt=TODAY).exists()
        assert {WorkOrder.objects.get(pk=o.pk).status for o in orders} == {Status.CANCELLED}


# --- Meters --------------------------------------------------------------------------------------


def test_meter_readings_trigger_an_order_at_each_threshold(commune, f):
    boiler = f.equipment(commune.building, "Chaudière")
    plan = _create(
        commune,
        f,
        equipment=boiler,
        trigger=MaintenancePlan.Trigger.METER,
        meter_unit="heures de marche",
        meter_every=Decimal("500"),
        meter_lead=Decimal("50"),
        rrule="",
        dtstart=None,
    )
    tech = f.user("tech", role=Role.TECHNICIAN, organisation=commune.org)
    access = access_of(tech, commune.org)
    with scopes_disabled():
        _reading, occurrence = services.meter_reading_record(access=access, plan=plan, value=Decimal("300"))
        assert occurrence is None and _orders(plan) == []
        _reading, occurrence = services.meter_reading_record(access=access, plan=plan, value=Decimal("460"))
        assert occurrence.meter_threshold == Decimal("500")
        _reading, again = services.meter_reading_record(access=access, plan=plan, value=Decimal("480"))
        assert again is None
    (order,) = _orders(plan)
    assert order.equipment_id == boiler.pk and "500 heures de marche" in order.description


def test_a_jump_over_several_thresholds_makes_one_order(commune, f):
    plan = _create(
        commune,
        f,
        trigger=MaintenancePlan.Trigger.METER,
        meter_unit="h",
        meter_every=Decimal("500"),
        rrule="",
        dtstart=None,
    )
    with scopes_disabled():
        _r, occurrence = services.meter_reading_record(access=commune.access, plan=plan, value=Decimal("1730"))
    assert occurrence.meter_threshold == Decimal("1500") and len(_orders(plan)) == 1


def test_a_reading_lower_than_the_last_one_is_refused(commune, f):
    plan = _create(
        commune,
        f,
        trigger=MaintenancePlan.Trigger.METER,
        meter_unit="h",
        meter_every=Decimal("500"),
        rrule="",
        dtstart=None,
    )
    with scopes_disabled():
        services.meter_reading_record(access=commune.access, plan=plan, value=Decimal("320"))
        before = _state()
        with pytest.raises(DomainError) as refused:
            services.meter_reading_record(access=commune.access, plan=plan, value=Decimal("310"))
    assert "inférieur au précédent" in refused.value.message
    assert _state() == before


# --- Findings, reports ------------------------------------------------------------------------


@pytest.fixture
def inspected(commune, f):
    """An inspection done by the commune's team; returns (occurrence, team lead, technician, team)."""
    lead = f.user("chef", role=Role.TEAM_LEAD, organisation=commune.org)
    tech = f.user("tech", role=Role.TECHNICIAN, organisation=commune.org)
    team = f.team(commune.org, "Régie", lead=lead, members=[tech])
    plan = _create(commune, f, name="Vérification des installations électriques", trade=f.trade("electricite"))
    (order,) = _orders(plan)
    with scopes_disabled():
        work_order_plan(
            access=access_of(lead, commune.org),
            work_order=order,
            expected_version=order.version,
            team=team,
            technicians=[tech],
        )
        for status in (Status.IN_PROGRESS, Status.DONE):
            work_order_transition(
                access=access_of(tech, commune.org), work_order=order, to_status=status, expected_version=order.version
            )
        occurrence = Occurrence.objects.select_related("plan__building", "work_order", "organisation").get(
            work_order=order
        )
    return occurrence, lead, tech, team


def test_a_finding_becomes_a_corrective_order_and_clears_when_it_is_validated(commune, f, inspected):
    occurrence, lead, tech, team = inspected
    with scopes_disabled():
        finding = services.finding_create(
            access=commune.access,
            occurrence=occurrence,
            description="Bloc BAES hors service côté parking",
            priority=WorkOrder.Priority.HIGH,
        )
        order = finding.work_order
        assert (order.kind, order.status, order.priority) == (
            WorkOrder.Kind.CORRECTIVE,
            Status.TO_PLAN,
            WorkOrder.Priority.HIGH,
        )
        assert order.building_id == commune.building.pk and "Bloc BAES" in order.title
        assert finding_state(get_finding_for(commune.access, finding.pk)) == FindingState.IN_PROGRESS
        work_order_plan(
            access=access_of(lead, commune.org),
            work_order=order,
            expected_version=order.version,
            team=team,
            technicians=[tech],
        )
        for status in (Status.IN_PROGRESS, Status.DONE):
            work_order_transition(
                access=access_of(tech, commune.org), work_order=order, to_status=status, expected_version=order.version
            )
        assert (
            finding_state(get_finding_for(commune.access, finding.pk)) == FindingState.IN_PROGRESS
        )  # done is not validated
        work_order_transition(
            access=access_of(lead, commune.org),
            work_order=order,
            to_status=Status.VALIDATED,
            expected_version=order.version,
        )
        assert finding_state(get_finding_for(commune.access, finding.pk)) == FindingState.CLEARED


def test_a_finding_whose_order_was_cancelled_gets_a_new_one(commune, f, inspected):
    occurrence, *_ = inspected
    with scopes_disabled():
        finding = services.finding_create(access=commune.access, occurrence=occurrence, description="Capot manquant")
        first = finding.work_order
        with pytest.raises(DomainError):
            services.finding_reopen(access=commune.access, finding=finding)
        work_order_transition(
            access=commune.access,
            work_order=first,
            to_status=Status.CANCELLED,
            expected_version=first.version,
            reason="Erreur",
        )
        finding = get_finding_for(commune.access, finding.pk)
        assert finding_state(finding) == FindingState.TO_REISSUE
        services.finding_reopen(access=commune.access, finding=finding)
        finding = get_finding_for(commune.access, finding.pk)
    assert finding.work_order_id != first.pk and finding_state(finding) == FindingState.IN_PROGRESS


def test_findings_wait_for_the_visit(commune, f):
    plan = _create(commune, f)
    with scopes_disabled():
        occurrence = Occurrence.objects.select_related("work_order", "plan__building").get(
            plan=plan, work_order__isnull=False
        )
        before = _state()
        with pytest.raises(DomainError) as refused:
            services.finding_create(access=commune.access, occurrence=occurrence, description="x")
    assert "après la visite" in refused.value.message
    assert _state() == before


def test_the_report_is_attached_to_the_inspection_order(commune, f, inspected):
    occurrence, *_ = inspected
    with scopes_disabled():
        document = services.occurrence_report_attach(
            access=commune.access, occurrence=occurrence, uploaded=SimpleUploadedFile("rapport.pdf", PDF)
        )
        occurrence.refresh_from_db()
    assert occurrence.report_id == document.pk and document.object_id == occurrence.work_order_id
    assert document.title.startswith("Rapport de vérification")


def test_a_report_must_be_a_pdf(commune, f, inspected):
    occurrence, *_ = inspected
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    before = _state()
    with scopes_disabled(), pytest.raises(DomainError):
        services.occurrence_report_attach(
            access=commune.access, occurrence=occurrence, uploaded=SimpleUploadedFile("r.png", png)
        )
    assert _state() == before


# --- The catalogue ----------------------------------------------------------------------------


def test_applying_the_catalogue_creates_one_plan_per_chosen_check(commune, f, catalogue):
    extinguisher = f.category("extincteurs")
    f.equipment(commune.building, "Extincteur", category=extinguisher)
    with scopes_disabled():
        checks = {c.code: c for c in StatutoryCheck.objects.all()}
        plans = services.catalogue_apply(
            access=commune.access,
            building=commune.building,
            today=TODAY,
            choices=[
                services.CatalogueChoice(checks["extincteurs-verification"], date(2026, 10, 1)),
                services.CatalogueChoice(checks["erp-commission-securite"], date(2027, 3, 1)),
            ],
        )
    extinguishers, commission = plans
    assert (extinguishers.target, extinguishers.category_id, extinguishers.rrule) == (
        MaintenancePlan.Target.CATEGORY,
        extinguisher.pk,
        "FREQ=YEARLY",
    )
    assert extinguishers.statutory_check.code == "extincteurs-verification" and "Pression" in extinguishers.checklist
    assert commission.target == MaintenancePlan.Target.BUILDING and commission.rrule == "FREQ=YEARLY;INTERVAL=3"
    before = _state()
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        services.catalogue_apply(
            access=commune.access,
            building=commune.building,
            today=TODAY,
            choices=[
                services.CatalogueChoice(checks["desenfumage"], date(2026, 10, 1)),
                services.CatalogueChoice(checks["extincteurs-verification"], date(2026, 10, 1)),
            ],
        )
    assert "déjà planifié" in refused.value.message
    assert _state() == before  # the whole lot, the first check included
