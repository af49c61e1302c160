"""The dashboard's figures computed from the raw tables, in a fixed number of queries.

`reporting.selectors` reads the rollups whenever they can answer; these functions answer the rest:
a live figure (the backlog now and its age, over the open orders only), users who see only part of
an organisation's orders (a shared team's lead in the communes it serves) and periods that cut a
month. They are also the reference the rollups are tested against (`tests/test_rollups_equal_raw.py`).
"""

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.costs.selectors import CostRollup, cost_rollup, keep_top, validated_orders
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.selectors import work_requests_visible_to
from patrimoine.reporting.scope import AGE_BUCKETS, DAY, Scope, aware, days, month_ends, month_label
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition
from patrimoine.workorders.selectors import work_orders_visible_to


def requests_of(scope: Scope) -> QuerySet[WorkRequest]:
    requests = work_requests_visible_to(scope.access)
    if scope.organisation_id:
        requests = requests.filter(organisation_id=scope.organisation_id)
    if scope.trade_id:
        chosen = Q(trade_id=scope.trade_id) | Q(trade__isnull=True, suggested_trade_id=scope.trade_id)
        requests = requests.filter(chosen)
    if scope.erp_type:
        requests = requests.filter(building__erp_type=scope.erp_type)
    return requests


def orders_of(scope: Scope) -> QuerySet[WorkOrder]:
    orders = work_orders_visible_to(scope.access)
    if scope.organisation_id:
        orders = orders.filter(organisation_id=scope.organisation_id)
    if scope.trade_id:
        orders = orders.filter(trade_id=scope.trade_id)
    if scope.erp_type:
        orders = orders.filter(building__erp_type=scope.erp_type)
    return orders


# --- Backlog ---------------------------------------------------------------------------------------


def backlog_now(scope: Scope, now: dt.datetime | None = None) -> dict:
    """Requests waiting for triage plus open work orders, and their age. One query."""
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
    # Both counts in one query (UNION ALL of the two aggregates).
    requests = requests_of(scope).filter(status=WorkRequest.Status.NEW).order_by()
    orders = orders_of(scope).filter(status__in=WorkOrder.OPEN_STATUSES).order_by()
    parts = [
        rows.annotate(source=Value(index, output_field=IntegerField()))
        .values("source")
        .annotate(**aggregates)
        .values("source", *aggregates)
        for index, rows in enumerate((requests, orders))
    ]
    counted = {row["source"]: row for row in parts[0].union(parts[1], all=True).order_by()}
    empty = dict.fromkeys(aggregates, 0)
    requests, orders = counted.get(0, empty), counted.get(1, empty)
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


def backlog_points(scope: Scope, today: dt.date, months: int, request_counts: list, order_counts: list) -> list:
    """The points of the backlog trend from the counts at each instant of `month_ends`."""
    instants = month_ends(today, months)
    points = []
    for index, _instant in enumerate(instants):
        last = index == len(instants) - 1
        day = today if last else instants[index] - DAY
        points.append(
            {
                "label": _("aujourd'hui") if last else month_label(day),
                "date": day,
                "requests": request_counts[index],
                "orders": order_counts[index],
                "total": request_counts[index] + order_counts[index],
            }
        )
    return points


def backlog_order_counts(scope: Scope, instants: list[dt.datetime]) -> list[int]:
    """Orders open at each instant: from their creation until completed or cancelled. One query."""
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
        orders_of(scope)
        .filter(window, created_at__lt=instants[-1])
        .annotate(closed_at=Coalesce("completed_at", cancelled_at))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=instants[0]))
    )
    counts = orders.aggregate(
        **{
            f"p{index}": Count("pk", filter=Q(created_at__lt=at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=at)))
            for index, at in enumerate(instants)
        }
    )
    return [counts[f"p{index}"] for index in range(len(instants))]


def backlog_request_counts(scope: Scope, instants: list[dt.datetime]) -> list[int]:
    """Requests waiting for triage at each instant: from their filing until their triage. One query."""
    requests = requests_of(scope).filter(
        Q(triaged_at__isnull=True) | Q(triaged_at__gte=instants[0]), created_at__lt=instants[-1]
    )
    counts = requests.aggregate(
        **{
            f"p{index}": Count(
                "pk",
                filter=Q(created_at__lt=at)
                & (Q(triaged_at__isnull=True, status=WorkRequest.Status.NEW) | Q(triaged_at__gte=at)),
            )
            for index, at in enumerate(instants)
        }
    )
    return [counts[f"p{index}"] for index in range(len(instants))]


