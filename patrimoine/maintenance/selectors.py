"""Reads of preventive maintenance, always through the user's access.

Compliance is computed, never stored: an occurrence is done when its work order is « terminé » or
« validé »; a plan's next due date is its first occurrence after the last done one that is not done
(a cancelled check is still owed); a finding is cleared when its corrective order is validated.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import AssetStatus, Building, Equipment
from patrimoine.assets.selectors import buildings_visible_to
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

from .catalogue import Proposal, proposals_for
from .models import Finding, GenerationRun, MaintenancePlan, MeterReading, Occurrence, StatutoryCheck
from .recurrence import PARIS, approximate_period_days, first_after

DONE = (WorkOrder.Status.DONE, WorkOrder.Status.VALIDATED)
DUE_SOON_DAYS = 60
SHORT_PERIOD_DAYS = 120


class Compliance:
    OVERDUE = "en_retard"
    DUE_SOON = "a_echeance"
    UP_TO_DATE = "a_jour"
    NOT_PLANNED = "non_planifie"
    LABELS = {
        OVERDUE: _("En retard"),
        DUE_SOON: _("À échéance"),
        UP_TO_DATE: _("À jour"),
        NOT_PLANNED: _("Non planifié"),
    }
    ORDER = {OVERDUE: 0, NOT_PLANNED: 1, DUE_SOON: 2, UP_TO_DATE: 3}
    BADGES = {OVERDUE: "badge--urgent", DUE_SOON: "badge--warn", UP_TO_DATE: "badge--ok", NOT_PLANNED: "badge--info"}


# --- Visibility --------------------------------------------------------------------------------


def plans_visible_to(access: Access) -> QuerySet[MaintenancePlan]:
    if not access.has("maintenance.view"):
        return MaintenancePlan.objects.none()
    return MaintenancePlan.objects.filter(organisation_id__in=access.read_org_ids)


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


PLAN_RELATED = (
    "organisation",
    "building__site",
    "equipment__building",
    "category",
    "statutory_check",
    "trade",
    "team",
    "contractor",
)


def get_plan_for(access: Access, pk) -> MaintenancePlan:
    return _get(plans_visible_to(access).select_related(*PLAN_RELATED), pk)


def get_occurrence_for(access: Access, pk) -> Occurrence:
    occurrences = Occurrence.objects.filter(plan__in=plans_visible_to(access))
    related = ("plan__" + name for name in PLAN_RELATED)
    return _get(occurrences.select_related("organisation", "work_order", "report", *related), pk)


def get_finding_for(access: Access, pk) -> Finding:
    findings = Finding.objects.filter(occurrence__plan__in=plans_visible_to(access))
    return _get(findings.select_related("occurrence__plan", "work_order", "building", "organisation"), pk)


def get_building_for_maintenance(access: Access, pk) -> Building:
    if not access.has("maintenance.view"):
        raise Http404
    return _get(buildings_visible_to(access).select_related("site", "organisation"), pk)


def calendar_teams(access: Access) -> QuerySet[Team]:
    """Teams whose calendar the user may open: his own teams and his organisation's."""
    if not access.has("maintenance.view") or access.organisation is None:
        return Team.objects.none()
    return Team.objects.filter(Q(pk__in=access.team_ids) | Q(organisation_id=access.organisation.pk)).order_by("name")


def get_team_for_calendar(access: Access, pk) -> Team:
    return _get(calendar_teams(access).select_related("organisation"), pk)


# --- Plan status -------------------------------------------------------------------------------


@dataclass
class PlanStatus:
    plan: MaintenancePlan
    status: str
    next_due: date | None
    last_done_on: date | None
    last_done: Occurrence | None = None
    next: Occurrence | None = None
    open_findings: int = 0

    @property
    def label(self):
        return Compliance.LABELS[self.status]

    @property
    def badge(self) -> str:
        return Compliance.BADGES[self.status]

    @property
    def report(self):
        return self.last_done.report if self.last_done is not None else None


