"""Reads of work orders, always through the user's access (tenancy + role rules)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.contractors.models import Contractor
from patrimoine.costs.models import TimeEntry
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership, Team, TeamMember
from patrimoine.organisations.permissions import WORK_ORDER_OWNERSHIP, Owns
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder, WorkOrderTransition

Role = Membership.Role


def _relation_q(access: Access, relation: str, org_ids) -> Q:
    """The orders to which `access` stands in `relation` (see `Owns` in organisations/permissions.py)."""
    if relation == Owns.SCOPE:
        return Q(organisation_id__in=org_ids)
    if relation == Owns.HOME:
        return Q(organisation_id=access.organisation.pk)
    if relation == Owns.TEAM:
        return Q(team_id__in=access.team_ids)
    if relation == Owns.NAMED:
        named = WorkOrder.technicians.through.objects.filter(workorder_id=OuterRef("pk"), user_id=access.user.pk)
        return Q(Exists(named))
    if relation == Owns.CONTRACTOR:
        return Q(contractor_id=access.contractor_id) if access.contractor_id else Q(pk__in=())
    if relation == Owns.UNTAKEN:
        served = access.write_org_ids if access.team_ids else ()
        return Q(organisation_id__in=served, team__isnull=True, contractor__isnull=True)
    raise ValueError(f"Unknown ownership relation {relation!r}")


def _relation_holds(access: Access, relation: str, work_order: WorkOrder, org_ids) -> bool:
    """`_relation_q` for one order already in memory (one query for Owns.NAMED only)."""
    if relation == Owns.SCOPE:
        return work_order.organisation_id in org_ids
    if relation == Owns.HOME:
        return work_order.organisation_id == access.organisation.pk
    if relation == Owns.TEAM:
        return work_order.team_id is not None and work_order.team_id in access.team_ids
    if relation == Owns.NAMED:
        return work_order.technicians.filter(pk=access.user.pk).exists()
    if relation == Owns.CONTRACTOR:
        return access.contractor_id is not None and work_order.contractor_id == access.contractor_id
    if relation == Owns.UNTAKEN:
        return (
            bool(access.team_ids)
            and work_order.organisation_id in access.write_org_ids
            and work_order.team_id is None
            and work_order.contractor_id is None
        )
    raise ValueError(f"Unknown ownership relation {relation!r}")


def _ownership(access: Access, mode: str) -> frozenset[str]:
    return WORK_ORDER_OWNERSHIP.get(access.role, {}).get(mode, frozenset())


def work_orders_visible_to(access: Access) -> QuerySet[WorkOrder]:
    """The work orders `access` may read: `workorders.view`, then the relations the role's row of
    WORK_ORDER_OWNERSHIP names (organisations/permissions.py) — a technician his teams' orders and those
    he is named on, a contractor his company's, a team lead his organisation's, his teams' and the untaken
    orders of the communes they serve, the others every order in scope. The default manager already
    limits to the scope's organisations."""
    if not access.has("workorders.view"):
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(owned_q(access, "read"))


def owned_q(access: Access, mode: str) -> Q:
    """The condition on work orders of `work_order_owned` (`mode` "read" or "act"), for a queryset."""
    org_ids = access.read_org_ids if mode == "read" else access.write_org_ids
    condition = Q(pk__in=())
    for relation in sorted(_ownership(access, mode)):
        condition |= _relation_q(access, relation, org_ids)
    return condition & Q(organisation_id__in=org_ids)


def work_order_owned(access: Access, work_order: WorkOrder, mode: str) -> bool:
    """Does `access` stand to this order in a relation that lets its role read it (`mode="read"`) or act
    on it (`mode="act"`)? Tenancy first: the order's organisation must be in the read (or write) scope."""
    org_ids = access.read_org_ids if mode == "read" else access.write_org_ids
    if work_order.organisation_id not in org_ids:
        return False
    relations = sorted(_ownership(access, mode), key=lambda relation: (relation == Owns.NAMED, relation))
    return any(_relation_holds(access, relation, work_order, org_ids) for relation in relations)  # NAMED: a query


