"""The generator: plans → occurrences (due dates) → work orders, in streaming batches.

Two steps per batch of plans (keyset pagination on the primary key, `batch_size` plans at a time,
so memory stays bounded whatever the number of plans):

1. **schedule** — insert the occurrences of each calendar plan up to `HORIZON_DAYS` ahead (the
   calendar and the iCal feeds show them). `INSERT … ON CONFLICT DO NOTHING` on the unique
   (plan, due date) constraint: running twice, or two workers at once, inserts each date once.
   Only the latest past date is ever caught up: a check missed three times is one overdue check.
2. **materialize** — for each occurrence without a work order whose date minus the plan's lead
   time has come, create the order with `workorders.services.work_order_create` (and give it to
   the plan's contractor with `work_order_plan`). The occurrence row is locked, and linked with a
   conditional UPDATE (`work_order IS NULL`): if another worker got there first, this transaction
   rolls back, its order with it. No duplicate, even concurrently.

The generator acts for each organisation as the organisation itself (`system_access`), outside any
request, with scopes disabled.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.assets.models import AssetStatus, Equipment
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_create, work_order_plan

from .models import MaintenancePlan, Occurrence
from .recurrence import PARIS, last_on_or_before, occurrences_between

logger = logging.getLogger(__name__)

HORIZON_DAYS = 366
BATCH_SIZE = 500
MAX_EQUIPMENT_LINES = 60
PLAN_RELATED = ("organisation", "building__site", "equipment__building", "trade", "contractor", "team")
PLAN_RELATED += ("statutory_check", "category")


def system_access(organisation) -> Access:
    """The access the generator acts with: the organisation itself, no user (audit rows say so)."""
    ids = frozenset({organisation.pk})
    return Access(user=None, organisation=organisation, role=Membership.Role.ADMIN, read_org_ids=ids, write_org_ids=ids)


@dataclass
class Progress:
    plans_total: int = 0
    plans_done: int = 0
    occurrences_created: int = 0
    orders_created: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def generate_due(
    *,
    today: date | None = None,
    organisation_ids: Iterable[int] | None = None,
    plan_ids: Iterable | None = None,
    batch_size: int = BATCH_SIZE,
    horizon_days: int = HORIZON_DAYS,
    materialize: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Schedule and materialize every active plan (or those of `organisation_ids` / `plan_ids`)."""
    today = today or timezone.localdate()
    until = today + timedelta(days=horizon_days)
    with scopes_disabled():
        plans = MaintenancePlan.objects.filter(is_active=True)
        if organisation_ids is not None:
            plans = plans.filter(organisation_id__in=list(organisation_ids))
        if plan_ids is not None:
            plans = plans.filter(pk__in=list(plan_ids))
        progress = Progress(plans_total=plans.count())
        for batch in _batches(plans, batch_size):
            progress.occurrences_created += schedule_batch(batch, today=today, until=until)
            if materialize:
                progress.orders_created += materialize_batch(batch, today=today)
            progress.plans_done += len(batch)
            if on_progress is not None:
                on_progress(progress)
    return progress


