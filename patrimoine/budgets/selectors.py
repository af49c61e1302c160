"""Reads of budgets: where each line stands (committed, realised, remaining) and its alerts.

- committed: the purchase orders charged to the line that are engaged or received, minus what has
  already been invoiced on them (the part not yet realised);
- realised: the invoices of the line's purchase orders, plus the cost of the validated work orders
  charged to the line (validated that year), minus the external costs those invoices already put on
  them (an invoice matched to a purchase order on a work order adds an external cost to the order:
  it is counted once);
- remaining: credits − committed − realised.

Which line a validated work order is charged to: its imputation if one was set
(`WorkOrderImputation`), else the most specific operating line of its organisation and year —
building and trade, then building, then trade — else the operating section's default line. Orders
that no line takes are reported as « non imputés », so the lines plus that rest add up to the
organisation's validated costs, to the cent.

Every figure comes from a fixed number of queries, whatever the number of lines or orders.
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from patrimoine.assets.models import Building
from patrimoine.budgets.models import BudgetLine, WorkOrderImputation
from patrimoine.organisations.access import Access
from patrimoine.purchasing.models import Invoice, PurchaseOrder
from patrimoine.workorders.models import WorkOrder

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
Section = BudgetLine.Section
OPEN = PurchaseOrder.OPEN_STATUSES


def budget_lines_visible_to(access: Access) -> QuerySet[BudgetLine]:
    if not access.has("budgets.view"):
        return BudgetLine.objects.none()
    return BudgetLine.objects.filter(organisation_id__in=access.read_org_ids)


def get_budget_line_for(access: Access, pk) -> BudgetLine:
    try:
        return budget_lines_visible_to(access).select_related("trade", "building", "organisation").get(pk=pk)
    except (BudgetLine.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# --- Where a line stands -----------------------------------------------------------------------------


@dataclass
class LineStatus:
    line: BudgetLine
    committed: Decimal = ZERO
    invoiced: Decimal = ZERO
    orders_cost: Decimal = ZERO
    orders: list = field(default_factory=list)  # ids of the work orders charged to the line

    @property
    def voted(self) -> Decimal:
        return self.line.amount

    @property
    def realised(self) -> Decimal:
        return self.invoiced + self.orders_cost

    @property
    def consumed(self) -> Decimal:
        return self.committed + self.realised

    @property
    def remaining(self) -> Decimal:
        return self.voted - self.consumed

    @property
    def rate(self) -> Decimal:
        """Consumed share of the credits, in percent (1 decimal)."""
        if self.voted <= 0:
            return Decimal("100.0") if self.consumed > 0 else Decimal("0.0")
        return (self.consumed * 100 / self.voted).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def level(self) -> str:
        """« ok », « alerte » (threshold reached) or « depasse » (credits overrun)."""
        if self.consumed > self.voted:
            return "depasse"
        if self.rate >= self.line.alert_threshold:
            return "alerte"
        return "ok"

    @property
    def bar(self) -> int:
        """The consumed share as a width class step (0–100 by 5) for the CSS bar."""
        return min(100, int(self.rate // 5) * 5)


@dataclass
class BudgetReport:
    year: int
    lines: list[LineStatus]
    unimputed_cost: Decimal = ZERO
    unimputed_orders: list = field(default_factory=list)

    def total(self, attribute: str) -> Decimal:
        return sum((getattr(status, attribute) for status in self.lines), ZERO)

    @property
    def totals(self) -> dict:
        return {name: self.total(name) for name in ("voted", "committed", "realised", "remaining")}

    def by_section(self) -> list[tuple[str, list[LineStatus], dict]]:
        groups = []
        for value, label in Section.choices:
            lines = [s for s in self.lines if s.line.section == value]
            if lines:
                totals = {
                    name: sum((getattr(s, name) for s in lines), ZERO)
                    for name in ("voted", "committed", "realised", "remaining")
                }
                groups.append((label, lines, totals))
        return groups

    @property
    def alerts(self) -> list[LineStatus]:
        return [s for s in self.lines if s.level != "ok"]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(datetime(year, 1, 1), time.min, tzinfo=tz), datetime.combine(
        datetime(year + 1, 1, 1), time.min, tzinfo=tz
    )


def line_for_order(lines: list[BudgetLine], building_id, trade_id) -> BudgetLine | None:
    """The automatic rule: the most specific operating line that fits the order (see the module doc)."""
    best, best_score = None, -1
    for line in lines:
        if line.section != Section.OPERATING:
            continue
        if line.building_id is None and line.trade_id is None:
            score = 0 if line.is_default else -1
        elif (line.building_id in (None, building_id)) and (line.trade_id in (None, trade_id)):
            score = (2 if line.building_id else 0) + (1 if line.trade_id else 0)
        else:
            score = -1
        if score > best_score or (score == best_score and score >= 0 and line.code < best.code):
            best, best_score = line, score
    return best if best_score >= 0 else None


def budget_report(organisation_id: int, year: int) -> BudgetReport:
    """Where every line of an organisation's budget stands for `year` (callers check the access)."""
    lines = list(
        BudgetLine.objects.filter(organisation_id=organisation_id, year=year)
        .select_related("trade", "building")
        .order_by("section", "code")
    )
    statuses = {line.pk: LineStatus(line) for line in lines}

    # Purchase orders: open ones are committed for what is not invoiced yet; invoices are realised.
    orders = (
        PurchaseOrder.objects.filter(budget_line__in=lines, status__in=OPEN)
        .values("budget_line_id")
        .annotate(total=Sum("total_ttc"))
    )
    for row in orders:
        statuses[row["budget_line_id"]].committed += _cents(row["total"])
    invoices = (
        Invoice.objects.filter(purchase_order__budget_line__in=lines)
        .exclude(purchase_order__status=PurchaseOrder.Status.CANCELLED)
        .values("purchase_order__budget_line_id", "purchase_order__status")
        .annotate(total=Sum("amount_ttc"))
    )
    for row in invoices:
        status = statuses[row["purchase_order__budget_line_id"]]
        status.invoiced += _cents(row["total"])
        if row["purchase_order__status"] in OPEN:
            status.committed -= _cents(row["total"])

    # Validated work orders: those imputed to one of these lines, and this year's others by the rule.
    start, end = _year_bounds(year)
    imputed = dict(
        WorkOrderImputation.objects.filter(
            Q(budget_line__in=lines)
            | Q(
                work_order__organisation_id=organisation_id,
                work_order__validated_at__gte=start,
                work_order__validated_at__lt=end,
            )
        ).values_list("work_order_id", "budget_line_id")
    )
    validated = WorkOrder.objects.filter(status=WorkOrder.Status.VALIDATED)
    rows = list(
        validated.filter(
            Q(pk__in=[pk for pk, line_id in imputed.items() if line_id in statuses])
            | Q(organisation_id=organisation_id, validated_at__gte=start, validated_at__lt=end)
        ).values_list("pk", "building_id", "trade_id", "total_cost")
    )
    already_invoiced = _invoiced_external_costs([row[0] for row in rows])
    report = BudgetReport(year=year, lines=list(statuses.values()))
    for pk, building_id, trade_id, total in rows:
        cost = _cents(total) - already_invoiced.get(pk, ZERO)
        if pk in imputed:
            status = statuses.get(imputed[pk])
            if status is None:
                continue  # imputed to another year's line: counted there
        else:
            line = line_for_order(lines, building_id, trade_id)
            status = statuses[line.pk] if line is not None else None
        if status is None:
            report.unimputed_cost += cost
            report.unimputed_orders.append(pk)
        else:
            status.orders_cost += cost
            status.orders.append(pk)
    return report


