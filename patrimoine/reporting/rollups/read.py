"""The dashboard's figures summed from the rollups, over whole months.

Each function takes a `Scope` whose organisations the user reads in full (the caller checks it) and
the first and last months (or the first days of the months at which a backlog is counted); it reads
one rollup table at the grain the scope's filters need, in one query — names of organisations and
trades come with it; buildings' take one more.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from patrimoine.assets.models import Building
from patrimoine.costs.selectors import CENT, MONEY, CostRollup
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Organisation, Trade
from patrimoine.reporting.models import (
    NO_BUILDING,
    NO_TRADE,
    BuildingMonth,
    Grain,
    OrderMonth,
    RepairMonth,
    RequestMonth,
)
from patrimoine.reporting.rollups.events import DAY_MICROS
from patrimoine.reporting.scope import Scope, aware

CHANNEL_MEASURES = {
    WorkRequest.Channel.INTERNAL: "filed_internal",
    WorkRequest.Channel.CITIZEN: "filed_citizen",
    WorkRequest.Channel.COUNTER: "filed_counter",
    WorkRequest.Channel.FIELD: "filed_field",
}
TENTH = Decimal("0.1")
Months = tuple[dt.date, dt.date] | None


def _grain(table, scope: Scope) -> Grain:
    if table is RepairMonth:
        return Grain.DETAIL if scope.trade_id or scope.erp_type else Grain.ORGANISATION
    if table is BuildingMonth:
        return Grain.ORGANISATION
    return Grain.DETAIL if scope.erp_type else Grain.TRADE


def rows(table, scope: Scope, first: dt.date | None = None, last: dt.date | None = None) -> QuerySet:
    """`table`'s rows for the scope's organisations and filters, months first…last (inclusive)."""
    queryset = table.objects.filter(organisation_id__in=scope.organisation_ids, grain=_grain(table, scope))
    if first is not None:
        queryset = queryset.filter(month__gte=first)
    if last is not None:
        queryset = queryset.filter(month__lte=last)
    if scope.trade_id and table is not BuildingMonth:
        queryset = queryset.filter(trade_id=scope.trade_id)
    if scope.erp_type:
        if table is BuildingMonth:
            buildings_ = Building._base_manager.filter(
                organisation_id__in=scope.organisation_ids, erp_type=scope.erp_type
            ).values("pk")
            queryset = queryset.filter(building_id__in=buildings_)
        else:
            queryset = queryset.filter(erp_type=scope.erp_type)
    return queryset.order_by()


def _sums(*names: str) -> dict:
    return {name: Sum(name) for name in names}


def _name(model, column: str):
    return model.objects.filter(pk=OuterRef(column)).values("name")[:1]


def _nulls(value) -> tuple:
    """A sort key placing None where the database places NULL in ascending order."""
    missing = value is None
    return (missing if connection.features.nulls_order_largest else not missing, "" if missing else value)


def _last(bounds, months: Months) -> dt.date:
    return max([*bounds, *(months[1:] if months else ())])


# --- Requests: backlog, channels, trades -----------------------------------------------------------


def request_summary(scope: Scope, bounds=(), months: Months = None) -> dict:
    """From one query: the requests waiting for triage at each bound (a first day of month: the
    months before it count), and those filed in months first…last per channel and per trade."""
    aliases = {channel: f"ch_{index}" for index, channel in enumerate(CHANNEL_MEASURES)}
    sums = {
        f"p{index}": Sum(F("waiting_in") - F("waiting_out"), filter=Q(month__lt=bound), default=0)
        for index, bound in enumerate(bounds)
    }
    if months:
        period = Q(month__gte=months[0], month__lte=months[1])
        sums |= {alias: Sum(CHANNEL_MEASURES[channel], filter=period, default=0) for channel, alias in aliases.items()}
    per_trade = list(
        rows(RequestMonth, scope, last=_last(bounds, months))
        .values("trade_id")
        .annotate(trade_name=Subquery(_name(Trade, "trade_id")), **sums)
    )
    summary = {"waiting": [sum(int(row[f"p{index}"]) for row in per_trade) for index in range(len(bounds))]}
    if months:
        channels = {channel: sum(int(row[alias]) for row in per_trade) for channel, alias in aliases.items()}
        summary["channels"] = {channel: count for channel, count in channels.items() if count}
        by_name: dict[str | None, int] = {}
        for row in per_trade:
            count = sum(int(row[alias]) for alias in aliases.values())
            if count:
                name = row["trade_name"] if row["trade_id"] != NO_TRADE else None
                by_name[name] = by_name.get(name, 0) + count
        # As the database orders them: most first, then by name (the row without one where it puts NULL).
        ordered = sorted(by_name.items(), key=lambda item: (-item[1], *_nulls(item[0])))
        summary["trades"] = [{"name": name or _("Non renseigné"), "count": count} for name, count in ordered]
    return summary


def channel_counts(scope: Scope, first: dt.date, last: dt.date | None = None) -> dict[str, int]:
    """Requests filed per channel in months first…last (or up to now). One query."""
    totals = rows(RequestMonth, scope, first, last).aggregate(
        **{channel: Sum(measure, default=0) for channel, measure in CHANNEL_MEASURES.items()}
    )
    return {channel: int(value) for channel, value in totals.items() if value}


# --- Orders: backlog, punctuality ------------------------------------------------------------------


def order_summary(scope: Scope, bounds=(), months: Months = None) -> dict:
    """From one query: the orders open at each bound, and those completed in months first…last
    (with a due date, and by it)."""
    sums = {
        f"p{index}": Sum(F("opened") - F("closed"), filter=Q(month__lt=bound), default=0)
        for index, bound in enumerate(bounds)
    }
    if months:
        period = Q(month__gte=months[0], month__lte=months[1])
        sums |= {
            "completed": Sum("completed", filter=period, default=0),
            "with_due": Sum("completed_with_due", filter=period, default=0),
            "on_time": Sum("completed_on_time", filter=period, default=0),
        }
    totals = {
        key: int(value) for key, value in rows(OrderMonth, scope, last=_last(bounds, months)).aggregate(**sums).items()
    }
    summary = {"waiting": [totals[f"p{index}"] for index in range(len(bounds))]}
    if months:
        summary["on_time"] = {key: totals[key] for key in ("completed", "with_due", "on_time")}
    return summary


# --- Time to repair --------------------------------------------------------------------------------


def repair_times(scope: Scope, first: dt.date, last: dt.date) -> dict:
    """Count, mean and median (days, to the tenth) from the histogram of times to repair. One query."""
    histogram = (
        rows(RepairMonth, scope, first, last)
        .values("bucket")
        .annotate(**_sums("repaired", "repair_micros"))
        .order_by("bucket")
    )
    histogram = [(row["bucket"], int(row["repaired"]), int(row["repair_micros"])) for row in histogram]
    count = sum(n for _bucket, n, _micros in histogram)
    if not count:
        return {"count": 0, "mean_days": None, "median_days": None}
    mean = sum(micros for _bucket, _n, micros in histogram) / Decimal(count)
    rank, seen, median = (count - 1) // 2, 0, None
    for bucket, n, _micros in histogram:
        seen += n
        if seen > rank:  # the middle value (the lower of the two middle ones), as on the raw rows
            median = (Decimal(bucket) * TENTH).quantize(TENTH)
            break
    mean_days = (mean / DAY_MICROS).quantize(TENTH, rounding=ROUND_HALF_UP)
    return {"count": count, "mean_days": mean_days, "median_days": median}


# --- Costs ---------------------------------------------------------------------------------------


def _cost_row(row: dict | None = None) -> dict:
    row = row or {}
    result = {key: Decimal(row.get(key) or 0).quantize(CENT) for key in MONEY}
    result["orders"] = int(row.get("validated") or 0)
    return result


def _add(into: dict, row: dict) -> None:
    for key in MONEY:
        into[key] += row[key]
    into["orders"] += row["orders"]


def _by_total(rows_: list[dict], *keys) -> list[dict]:
    """Decreasing total, then the keys, as `cost_rollup` orders them."""
    return sorted(rows_, key=lambda row: (-row["total"], *(part for k in keys for part in _nulls(row[k]))))


def cost_months(scope: Scope, first: dt.date, last: dt.date) -> list[dict]:
    """Validated cost per organisation, month and trade, with their names. One query, remembered
    for the scope (the cost page's breakdowns and its commune × quarter table share it)."""
    key = ("cost_months", scope.organisation_ids, scope.trade_id, scope.erp_type, first, last)
    if key not in scope.memo:
        queryset = (
            rows(OrderMonth, scope, first, last)
            .values("organisation_id", "month", "trade_id")
            .annotate(
                organisation_name=Subquery(_name(Organisation, "organisation_id")),
                trade_name=Subquery(_name(Trade, "trade_id")),
                **_sums("validated", *MONEY),
            )
        )
        keys = ("organisation_id", "organisation_name", "month", "trade_id", "trade_name")
        scope.memo[key] = [{**_cost_row(row), **{k: row[k] for k in keys}} for row in queryset if row["validated"]]
    return scope.memo[key]


def costs(scope: Scope, first: dt.date, last: dt.date, groupings, *, building_rows=None) -> CostRollup:
    """The `CostRollup` of the scope's validated orders, from the rollups (`building_rows`: the
    per-building rows when the caller computed them otherwise)."""
    months = cost_months(scope, first, last)
    total = _cost_row()
    for row in months:
        _add(total, row)
    rollup = CostRollup(total=total)
    if "organisation" in groupings:
        rollup.by_organisation = _grouped(months, "organisation_id", "organisation_name")
    if "trade" in groupings:
        rollup.by_trade = _grouped(months, "trade_id", "trade_name")
    if "month" in groupings:
        per_month: dict[dt.date, dict] = {}
        for row in months:
            _add(per_month.setdefault(row["month"], {**_cost_row(), "month": aware(row["month"])}), row)
        rollup.by_month = [per_month[month] for month in sorted(per_month)]
    if "building" in groupings:
        rollup.by_building = building_rows if building_rows is not None else buildings(scope, first, last)
    return rollup


def _grouped(months: list[dict], key: str, name: str) -> list[dict]:
    groups: dict = {}
    for row in months:
        _add(groups.setdefault(row[key], {key: row[key], "name": row[name], **_cost_row()}), row)
    return _by_total(list(groups.values()), key, "name")


def buildings(scope: Scope, first: dt.date, last: dt.date) -> list[dict]:
    """Validated cost per building (orders without one: a « sans bâtiment » row per organisation),
    with the cost per m². Two queries."""
    queryset = (
        rows(BuildingMonth, scope, first, last)
        .values("organisation_id", "building_id")
        .annotate(organisation_name=Subquery(_name(Organisation, "organisation_id")), **_sums("validated", *MONEY))
    )
    found = [row for row in queryset if row["validated"]]
    ids = {row["building_id"] for row in found if row["building_id"] != NO_BUILDING}
    places = {
        b["pk"]: b for b in Building._base_manager.filter(pk__in=ids).values("pk", "name", "site__name", "surface_m2")
    }
    result = []
    for row in found:
        place = places.get(row["building_id"], {})
        entry = {
            "building_id": row["building_id"] if row["building_id"] != NO_BUILDING else None,
            "name": place.get("name"),
            "site_name": place.get("site__name"),
            "organisation_name": row["organisation_name"],
            "surface": place.get("surface_m2"),
            **_cost_row(row),
        }
        surface = entry["surface"]
        entry["per_m2"] = (entry["total"] / surface).quantize(CENT, ROUND_HALF_UP) if surface else None
        result.append(entry)
    return _by_total(result, "building_id", "name", "site_name", "organisation_name", "surface")
