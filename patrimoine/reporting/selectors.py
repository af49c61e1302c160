"""The figures of the dashboards and the annual report, always through the user's access.

Every figure is an aggregate in the database (a fixed number of queries, whatever the number of
rows): the backlog now and month after month, its age, the time to repair (request filed → order
completed; median and mean), the on-time rate, requests by channel and by trade. Costs come from
the cost rollup of `costs.selectors`, never from a second copy of it.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patrimoine.costs.selectors import CENT, CostRollup, Period, cost_rollup, validated_orders
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.selectors import work_requests_visible_to
from patrimoine.organisations.access import Access
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition
from patrimoine.workorders.selectors import work_orders_visible_to

DAY = dt.timedelta(days=1)
# Age of what is waiting: (upper bound in days or None, label)
AGE_BUCKETS = [
    (7, gettext_lazy("moins d'une semaine")),
    (30, gettext_lazy("1 semaine à 1 mois")),
    (90, gettext_lazy("1 à 3 mois")),
    (None, gettext_lazy("plus de 3 mois")),
]


@dataclass(frozen=True)
class Scope:
    """What a report looks at: the user's access, a period, optionally one organisation, trade or
    type of building (ERP type)."""

    access: Access
    period: Period
    organisation_id: int | None = None
    trade_id: int | None = None
    erp_type: str = ""


def _requests(scope: Scope) -> QuerySet[WorkRequest]:
    requests = work_requests_visible_to(scope.access)
    if scope.organisation_id:
        requests = requests.filter(organisation_id=scope.organisation_id)
    if scope.trade_id:
        chosen = Q(trade_id=scope.trade_id) | Q(trade__isnull=True, suggested_trade_id=scope.trade_id)
        requests = requests.filter(chosen)
    if scope.erp_type:
        requests = requests.filter(building__erp_type=scope.erp_type)
    return requests


def _orders(scope: Scope) -> QuerySet[WorkOrder]:
    orders = work_orders_visible_to(scope.access)
    if scope.organisation_id:
        orders = orders.filter(organisation_id=scope.organisation_id)
    if scope.trade_id:
        orders = orders.filter(trade_id=scope.trade_id)
    if scope.erp_type:
        orders = orders.filter(building__erp_type=scope.erp_type)
    return orders


def _aware(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, Europe/Paris."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


# --- Backlog ---------------------------------------------------------------------------------------


def backlog_now(scope: Scope, now: dt.datetime | None = None) -> dict:
    """Requests waiting for triage plus open work orders, and their age. Two queries."""
    now = now or timezone.now()
    aggregates = {"total": Count("pk")}
    lower = None
    for index, (upper, _label) in enumerate(AGE_BUCKETS):
        condition = Q()
        if upper is not None:
            condition &= Q(created_at__gt=now - upper * DAY)
        if lower is not None:
            condition &= Q(created_at__lte=now - lower * DAY)
        aggregates[f"age{index}"] = Count("pk", filter=condition)
        lower = upper
    requests = _requests(scope).filter(status=WorkRequest.Status.NEW).aggregate(**aggregates)
    orders = _orders(scope).filter(status__in=WorkOrder.OPEN_STATUSES).aggregate(**aggregates)
    buckets = [
        {
            "label": str(label),
            "requests": requests[f"age{index}"],
            "orders": orders[f"age{index}"],
            "total": requests[f"age{index}"] + orders[f"age{index}"],
        }
        for index, (_upper, label) in enumerate(AGE_BUCKETS)
    ]
    return {
        "requests": requests["total"],
        "orders": orders["total"],
        "total": requests["total"] + orders["total"],
        "buckets": buckets,
    }


def month_ends(today: dt.date, months: int = 12) -> list[dt.date]:
    """The first day of each of the last `months` months after the current one, then tomorrow:
    the instants (midnight) at which the backlog is counted, oldest first."""
    first = today.replace(day=1)
    points = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        points.append(dt.date(year, month + 1, 1))
    return [*points[1:], today + DAY] if months > 1 else [today + DAY]


def backlog_trend(scope: Scope, today: dt.date | None = None, months: int = 12) -> list[dict]:
    """How many requests waited for triage and orders were open at the end of each past month, and
    now. A request waits from its filing until it is triaged; an order is open from its creation
    until it is completed or cancelled. Two queries (one aggregate column per instant)."""
    today = today or timezone.localdate()
    instants = [_aware(day) for day in month_ends(today, months)]
    cancelled_at = Subquery(
        WorkOrderTransition._base_manager.filter(work_order_id=OuterRef("pk"), to_status=WorkOrder.Status.CANCELLED)
        .order_by("-at")
        .values("at")[:1]
    )
    # Only orders that may have been open during the window: still open, completed within it, or
    # cancelled within it (an order is last saved at or after its cancellation, so `updated_at` bounds it
    # and the cancellation instant is looked up for these few rows only).
    cancelled = WorkOrder.Status.CANCELLED
    window = (
        Q(completed_at__gte=instants[0])
        | (Q(completed_at__isnull=True) & ~Q(status=cancelled))
        | Q(completed_at__isnull=True, status=cancelled, updated_at__gte=instants[0])
    )
    orders = (
        _orders(scope)
        .filter(window, created_at__lt=instants[-1])
        .annotate(closed_at=Coalesce("completed_at", cancelled_at))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=instants[0]))
    )
    order_counts = orders.aggregate(
        **{
            f"p{index}": Count("pk", filter=Q(created_at__lt=at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=at)))
            for index, at in enumerate(instants)
        }
    )
    requests = _requests(scope).filter(
        Q(triaged_at__isnull=True) | Q(triaged_at__gte=instants[0]), created_at__lt=instants[-1]
    )
    request_counts = requests.aggregate(
        **{
            f"p{index}": Count(
                "pk",
                filter=Q(created_at__lt=at)
                & (Q(triaged_at__isnull=True, status=WorkRequest.Status.NEW) | Q(triaged_at__gte=at)),
            )
            for index, at in enumerate(instants)
        }
    )
    points = []
    for index, at in enumerate(instants):
        day = (at - DAY).date() if index < len(instants) - 1 else today
        label = _("aujourd'hui") if index == len(instants) - 1 else _month_label(day)
        points.append(
            {
                "label": label,
                "date": day,
                "requests": request_counts[f"p{index}"],
                "orders": order_counts[f"p{index}"],
                "total": request_counts[f"p{index}"] + order_counts[f"p{index}"],
            }
        )
    return points


MONTHS = [
    gettext_lazy("janv."),
    gettext_lazy("févr."),
    gettext_lazy("mars"),
    gettext_lazy("avr."),
    gettext_lazy("mai"),
    gettext_lazy("juin"),
    gettext_lazy("juil."),
    gettext_lazy("août"),
    gettext_lazy("sept."),
    gettext_lazy("oct."),
    gettext_lazy("nov."),
    gettext_lazy("déc."),
]


def _month_label(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day:%y}"


# --- Time to repair and punctuality ----------------------------------------------------------------


def _days(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def repair_times(scope: Scope) -> dict:
    """Time from a request's filing to the completion of its work order, for the orders completed in
    the period: how many, the mean and the median (in days). Two queries."""
    start, end = _aware(scope.period.start), _aware(scope.period.end + DAY)
    requests = (
        _requests(scope)
        .filter(work_order__completed_at__gte=start, work_order__completed_at__lt=end)
        .annotate(
            repair=ExpressionWrapper(F("work_order__completed_at") - F("created_at"), output_field=DurationField())
        )
    )
    summary = requests.aggregate(count=Count("pk"), mean=Avg("repair"))
    count = summary["count"]
    median = None
    if count:
        # The middle value (the lower of the two middle ones for an even count): one indexed read.
        median = requests.order_by("repair").values_list("repair", flat=True)[(count - 1) // 2]
    return {"count": count, "mean_days": _days(summary["mean"]), "median_days": _days(median)}


def on_time(scope: Scope) -> dict:
    """Orders completed in the period that had a due date: how many were completed by that date. One query."""
    start, end = _aware(scope.period.start), _aware(scope.period.end + DAY)
    summary = (
        _orders(scope)
        .filter(completed_at__gte=start, completed_at__lt=end)
        .aggregate(
            completed=Count("pk"),
            with_due=Count("pk", filter=Q(due_date__isnull=False)),
            on_time=Count("pk", filter=Q(due_date__isnull=False, completed_at__date__lte=F("due_date"))),
        )
    )
    with_due = summary["with_due"]
    summary["rate"] = (
        (Decimal(summary["on_time"]) * 100 / with_due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if with_due
        else None
    )
    summary["late"] = with_due - summary["on_time"]
    return summary


# --- Requests ------------------------------------------------------------------------------------


def _requests_in_period(scope: Scope) -> QuerySet[WorkRequest]:
    start, end = _aware(scope.period.start), _aware(scope.period.end + DAY)
    return _requests(scope).filter(created_at__gte=start, created_at__lt=end)


def requests_by_channel(scope: Scope) -> list[dict]:
    """Requests filed in the period per channel (agents, citizens online, counter, field). One query."""
    rows = _requests_in_period(scope).order_by().values("channel").annotate(n=Count("pk"))
    counts = {row["channel"]: row["n"] for row in rows}
    rows = [
        {"key": value, "name": str(label), "count": counts.get(value, 0)}
        for value, label in WorkRequest.Channel.choices
    ]
    return sorted(rows, key=lambda row: -row["count"])


def requests_by_trade(scope: Scope) -> list[dict]:
    """Requests filed in the period per trade (the one chosen at triage, else the suggested one). One query."""
    rows = (
        _requests_in_period(scope)
        .order_by()
        .annotate(trade_name=Coalesce("trade__name", "suggested_trade__name"))
        .values("trade_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "trade_name")
    )
    return [{"name": row["trade_name"] or _("Non renseigné"), "count": row["count"]} for row in rows]


def requests_total(rows: list[dict]) -> int:
    return sum(row["count"] for row in rows)


# --- Costs ---------------------------------------------------------------------------------------


def _validated(scope: Scope) -> QuerySet[WorkOrder]:
    orders = validated_orders(
        scope.access, scope.period, organisation_id=scope.organisation_id, trade_id=scope.trade_id
    )
    if scope.erp_type:
        orders = orders.filter(building__erp_type=scope.erp_type)
    return orders


def costs(scope: Scope, groupings=("organisation", "building", "trade", "month")) -> CostRollup:
    """The cost rollup (costs.selectors) of the validated orders of the scope."""
    return cost_rollup(_validated(scope), groupings=groupings)


def quarters_of(period: Period, limit: int = 8) -> list[tuple[str, Period]]:
    """The calendar quarters that meet `period` (clipped to it), at most the last `limit`."""
    result = []
    year, number = period.start.year, (period.start.month - 1) // 3 + 1
    while True:
        start = dt.date(year, 3 * (number - 1) + 1, 1)
        if start > period.end:
            break
        end = (dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)) - DAY
        label = _("T%(n)s %(year)s") % {"n": number, "year": year}
        result.append((label, Period(max(start, period.start), min(end, period.end))))
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return result[-limit:]


@dataclass
class CrossTab:
    """Cost per organisation (rows) and quarter (columns)."""

    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)


def costs_by_organisation_and_quarter(scope: Scope) -> CrossTab:
    """One cost rollup per quarter of the period, grouped by organisation (two queries per quarter)."""
    quarters = quarters_of(scope.period)
    table = CrossTab(columns=[label for label, _period in quarters])
    rows: dict[int, dict] = {}
    for index, (_label, period) in enumerate(quarters):
        rollup = cost_rollup(_validated(replace(scope, period=period)), groupings=("organisation",))
        table.totals.append(rollup.total["total"])
        for row in rollup.by_organisation:
            entry = rows.setdefault(
                row["organisation_id"], {"name": row["name"], "values": [Decimal("0.00")] * len(quarters)}
            )
            entry["values"][index] = row["total"]
    for entry in rows.values():
        entry["total"] = sum(entry["values"], Decimal("0.00"))
    table.rows = sorted(rows.values(), key=lambda r: (-r["total"], r["name"]))
    return table


def by_quarter(months: list[dict]) -> list[dict]:
    """The rollup's months regrouped into quarters (labels « T1 2026 »)."""
    quarters: dict[tuple[int, int], dict] = {}
    for row in months:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        key = (day.year, (day.month - 1) // 3 + 1)
        entry = quarters.setdefault(
            key,
            {
                "label": _("T%(n)s %(year)s") % {"n": key[1], "year": key[0]},
                "labour": Decimal("0.00"),
                "material": Decimal("0.00"),
                "external": Decimal("0.00"),
                "total": Decimal("0.00"),
                "orders": 0,
            },
        )
        for name in ("labour", "material", "external", "total", "orders"):
            entry[name] += row[name]
    return [quarters[key] for key in sorted(quarters)]


def with_month_labels(months: list[dict]) -> list[dict]:
    for row in months:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        row["label"] = _month_label(day)
    return months


def per_m2_ranking(buildings: list[dict], limit: int = 15) -> list[dict]:
    """Buildings with a known surface, by decreasing cost per m²."""
    known = [row for row in buildings if row.get("per_m2") is not None]
    return sorted(known, key=lambda row: -row["per_m2"])[:limit]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
