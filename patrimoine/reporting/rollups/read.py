"""The dashboard's figures summed from the rollups, over whole months.

Each function takes a `Scope` whose organisations the user reads in full (the caller checks it) and
the first and last months (or the first days of the months at which a backlog is counted); it reads
one rollup table at the grain the scope's filters need, in one query — names of organisations and
trades come with it; buildings' take one more.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    CharField,
    DateField,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from patrimoine.assets.models import Building
from patrimoine.costs.selectors import CENT, MONEY, CostRollup
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Trade
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


def _nulls(value) -> tuple:
    """A sort key placing None where the database places NULL in ascending order."""
    missing = value is None
    return (missing if connection.features.nulls_order_largest else not missing, "" if missing else value)


def _last(bounds, months: Months) -> dt.date:
    return max([*bounds, *(months[1:] if months else ())])


# --- Several reads in one round trip ----------------------------------------------------------------


def together(*parts: QuerySet) -> list[list[dict]]:
    """Run `values()` querysets whose columns all have distinct names in one query (UNION ALL, each
    part's missing columns filled with a typed zero or empty value) and return each part's rows."""
    shapes = [dict(part.query.annotation_select.items()) for part in parts]
    fields = {name: expression.output_field for shape in shapes for name, expression in shape.items()}
    columns = list(fields)
    padded = []
    for index, (part, shape) in enumerate(zip(parts, shapes, strict=True)):
        filler = {name: Value(_empty(field), output_field=field) for name, field in fields.items() if name not in shape}
        tag = Value(index, output_field=IntegerField())
        padded.append(part.annotate(k_part=tag, **filler).values("k_part", *columns).order_by())
    rows = padded[0].union(*padded[1:], all=True).order_by() if len(padded) > 1 else padded[0]
    result: list[list[dict]] = [[] for _part in parts]
    for row in rows:
        index = row["k_part"]
        result[index].append({name: row[name] for name in shapes[index]})
    return result


def _empty(field):
    if isinstance(field, (CharField, TextField)):
        return ""
    if isinstance(field, DateField):
        return None
    return Decimal("0") if isinstance(field, DecimalField) else 0


def _trade_names() -> QuerySet:
    return Trade.objects.order_by().values(t_id=F("pk"), t_name=F("name"))


def _names(rows_: list[dict]) -> dict[int, str]:
    return {row["t_id"]: row["t_name"] for row in rows_}


# --- Requests: backlog, channels, trades -----------------------------------------------------------


def _request_part(scope: Scope, bounds, months: Months) -> QuerySet:
    sums = {
        f"r_p{index}": Sum(F("waiting_in") - F("waiting_out"), filter=Q(month__lt=bound), default=0)
        for index, bound in enumerate(bounds)
    }
    if months:
        period = Q(month__gte=months[0], month__lte=months[1])
        sums |= {
            f"r_ch{index}": Sum(measure, filter=period, default=0)
            for index, measure in enumerate(CHANNEL_MEASURES.values())
        }
    return rows(RequestMonth, scope, last=_last(bounds, months)).values(r_trade=F("trade_id")).annotate(**sums)


def _request_summary(per_trade: list[dict], bounds, months: Months, names: dict[int, str]) -> dict:
    summary = {"waiting": [sum(int(row[f"r_p{index}"]) for row in per_trade) for index in range(len(bounds))]}
    if months:
        aliases = {channel: f"r_ch{index}" for index, channel in enumerate(CHANNEL_MEASURES)}
        channels = {channel: sum(int(row[alias]) for row in per_trade) for channel, alias in aliases.items()}
        summary["channels"] = {channel: count for channel, count in channels.items() if count}
        by_name: dict[str | None, int] = {}
        for row in per_trade:
            count = sum(int(row[alias]) for alias in aliases.values())
            if count:
                name = names.get(row["r_trade"]) if row["r_trade"] != NO_TRADE else None
                by_name[name] = by_name.get(name, 0) + count
        # As the database orders them: most first, then by name (the row without one where it puts NULL).
        ordered = sorted(by_name.items(), key=lambda item: (-item[1], *_nulls(item[0])))
        summary["trades"] = [{"name": name or _("Non renseigné"), "count": count} for name, count in ordered]
    return summary


def request_summary(scope: Scope, bounds=(), months: Months = None) -> dict:
    """The requests waiting for triage at each bound (a first day of month: the months before it
    count), and those filed in months first…last per channel and per trade. One query."""
    per_trade, names = together(_request_part(scope, bounds, months), _trade_names())
    return _request_summary(per_trade, bounds, months, _names(names))


def channel_counts(scope: Scope, first: dt.date, last: dt.date | None = None) -> dict[str, int]:
    """Requests filed per channel in months first…last (or up to now). One query."""
    totals = rows(RequestMonth, scope, first, last).aggregate(
        **{channel: Sum(measure, default=0) for channel, measure in CHANNEL_MEASURES.items()}
    )
    return {channel: int(value) for channel, value in totals.items() if value}


# --- Orders: backlog, punctuality ------------------------------------------------------------------


def _order_part(scope: Scope, bounds, months: Months) -> QuerySet:
    sums = {
        f"o_p{index}": Sum(F("opened") - F("closed"), filter=Q(month__lt=bound), default=0)
        for index, bound in enumerate(bounds)
    }
    if months:
        period = Q(month__gte=months[0], month__lte=months[1])
        sums |= {
            "o_completed": Sum("completed", filter=period, default=0),
            "o_with_due": Sum("completed_with_due", filter=period, default=0),
            "o_on_time": Sum("completed_on_time", filter=period, default=0),
        }
    # One row for everything: grouped by a constant.
    grouped = rows(OrderMonth, scope, last=_last(bounds, months)).annotate(o_all=Value(1, output_field=IntegerField()))
    return grouped.values("o_all").annotate(**sums)


def _order_summary(found: list[dict], bounds, months: Months) -> dict:
    totals = found[0] if found else {}
    summary = {"waiting": [int(totals.get(f"o_p{index}", 0)) for index in range(len(bounds))]}
    if months:
        summary["on_time"] = {key: int(totals.get(f"o_{key}", 0)) for key in ("completed", "with_due", "on_time")}
    return summary


def order_summary(scope: Scope, bounds=(), months: Months = None) -> dict:
    """The orders open at each bound, and those completed in months first…last (with a due date,
    and by it). One query."""
    return _order_summary(together(_order_part(scope, bounds, months))[0], bounds, months)


# --- Time to repair --------------------------------------------------------------------------------


def _repair_part(scope: Scope, months: Months) -> QuerySet:
    return (
        rows(RepairMonth, scope, *months)
        .values(h_bucket=F("bucket"))
        .annotate(h_repaired=Sum("repaired"), h_micros=Sum("repair_micros"))
    )


def _repair_times(histogram: list[dict]) -> dict:
    histogram = sorted((row["h_bucket"], int(row["h_repaired"]), int(row["h_micros"])) for row in histogram)
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


def repair_times(scope: Scope, first: dt.date, last: dt.date) -> dict:
    """Count, mean and median (days, to the tenth) from the histogram of times to repair. One query."""
    return _repair_times(together(_repair_part(scope, (first, last)))[0])


# --- The activity page: all of the above in one round trip -----------------------------------------


def activity(scope: Scope, *, request_bounds=None, order_bounds=None, months: Months = None) -> dict:
    """The request and order summaries (each when its bounds are given, even empty) and, with
    `months`, the time to repair: one query."""
    parts, readers = [], []
    if request_bounds is not None:
        parts += [_request_part(scope, request_bounds, months), _trade_names()]
        readers.append(
            ("requests", 2, lambda found: _request_summary(found[0], request_bounds, months, _names(found[1])))
        )
        if months:
            parts.append(_repair_part(scope, months))
            readers.append(("repair", 1, lambda found: _repair_times(found[0])))
    if order_bounds is not None:
        parts.append(_order_part(scope, order_bounds, months))
        readers.append(("orders", 1, lambda found: _order_summary(found[0], order_bounds, months)))
    if not parts:
        return {}
    found, result = together(*parts), {}
    for name, count, reader in readers:
        result[name], found = reader(found[:count]), found[count:]
    return result


# --- Costs ---------------------------------------------------------------------------------------

COST_SUMS = {"validated": "validated", **{key: key for key in MONEY}}


def _cost_sums(prefix: str) -> dict:
    """The cost measures summed, their names prefixed (each part of a `together` has its own)."""
    return {prefix + key: Sum(column) for key, column in COST_SUMS.items()}


def _cost_row(row: dict | None = None, prefix: str = "") -> dict:
    row = row or {}
    result = {key: Decimal(row.get(prefix + key) or 0).quantize(CENT) for key in MONEY}
    result["orders"] = int(row.get(prefix + "validated") or 0)
    return result


def _add(into: dict, row: dict) -> None:
    for key in MONEY:
        into[key] += row[key]
    into["orders"] += row["orders"]


def _by_total(rows_: list[dict], *keys) -> list[dict]:
    """Decreasing total, then the keys, as `cost_rollup` orders them."""
    return sorted(rows_, key=lambda row: (-row["total"], *(part for k in keys for part in _nulls(row[k]))))


def _cost_part(scope: Scope, first: dt.date, last: dt.date) -> QuerySet:
    """Per organisation and month (a few hundred rows for a métropole's year)."""
    return (
        rows(OrderMonth, scope, first, last)
        .values(c_org=F("organisation_id"), c_org_name=F("organisation__name"), c_month=F("month"))
        .annotate(**_cost_sums("c_"))
    )


def _trade_cost_part(scope: Scope, first: dt.date, last: dt.date) -> QuerySet:
    """Per trade, over the organisations and months."""
    return rows(OrderMonth, scope, first, last).values(d_trade=F("trade_id")).annotate(**_cost_sums("d_"))


def _building_part(scope: Scope, first: dt.date, last: dt.date) -> QuerySet:
    return (
        rows(BuildingMonth, scope, first, last)
        .values(b_org=F("organisation_id"), b_org_name=F("organisation__name"), b_building=F("building_id"))
        .annotate(**_cost_sums("b_"))
    )


def _building_names(scope: Scope, first: dt.date, last: dt.date) -> QuerySet:
    ids = rows(BuildingMonth, scope, first, last).values("building_id")
    return (
        Building._base_manager.filter(pk__in=ids)
        .order_by()
        .values(n_id=F("pk"), n_name=F("name"), n_site=F("site__name"), n_surface=F("surface_m2"))
    )


def cost_months(scope: Scope, first: dt.date, last: dt.date, *, with_buildings: bool = False) -> dict:
    """Validated cost per organisation and month (`months`), per trade (`trades`), and per building
    (`buildings`) when asked: one query, remembered for the scope (the cost page's breakdowns and its
    commune × quarter table read the same rows)."""
    key = ("cost_months", scope.organisation_ids, scope.trade_id, scope.erp_type, first, last)
    found = scope.memo.get(key)
    if found is None or (with_buildings and "buildings" not in found):
        parts = [_cost_part(scope, first, last), _trade_cost_part(scope, first, last), _trade_names()]
        if with_buildings:
            parts += [_building_part(scope, first, last), _building_names(scope, first, last)]
        answers = together(*parts)
        names = _names(answers[2])
        months = [
            {
                **_cost_row(row, "c_"),
                "organisation_id": row["c_org"],
                "organisation_name": row["c_org_name"],
                "month": row["c_month"],
            }
            for row in answers[0]
            if row["c_validated"]
        ]
        trades = [
            {**_cost_row(row, "d_"), "trade_id": row["d_trade"], "trade_name": names.get(row["d_trade"])}
            for row in answers[1]
            if row["d_validated"]
        ]
        found = {"months": months, "trades": trades}
        if with_buildings:
            found["buildings"] = _buildings(answers[3], answers[4])
        scope.memo[key] = found
    return found


def costs(scope: Scope, first: dt.date, last: dt.date, groupings, *, building_rows=None, top=None) -> CostRollup:
    """The `CostRollup` of the scope's validated orders, from the rollups (`building_rows`: the
    per-building rows when the caller computed them otherwise; `top`: only the costliest buildings
    and those of highest cost per m², picked by the database)."""
    wanted = "building" in groupings and building_rows is None
    found = cost_months(scope, first, last, with_buildings=wanted and top is None)
    months = found["months"]
    total = _cost_row()
    for row in months:
        _add(total, row)
    rollup = CostRollup(total=total)
    if "organisation" in groupings:
        rollup.by_organisation = _grouped(months, "organisation_id", "organisation_name")
    if "trade" in groupings:
        rollup.by_trade = _grouped(found["trades"], "trade_id", "trade_name")
    if "month" in groupings:
        per_month: dict[dt.date, dict] = {}
        for row in months:
            _add(per_month.setdefault(row["month"], {**_cost_row(), "month": aware(row["month"])}), row)
        rollup.by_month = [per_month[month] for month in sorted(per_month)]
    if "building" in groupings:
        if building_rows is not None:
            rollup.by_building = building_rows
        elif top is not None:
            rollup.by_building, rollup.per_m2 = top_buildings(scope, first, last, top)
        else:
            rollup.by_building = found["buildings"]
    return rollup


class _GroupSubquery(Subquery):
    """A subquery on the key a query is grouped by: evaluated once per group, never a key itself
    (Django would add it to GROUP BY, and PostgreSQL evaluate it for every row before grouping)."""

    def get_group_by_cols(self):
        return []


def top_buildings(scope: Scope, first: dt.date, last: dt.date, limit: int) -> tuple[list[dict], list[dict]]:
    """The `limit` costliest buildings and the `limit` of highest cost per m² (known surface), ranked
    and cut by the database, so that a page never carries the thousands of a métropole: two queries,
    the buildings' names read for the rows kept only."""
    place = Building._base_manager.filter(pk=OuterRef("building_id")).order_by()
    per_building = (
        rows(BuildingMonth, scope, first, last)
        .exclude(building_id=NO_BUILDING)
        .values(b_building=F("building_id"))
        .annotate(**_cost_sums("b_"))
        .filter(b_validated__gt=0)
    )
    named = per_building.annotate(
        n_name=_GroupSubquery(place.values("name")[:1]),
        n_site=_GroupSubquery(place.values("site__name")[:1]),
        n_surface=_GroupSubquery(place.values("surface_m2")[:1]),
        n_org_name=_GroupSubquery(place.values("organisation__name")[:1]),
    )
    costliest = list(named.order_by("-b_total", "b_building")[:limit])
    surface = _GroupSubquery(place.filter(surface_m2__gt=0).values(m2=Cast("surface_m2", FloatField()))[:1])
    ratio = Cast(Sum("total"), FloatField()) / surface  # to rank only: the figure shown is a Decimal
    # Twice the places asked for: the ranking is redone below on the figures rounded to the cent.
    # Buildings of unknown surface come last (NULL), if at all, and are left out here.
    densest = named.annotate(b_ratio=ratio).order_by(F("b_ratio").desc(nulls_last=True), "b_building")
    known = [row for row in _buildings(densest[: 2 * limit]) if row["per_m2"] is not None]
    by_m2 = sorted(known, key=lambda row: (-row["per_m2"], -row["total"], row["building_id"]))
    return _buildings(costliest), by_m2[:limit]


def _grouped(months: list[dict], key: str, name: str) -> list[dict]:
    groups: dict = {}
    for row in months:
        _add(groups.setdefault(row[key], {key: row[key], "name": row[name], **_cost_row()}), row)
    return _by_total(list(groups.values()), key, "name")


def _buildings(per_building: list[dict], names: list[dict] | None = None) -> list[dict]:
    """Validated cost per building (orders without one: a « sans bâtiment » row per organisation),
    with the cost per m²; the buildings' names from `names`, else from each row."""
    places = {row["n_id"]: row for row in names} if names is not None else None
    result = []
    for row in per_building:
        if not row["b_validated"]:
            continue
        place = places.get(row["b_building"], {}) if places is not None else row
        entry = {
            "building_id": row["b_building"] if row["b_building"] != NO_BUILDING else None,
            "name": place.get("n_name"),
            "site_name": place.get("n_site"),
            "organisation_name": row.get("b_org_name") or place.get("n_org_name"),
            "surface": place.get("n_surface"),
            **_cost_row(row, "b_"),
        }
        surface = entry["surface"]
        entry["per_m2"] = (entry["total"] / surface).quantize(CENT, ROUND_HALF_UP) if surface else None
        result.append(entry)
    return _by_total(result, "building_id", "name", "site_name", "organisation_name", "surface")
