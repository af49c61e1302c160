"""Writing rollup rows: increments (`apply_delta`) and the rebuild from the raw tables.

Both are `INSERT … ON CONFLICT (key) DO UPDATE SET m = m + EXCLUDED.m`, which PostgreSQL and SQLite
(≥ 3.24) spell the same way: an increment never reads the row first (no read-modify-write), so two
transactions adding to the same month both count, the second waiting for the first's row lock.
Rows are written in key order, so that two transactions lock them in the same order (no deadlock).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from patrimoine.reporting.models import ROLLUPS
from patrimoine.reporting.rollups.events import (
    EVENTS,
    GRAINS,
    NEUTRAL,
    finest,
    kept_keys,
    raw_orders,
    raw_requests,
    source_events,
    uniform_rows,
)

BATCH = 500
# Column of an event's rows → key of a rollup table.
EVENT_COLUMN = {"trade_id": "k_trade", "erp_type": "k_erp", "building_id": "k_building", "bucket": "k_bucket"}


class Delta:
    """Amounts to add to rollup rows: {table: {(organisation_id, grain, month, *keys): [measures]}}."""

    def __init__(self):
        self.tables: dict[type, dict[tuple, list]] = defaultdict(dict)

    def add(self, table, key: tuple, measures: dict, sign: int = 1) -> None:
        row = self.tables[table].get(key)
        if row is None:
            row = self.tables[table][key] = [0] * len(table.MEASURES)
        for index, name in enumerate(table.MEASURES):
            value = measures.get(name)
            if value:
                row[index] += sign * value

    def add_event_rows(self, event, rows: Iterable[dict], sign: int = 1) -> None:
        """Add the rows of an event (see events.py) to every table and grain it feeds."""
        for row in rows:
            measures = {name: _number(value) for name, value in row.items() if name in event.measures}
            for table in event.targets:
                for grain in GRAINS[table]:
                    kept = kept_keys(table, grain)
                    keys = tuple(row[EVENT_COLUMN[k]] if k in kept else NEUTRAL[k] for k in table.KEYS)
                    self.add(table, (row["organisation_id"], int(grain), row["k_month"], *keys), measures, sign)

    def combined(self, other: "Delta", sign: int) -> "Delta":
        result = Delta()
        for source, factor in ((self, 1), (other, sign)):
            for table, rows in source.tables.items():
                for key, values in rows.items():
                    result.add(table, key, dict(zip(table.MEASURES, values, strict=True)), factor)
        return result

    def __add__(self, other: "Delta") -> "Delta":
        return self.combined(other, 1)

    def __sub__(self, other: "Delta") -> "Delta":
        return self.combined(other, -1)

    def nonzero(self) -> dict[type, dict[tuple, list]]:
        return {
            table: {key: values for key, values in rows.items() if any(values)}
            for table, rows in self.tables.items()
            if any(any(values) for values in rows.values())
        }


def _number(value):
    if value is None:
        return 0
    if isinstance(value, Decimal) and value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return int(value)  # PostgreSQL's SUM of integers is numeric
    return value


def contributions(*, orders=None, requests=None) -> Delta:
    """What these raw rows (querysets of work orders / requests, or None) add to the rollups."""
    delta = Delta()
    for name, source in (("order", orders), ("request", requests)):
        if source is not None:
            events = source_events(name)
            for row in uniform_rows(name, source):  # one query per source
                delta.add_event_rows(events[row["k_event"]], [row])
    return delta


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(table) -> list[str]:
    return ["id", "created_at", "updated_at", "organisation_id", "grain", "month", *table.KEYS, *table.MEASURES]


def _on_conflict(table) -> str:
    name = _q(table._meta.db_table)
    keys = ", ".join(_q(c) for c in ("organisation_id", "grain", "month", *table.KEYS))
    sets = ", ".join(f"{_q(m)} = {name}.{_q(m)} + EXCLUDED.{_q(m)}" for m in table.MEASURES)
    return f" ON CONFLICT ({keys}) DO UPDATE SET {sets}, {_q('updated_at')} = EXCLUDED.{_q('updated_at')}"


def apply_delta(delta: Delta) -> int:
    """Add `delta` to the rollup rows (created when missing). Returns the number of rows written."""
    written = 0
    now = timezone.now()
    for table in ROLLUPS:
        rows = delta.nonzero().get(table)
        if not rows:
            continue
        fields = [table._meta.get_field(c) for c in _columns(table)]
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        head = f"INSERT INTO {_q(table._meta.db_table)} ({_column_list(table)}) VALUES "  # noqa: S608 — names
        ordered = sorted(rows.items(), key=lambda item: tuple(str(part) for part in item[0]))
        for start in range(0, len(ordered), BATCH):
            params = []
            chunk = ordered[start : start + BATCH]
            for key, values in chunk:
                raw = [uuid.uuid4(), now, now, *key, *values]
                params += [f.get_db_prep_save(v, connection) for f, v in zip(fields, raw, strict=True)]
            with connection.cursor() as cursor:
                cursor.execute(head + ", ".join([marks] * len(chunk)) + _on_conflict(table), params)
            written += len(chunk)
    return written


def _new_id() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


@transaction.atomic
def rebuild(organisation_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute every rollup row (of these organisations) from the raw tables: delete, then one
    `INSERT … SELECT … GROUP BY` per event and table at the finest grain, and one per coarser grain
    from the finest. Returns the rows per table."""
    organisation_ids = None if organisation_ids is None else list(organisation_ids)
    if connection.vendor == "postgresql":
        # Writers wait until the rebuild commits: what they have not committed yet is not in it, and
        # their increments land on the rebuilt rows. Reads go on.
        tables = ", ".join(_q(table._meta.db_table) for table in ROLLUPS)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")  # noqa: S608 — table names
    for table in ROLLUPS:
        rows = table._base_manager.all()
        if organisation_ids is not None:
            rows = rows.filter(organisation_id__in=organisation_ids)
        rows.delete()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    orders, requests = raw_orders(), raw_requests()
    if organisation_ids is not None:
        orders = orders.filter(organisation_id__in=organisation_ids)
        requests = requests.filter(organisation_id__in=organisation_ids)
    with connection.cursor() as cursor:
        for event in EVENTS:
            source = orders if event.source == "order" else requests
            sql, params = event.rows(source).order_by().query.sql_with_params()
            for table in event.targets:
                cursor.execute(*_insert_event(table, event, sql, params, now))
        for table in ROLLUPS:
            for grain in GRAINS[table]:
                if grain != finest(table):
                    cursor.execute(*_insert_coarser(table, grain, organisation_ids, now))
    counted = {} if organisation_ids is None else {"organisation_id__in": organisation_ids}
    return {table._meta.label: table._base_manager.filter(**counted).count() for table in ROLLUPS}


