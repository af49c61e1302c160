"""Keyset (cursor) pagination of the API: the shared helper of core (`patrimoine.core.pagination`).

A page is `ORDER BY field, id LIMIT n+1` after the last row seen — no OFFSET, no COUNT — so the
tenth thousandth page costs what the first does. The cursor carries the ordering and the last row's
keys, signed (`django.core.signing`) so that a forged or damaged cursor is refused with a 400 instead
of reaching the database; a cursor made for another ordering is refused the same way.
"""

from django.db.models import QuerySet

from patrimoine.core.pagination import KeysetPaginator

SALT = "patrimoine.api.cursor"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def keyset_page(queryset: QuerySet, *, ordering: str, cursor: str | None, limit: int, serialize=None) -> dict:
    """One page of `queryset` ordered by `ordering` (a field, `-` for descending), then by id.

    Raises `InvalidCursor` (a DomainError: the API answers 400 with its French message)."""
    paginator = KeysetPaginator(queryset, [ordering], limit, name=f"api:{ordering}", salt=SALT)
    page = paginator.page(cursor, strict=True, count=False)
    rows = page.object_list
    return {"items": [serialize(row) for row in rows] if serialize else rows, "next_cursor": page.next_cursor}
