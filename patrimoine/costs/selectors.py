"""Reads of costs: the lines of one work order, and rollups per commune, site, building, equipment,
trade and month over the validated orders of a period.

Rollups are SQL `SUM`s over the order totals kept by `work_order_recompute_costs` (one query per
grouping, whatever the number of orders). Every group is complete — orders without a building fall
in a « sans bâtiment » row — so the rows of any grouping add up to the overall total, to the cent.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone

from patrimoine.contractors.models import Contractor
from patrimoine.core.dates import day_start
from patrimoine.costs.models import ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.costs.services import may_manage, may_remove, may_report
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team, TeamMember
from patrimoine.stock.models import Item
from patrimoine.stock.selectors import catalogue_organisation_ids, issued_from, items_search, stores_for_work_order
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = ("labour", "material", "external", "total")


def work_order_costs_context(access: Access, work_order: WorkOrder) -> dict:
    """What the cost section of a work order page shows: lines, totals and what the user may do."""
    time_entries = list(
        TimeEntry.objects.filter(work_order=work_order).select_related("technician").order_by("date", "created_at")
    )
    material_lines = list(MaterialLine.objects.filter(work_order=work_order).select_related("item"))
    external_costs = list(ExternalCost.objects.filter(work_order=work_order).select_related("contractor"))
    is_open = work_order.status not in (WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED)
    can_report = is_open and may_report(access, work_order)
    can_manage = is_open and may_manage(access, work_order)
    for line in (*time_entries, *material_lines, *external_costs):
        line.can_remove = is_open and may_remove(access, line, work_order)
    stores_of_lines = issued_from([line.pk for line in material_lines if line.item_id]) if material_lines else {}
    for line in material_lines:
        line.store_name = stores_of_lines.get(line.pk, "")
    totals = {
        "labour": sum((e.amount for e in time_entries), ZERO),
        "material": sum((m.amount for m in material_lines), ZERO),
        "external": sum((x.amount for x in external_costs), ZERO),
        "hours": sum((e.hours for e in time_entries), ZERO),
    }
    totals["total"] = totals["labour"] + totals["material"] + totals["external"]
    return {
        "time_entries": time_entries,
        "material_lines": material_lines,
        "external_costs": external_costs,
        "totals": totals,
        "is_open": is_open,
        "can_report": can_report,
        "can_add_external": can_manage,
        "technicians": technicians_choosable(access, work_order) if can_report else [],
        "items": catalogue_items(access, work_order) if can_report else Item.objects.none(),
        "stores": stores_for_work_order(access, work_order) if can_report else None,
        "contractors": contractors_choosable(access, work_order) if can_manage else Contractor.objects.none(),
    }


def technicians_choosable(access: Access, work_order: WorkOrder) -> list:
    """Who time may be recorded for: the order's team members (only oneself for a technician)."""
    if work_order.team_id is not None:
        members = TeamMember.objects.filter(team_id=work_order.team_id)
    else:
        teams = Team._base_manager.filter(
            Q(organisation_id=work_order.organisation_id) | Q(served_organisations__id=work_order.organisation_id)
        )
        members = TeamMember.objects.filter(team__in=teams)
    if not may_manage(access, work_order):
        members = members.filter(user_id=access.user.pk)
    seen, users = set(), []
    for member in members.select_related("user", "trade").order_by("user__last_name", "user__first_name"):
        if member.user_id not in seen:
            seen.add(member.user_id)
            member.user.team_member = member
            users.append(member.user)
    return users


def catalogue_items(access: Access, work_order: WorkOrder, q: str = "", limit: int | None = None) -> QuerySet[Item]:
    """Active catalogue items usable on this order (its organisation's, and its team's store)."""
    return items_search(access, q, organisation_ids=catalogue_organisation_ids(work_order), limit=limit)


def contractors_choosable(access: Access, work_order: WorkOrder) -> QuerySet[Contractor]:
    """Companies an external cost may name: those of the order's organisation or of its team's."""
    orgs = catalogue_organisation_ids(work_order) & set(access.read_org_ids)
    return Contractor.objects.filter(organisation_id__in=orgs).order_by("name")


# --- Rollups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))


@dataclass
class CostRollup:
    """The cost of a set of validated orders, whole and grouped."""

    total: dict
    by_organisation: list[dict] = field(default_factory=list)
    by_site: list[dict] = field(default_factory=list)
    by_building: list[dict] = field(default_factory=list)
    by_equipment: list[dict] = field(default_factory=list)
    by_trade: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)
    # Filled by `keep_top`: the buildings of highest cost per m², highest first.
    per_m2: list[dict] = field(default_factory=list)


def keep_top(rollup: CostRollup, top: int | None) -> CostRollup:
    """With `top`, `by_building` keeps the `top` costliest buildings (the « sans bâtiment » rows left
    out) and `per_m2` the `top` of highest cost per m² (buildings of known surface): what a page
    shows, where an export takes every building."""
    if top is not None:
        known = [row for row in rollup.by_building if row.get("per_m2") is not None]
        rollup.per_m2 = sorted(known, key=lambda row: -row["per_m2"])[:top]
        rollup.by_building = [row for row in rollup.by_building if row["building_id"]][:top]
    return rollup