def with_status_annotations(plans: QuerySet[MaintenancePlan]) -> QuerySet[MaintenancePlan]:
    """Annotate each plan with its last done occurrence, its next owed one, and its open findings."""
    done = Occurrence.objects.filter(plan=OuterRef("pk"), work_order__status__in=DONE).order_by("-due_on")
    plans = plans.annotate(
        last_done_due=Subquery(done.values("due_on")[:1]),
        last_done_at=Subquery(done.values("work_order__completed_at")[:1]),
        last_done_id=Subquery(done.values("pk")[:1]),
    )
    owed = (
        Occurrence.objects.filter(plan=OuterRef("pk"))
        .filter(Q(work_order__isnull=True) | ~Q(work_order__status__in=DONE))
        .filter(due_on__gt=Coalesce(OuterRef("last_done_due"), Value(date(1, 1, 1))))
        .order_by("due_on")
    )
    findings = (
        Finding.objects.filter(occurrence__plan=OuterRef("pk"))
        .filter(Q(work_order__isnull=True) | ~Q(work_order__status=WorkOrder.Status.VALIDATED))
        .order_by()
        .values("occurrence__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return plans.annotate(
        next_due=Subquery(owed.values("due_on")[:1]),
        next_id=Subquery(owed.values("pk")[:1]),
        open_findings=Coalesce(Subquery(findings, output_field=IntegerField()), Value(0)),
    )


def due_soon_days(plan: MaintenancePlan) -> int:
    """« À échéance » means within 60 days — or, for a check more frequent than every four months,
    within its lead time (a monthly round is not « due soon » all year long)."""
    if plan.trigger == MaintenancePlan.Trigger.CALENDAR and approximate_period_days(plan.rrule) < SHORT_PERIOD_DAYS:
        return plan.lead_days
    return DUE_SOON_DAYS


def status_of(plan: MaintenancePlan, next_due: date | None, today: date) -> str:
    if next_due is None:
        return Compliance.UP_TO_DATE
    if next_due < today:
        return Compliance.OVERDUE
    if next_due <= today + timedelta(days=due_soon_days(plan)):
        return Compliance.DUE_SOON
    return Compliance.UP_TO_DATE


def plan_statuses(plans: QuerySet[MaintenancePlan], today: date) -> list[PlanStatus]:
    """The status of each plan (two queries whatever their number)."""
    plans = list(with_status_annotations(plans))
    ids = {p.last_done_id for p in plans} | {p.next_id for p in plans}
    occurrences = Occurrence.objects.filter(pk__in=[i for i in ids if i is not None]).select_related(
        "report", "work_order"
    )
    by_id = {o.pk: o for o in occurrences} if ids - {None} else {}
    rows = []
    for plan in plans:
        next_due = plan.next_due
        if next_due is None and plan.trigger == MaintenancePlan.Trigger.CALENDAR:
            after = plan.last_done_due or (plan.dtstart.astimezone(PARIS).date() - timedelta(days=1))
            upcoming = first_after(plan.rrule, plan.dtstart, after)
            next_due = upcoming.astimezone(PARIS).date() if upcoming else None
        last_done_on = timezone.localtime(plan.last_done_at).date() if plan.last_done_at else plan.last_done_due
        rows.append(
            PlanStatus(
                plan=plan,
                status=status_of(plan, next_due, today),
                next_due=next_due,
                last_done_on=last_done_on,
                last_done=by_id.get(plan.last_done_id),
                next=by_id.get(plan.next_id),
                open_findings=plan.open_findings,
            )
        )
    return rows


# --- Compliance of a building ------------------------------------------------------------------


@dataclass
class Requirement:
    """A line of the compliance table: a planned check (with its status) or a required one not planned."""

    check: StatutoryCheck | None
    plan_status: PlanStatus | None = None
    proposal: Proposal | None = None

    @property
    def status(self) -> str:
        return self.plan_status.status if self.plan_status else Compliance.NOT_PLANNED

    @property
    def label(self):
        return Compliance.LABELS[self.status]

    @property
    def badge(self) -> str:
        return Compliance.BADGES[self.status]


@dataclass
class BuildingCompliance:
    building: Building
    requirements: list[Requirement]
    other_plans: list[PlanStatus]
    findings: list
    counts: dict = field(default_factory=dict)

    @property
    def worst(self) -> str | None:
        statuses = [r.status for r in self.requirements]
        return min(statuses, key=Compliance.ORDER.__getitem__) if statuses else None


def active_checks() -> list[StatutoryCheck]:
    return list(StatutoryCheck.objects.filter(is_active=True).prefetch_related("categories"))


def categories_present(building_ids) -> dict:
    """{building id: codes of the equipment categories in service in it}: one row per building (the
    codes joined by the database), not one per building and category — a commune's compliance page
    reads hundreds of buildings holding tens of thousands of items."""
    rows = (
        Equipment.objects.filter(building_id__in=list(building_ids), status=AssetStatus.IN_SERVICE)
        .order_by()
        .values("building_id")
        .annotate(codes=StringAgg("category__code", Value(",")))
        .values_list("building_id", "codes")
    )
    return {building_id: set(codes.split(",")) for building_id, codes in rows if codes}


def _statutory_plans(access: Access, building_ids) -> QuerySet[MaintenancePlan]:
    return (
        plans_visible_to(access)
        .filter(is_active=True, building_id__in=list(building_ids))
        .select_related(*PLAN_RELATED)
        .order_by("statutory_check__position", "name")
    )


def _count(requirements: list[Requirement]) -> dict:
    counts = dict.fromkeys(Compliance.LABELS, 0)
    for requirement in requirements:
        counts[requirement.status] += 1
    return counts


def building_compliance(access: Access, building: Building, today: date) -> BuildingCompliance:
    statuses = plan_statuses(_statutory_plans(access, [building.pk]), today)
    checks = active_checks()
    planned = {s.plan.statutory_check_id: s.plan for s in statuses if s.plan.statutory_check_id}
    proposals = proposals_for(building, checks, categories_present([building.pk]).get(building.pk, set()), planned)
    requirements = [Requirement(s.plan.statutory_check, plan_status=s) for s in statuses if s.plan.statutory_check_id]
    requirements += [Requirement(p.check, proposal=p) for p in proposals if p.required and p.existing_plan is None]
    requirements.sort(key=lambda r: (Compliance.ORDER[r.status], r.check.position))
    others = [s for s in statuses if not s.plan.statutory_check_id]
    findings = findings_of_building(access, building)
    return BuildingCompliance(building, requirements, others, findings, _count(requirements))


# --- Findings ----------------------------------------------------------------------------------


class FindingState:
    CLEARED = "levee"
    IN_PROGRESS = "en_cours"
    TO_REISSUE = "a_relancer"
    LABELS = {CLEARED: _("Levée"), IN_PROGRESS: _("À lever"), TO_REISSUE: _("Bon annulé : à relancer")}
    BADGES = {CLEARED: "badge--ok", IN_PROGRESS: "badge--warn", TO_REISSUE: "badge--urgent"}


def finding_state(finding: Finding) -> str:
    """Cleared exactly when its corrective order is validated (read from the order, no copy)."""
    order = finding.work_order
    if order is None or order.status == WorkOrder.Status.CANCELLED:
        return FindingState.TO_REISSUE
    if order.status == WorkOrder.Status.VALIDATED:
        return FindingState.CLEARED
    return FindingState.IN_PROGRESS


def _decorate(findings) -> list[Finding]:
    findings = list(findings)
    for finding in findings:
        finding.state = finding_state(finding)
        finding.state_label = FindingState.LABELS[finding.state]
        finding.state_badge = FindingState.BADGES[finding.state]
    return findings


def findings_of_building(access: Access, building: Building) -> list[Finding]:
    findings = Finding.objects.filter(occurrence__plan__in=plans_visible_to(access), building=building).select_related(
        "work_order", "equipment", "occurrence__plan", "occurrence__work_order"
    )
    return _decorate(findings.order_by("-occurrence__due_on", "created_at"))


def findings_of_occurrence(occurrence: Occurrence) -> list[Finding]:
    findings = Finding.objects.filter(occurrence=occurrence).select_related("work_order", "equipment")
    return _decorate(findings.order_by("created_at"))


# --- Compliance of an organisation -------------------------------------------------------------


@dataclass
class BuildingRow:
    building: Building
    counts: dict
    open_findings: int = 0

    @property
    def worst(self) -> str | None:
        present = [s for s, n in self.counts.items() if n]
        return min(present, key=Compliance.ORDER.__getitem__) if present else None

    @property
    def worst_label(self):
        return Compliance.LABELS[self.worst] if self.worst else _("Aucun contrôle requis")

    @property
    def worst_badge(self) -> str:
        return Compliance.BADGES[self.worst] if self.worst else ""


@dataclass
class OrganisationCompliance:
    rows: list[BuildingRow]
    totals: dict
    overdue: list[PlanStatus]
    due_soon: list[PlanStatus]
    open_findings: int


def organisation_compliance(access: Access, buildings: QuerySet[Building], today: date) -> OrganisationCompliance:
    """Per building, how many checks are late, due soon, up to date or not planned (constant queries)."""
    buildings = list(buildings.select_related("site", "organisation"))
    ids = [b.pk for b in buildings]
    statuses = plan_statuses(_statutory_plans(access, ids).filter(statutory_check__isnull=False), today)
    checks = active_checks()
    present = categories_present(ids)
    by_building: dict = {}
    for status in statuses:
        by_building.setdefault(status.plan.building_id, []).append(status)
    rows = []
    for building in buildings:
        mine = by_building.get(building.pk, [])
        planned = {s.plan.statutory_check_id: s.plan for s in mine}
        missing = [
            p
            for p in proposals_for(building, checks, present.get(building.pk, set()), planned, explain=False)
            if p.required and p.existing_plan is None
        ]
        requirements = [Requirement(s.plan.statutory_check, plan_status=s) for s in mine]
        requirements += [Requirement(p.check, proposal=p) for p in missing]
        rows.append(BuildingRow(building, _count(requirements), sum(s.open_findings for s in mine)))
    totals = dict.fromkeys(Compliance.LABELS, 0)
    for row in rows:
        for status, n in row.counts.items():
            totals[status] += n
    overdue = sorted((s for s in statuses if s.status == Compliance.OVERDUE), key=lambda s: s.next_due)
    due_soon = sorted((s for s in statuses if s.status == Compliance.DUE_SOON), key=lambda s: s.next_due)
    return OrganisationCompliance(rows, totals, overdue, due_soon, sum(r.open_findings for r in rows))


def catalogue_proposals(access: Access, building: Building) -> list[Proposal]:
    planned = {
        p.statutory_check_id: p
        for p in plans_visible_to(access).filter(
            building=building, is_active=True, statutory_check__isnull=False, equipment__isnull=True
        )
    }
    present = categories_present([building.pk]).get(building.pk, set())
    return proposals_for(building, active_checks(), present, planned)


def register_history(plans, *, since: date) -> list[Occurrence]:
    """The checks done since `since` (newest first), with who did them, the report and the findings."""
    occurrences = list(
        Occurrence.objects.filter(plan__in=plans, work_order__status__in=DONE, due_on__gte=since)
        .select_related("plan__statutory_check", "work_order__team", "work_order__contractor", "report")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.select_related("work_order")))
        .order_by("-work_order__completed_at", "-due_on")
    )
    for occurrence in occurrences:
        occurrence.finding_rows = _decorate(occurrence.findings.all())
    return occurrences


