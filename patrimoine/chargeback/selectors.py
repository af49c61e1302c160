"""Reads of charge-back: who sees which statement, the draft of a statement, the reconciliation.

What a statement bills is fixed by the data, never by who looks: the validated work orders of the
commune, done by a team of the issuer, validated in the period (date of validation, Europe/Paris, as
in every cost rollup), not yet on an issued statement. The orders of a commune belong to its scope,
not the issuer's, so these reads are deliberately cross-scope (`_base_manager`), limited to the
issuer's own teams; the views let only the issuer's roles call them.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patrimoine.chargeback.models import Statement, StatementLine
from patrimoine.core.dates import day_start
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.costs.selectors import Period, cost_rollup
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation
from patrimoine.workorders.models import WorkOrder

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
LABOUR, MATERIAL, EXTERNAL = "labour", "material", "external"
KIND_LABELS = {
    LABOUR: gettext_lazy("Main-d'œuvre"),
    MATERIAL: gettext_lazy("Matériel"),
    EXTERNAL: gettext_lazy("Prestation externe"),
}


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Periods -------------------------------------------------------------------------------------


def quarter(year: int, number: int) -> Period:
    start = dt.date(year, 3 * (number - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return Period(start, end - dt.timedelta(days=1))


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(today: dt.date | None = None) -> Period:
    year, number = quarter_of(today or timezone.localdate())
    return quarter(year - 1, 4) if number == 1 else quarter(year, number - 1)


def recent_quarters(today: dt.date | None = None, count: int = 6) -> list[tuple[str, Period]]:
    """The last `count` ended quarters, newest first, with their French label (« 1er trimestre 2026 »)."""
    period = previous_quarter(today)
    result = []
    for _index in range(count):
        year, number = quarter_of(period.start)
        result.append((quarter_label(year, number), period))
        period = previous_quarter(period.start)
    return result


def period_over(period: Period, today: dt.date | None = None) -> bool:
    """A statement is issued once its period has ended (so that it bills the whole period)."""
    return period.end < (today or timezone.localdate())


def quarter_label(year: int, number: int) -> str:
    ordinal = _("1er") if number == 1 else _("%(n)se") % {"n": number}
    return _("%(ordinal)s trimestre %(year)s") % {"ordinal": ordinal, "year": year}


# --- Who issues to whom --------------------------------------------------------------------------


def chargeable_communes(issuer: Organisation) -> QuerySet[Organisation]:
    """Organisations the issuer's teams work for (its shared teams' served communes, and its members)."""
    return (
        Organisation.objects.filter(Q(serving_teams__organisation=issuer) | Q(parent=issuer))
        .exclude(pk=issuer.pk)
        .distinct()
        .order_by("name")
    )


# --- Visibility ----------------------------------------------------------------------------------


def statements_visible_to(access: Access) -> QuerySet[Statement]:
    """Statements the organisation issued (roles with `chargeback.view`) and those addressed to it
    (roles with `chargeback.receive`: the commune's administrator and finance readers)."""
    if access.organisation is None:
        return Statement.objects.none()
    query = Q()
    if access.has("chargeback.view"):
        query |= Q(organisation_id=access.organisation.pk)
    if access.has("chargeback.receive"):
        query |= Q(commune_id=access.organisation.pk)
    if not query:
        return Statement.objects.none()
    return Statement.objects.filter(query)


def get_statement_for(access: Access, pk) -> Statement:
    """One statement the user may read, or 404 — another commune's answers exactly like a missing one."""
    try:
        return statements_visible_to(access).select_related("organisation", "commune").get(pk=pk)
    except (Statement.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def statements_for_list(access: Access) -> QuerySet[Statement]:
    return statements_visible_to(access).select_related("organisation", "commune").order_by("-issued_at")


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return StatementLine.objects.filter(statement=statement).order_by("position")


def is_issuer(access: Access, statement: Statement) -> bool:
    return access.organisation is not None and statement.organisation_id == access.organisation.pk


# --- The draft -----------------------------------------------------------------------------------


@dataclass
class DraftLine:
    """A work order as a statement bills it; `detail` items are plain dicts (stored as JSON)."""

    work_order: WorkOrder
    reference: str
    title: str
    place: str
    trade_name: str
    team_name: str
    validated_on: dt.date
    hours: Decimal
    labour: Decimal
    material: Decimal
    external: Decimal
    detail: list[dict]

    @property
    def subtotal(self) -> Decimal:
        return self.labour + self.material + self.external


@dataclass
class Draft:
    issuer: Organisation
    commune: Organisation
    period: Period
    overhead_rate: Decimal
    lines: list[DraftLine] = field(default_factory=list)

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)

    @property
    def hours(self) -> Decimal:
        return self._sum("hours")

    @property
    def labour(self) -> Decimal:
        return self._sum("labour")

    @property
    def material(self) -> Decimal:
        return self._sum("material")

    @property
    def external(self) -> Decimal:
        return self._sum("external")

    @property
    def subtotal(self) -> Decimal:
        return self.labour + self.material + self.external

    @property
    def overhead(self) -> Decimal:
        return money(self.subtotal * self.overhead_rate / Decimal(100))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.overhead

    @property
    def fingerprint(self) -> str:
        """Changes whenever what would be billed changes (an order added, an amount, the rate)."""
        text = "|".join(f"{line.work_order.pk}:{line.subtotal}" for line in self.lines) + f"|{self.overhead_rate}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def shared_team_orders(issuer: Organisation, period: Period | None = None) -> QuerySet[WorkOrder]:
    """Validated orders done by the issuer's teams (for any organisation), optionally of a period."""
    orders = WorkOrder._base_manager.filter(status=WorkOrder.Status.VALIDATED, team__organisation_id=issuer.pk)
    if period is not None:
        orders = orders.filter(
            validated_at__gte=day_start(period.start), validated_at__lt=day_start(period.end + dt.timedelta(days=1))
        )
    return orders


def billable_orders(issuer: Organisation, commune: Organisation, period: Period) -> QuerySet[WorkOrder]:
    """The commune's orders the issuer's teams did in the period and that no issued statement bills yet."""
    billed = StatementLine._base_manager.filter(work_order_id=OuterRef("pk"))
    return (
        shared_team_orders(issuer, period)
        .filter(organisation_id=commune.pk)
        .exclude(organisation_id=issuer.pk)
        .exclude(Exists(billed))
    )


def _place(order: WorkOrder) -> str:
    parts = []
    if order.building_id:
        parts.append(order.building.name)
    elif order.site_id:
        parts.append(order.site.name)
    if order.equipment_id:
        parts.append(order.equipment.name)
    if not parts and order.location_text:
        parts.append(order.location_text)
    return " — ".join(parts)[:300]


def _item(kind: str, label: str, quantity, unit: str, unit_price, amount) -> dict:
    return {
        "kind": kind,
        "label": label,
        "quantity": str(quantity),
        "unit": unit,
        "unit_price": str(unit_price),
        "amount": str(money(amount)),
    }


def _total(detail: list[dict], kind: str) -> Decimal:
    return sum((Decimal(item["amount"]) for item in detail if item["kind"] == kind), ZERO)


def statement_draft(issuer: Organisation, commune: Organisation, period: Period) -> Draft:
    """What a statement for `commune` and `period` would bill now (four queries, whatever the size)."""
    orders = list(
        billable_orders(issuer, commune, period)
        .select_related("building", "site", "equipment", "trade", "team")
        .order_by("validated_at", "reference")
    )
    ids = [order.pk for order in orders]
    items: dict = {pk: [] for pk in ids}
    hours: dict = dict.fromkeys(ids, ZERO)
    for entry in (
        TimeEntry._base_manager.filter(work_order_id__in=ids)
        .select_related("technician")
        .order_by("date", "created_at")
    ):
        name = entry.technician.get_full_name() or entry.technician.get_username()
        label = _("%(name)s, le %(date)s") % {"name": name, "date": entry.date.strftime("%d/%m/%Y")}
        items[entry.work_order_id].append(_item(LABOUR, label, entry.hours, "h", entry.hourly_rate, entry.amount))
        hours[entry.work_order_id] += entry.hours
    for line in MaterialLine._base_manager.filter(work_order_id__in=ids).order_by("created_at"):
        items[line.work_order_id].append(
            _item(MATERIAL, line.label, line.quantity.normalize(), line.unit, line.unit_cost, line.amount)
        )
    for cost in (
        ExternalCost._base_manager.filter(work_order_id__in=ids).select_related("contractor").order_by("created_at")
    ):
        label = cost.description
        if cost.contractor_id:
            label = f"{cost.contractor.name} — {label}"
        if cost.invoice_reference:
            label = _("%(label)s (facture %(invoice)s)") % {"label": label, "invoice": cost.invoice_reference}
        items[cost.work_order_id].append(_item(EXTERNAL, label, 1, "", cost.amount, cost.amount))
    draft = Draft(issuer=issuer, commune=commune, period=period, overhead_rate=issuer.overhead_rate)
    for order in orders:
        detail = items[order.pk]
        draft.lines.append(
            DraftLine(
                work_order=order,
                reference=order.reference,
                title=order.title,
                place=_place(order),
                trade_name=order.trade.name,
                team_name=order.team.name if order.team_id else "",
                validated_on=timezone.localdate(order.validated_at),
                hours=hours[order.pk],
                labour=_total(detail, LABOUR),
                material=_total(detail, MATERIAL),
                external=_total(detail, EXTERNAL),
                detail=detail,
            )
        )
    return draft


# --- Reconciliation ------------------------------------------------------------------------------


@dataclass
class ReconciliationRow:
    organisation_id: int
    name: str
    cost: Decimal = ZERO  # current cost of the orders the issuer's teams validated in the period
    billed: Decimal = ZERO  # frozen subtotals of those orders on issued statements
    unbilled: Decimal = ZERO  # current cost of those orders not on any statement yet
    orders: int = 0
    billed_orders: int = 0
    own: bool = False

    @property
    def gap(self) -> Decimal:
        """Not zero only when a billed order's cost changed after its statement was issued."""
        return self.cost - self.billed - self.unbilled - (self.cost if self.own else ZERO)


@dataclass
class Reconciliation:
    period: Period
    team_total: Decimal
    rows: list[ReconciliationRow]
    overhead: Decimal  # billed on statements issued for periods within this one

    @property
    def own_share(self) -> Decimal:
        return sum((r.cost for r in self.rows if r.own), ZERO)

    @property
    def billed(self) -> Decimal:
        return sum((r.billed for r in self.rows), ZERO)

    @property
    def unbilled(self) -> Decimal:
        return sum((r.unbilled for r in self.rows), ZERO)

    @property
    def gap(self) -> Decimal:
        """Zero when the shared teams' cost = what was billed + what is left to bill + the issuer's share."""
        return self.team_total - self.own_share - self.billed - self.unbilled


def reconciliation(issuer: Organisation, period: Period) -> Reconciliation:
    """The shared teams' cost of the period per organisation served, against what statements billed.

    Costs come from the cost rollup (`costs.selectors.cost_rollup`) over the orders the issuer's teams
    validated in the period — all of them, and those no statement bills yet; what was billed, from the
    frozen lines of those orders. Five queries.
    """
    orders = shared_team_orders(issuer, period)
    rollup = cost_rollup(orders, groupings=("organisation",))
    billed_line = StatementLine._base_manager.filter(work_order_id=OuterRef("pk"))
    unbilled = cost_rollup(
        orders.exclude(organisation_id=issuer.pk).exclude(Exists(billed_line)), groupings=("organisation",)
    )
    rows = {
        r["organisation_id"]: ReconciliationRow(
            organisation_id=r["organisation_id"],
            name=r["name"],
            cost=r["total"],
            orders=r["orders"],
            own=r["organisation_id"] == issuer.pk,
        )
        for r in rollup.by_organisation
    }
    for r in unbilled.by_organisation:
        rows[r["organisation_id"]].unbilled = r["total"]
    billed = (
        StatementLine._base_manager.filter(
            organisation_id=issuer.pk, work_order__in=orders.exclude(organisation_id=issuer.pk)
        )
        .order_by()
        .values("commune_id", "commune__name")
        .annotate(amount=Coalesce(Sum("subtotal"), ZERO), count=Count("pk"))
    )
    for entry in billed:
        row = rows.setdefault(
            entry["commune_id"], ReconciliationRow(organisation_id=entry["commune_id"], name=entry["commune__name"])
        )
        row.billed = money(entry["amount"])
        row.billed_orders = entry["count"]
    overhead = Statement._base_manager.filter(
        organisation_id=issuer.pk, period_start__gte=period.start, period_end__lte=period.end
    ).aggregate(s=Coalesce(Sum("overhead"), ZERO))["s"]
    ordered = sorted(rows.values(), key=lambda r: (r.own, r.name))
    return Reconciliation(period=period, team_total=rollup.total["total"], rows=ordered, overhead=money(overhead))


def with_items(lines) -> list:
    """Lines (frozen or draft) with `items`: their detail as typed values and a French kind label."""
    result = []
    for line in lines:
        line.items = [
            {
                **item,
                "kind_label": KIND_LABELS.get(item["kind"], ""),
                "quantity": Decimal(item["quantity"]),
                "unit_price": Decimal(item["unit_price"]),
                "amount": Decimal(item["amount"]),
            }
            for item in line.detail
        ]
        result.append(line)
    return result