GROUPINGS = ("organisation", "site", "building", "equipment", "trade", "month")


def validated_orders(
    access: Access,
    period: Period | None = None,
    *,
    organisation_id: int | None = None,
    trade_id: int | None = None,
) -> QuerySet[WorkOrder]:
    """The validated orders the user may read, optionally of a period (validation date, Europe/Paris)."""
    orders = work_orders_visible_to(access).filter(status=WorkOrder.Status.VALIDATED)
    if period is not None:
        orders = orders.filter(
            validated_at__gte=day_start(period.start), validated_at__lt=day_start(period.end + dt.timedelta(days=1))
        )
    if organisation_id:
        orders = orders.filter(organisation_id=organisation_id)
    if trade_id:
        orders = orders.filter(trade_id=trade_id)
    return orders


def _sums() -> dict:
    return {
        "labour": Coalesce(Sum("labour_cost"), ZERO),
        "material": Coalesce(Sum("material_cost"), ZERO),
        "external": Coalesce(Sum("external_cost"), ZERO),
        "total": Coalesce(Sum("total_cost"), ZERO),
        "orders": Count("pk"),
    }


def _money(row: dict) -> dict:
    for key in MONEY:
        row[key] = Decimal(row[key]).quantize(CENT)
    return row


def _grouped(orders: QuerySet, *fields, **named) -> list[dict]:
    rows = orders.order_by().values(*fields, **named).annotate(**_sums()).order_by("-total", *fields, *named)
    return [_money(row) for row in rows]


def cost_rollup(orders: QuerySet[WorkOrder], *, groupings: tuple[str, ...] = GROUPINGS) -> CostRollup:
    """Totals and groupings of `orders` (a queryset from `validated_orders`, possibly filtered further).

    One query for the total and one per grouping asked for. Rows come by decreasing total (months
    in calendar order); a row with an empty key (no building, no equipment) holds the rest, so the
    rows of every grouping add up to the total.
    """
    rollup = CostRollup(total=_money(orders.order_by().aggregate(**_sums())))
    if "organisation" in groupings:
        rollup.by_organisation = _grouped(orders, "organisation_id", name=F("organisation__name"))
    if "site" in groupings:
        rollup.by_site = _grouped(orders, "site_id", name=F("site__name"), organisation_name=F("organisation__name"))
    if "building" in groupings:
        rollup.by_building = _grouped(
            orders,
            "building_id",
            name=F("building__name"),
            site_name=F("building__site__name"),
            organisation_name=F("organisation__name"),
            surface=F("building__surface_m2"),
        )
        for row in rollup.by_building:
            surface = row["surface"]
            row["per_m2"] = (row["total"] / surface).quantize(CENT, ROUND_HALF_UP) if surface else None
    if "equipment" in groupings:
        rollup.by_equipment = _grouped(
            orders, "equipment_id", name=F("equipment__name"), building_name=F("equipment__building__name")
        )
    if "trade" in groupings:
        rollup.by_trade = _grouped(orders, "trade_id", name=F("trade__name"))
    if "month" in groupings:
        tz = timezone.get_current_timezone()
        rollup.by_month = sorted(_grouped(orders, month=TruncMonth("validated_at", tzinfo=tz)), key=_month_key)
    return rollup


def cost_rollup_for(
    access: Access, period: Period, *, organisation_id: int | None = None, trade_id: int | None = None, **kwargs
) -> CostRollup:
    """`cost_rollup` of the validated orders of `period` visible to `access`."""
    orders = validated_orders(access, period, organisation_id=organisation_id, trade_id=trade_id)
    return cost_rollup(orders, **kwargs)


def _month_key(row: dict) -> dt.date:
    month = row["month"]
    return month.date() if isinstance(month, dt.datetime) else month


def order_lines(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """The orders themselves, for the detailed CSV, with what their rows print (constant queries)."""
    return orders.select_related("organisation", "building__site", "equipment", "trade").order_by(
        "validated_at", "reference"
    )


def building_costs(access: Access, building) -> list[dict]:
    """Realised cost of a building per year: validated work orders, by year of validation.

    Each row: {"year", "labour", "material", "external", "total", "orders"} — newest year first.
    """
    rows = (
        work_orders_visible_to(access)
        .filter(building=building, status=WorkOrder.Status.VALIDATED)
        .annotate(year=ExtractYear("validated_at"))
        .values("year")
        .annotate(**_sums())
        .order_by("-year")
    )
    return list(rows)


def labour_rates_of(access: Access) -> QuerySet[LabourRate]:
    """The loaded hourly rates of the active organisation, newest year first."""
    return (
        LabourRate.objects.filter(organisation=access.organisation)
        .select_related("trade")
        .order_by("-year", "grade", F("trade__name").asc(nulls_first=True))
    )
