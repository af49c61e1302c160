"""Keyset (cursor) pagination: a stable order on (field, id) and an opaque, signed cursor.

A page is `ORDER BY field, id LIMIT n+1` after the last row seen — no OFFSET, no COUNT — so the
tenth thousandth page costs what the first does. The cursor carries the ordering, the last row's
value and id, signed (`django.core.signing`) so that a forged or damaged cursor is refused with a
400 instead of reaching the database.
"""

import datetime as dt
from decimal import Decimal

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError

SALT = "patrimoine.api.cursor"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _encode(ordering: str, value, pk) -> str:
    return signing.dumps({"o": ordering, "v": _plain(value), "k": str(pk)}, salt=SALT)


def _decode(cursor: str, ordering: str) -> tuple:
    try:
        data = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise DomainError(_("Curseur de pagination invalide : reprenez la liste depuis le début.")) from exc
    if not isinstance(data, dict) or data.get("o") != ordering or "k" not in data:
        raise DomainError(_("Ce curseur a été créé pour un autre tri : gardez le même paramètre « ordering »."))
    return data.get("v"), data["k"]


def keyset_page(queryset: QuerySet, *, ordering: str, cursor: str | None, limit: int, serialize=None) -> dict:
    """One page of `queryset` ordered by `ordering` (a field, `-` for descending), then by id."""
    descending = ordering.startswith("-")
    field = ordering.lstrip("-")
    key = f"{queryset.model._meta.label_lower}:{ordering}"  # a cursor only fits its own list and order
    if cursor:
        value, pk = _decode(cursor, key)
        after = "lt" if descending else "gt"
        if value is None:  # rows whose field is empty sort together; go on by id
            condition = Q(**{f"{field}__isnull": True, f"pk__{after}": pk})
        else:
            condition = Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"pk__{after}": pk})
        queryset = queryset.filter(condition)
    order = (f"-{field}", "-pk") if descending else (field, "pk")
    rows = list(queryset.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode(key, getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return {"items": [serialize(row) for row in rows] if serialize else rows, "next_cursor": next_cursor}