def backlog_trend(scope: Scope, today: dt.date | None = None, months: int = 12) -> list[dict]:
    """How many requests waited for triage and orders were open at the end of each past month, and
    now. Two queries (one aggregate column per instant)."""
    today = today or timezone.localdate()
    instants = [aware(day) for day in month_ends(today, months)]
    return backlog_points(
        scope, today, months, backlog_request_counts(scope, instants), backlog_order_counts(scope, instants)
    )


# --- Time to repair and punctuality ----------------------------------------------------------------


def repair_times(scope: Scope) -> dict:
    """Time from a request's filing to the completion of its work order, for the orders completed in
    the period: how many, the mean and the median (in days). Two queries."""
    start, end = aware(scope.period.start), aware(scope.period.end + DAY)
    requests = (
        requests_of(scope)
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
    return {"count": count, "mean_days": days(summary["mean"]), "median_days": days(median)}


def on_time(scope: Scope) -> dict:
    """Orders completed in the period that had a due date: how many were completed by that date. One query."""
    start, end = aware(scope.period.start), aware(scope.period.end + DAY)
    summary = (
        orders_of(scope)
        .filter(completed_at__gte=start, completed_at__lt=end)
        .aggregate(
            completed=Count("pk"),
            with_due=Count("pk", filter=Q(due_date__isnull=False)),
            on_time=Count("pk", filter=Q(due_date__isnull=False, completed_at__date__lte=F("due_date"))),
        )
    )
    return punctuality(summary)


def punctuality(summary: dict) -> dict:
    with_due = summary["with_due"]
    summary["rate"] = (
        (Decimal(summary["on_time"]) * 100 / with_due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if with_due
        else None
    )
    summary["late"] = with_due - summary["on_time"]
    return summary


# --- Requests ------------------------------------------------------------------------------------


def requests_in_period(scope: Scope) -> QuerySet[WorkRequest]:
    start, end = aware(scope.period.start), aware(scope.period.end + DAY)
    return requests_of(scope).filter(created_at__gte=start, created_at__lt=end)


def channel_rows(counts: dict) -> list[dict]:
    rows = [
        {"key": value, "name": str(label), "count": counts.get(value, 0)}
        for value, label in WorkRequest.Channel.choices
    ]
    return sorted(rows, key=lambda row: -row["count"])


def requests_by_channel(scope: Scope) -> list[dict]:
    """Requests filed in the period per channel (agents, citizens online, counter, field). One query."""
    rows = requests_in_period(scope).order_by().values("channel").annotate(n=Count("pk"))
    return channel_rows({row["channel"]: row["n"] for row in rows})


def requests_by_trade(scope: Scope) -> list[dict]:
    """Requests filed in the period per trade (the one chosen at triage, else the suggested one). One query."""
    rows = (
        requests_in_period(scope)
        .order_by()
        .annotate(trade_name=Coalesce("trade__name", "suggested_trade__name"))
        .values("trade_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "trade_name")
    )
    return [{"name": row["trade_name"] or _("Non renseigné"), "count": row["count"]} for row in rows]


# --- Costs ---------------------------------------------------------------------------------------


def validated_of(scope: Scope) -> QuerySet[WorkOrder]:
    orders = validated_orders(
        scope.access, scope.period, organisation_id=scope.organisation_id, trade_id=scope.trade_id
    )
    if scope.erp_type:
        orders = orders.filter(building__erp_type=scope.erp_type)
    return orders


def costs(scope: Scope, groupings=("organisation", "building", "trade", "month"), *, top=None) -> CostRollup:
    """The cost rollup (costs.selectors) of the validated orders of the scope (with `top`: its
    costliest buildings only, and those of highest cost per m², see `keep_top`)."""
    return keep_top(cost_rollup(validated_of(scope), groupings=groupings), top)


def costs_by_organisation_per_period(scope: Scope, periods: list) -> list[CostRollup]:
    """One cost rollup per period, grouped by organisation (two queries per period)."""
    return [cost_rollup(validated_of(replace(scope, period=period)), groupings=("organisation",)) for period in periods]
