"""What each role's home page shows first. Every read goes through the access-aware selectors."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from patrimoine.core.dates import day_start
from patrimoine.costs.selectors import Period
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.selectors import (
    orgs_with_all_requests_visible,
    request_progress,
    triage_counts,
    triage_queue,
    work_requests_visible_to,
)
from patrimoine.organisations.access import Access
from patrimoine.reporting.models import OrderMonth
from patrimoine.reporting.rollups import read as rollups
from patrimoine.reporting.scope import Scope, next_month
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import orgs_with_all_orders_visible, work_orders_visible_to

Status = WorkOrder.Status
ZERO = Decimal("0.00")


def triage_summary(access: Access) -> dict:
    """Requests waiting for triage: how many, how many urgent, per commune, and the first ones."""
    counts = triage_counts(access)
    first = list(triage_queue(access).select_related("building", "organisation", "suggested_trade")[:8])
    return {**counts, "first": first}


def backlog_summary(access: Access) -> dict:
    """Open work orders by status, overdue ones, and those waiting for validation."""
    today = timezone.localdate()
    # Only the open and finished orders: the index on (organisation, status) skips years of closed ones.
    orders = work_orders_visible_to(access).filter(status__in=[*WorkOrder.OPEN_STATUSES, Status.DONE])
    return orders.aggregate(
        to_plan=Count("pk", filter=Q(status=Status.TO_PLAN)),
        planned=Count("pk", filter=Q(status=Status.PLANNED)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        suspended=Count("pk", filter=Q(status=Status.SUSPENDED)),
        to_validate=Count("pk", filter=Q(status=Status.DONE)),
        overdue=Count("pk", filter=Q(status__in=WorkOrder.OPEN_STATUSES, due_date__lt=today)),
    )


def my_jobs(access: Access, *, days: int = 7) -> dict:
    """A technician's (or contractor's) work: today's jobs first, then the coming days, then what is
    suspended. Orders where he is named come before the rest of his team's."""
    today = timezone.localdate()
    horizon = today + timedelta(days=days)
    orders = (
        work_orders_visible_to(access)
        .filter(status__in=[Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED])
        .select_related("building", "site", "equipment", "trade")
        .annotate(mine=Count("technicians", filter=Q(technicians=access.user.pk)))
    )
    active = orders.exclude(status=Status.SUSPENDED)
    return {
        "today": list(
            active.filter(Q(planned_start__date__lte=today) | Q(status=Status.IN_PROGRESS)).order_by(
                "-mine", "planned_start", "-priority"
            )[:20]
        ),
        "upcoming": list(
            active.exclude(status=Status.IN_PROGRESS)
            .filter(Q(planned_start__date__gt=today, planned_start__date__lte=horizon) | Q(planned_start__isnull=True))
            .order_by("-mine", "planned_start")[:20]
        ),
        "suspended": orders.filter(status=Status.SUSPENDED).count(),
    }


def overdue_orders(access: Access, limit: int = 10) -> list[WorkOrder]:
    today = timezone.localdate()
    return list(
        work_orders_visible_to(access)
        .filter(status__in=WorkOrder.OPEN_STATUSES, due_date__lt=today)
        .select_related("building", "trade", "organisation")
        .order_by("due_date")[:limit]
    )


def year_costs(access: Access) -> dict:
    """Realised cost this year (validated orders) for what the user sees: from the rollups when he
    reads every order of his organisations, else from the orders."""
    start = timezone.localdate().replace(month=1, day=1)
    if access.read_org_ids and access.read_org_ids <= orgs_with_all_orders_visible(access):
        scope = Scope(access=access, period=Period.year(start.year))
        totals = rollups.rows(OrderMonth, scope, first=start).aggregate(total=Sum("total"), orders=Sum("validated"))
        return {"total": totals["total"] or ZERO, "orders": int(totals["orders"] or 0), "year": start.year}
    totals = (
        work_orders_visible_to(access)
        .filter(status=Status.VALIDATED, validated_at__gte=day_start(start))
        .aggregate(total=Sum("total_cost"), orders=Count("pk"))
    )
    return {"total": totals["total"] or ZERO, "orders": totals["orders"], "year": start.year}


def requests_by_channel(access: Access) -> list[dict]:
    """Requests of the last 12 months by channel (internal, citizens, counter, field): the whole
    months from the rollups, the first days of the oldest month from the requests."""
    since = timezone.now() - timedelta(days=365)
    # Every status, named: the index on (organisation, status, created_at) then reads the days asked only.
    requests = work_requests_visible_to(access).filter(created_at__gte=since, status__in=WorkRequest.Status.values)
    counts: dict[str, int] = {}
    if access.read_org_ids and access.read_org_ids <= orgs_with_all_requests_visible(access):
        first_whole = next_month(timezone.localtime(since).date())
        requests = requests.filter(created_at__lt=day_start(first_whole))
        scope = Scope(access=access, period=Period(first_whole, timezone.localdate()))
        counts = rollups.channel_counts(scope, first_whole)
    for row in requests.order_by().values("channel").annotate(n=Count("pk")):
        counts[row["channel"]] = counts.get(row["channel"], 0) + row["n"]
    labels = dict(WorkRequest.Channel.choices)
    order = list(labels)
    ranked = sorted((n, channel) for channel, n in counts.items() if n)
    ranked.sort(key=lambda item: (-item[0], order.index(item[1]) if item[1] in order else len(order)))
    return [{"label": labels.get(channel, channel), "n": n} for n, channel in ranked]


def my_requests(access: Access, limit: int = 10) -> list[tuple[WorkRequest, object]]:
    """The user's own requests, newest first, each with what the requester reads about its progress."""
    requests = (
        work_requests_visible_to(access)
        .filter(requested_by_id=access.user.pk)
        .select_related(
            "building",
            "work_order",
            "work_order__team",
            "work_order__contractor",
            "work_order__report",
            "duplicate_of",
            "duplicate_of__work_order",
        )
        .order_by("-created_at")[:limit]
    )
    return [(r, request_progress(r)) for r in requests]
