"""Reads of the stock through the user's access: the catalogue, stores, quantities, the ledger, alerts."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from patrimoine.assets.models import Site
from patrimoine.contractors.models import Contractor
from patrimoine.organisations.access import Access
from patrimoine.stock.models import Item, StockLevel, StockMovement, StockSettings, Store, SupplierReference

ZERO_QTY = Decimal("0")
CENT = Decimal("0.01")


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


# --- Stores, stock levels and the ledger -----------------------------------------------------------


def stores_visible_to(access: Access) -> QuerySet[Store]:
    """The stores the user may look at: those of the organisations in scope, for roles that see the stock."""
    if not access.has("stock.view"):
        return Store.objects.none()
    return Store.objects.filter(organisation_id__in=access.read_org_ids)


def get_store_for(access: Access, pk) -> Store:
    """One store the user may see, or 404 (another organisation's answers like a missing one)."""
    try:
        return stores_visible_to(access).select_related("site", "organisation").get(pk=pk)
    except (Store.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def items_visible_to(access: Access) -> QuerySet[Item]:
    if not access.has("stock.view"):
        return Item.objects.none()
    return Item.objects.filter(organisation_id__in=access.read_org_ids)


def get_item_for(access: Access, pk) -> Item:
    try:
        return items_visible_to(access).select_related("organisation").get(pk=pk)
    except (Item.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def alert_condition() -> Q:
    return Q(reorder_threshold__isnull=False, quantity__lte=F("reorder_threshold"))


def catalogue_for_list(access: Access, *, store: Store | None = None) -> QuerySet[Item]:
    """Items with their quantity on hand (in `store`, or in all visible stores), its value at CUMP and
    the number of stores where it is at or below its reorder threshold — one query per page."""
    levels = Q(levels__store__in=stores_visible_to(access)) if store is None else Q(levels__store=store)
    return (
        items_visible_to(access)
        .annotate(
            on_hand=Coalesce(Sum("levels__quantity", filter=levels), ZERO_QTY),
            alerts=Count(
                "levels",
                filter=levels
                & Q(levels__reorder_threshold__isnull=False)
                & Q(levels__quantity__lte=F("levels__reorder_threshold")),
            ),
        )
        .annotate(
            value=ExpressionWrapper(
                F("on_hand") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=4)
            )
        )
    )


def store_levels(store: Store) -> QuerySet[StockLevel]:
    """The stock rows of one store, with their item."""
    return StockLevel.objects.filter(store=store).select_related("item").order_by("item__label", "item__reference")


def store_summary(store: Store) -> dict:
    """How many items a store holds, their value at CUMP and how many are at or below their threshold."""
    levels = StockLevel.objects.filter(store=store)
    summary = levels.aggregate(
        items=Count("pk", filter=~Q(quantity=0)),
        alerts=Count("pk", filter=alert_condition()),
        value=Coalesce(
            Sum(F("quantity") * F("item__unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=4)),
            ZERO_QTY,
            output_field=DecimalField(max_digits=20, decimal_places=4),
        ),
    )
    summary["value"] = Decimal(summary["value"]).quantize(CENT, rounding=ROUND_HALF_UP)
    return summary


def stores_for_list(access: Access) -> QuerySet[Store]:
    """Visible stores with their number of items in stock, alerts and value (one query)."""
    value = Sum(
        F("levels__quantity") * F("levels__item__unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=4)
    )
    return (
        stores_visible_to(access)
        .select_related("site", "organisation")
        .annotate(
            items_count=Count("levels", filter=~Q(levels__quantity=0)),
            alerts=Count(
                "levels",
                filter=Q(levels__reorder_threshold__isnull=False)
                & Q(levels__quantity__lte=F("levels__reorder_threshold")),
            ),
            value=Coalesce(value, ZERO_QTY, output_field=DecimalField(max_digits=20, decimal_places=4)),
        )
        .order_by("organisation__name", "name")
    )


def item_levels(access: Access, item: Item) -> list[StockLevel]:
    """Where an item is, store by store (visible stores only)."""
    return list(
        StockLevel.objects.filter(item=item, store__in=stores_visible_to(access))
        .select_related("store")
        .order_by("store__name")
    )


def movements_of(access: Access, *, item: Item | None = None, store: Store | None = None) -> QuerySet[StockMovement]:
    """Ledger rows of an item or a store, newest first, with what a row shows (constant queries)."""
    movements = StockMovement.objects.filter(store__in=stores_visible_to(access))
    if item is not None:
        movements = movements.filter(item=item)
    if store is not None:
        movements = movements.filter(store=store)
    return movements.select_related("store", "item", "other_store", "work_order", "supplier", "created_by").order_by(
        "-at", "-created_at"
    )


def stock_alerts(access: Access, limit: int | None = None) -> QuerySet[StockLevel]:
    """Stock rows at or below their reorder threshold, in the stores the user sees (most short first).

    For the home page of a manager or a team lead: `stock_alerts(access)[:5]` and `stock_alert_count(access)`."""
    alerts = (
        StockLevel.objects.filter(store__in=stores_visible_to(access).filter(is_active=True), item__is_active=True)
        .filter(alert_condition())
        .select_related("store", "item")
        .order_by(F("quantity") - F("reorder_threshold"), "item__label")
    )
    return alerts[:limit] if limit else alerts


def stock_alert_count(access: Access) -> int:
    return stock_alerts(access).count()


def stores_for_work_order(access: Access, work_order) -> QuerySet[Store]:
    """Stores material may be issued from for this order: active stores of the catalogues that may
    supply it, where the user may issue."""
    if not access.has("stock.issue"):
        return Store.objects.none()
    orgs = catalogue_organisation_ids(work_order) & set(access.write_org_ids)
    return Store.objects.filter(organisation_id__in=orgs, is_active=True).order_by("name")


def stock_settings_of(organisation_id: int) -> StockSettings | None:
    return StockSettings.objects.filter(organisation_id=organisation_id).first()


def issued_from(material_line_ids: list) -> dict:
    """Material line id → name of the store its goods were issued from (lines of an order the caller
    may already read; the store may be the serving team's, outside the reader's scope)."""
    if not material_line_ids:
        return {}
    rows = StockMovement._base_manager.filter(
        material_line_id__in=material_line_ids, kind=StockMovement.Kind.ISSUE
    ).values_list("material_line_id", "store__name")
    return dict(rows)


def suppliers_of(organisation_id: int):
    """The companies of an organisation (suppliers of its stores)."""
    return Contractor.objects.filter(organisation_id=organisation_id).order_by("name")


def supplier_refs_of(item: Item):
    return list(SupplierReference.objects.filter(item=item).select_related("supplier").order_by("supplier__name"))


def catalogue_of_store(store: Store) -> QuerySet[Item]:
    """The active items a store may hold: its organisation's catalogue."""
    return Item.objects.filter(organisation_id=store.organisation_id, is_active=True).order_by("label", "reference")


def sites_for_stores(access: Access):
    """Sites a new store of the active organisation may stand on."""
    return Site.objects.filter(organisation_id=getattr(access.organisation, "pk", None)).order_by("name")
