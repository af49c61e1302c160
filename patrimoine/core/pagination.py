"""Keyset pagination (« Suivant / Précédent » with an opaque cursor), shared by the HTML lists and the API.

A page is `WHERE (keys) after (the last row seen) ORDER BY keys LIMIT n+1`: no OFFSET, no COUNT, so
the two-thousandth page costs what the first does. The ordering is made total by ending it with the
primary key. Keys may mix directions and nullable columns (NULLs always sort last going forward, on
both databases), and may be annotations (a relevance rank).

The condition is the expanded lexicographic comparison `k1 > v1 OR (k1 = v1 AND k2 > v2) OR …`, plus
`k1 >= v1` on its own so that PostgreSQL scans an index on (organisation, k1, …, id) from the cursor
on instead of from the start (row-value comparison would need every key in the same direction).

The cursor carries the list it belongs to, the direction and the boundary row's key values, signed
with `django.core.signing`: a forged or damaged cursor is refused before reaching the database, and a
cursor of another list or sort does not apply. Libraries looked at (2026): django-keyset-pagination-plus
pins Django < 6.1 and handles neither NULLs nor signatures; django-cursor-pagination compares every key
as text and has no index helper. Hence this small helper, tested in core/tests/test_pagination.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError

SALT = "patrimoine.core.pagination"
COUNT_CAP = 1000  # lists say « plus de 1 000 » past this instead of counting every row


class InvalidCursor(DomainError):
    """The cursor is damaged, forged or made for another list or sort."""


def plain(value):
    """A key value as JSON can carry it (read back with the field's `to_python`)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def sign(payload, *, salt: str = SALT) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


def unsign(token: str, *, salt: str = SALT):
    try:
        return signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise InvalidCursor(_("Curseur de pagination invalide : reprenez la liste depuis le début.")) from exc


@dataclass(frozen=True)
class SortKey:
    """One column of the ordering: a model field or an annotation of the queryset."""

    name: str
    descending: bool = False
    nullable: bool = False

    def order_by(self, *, backwards: bool = False) -> OrderBy:
        descending = self.descending != backwards
        # NULLs last going forward, so first going back; said only for nullable columns, since
        # « DESC NULLS LAST » on a NOT NULL column would not match a plain descending index.
        nulls = ({"nulls_first": True} if backwards else {"nulls_last": True}) if self.nullable else {}
        expression = F(self.name)
        return expression.desc(**nulls) if descending else expression.asc(**nulls)

    def after(self, value, *, backwards: bool) -> Q | None:
        """Rows strictly after `value` on this key alone; None when there are none."""
        nulls_last = not backwards
        if value is None:
            return None if nulls_last else Q(**{f"{self.name}__isnull": False})
        lookup = "lt" if self.descending != backwards else "gt"
        condition = Q(**{f"{self.name}__{lookup}": value})
        if self.nullable and nulls_last:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition

    def at_or_after(self, value, *, backwards: bool) -> Q | None:
        """A condition an index on this key can start from (None when it would not help)."""
        if value is None:
            return Q(**{f"{self.name}__isnull": True}) if not backwards else None
        if self.nullable and not backwards:
            return None  # « >= v OR IS NULL » is no index range
        lookup = "lte" if self.descending != backwards else "gte"
        return Q(**{f"{self.name}__{lookup}": value})

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def sort_keys(queryset: QuerySet, ordering: Sequence) -> list[SortKey]:
    """`ordering` as `order_by` takes it ("-created_at", F("due_date").asc(nulls_last=True)), ended by pk."""
    keys = []
    model = queryset.model
    for item in ordering:
        if isinstance(item, OrderBy):
            name, descending = item.expression.name, item.descending
        elif isinstance(item, F):
            name, descending = item.name, False
        else:
            name, descending = str(item).lstrip("-"), str(item).startswith("-")
        if name == "pk":
            name = model._meta.pk.name
        keys.append(SortKey(name, descending, _field(queryset, name).null))
    if not keys or keys[-1].name != model._meta.pk.name:
        keys.append(SortKey(model._meta.pk.name, keys[-1].descending if keys else False))
    return keys


def _field(queryset: QuerySet, name: str):
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    if "__" in name:
        raise ValueError(f"Keyset key {name!r}: annotate it on the queryset (related paths are not keys).")
    return queryset.model._meta.get_field(name)


class KeysetPage:
    """One page: `object_list`, and the cursors of the pages before and after it (None at an end)."""

    def __init__(self, paginator: KeysetPaginator, rows: list, *, has_next: bool, has_previous: bool):
        self.paginator = paginator
        self.object_list = rows
        self._has_next = has_next
        self._has_previous = has_previous

    keyset = True  # the shared pagination partial shows « Précédent / Suivant » instead of page numbers

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self._has_previous

    def has_other_pages(self) -> bool:
        return self._has_next or self._has_previous

    @property
    def next_cursor(self) -> str | None:
        return self.paginator.cursor_for(self.object_list[-1], backwards=False) if self._has_next else None

    @property
    def previous_cursor(self) -> str | None:
        return self.paginator.cursor_for(self.object_list[0], backwards=True) if self._has_previous else None

    # The names of Django's Page, so templates and views written for it keep working.
    def next_page_number(self) -> str | None:
        return self.next_cursor

    def previous_page_number(self) -> str | None:
        return self.previous_cursor


class KeysetPaginator:
    """Pages of `queryset` in `ordering` (ended by the primary key), `per_page` rows at a time.

    `name` tells lists apart (a cursor of the work-order list sorted by priority does not fit the
    same list sorted by date). `page(cursor)` with `strict=False` (HTML lists) answers the first page
    for a bad cursor; with `strict=True` (the API) it raises `InvalidCursor`.
    """

    def __init__(self, queryset: QuerySet, ordering: Sequence, per_page: int, *, name: str = "", salt: str = SALT):
        self.queryset = queryset
        self.keys = sort_keys(queryset, ordering)
        self.per_page = per_page
        self.salt = salt
        signature = ",".join(f"{'-' if k.descending else ''}{k.name}" for k in self.keys)
        self.list_key = f"{queryset.model._meta.label_lower}:{name}:{signature}"

    # --- cursors

    def cursor_for(self, row, *, backwards: bool) -> str:
        values = [plain(getattr(row, key.name)) for key in self.keys]
        payload = {"l": self.list_key, "b": int(backwards), "v": values}
        if self._count is not None:
            payload["n"] = self._count  # the count seen on the first page travels with the cursor
        return sign(payload, salt=self.salt)

    def read_cursor(self, cursor: str) -> tuple[bool, list]:
        data = unsign(cursor, salt=self.salt)
        if not isinstance(data, dict) or data.get("l") != self.list_key:
            raise InvalidCursor(_("Ce curseur a été créé pour une autre liste ou un autre tri : reprenez au début."))
        raw = data.get("v")
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            raise InvalidCursor(_("Curseur de pagination invalide : reprenez la liste depuis le début."))
        try:
            values = [
                None if value is None else _field(self.queryset, key.name).to_python(value)
                for key, value in zip(self.keys, raw, strict=True)
            ]
        except Exception as exc:  # a to_python ValidationError, a wrong type…
            raise InvalidCursor(_("Curseur de pagination invalide : reprenez la liste depuis le début.")) from exc
        if isinstance(data.get("n"), int):
            self._count = data["n"]
        return bool(data.get("b")), values

    def condition(self, values: list, *, backwards: bool) -> Q:
        """Rows after (or, backwards, before) the row whose keys are `values`."""
        branches = Q()
        equal = Q()
        for key, value in zip(self.keys, values, strict=True):
            after = key.after(value, backwards=backwards)
            if after is not None:
                branches |= equal & after
            equal &= key.equal(value)
        helper = self.keys[0].at_or_after(values[0], backwards=backwards)
        return branches & helper if helper is not None else branches

    # --- pages

    def ordered(self, *, backwards: bool = False) -> QuerySet:
        return self.queryset.order_by(*(key.order_by(backwards=backwards) for key in self.keys))

    def page(self, cursor: str | None = None, *, strict: bool = False, count: bool = True) -> KeysetPage:
        """The page after (or before) `cursor`, the first one without.

        Two statements: the page's ids on the table alone (an index scan from the cursor on), then
        those rows with their joins and prefetches. One statement with `id IN (subquery)` let
        PostgreSQL join whole tables before the LIMIT (past 8 joined tables it keeps the written
        join order): it hashed every equipment item for 25 work orders. On the first page, with
        `count`, the ids query reads up to COUNT_CAP + 1 ids and so also gives the capped count,
        which the cursors then carry: no COUNT statement at all."""
        backwards, values = False, None
        if cursor:
            try:
                backwards, values = self.read_cursor(cursor)
            except InvalidCursor:
                if strict:
                    raise
        narrow = self.ordered(backwards=backwards)
        if values is not None:
            narrow = narrow.filter(self.condition(values, backwards=backwards))
        limit = self.per_page + 1
        counting = count and values is None
        ids = list(narrow.values_list("pk", flat=True)[: max(limit, COUNT_CAP + 1) if counting else limit])
        if counting:
            self._count = len(ids)
        ids = ids[:limit]
        if values is not None and not ids and not strict:  # rows deleted since: the list starts again
            return self.page(None, count=count)
        if backwards and len(ids) < limit:  # back at the start: show the first page whole
            return self.page(None, count=count)
        more = len(ids) == limit
        ids = ids[: self.per_page]
        found = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()}
        rows = [found[pk] for pk in ids if pk in found]
        if not backwards:
            return KeysetPage(self, rows, has_next=more, has_previous=values is not None)
        rows.reverse()
        return KeysetPage(self, rows, has_next=True, has_previous=True)

    _count: int | None = None

    @property
    def capped_count(self) -> int:
        """The number of rows, counted up to COUNT_CAP + 1 (never a full COUNT on a big list)."""
        if self._count is None:
            self._count = self.queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        return self._count

    @property
    def count_is_capped(self) -> bool:
        return self.capped_count > COUNT_CAP


