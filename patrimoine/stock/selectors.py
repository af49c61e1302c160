"""Reads of the item catalogue, through the user's access."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from patrimoine.organisations.access import Access
from patrimoine.stock.models import Item


def catalogue_organisation_ids(work_order) -> set[int]:
    """Whose catalogue may supply a work order: its own organisation's, and its team's (the EPCI store)."""
    ids = {work_order.organisation_id}
    if work_order.team_id is not None:
        ids.add(work_order.team.organisation_id)
    return ids


def items_search(
    access: Access, q: str = "", *, organisation_ids: Iterable[int] | None = None, limit: int | None = None
) -> QuerySet[Item]:
    """Active items whose reference or label contains `q`, from the catalogues the user may read.

    `organisation_ids` narrows to some catalogues (e.g. those that may supply one work order); it
    never widens beyond the user's organisations.
    """
    orgs = set(access.read_org_ids)
    if organisation_ids is not None:
        orgs &= set(organisation_ids)
    items = Item.objects.filter(organisation_id__in=orgs, is_active=True)
    q = (q or "").strip()
    if q:
        items = items.filter(Q(reference__icontains=q) | Q(label__icontains=q))
    items = items.order_by("label", "reference")
    return items[:limit] if limit else items