def orgs_with_all_orders_visible(access: Access) -> frozenset[int]:
    """The organisations whose every work order `access` reads (per `work_orders_visible_to`): what
    figures summed per organisation (the dashboards' rollups) may answer for this user. Derived from
    the role's row of WORK_ORDER_OWNERSHIP: a relation that takes a whole organisation (SCOPE: every
    one in scope; HOME: his own) — the others (team, named, company, untaken) take part of one."""
    if not access.has("workorders.view"):
        return frozenset()
    relations = _ownership(access, "read")
    if Owns.SCOPE in relations:
        return frozenset(access.read_org_ids)
    if Owns.HOME in relations and access.organisation is not None:
        return frozenset({access.organisation.pk}) & frozenset(access.read_org_ids)
    return frozenset()


def get_work_order_for(access: Access, pk) -> WorkOrder:
    """One work order the user may read, or 404 (another organisation's answers exactly like a missing one)."""
    try:
        return (
            work_orders_visible_to(access)
            .select_related("trade", "site", "building", "space", "equipment", "team", "contractor", "organisation")
            .get(pk=pk)
        )
    except (WorkOrder.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


# --- Lists -------------------------------------------------------------------------------------


def technician_names() -> Subquery:
    """The order's technicians as one text « Prénom Nom, Prénom Nom » (a user without a name shows
    his login, like `User.__str__`), by family name where the database orders an aggregate
    (PostgreSQL, SQLite ≥ 3.44): the list reads it with its rows instead of a prefetch query."""
    through = WorkOrder.technicians.through
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name", output_field=CharField()))
    name = Coalesce(NullIf(full_name, Value("")), "user__username", output_field=CharField())
    ordered = {"order_by": ("user__last_name", "user__first_name")}
    if not connection.features.supports_aggregate_order_by_clause:
        ordered = {}
    names = (
        through.objects.filter(workorder_id=OuterRef("pk"))
        .order_by()
        .values("workorder_id")
        .annotate(names=StringAgg(name, Value(", "), **ordered))
        .values("names")
    )
    return Subquery(names, output_field=CharField())


def work_orders_for_list(access: Access) -> QuerySet[WorkOrder]:
    """The visible orders with everything a list row shows, in a constant number of queries.

    The organisation is joined only when rows may belong to several (the lists then show it): each
    join past six costs PostgreSQL's planner milliseconds, more than running the page's query."""
    related = ["trade", "site", "building", "equipment", "team", "contractor"]
    if len(access.read_org_ids) > 1:
        related.append("organisation")
    return (
        work_orders_visible_to(access)
        .select_related(*related)
        .prefetch_related(Prefetch("technicians", queryset=User.objects.order_by("last_name", "first_name")))
    )


def work_orders_for_list_page(access: Access) -> QuerySet[WorkOrder]:
    """The rows of the work-order list: like `work_orders_for_list`, with `technician_names` read in
    the same query as the rows (no prefetch)."""
    return work_orders_for_list(access).prefetch_related(None).annotate(technician_names=technician_names())


def hours_worked() -> Subquery:
    """The hours recorded on the outer work order, as a subquery (one index lookup per order row)."""
    return Subquery(
        TimeEntry.objects.filter(work_order_id=OuterRef("pk"))
        .order_by()
        .values("work_order_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )


def work_orders_to_validate(access: Access) -> QuerySet[WorkOrder]:
    """Orders « terminé » this user may validate (same rule as `work_order_may(access, "workorders.validate")`:
    an order of an organisation where he acts, or one given to his team), with their hours."""
    if not access.has("workorders.validate"):
        return WorkOrder.objects.none()
    hours = hours_worked()
    return (
        work_orders_for_list(access)
        .filter(status=WorkOrder.Status.DONE)
        .filter(owned_q(access, "act"))
        .annotate(hours=Coalesce(hours, Value(Decimal("0")), output_field=DecimalField()))
        .order_by("completed_at", "created_at")
    )


# --- One order ---------------------------------------------------------------------------------


def work_order_history(work_order: WorkOrder) -> QuerySet[WorkOrderTransition]:
    return WorkOrderTransition.objects.filter(work_order=work_order).select_related("actor").order_by("at")


def work_order_checklist(work_order: WorkOrder) -> QuerySet[ChecklistItem]:
    return (
        ChecklistItem.objects.filter(work_order=work_order).select_related("done_by").order_by("position", "created_at")
    )


def get_checklist_item_for(access: Access, work_order: WorkOrder, pk) -> ChecklistItem:
    """A checklist point of an order the user can read (404 otherwise)."""
    try:
        item = ChecklistItem.objects.get(work_order=work_order, pk=pk)
    except (ChecklistItem.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    item.work_order = work_order  # the same instance: a version bump shows on the page
    return item


def work_order_report(work_order: WorkOrder) -> InterventionReport | None:
    return InterventionReport.objects.filter(work_order=work_order).select_related("submitted_by").first()


def work_order_requests(work_order: WorkOrder) -> QuerySet[WorkRequest]:
    """The requests (demandes) this order answers: what the requester wrote is what the technician must fix."""
    return WorkRequest.objects.filter(work_order=work_order).select_related("requested_by").order_by("created_at")


def teams_serving(work_order: WorkOrder) -> QuerySet[Team]:
    """Teams that may work on this order: the owner's own teams and the shared teams serving it.

    A shared team may belong to the EPCI, outside a commune planner's scope: the query is unscoped
    but limited to teams whose service covers the order's organisation.
    """
    with scopes_disabled():
        ids = list(
            Team.objects.filter(
                Q(organisation_id=work_order.organisation_id) | Q(served_organisations=work_order.organisation_id)
            )
            .values_list("pk", flat=True)
            .distinct()
        )
        return Team.objects.filter(pk__in=ids).select_related("organisation").order_by("name")


def technicians_of_teams(team_ids) -> QuerySet[User]:
    return (
        User.objects.filter(team_memberships__team_id__in=list(team_ids), is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def contractors_for(work_order: WorkOrder, access: Access):
    """Contractors the order may be given to: those of its organisation (and of the planner's own)."""
    org_ids = {work_order.organisation_id}
    if access.organisation is not None and access.organisation.pk in access.write_org_ids:
        org_ids.add(access.organisation.pk)
    return Contractor.objects.filter(organisation_id__in=org_ids).order_by("name")


# --- Planning ----------------------------------------------------------------------------------

SLOT_HOURS = Decimal("4")
MORNING, AFTERNOON = "matin", "apres-midi"
SLOTS = {
    # code: (label, start, end) in local time
    MORNING: (_("Matin"), time(8, 0), time(12, 0)),
    AFTERNOON: (_("Après-midi"), time(13, 30), time(17, 30)),
}
WORK_DAYS = 5


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def slot_bounds(day: date, slot: str) -> tuple[datetime, datetime]:
    """The aware start and end of a half-day slot (Europe/Paris)."""
    _label, start, end = SLOTS[slot]
    tz = timezone.get_current_timezone()
    return datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz)


def slot_of(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return MORNING if local.time() < time(12, 30) else AFTERNOON


def planned_hours(start: datetime | None, end: datetime | None, monday: date | None = None) -> Decimal:
    """Hours an order holds in a week: its duration on one day, else 4 h per half-day slot it covers
    (working days of the week starting `monday` only); 4 h when no end is given."""
    if start is None:
        return Decimal("0")
    if end is None or end <= start:
        return SLOT_HOURS
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() == local_end.date():
        return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))
    first = monday or week_start(local_start.date())
    hours = Decimal("0")
    for offset in range(WORK_DAYS):
        for slot in SLOTS:
            slot_start, slot_end = slot_bounds(first + timedelta(days=offset), slot)
            if slot_start < end and slot_end > start:
                hours += SLOT_HOURS
    return hours


def planning_teams(access: Access) -> list[Team]:
    """Teams whose week the user may look at: his own teams first; planners also see their organisation's."""
    if not access.has("workorders.view") or access.organisation is None:
        return []
    query = Q(pk__in=access.team_ids)
    if access.has("workorders.plan"):
        query |= Q(organisation_id=access.organisation.pk)
    teams = Team.objects.filter(query).select_related("organisation").order_by("name")
    return sorted(teams, key=lambda team: (team.pk not in access.team_ids, team.name))


def team_organisation_ids(team: Team) -> set[int]:
    return {team.organisation_id, *team.served_organisations.values_list("pk", flat=True)}


@dataclass
class PlanningCell:
    day: date
    slot: str
    label: str
    orders: list = field(default_factory=list)


@dataclass
class PlanningRow:
    technician: object | None
    cells: list[PlanningCell]
    hours: Decimal = Decimal("0")

    @property
    def capacity(self) -> Decimal:
        return SLOT_HOURS * len(SLOTS) * WORK_DAYS

    @property
    def by_slot(self) -> list[tuple[str, str, list[PlanningCell]]]:
        """The row as the board draws it: one line per half day (matin, après-midi), one cell per day."""
        return [
            (code, str(label), self.cells[index :: len(SLOTS)])
            for index, (code, (label, *_)) in enumerate(SLOTS.items())
        ]


def planning_board(access: Access, team: Team, monday: date) -> dict:
    """A team's week: one row per technician, Monday–Friday in half days, the orders planned in each
    slot and each technician's load (hours planned this week)."""
    days = [monday + timedelta(days=offset) for offset in range(WORK_DAYS)]
    tz = timezone.get_current_timezone()
    week_from = datetime.combine(monday, time.min, tzinfo=tz)
    week_to = week_from + timedelta(days=WORK_DAYS)
    members = list(
        TeamMember.objects.filter(team=team, user__is_active=True)
        .select_related("user", "trade")
        .order_by("user__last_name", "user__first_name", "user__username")
    )

    def empty_cells() -> list[PlanningCell]:
        return [PlanningCell(day, slot, str(SLOTS[slot][0])) for day in days for slot in SLOTS]

    rows = {member.user_id: PlanningRow(member.user, empty_cells()) for member in members}
    orders = (
        work_orders_visible_to(access)
        # Starting this week, or started before and ending after Monday: each branch a short range
        # of one index (team, planned_start / planned_end), not the team's whole planned history.
        .filter(team=team)
        .filter(
            Q(planned_start__gte=week_from, planned_start__lt=week_to)
            | Q(planned_end__gt=week_from, planned_start__lt=week_to)
        )
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("building", "site", "trade", "organisation")
        .prefetch_related("technicians")
        .order_by("planned_start", "reference")
    )
    unassigned = PlanningRow(None, empty_cells())
    for order in orders:
        local_day = timezone.localtime(order.planned_start).date()
        day = min(max(local_day, monday), days[-1])
        slot = slot_of(order.planned_start) if local_day == day else MORNING
        index = days.index(day) * len(SLOTS) + list(SLOTS).index(slot)
        hours = planned_hours(order.planned_start, order.planned_end, monday)
        order.week_hours = hours
        targets = [rows[t.pk] for t in order.technicians.all() if t.pk in rows] or [unassigned]
        for row in targets:
            row.cells[index].orders.append(order)
            if row is not unassigned:
                row.hours += hours
    result = list(rows.values())
    if any(cell.orders for cell in unassigned.cells):
        result.append(unassigned)
    return {"team": team, "monday": monday, "days": days, "slots": SLOTS, "rows": result}


def unplanned_for_team(access: Access, team: Team) -> QuerySet[WorkOrder]:
    """Orders « à planifier » of the organisations this team serves, not given to another team;
    urgent first, then by due date."""
    return (
        work_orders_visible_to(access)
        .filter(status=WorkOrder.Status.TO_PLAN, organisation_id__in=team_organisation_ids(team))
        .filter(Q(team__isnull=True) | Q(team=team))
        .select_related("building", "site", "trade", "organisation", "equipment")
        .order_by("-priority", F("due_date").asc(nulls_last=True), "created_at")
    )