def _invoiced_external_costs(order_ids: list) -> dict:
    """Work order id → total of its external costs that come from invoices (counted as invoices)."""
    if not order_ids:
        return {}
    rows = (
        Invoice.objects.filter(external_cost__work_order_id__in=order_ids)
        .values("external_cost__work_order_id")
        .annotate(total=Sum("external_cost__amount"))
    )
    return {row["external_cost__work_order_id"]: _cents(row["total"]) for row in rows}


def _cents(value) -> Decimal:
    """A sum read back from the database, to the cent (SQLite stores decimals as binary floats)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def budget_years(access: Access) -> list[int]:
    years = set(
        budget_lines_visible_to(access)
        .filter(organisation_id=getattr(access.organisation, "pk", None))
        .values_list("year", flat=True)
        .distinct()
    )
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def line_status(line: BudgetLine) -> LineStatus:
    """Where one line stands (computed with its whole budget: the rule depends on the other lines)."""
    report = budget_report(line.organisation_id, line.year)
    return next(status for status in report.lines if status.line.pk == line.pk)


def budget_alerts(access: Access, year: int | None = None) -> list[LineStatus]:
    """Lines of the active organisation's budget that reached their alert threshold or overran —
    for the home page of managers, admins and readers (`budget_alerts(access)`)."""
    if not access.has("budgets.view") or access.organisation is None:
        return []
    report = budget_report(access.organisation.pk, year or timezone.localdate().year)
    return sorted(report.alerts, key=lambda s: -s.rate)


def default_line_for(organisation_id: int, year: int, work_order: WorkOrder | None) -> BudgetLine | None:
    """The line a new purchase order is charged to when none is chosen: its work order's line if the
    order has one, else the operating section's default line of the year."""
    if work_order is not None:
        imputation = (
            WorkOrderImputation.objects.filter(work_order=work_order, budget_line__year=year)
            .select_related("budget_line")
            .first()
        )
        if imputation is not None:
            return imputation.budget_line
        lines = list(BudgetLine.objects.filter(organisation_id=organisation_id, year=year))
        return line_for_order(lines, work_order.building_id, work_order.trade_id)
    return BudgetLine.objects.filter(
        organisation_id=organisation_id, year=year, section=Section.OPERATING, is_default=True
    ).first()


def imputation_of(work_order: WorkOrder) -> WorkOrderImputation | None:
    return WorkOrderImputation.objects.filter(work_order=work_order).select_related("budget_line").first()


def budget_lines_of(organisation_id: int, year: int, *, also=None) -> QuerySet[BudgetLine]:
    """The lines of one organisation's budget for a year (and `also`, a line of another year)."""
    lines = BudgetLine.objects.filter(organisation_id=organisation_id, year=year)
    if also is not None:
        lines = lines | BudgetLine.objects.filter(pk=also.pk)
    return lines.order_by("section", "code")


def buildings_for_lines(organisation_id: int):
    """Buildings a line of this organisation's budget may target."""
    return Building.objects.filter(organisation_id=organisation_id).order_by("name")