def _batches(plans: QuerySet, size: int):
    last_pk = None
    ordered = plans.order_by("pk").select_related(*PLAN_RELATED)
    while True:
        page = ordered if last_pk is None else ordered.filter(pk__gt=last_pk)
        batch = list(page[:size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


# --- 1. Schedule ------------------------------------------------------------------------------


def window_start(plan: MaintenancePlan, today: date, last_existing: date | None) -> date:
    """First date to schedule: never before the first due date, never more than the latest past
    due date (older missed dates are superseded), and after the occurrences already there."""
    start = plan.dtstart.astimezone(PARIS).date()
    latest_past = last_on_or_before(plan.rrule, plan.dtstart, today)
    if latest_past is not None:
        start = max(start, latest_past.astimezone(PARIS).date())
    if last_existing is not None:
        start = max(start, last_existing + timedelta(days=1))
    return start


def schedule_batch(plans: list[MaintenancePlan], *, today: date, until: date) -> int:
    """Insert the missing occurrences of these plans up to `until`; returns how many were new."""
    calendar = [p for p in plans if p.trigger == MaintenancePlan.Trigger.CALENDAR and p.is_active]
    if not calendar:
        return 0
    ids = [p.pk for p in calendar]
    existing = Occurrence.objects.filter(plan_id__in=ids)
    latest = dict(existing.order_by().values("plan_id").annotate(last=Max("due_on")).values_list("plan_id", "last"))
    rows = []
    now = timezone.now()
    for plan in calendar:
        start = window_start(plan, today, latest.get(plan.pk))
        for due in occurrences_between(plan.rrule, plan.dtstart, start, until):
            rows.append((uuid.uuid4(), plan.organisation_id, now, now, plan.pk, due.astimezone(PARIS).date(), due))
    return _insert_new(rows)


INSERTED = ("id", "organisation", "created_at", "updated_at", "plan", "due_on", "due_at")
INSERT_ROWS = 500  # 3 500 parameters a statement: within SQLite's and PostgreSQL's limits


def _insert_new(rows: list[tuple]) -> int:
    """INSERT … ON CONFLICT DO NOTHING (the same SQL on PostgreSQL and SQLite ≥ 3.24): the unique
    (plan, due date) constraint drops the dates already there, concurrently too. Returns how many
    were new. Multi-row statements with the fields' own conversions: the ORM's bulk_create spent
    most of the time building model instances for rows it only writes."""
    if not rows:
        return 0
    fields = [Occurrence._meta.get_field(name) for name in INSERTED]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(Occurrence._meta.db_table)
    stamp = fields[2].get_db_prep_save(rows[0][2], connection)  # created_at = updated_at, the same for all
    uid, plan, due_on, due_at = fields[0], fields[4], fields[5], fields[6]
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            params = []
            for row in chunk:
                params += (
                    uid.get_db_prep_save(row[0], connection),
                    row[1],
                    stamp,
                    stamp,
                    plan.get_db_prep_save(row[4], connection),
                    due_on.get_db_prep_save(row[5], connection),
                    due_at.get_db_prep_save(row[6], connection),
                )
            values = ", ".join([row_sql] * len(chunk))
            # Table and column names come from the model, quoted; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING"  # noqa: S608
            cursor.execute(sql, params)
            inserted += max(cursor.rowcount, 0)
    return inserted


# --- 2. Materialize ---------------------------------------------------------------------------


def materialize_batch(plans: list[MaintenancePlan], *, today: date) -> int:
    """Create the work orders whose time has come (due date − lead time ≤ today)."""
    by_id = {p.pk: p for p in plans if p.is_active}
    if not by_id:
        return 0
    furthest = today + timedelta(days=max(p.lead_days for p in by_id.values()))
    candidates = list(
        Occurrence.objects.filter(plan_id__in=list(by_id), work_order__isnull=True, due_on__lte=furthest)
        .order_by("due_on")
        .values_list("pk", "plan_id", "due_on")
    )
    created = 0
    for occurrence_id, plan_id, due_on in candidates:
        plan = by_id[plan_id]
        if due_on - timedelta(days=plan.lead_days) > today:
            continue
        if occurrence_materialize(plan, occurrence_id) is not None:
            created += 1
    return created


class _Taken(Exception):
    """Another worker linked an order to this occurrence first: roll ours back."""


def occurrence_materialize(plan: MaintenancePlan, occurrence_id) -> WorkOrder | None:
    """Create the work order of one occurrence, unless it already has one. Safe concurrently."""
    try:
        with scopes_disabled(), transaction.atomic():
            locking = Occurrence.objects.filter(pk=occurrence_id, work_order__isnull=True)
            if connection.features.has_select_for_update_skip_locked:
                locking = locking.select_for_update(skip_locked=True)
            occurrence = locking.first()
            if occurrence is None:
                return None
            order = _create_order(plan, occurrence)
            if Occurrence.objects.filter(pk=occurrence.pk, work_order__isnull=True).update(work_order=order) != 1:
                raise _Taken
    except _Taken:
        return None
    except IntegrityError:
        logger.warning("Occurrence %s: order not created (integrity error)", occurrence_id, exc_info=True)
        return None
    return order


def _create_order(plan: MaintenancePlan, occurrence: Occurrence) -> WorkOrder:
    organisation = plan.organisation
    access = system_access(organisation)
    building = plan.building or (plan.equipment.building if plan.equipment else None)
    order = work_order_create(
        access=access,
        organisation=organisation,
        title=order_title(plan),
        trade=plan.trade,
        description=order_description(plan, occurrence),
        kind=WorkOrder.Kind.PREVENTIVE,
        priority=plan.priority,
        site=plan.equipment.site if plan.equipment and building is None else None,
        building=building,
        equipment=plan.equipment,
        due_date=occurrence.due_on,
        checklist=order_checklist(plan),
    )
    if plan.contractor_id is not None:
        work_order_plan(
            access=access,
            work_order=order,
            expected_version=order.version,
            contractor=plan.contractor,
            due_date=occurrence.due_on,
        )
    return order


def order_title(plan: MaintenancePlan) -> str:
    place = plan.equipment or plan.building
    return f"{plan.name} — {place.name}" if place is not None else plan.name


def order_description(plan: MaintenancePlan, occurrence: Occurrence) -> str:
    lines = [plan.description.strip()] if plan.description.strip() else []
    lines.append(_("Maintenance préventive, échéance du %(date)s.") % {"date": occurrence.due_on.strftime("%d/%m/%Y")})
    if occurrence.meter_threshold is not None:
        lines.append(
            _("Déclenché par le compteur : seuil de %(threshold)s %(unit)s atteint.")
            % {"threshold": _number(occurrence.meter_threshold), "unit": plan.meter_unit}
        )
    check = plan.statutory_check
    if check is not None:
        lines.append(
            _("Contrôle réglementaire : %(label)s (%(reference)s). Réalisé par : %(performer)s.")
            % {"label": check.label, "reference": check.legal_reference, "performer": check.performer}
        )
    if plan.team_id is not None:
        lines.append(_("Équipe prévue : %(team)s.") % {"team": plan.team.name})
    if plan.estimated_hours:
        lines.append(_("Durée estimée : %(hours)s h.") % {"hours": _number(plan.estimated_hours)})
    if plan.estimated_cost:
        lines.append(_("Coût estimé : %(cost)s €.") % {"cost": _number(plan.estimated_cost)})
    return "\n".join(lines)


def order_checklist(plan: MaintenancePlan) -> list[str]:
    points = [line.strip() for line in plan.checklist.splitlines() if line.strip()]
    if plan.target == MaintenancePlan.Target.CATEGORY:
        equipment = plan_equipment(plan)[: MAX_EQUIPMENT_LINES + 1]
        for item in equipment[:MAX_EQUIPMENT_LINES]:
            points.append(f"{item.name} ({item.code})")
        if len(equipment) > MAX_EQUIPMENT_LINES:
            points.append(_("… et les autres équipements de la catégorie"))
    return points


def plan_equipment(plan: MaintenancePlan) -> QuerySet[Equipment]:
    """The equipment a category plan covers: in service, of its category, in its building (or anywhere
    in the organisation)."""
    equipment = Equipment.objects.filter(
        organisation_id=plan.organisation_id, category_id=plan.category_id, status=AssetStatus.IN_SERVICE
    )
    if plan.building_id is not None:
        equipment = equipment.filter(building_id=plan.building_id)
    return equipment.order_by("name", "code")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


# --- Meters -----------------------------------------------------------------------------------


def meter_threshold_reached(plan: MaintenancePlan, value: Decimal) -> Decimal | None:
    """The highest threshold (origin + k × every) that `value` has reached, counting the lead; None
    before the first one."""
    steps = ((value - plan.meter_origin + plan.meter_lead) / plan.meter_every).to_integral_value(ROUND_FLOOR)
    if steps < 1:
        return None
    return plan.meter_origin + steps * plan.meter_every


def meter_trigger(plan: MaintenancePlan, value: Decimal, read_at) -> Occurrence | None:
    """Open an occurrence (and its order) when a reading reaches a threshold not yet triggered.
    Several thresholds passed at once make one order (for the highest). Call inside a transaction."""
    threshold = meter_threshold_reached(plan, value)
    if threshold is None:
        return None
    last = Occurrence.objects.filter(plan=plan, meter_threshold__isnull=False).aggregate(last=Max("meter_threshold"))
    if last["last"] is not None and threshold <= last["last"]:
        return None
    try:
        with transaction.atomic():
            occurrence = Occurrence.objects.create(
                organisation_id=plan.organisation_id,
                plan=plan,
                due_on=timezone.localtime(read_at).date(),
                due_at=read_at,
                meter_threshold=threshold,
            )
    except IntegrityError:
        return None  # already triggered today, or by a concurrent reading
    occurrence_materialize(plan, occurrence.pk)
    occurrence.refresh_from_db()
    return occurrence