def _insert_event(table, event, sql: str, params, now) -> tuple[str, list]:
    """The event's rows (a subquery) summed into `table` at its finest grain."""
    grain = finest(table)
    kept = kept_keys(table, grain)
    keys = [f"e.{_q(EVENT_COLUMN[k])}" if k in kept else "%s" for k in table.KEYS]
    key_params = [_neutral(table, k) for k in table.KEYS if k not in kept]
    sums = [f"COALESCE(SUM(e.{_q(m)}), 0)" if m in event.measures else "0" for m in table.MEASURES]
    group = ["e.organisation_id", "e.k_month", *(f"e.{_q(EVENT_COLUMN[k])}" for k in kept)]
    select = ", ".join([_new_id(), "%s", "%s", "e.organisation_id", str(int(grain)), "e.k_month", *keys, *sums])
    statement = (
        f"INSERT INTO {_q(table._meta.db_table)} ({_column_list(table)}) SELECT {select} FROM ({sql}) e "  # noqa: S608
        f"WHERE true GROUP BY {', '.join(group)}" + _on_conflict(table)
    )
    return statement, [now, now, *key_params, *params]


def _insert_coarser(table, grain, organisation_ids, now) -> tuple[str, list]:
    """`table`'s rows at a coarser `grain`, summed from its finest grain."""
    kept = kept_keys(table, grain)
    keys = [f"r.{_q(k)}" if k in kept else "%s" for k in table.KEYS]
    key_params = [_neutral(table, k) for k in table.KEYS if k not in kept]
    sums = [f"SUM(r.{_q(m)})" for m in table.MEASURES]
    select = ", ".join([_new_id(), "%s", "%s", "r.organisation_id", str(int(grain)), "r.month", *keys, *sums])
    where, where_params = f"r.{_q('grain')} = %s", [int(finest(table))]
    if organisation_ids is not None:
        where += f" AND r.organisation_id IN ({', '.join(['%s'] * len(organisation_ids))})"
        where_params += list(organisation_ids)
    group = ["r.organisation_id", "r.month", *(f"r.{_q(k)}" for k in kept)]
    statement = (
        f"INSERT INTO {_q(table._meta.db_table)} ({_column_list(table)}) SELECT {select} "  # noqa: S608
        f"FROM {_q(table._meta.db_table)} r WHERE {where} GROUP BY {', '.join(group)}"
    )
    return statement, [now, now, *key_params, *where_params]


def _column_list(table) -> str:
    return ", ".join(_q(c) for c in _columns(table))


def _neutral(table, key: str):
    return table._meta.get_field(key).get_db_prep_save(NEUTRAL[key], connection)
