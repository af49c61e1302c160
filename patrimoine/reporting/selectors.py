"""The figures of the dashboards and the annual report, always through the user's access.

Figures come from the rollups (`reporting.rollups`: counts and sums per organisation and month, kept
in step on write) whenever they can answer exactly: the user reads every row of the organisations
in scope (orders and requests are checked apart) and the period is made of whole months. Otherwise
— a shared team's lead sees only his teams' orders in the communes it serves; dates cut a month —
and for the live backlog and its age (over the open orders only), the same figures are computed
from the raw tables (`reporting.raw`). Either way a page costs a fixed number of queries. Costs are
those of `costs.selectors.cost_rollup`, to the cent.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.costs.selectors import CENT, CostRollup, Period, keep_top
from patrimoine.intake.selectors import orgs_with_all_requests_visible
from patrimoine.reporting import raw
from patrimoine.reporting.rollups import read
from patrimoine.reporting.scope import (  # noqa: F401 — the reporting API
    AGE_BUCKETS,
    DAY,
    MONTHS,
    Scope,
    aware,
    month_ends,
    month_label,
    next_month,
    whole_months,
)
from patrimoine.workorders.selectors import orgs_with_all_orders_visible


def _orders_in_full(scope: Scope) -> bool:
    return scope.organisation_ids <= orgs_with_all_orders_visible(scope.access)


def _requests_in_full(scope: Scope) -> bool:
    return scope.organisation_ids <= orgs_with_all_requests_visible(scope.access)


# --- Backlog, time to repair, punctuality, requests -----------------------------------------------


def _trend_bounds(today: dt.date, months: int) -> tuple[list[dt.date], list[dt.datetime], bool]:
    """The days whose first instant the backlog is counted at (`month_ends`), those instants, the
    bounds (first days of months) the rollups count them to, and whether they can (each instant a
    month's first midnight, or « tomorrow » when nothing is dated after it)."""
    days = month_ends(today, months)
    aligned = days[-1].day == 1 or today >= timezone.localdate()
    bounds = [day if day.day == 1 else next_month(day) for day in days]
    return bounds, [aware(day) for day in days], aligned


def activity(scope: Scope, today: dt.date | None = None, months: int = 12, *, live: bool = True) -> dict:
    """Every figure of the activity dashboard: the backlog now and its age (`live`), the backlog at
    the end of each of the last `months` months, the time to repair, punctuality, requests per
    channel and per trade. One query when the rollups answer (and one for the live backlog)."""
    today = today or timezone.localdate()
    bounds, instants, aligned = _trend_bounds(today, months)
    period = whole_months(scope.period)
    figures = {"backlog": raw.backlog_now(scope) if live else None}
    requests_read = _requests_in_full(scope) and (aligned or period)
    orders_read = _orders_in_full(scope) and (aligned or period)
    found = read.activity(  # one query for every rollup the page reads
        scope,
        request_bounds=(bounds if aligned else []) if requests_read else None,
        order_bounds=(bounds if aligned else []) if orders_read else None,
        months=period,
    )
    if requests_read and aligned:
        request_counts = found["requests"]["waiting"]
    else:
        request_counts = raw.backlog_request_counts(scope, instants)
    if requests_read and period:
        figures["channels"] = raw.channel_rows(found["requests"]["channels"])
        figures["trades"] = found["requests"]["trades"]
        figures["repair"] = found["repair"]
    if orders_read and aligned:
        order_counts = found["orders"]["waiting"]
    else:
        order_counts = raw.backlog_order_counts(scope, instants)
    if orders_read and period:
        figures["punctuality"] = raw.punctuality(found["orders"]["on_time"])
    figures["trend"] = raw.backlog_points(scope, today, months, request_counts, order_counts)
    if "channels" not in figures:
        figures["channels"] = raw.requests_by_channel(scope)
        figures["trades"] = raw.requests_by_trade(scope)
        figures["repair"] = raw.repair_times(scope)
    if "punctuality" not in figures:
        figures["punctuality"] = raw.on_time(scope)
    return figures


def backlog_now(scope: Scope, now: dt.datetime | None = None) -> dict:
    """Requests waiting for triage plus open work orders, and their age: live, over the open ones. One query."""
    return raw.backlog_now(scope, now)


def backlog_trend(scope: Scope, today: dt.date | None = None, months: int = 12) -> list[dict]:
    """How many requests waited for triage and orders were open at the end of each past month, and
    now. A request waits from its filing until it is triaged; an order is open from its creation
    until it is completed or cancelled. Two queries."""
    today = today or timezone.localdate()
    bounds, instants, aligned = _trend_bounds(today, months)
    if aligned and _requests_in_full(scope):
        request_counts = read.request_summary(scope, bounds)["waiting"]
    else:
        request_counts = raw.backlog_request_counts(scope, instants)
    if aligned and _orders_in_full(scope):
        order_counts = read.order_summary(scope, bounds)["waiting"]
    else:
        order_counts = raw.backlog_order_counts(scope, instants)
    return raw.backlog_points(scope, today, months, request_counts, order_counts)


def repair_times(scope: Scope) -> dict:
    """Time from a request's filing to the completion of its work order, for the orders completed in
    the period: how many, the mean and the median (in days, to the tenth)."""
    months = whole_months(scope.period)
    if months and _requests_in_full(scope):
        return read.repair_times(scope, *months)
    return raw.repair_times(scope)


def on_time(scope: Scope) -> dict:
    """Orders completed in the period that had a due date: how many were completed by that date."""
    months = whole_months(scope.period)
    if months and _orders_in_full(scope):
        return raw.punctuality(read.order_summary(scope, months=months)["on_time"])
    return raw.on_time(scope)


def requests_by_channel(scope: Scope) -> list[dict]:
    """Requests filed in the period per channel (agents, citizens online, counter, field)."""
    months = whole_months(scope.period)
    if months and _requests_in_full(scope):
        return raw.channel_rows(read.request_summary(scope, months=months)["channels"])
    return raw.requests_by_channel(scope)


def requests_by_trade(scope: Scope) -> list[dict]:
    """Requests filed in the period per trade (the one chosen at triage, else the suggested one)."""
    months = whole_months(scope.period)
    if months and _requests_in_full(scope):
        return read.request_summary(scope, months=months)["trades"]
    return raw.requests_by_trade(scope)


def requests_total(rows: list[dict]) -> int:
    return sum(row["count"] for row in rows)


# --- Costs ---------------------------------------------------------------------------------------


def costs(scope: Scope, groupings=("organisation", "building", "trade", "month"), *, top=None) -> CostRollup:
    """The cost rollup (costs.selectors) of the validated orders of the scope; with `top`, only the
    costliest buildings and those of highest cost per m² (`keep_top`), as a page shows them."""
    months = whole_months(scope.period)
    if not (months and _orders_in_full(scope)):
        return raw.costs(scope, groupings, top=top)
    if "building" in groupings and scope.trade_id:
        # One trade's cost per building: its validated orders of the period (index on trade).
        building_rows = raw.costs(scope, groupings=("building",)).by_building
        return keep_top(read.costs(scope, *months, groupings, building_rows=building_rows), top)
    return read.costs(scope, *months, groupings, top=top)


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
    """Cost per organisation and quarter of the period (the last eight)."""
    quarters = quarters_of(scope.period)
    table = CrossTab(columns=[label for label, _period in quarters])
    per_quarter: list[list[tuple[int, str, Decimal]]] = []
    months = whole_months(scope.period)
    if quarters and months and _orders_in_full(scope):
        month_rows = read.cost_months(scope, *months)["months"]  # the page's cost breakdowns read them too
        for _label, period in quarters:
            sums: dict[int, list] = {}
            for row in month_rows:
                if period.start.replace(day=1) <= row["month"] <= period.end:
                    entry = sums.setdefault(row["organisation_id"], [row["organisation_name"], Decimal("0.00")])
                    entry[1] += row["total"]
            per_quarter.append([(org, name, total) for org, (name, total) in sums.items()])
    else:
        for rollup in raw.costs_by_organisation_per_period(scope, [period for _label, period in quarters]):
            per_quarter.append([(r["organisation_id"], r["name"], r["total"]) for r in rollup.by_organisation])
    rows: dict[int, dict] = {}
    for index, entries in enumerate(per_quarter):
        table.totals.append(sum((total for _org, _name, total in entries), Decimal("0.00")))
        for organisation_id, name, total in entries:
            entry = rows.setdefault(organisation_id, {"name": name, "values": [Decimal("0.00")] * len(quarters)})
            entry["values"][index] = total
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
        row["label"] = month_label(day)
    return months


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