# --- One plan ----------------------------------------------------------------------------------


def plan_occurrences(plan: MaintenancePlan) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(plan=plan)
        .select_related("work_order", "report")
        .annotate(findings_count=Count("findings"))
        .order_by("-due_on")
    )


def plan_readings(plan: MaintenancePlan) -> QuerySet[MeterReading]:
    return MeterReading.objects.filter(plan=plan).select_related("read_by").order_by("-read_at")[:10]


# --- Calendar ----------------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    uid: str
    day: date
    title: str
    place: str
    url: str
    kind: str  # "echeance" (a due date, all day) or "intervention" (a planned slot)
    start: datetime | None = None
    end: datetime | None = None
    status: str = ""
    late: bool = False
    description: str = ""


def calendar_entries(
    access: Access, *, start: date, end: date, team: Team | None = None, building: Building | None = None
) -> list[CalendarEntry]:
    """Planned work between `start` and `end` (inclusive) of a team or a building: the work orders
    with a slot, and the preventive due dates not yet given a slot."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    window_from = datetime.combine(start, time.min, tzinfo=tz)
    window_to = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    orders = (
        work_orders_visible_to(access)
        .filter(planned_start__gte=window_from, planned_start__lt=window_to)
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("building", "site", "equipment", "team", "contractor")
    )
    occurrences = (
        Occurrence.objects.filter(plan__in=plans_visible_to(access), plan__is_active=True)
        .filter(due_on__gte=start, due_on__lte=end)
        .filter(Q(work_order__isnull=True) | Q(work_order__planned_start__isnull=True))
        .exclude(work_order__status__in=[WorkOrder.Status.CANCELLED, *DONE])
        .select_related("plan__building", "plan__equipment", "work_order")
    )
    if team is not None:
        orders = orders.filter(team=team)
        occurrences = occurrences.filter(Q(plan__team=team) | Q(work_order__team=team))
    if building is not None:
        orders = orders.filter(building=building)
        occurrences = occurrences.filter(Q(plan__building=building) | Q(plan__equipment__building=building))
    entries = []
    for order in orders.order_by("planned_start"):
        local = timezone.localtime(order.planned_start)
        entries.append(
            CalendarEntry(
                uid=f"bt-{order.pk}@patrimoine",
                day=local.date(),
                title=f"{order.reference} — {order.title}",
                place=str(order.building or order.site or order.location_text or ""),
                url=reverse("workorders:detail", kwargs={"pk": order.pk}),
                kind="intervention",
                start=order.planned_start,
                end=order.planned_end or order.planned_start + timedelta(hours=1),
                status=order.get_status_display(),
                description=order.description,
            )
        )
    for occurrence in occurrences.order_by("due_on"):
        plan = occurrence.plan
        place = plan.equipment or plan.building
        order = occurrence.work_order
        entries.append(
            CalendarEntry(
                uid=f"echeance-{occurrence.pk}@patrimoine",
                day=occurrence.due_on,
                title=str(_("Échéance : %(plan)s")) % {"plan": plan.name},
                place=str(place or ""),
                url=reverse("maintenance:occurrence-detail", kwargs={"pk": occurrence.pk}),
                kind="echeance",
                status=order.get_status_display() if order else str(_("Prévue")),
                late=occurrence.due_on < today,
                description=order.reference if order else "",
            )
        )
    entries.sort(key=lambda e: (e.day, e.start or datetime.combine(e.day, time.min, tzinfo=tz), e.title))
    return entries


@dataclass
class MonthGrid:
    month: date
    weeks: list[list[tuple[date, list[CalendarEntry]]]]
    previous: date
    next: date


def month_grid(month: date, entries: list[CalendarEntry]) -> MonthGrid:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = following - timedelta(days=1)
    end += timedelta(days=6 - end.weekday())
    by_day: dict = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    weeks, day = [], start
    while day <= end:
        weeks.append([(day + timedelta(days=i), by_day.get(day + timedelta(days=i), [])) for i in range(7)])
        day += timedelta(days=7)
    previous = (first - timedelta(days=1)).replace(day=1)
    return MonthGrid(first, weeks, previous, following)


def grid_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = following - timedelta(days=1)
    return start, end + timedelta(days=6 - end.weekday())


# --- Generation runs ---------------------------------------------------------------------------


def generation_runs_for(access: Access) -> QuerySet[GenerationRun]:
    """The runs of the user's organisation, and the scheduler's (which show no counts)."""
    if not access.has("maintenance.view") or access.organisation is None:
        return GenerationRun.objects.none()
    return GenerationRun.objects.filter(
        Q(organisation_id=access.organisation.pk) | Q(organisation__isnull=True)
    ).select_related("requested_by")[:10]