def carried_count(cursor: str | None, *, salt: str = SALT) -> int | None:
    """The capped count a cursor carries (None without a cursor, or for a bad one)."""
    if not cursor:
        return None
    try:
        data = unsign(cursor, salt=salt)
    except InvalidCursor:
        return None
    count = data.get("n") if isinstance(data, dict) else None
    return count if isinstance(count, int) else None


def ranked_page(
    queryset: QuerySet, ranked: Sequence, plain: Sequence, per_page: int, cursor: str | None, *, name: str
) -> KeysetPage:
    """Search results by relevance (`ranked`, a computed rank first) when there are at most COUNT_CAP
    of them; past that in `plain` order, which an index gives without sorting every match (a rank
    has to be computed for each matching row before the first page can be shown).

    The capped count is counted once, on the first page, and travels in the cursors, which also
    keep the order chosen then."""
    count = carried_count(cursor)
    if count is None:
        count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        cursor = None
    few = count <= COUNT_CAP
    paginator = KeysetPaginator(
        queryset, ranked if few else plain, per_page, name=f"{name}:{'rang' if few else 'alpha'}"
    )
    paginator._count = count
    return paginator.page(cursor, count=False)


def capped_counts(querysets: dict[str, QuerySet], cap: int | None = None) -> dict[str, int]:
    """Row counts of several querysets (the tabs of a list), each counted up to `cap` + 1, in ONE
    statement: `SELECT 'a', COUNT(*) FROM (… LIMIT cap+1) UNION ALL …`. A tab holding years of
    history costs what a small one does; `count_label` shows « 1 000+ » past the cap."""
    cap = COUNT_CAP if cap is None else cap
    if not querysets:
        return {}
    parts, params, database = [], [], None
    for index, (key, queryset) in enumerate(querysets.items()):
        limited = queryset.order_by().values("pk")[: cap + 1]
        database = database or limited.db
        sql, sql_params = limited.query.sql_with_params()
        # Django compiled `sql`; every value travels in `params`.
        parts.append(f"SELECT %s, COUNT(*) FROM ({sql}) AS capped_{index}")  # noqa: S608
        params.extend([key, *sql_params])
    with connections[database].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {key: count for key, count in cursor.fetchall()}


def count_label(count: int, cap: int | None = None) -> str:
    """« 12 », « 1 000+ » past the cap (French thousands with a narrow no-break space)."""
    cap = COUNT_CAP if cap is None else cap
    text = f"{min(count, cap):,}".replace(",", "\u202f")
    return f"{text}+" if count > cap else text
