"""Stores: the list (with the stock settings), one store's page, and its movement forms —
receipt, transfer, inventory count — plus the reorder alerts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.templatetags.formatting import format_euros
from patrimoine.stock import selectors, services
from patrimoine.stock.forms import CountForm, ReceiptForm, StockSettingsForm, StoreForm, TransferForm
from patrimoine.stock.models import StockLevel, Store
from patrimoine.stock.services import format_quantity
from patrimoine.stock.views.common import PAGE_SIZE, is_htmx, require

COUNT_PAGE = 40


# --- List, creation, settings ------------------------------------------------------------------------


def _list_context(request, *, store_form=None, settings_form=None) -> dict:
    access = request.access
    can_manage = access.has("stock.manage") and access.organisation is not None
    current = selectors.stock_settings_of(access.organisation.pk) if access.organisation else None
    return {
        "stores": list(selectors.stores_for_list(access)),
        "show_organisation": len(access.read_org_ids) > 1,
        "can_manage": can_manage,
        "alert_count": selectors.stock_alert_count(access),
        "store_form": store_form
        or (StoreForm(sites=selectors.sites_for_stores(access), prefix="magasin") if can_manage else None),
        "settings_form": settings_form
        or (
            StockSettingsForm(
                initial={"allow_negative_stock": bool(current and current.allow_negative_stock)}, prefix="reglages"
            )
            if can_manage
            else None
        ),
    }


@require_GET
def store_list(request):
    require(request.access, "stock.view")
    return render(request, "stock/store_list.html", _list_context(request))


@require_POST
def store_create(request):
    access = request.access
    require(access, "stock.manage")
    form = StoreForm(request.POST, sites=selectors.sites_for_stores(access), prefix="magasin")
    if form.is_valid():
        try:
            store = services.store_create(access=access, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Magasin « %(name)s » créé.") % {"name": store.name})
            return redirect("stock:store-detail", pk=store.pk)
    return render(request, "stock/store_list.html", _list_context(request, store_form=form), status=400)


@require_POST
def stock_settings(request):
    access = request.access
    require(access, "stock.manage")
    form = StockSettingsForm(request.POST, prefix="reglages")
    if form.is_valid():
        services.stock_settings_save(access=access, allow_negative_stock=form.cleaned_data["allow_negative_stock"])
        messages.success(request, _("Réglages du stock enregistrés."))
        return redirect("stock:store-list")
    return render(request, "stock/store_list.html", _list_context(request, settings_form=form), status=400)


@require_GET
def alerts(request):
    """Every stock row at or below its reorder threshold."""
    access = request.access
    require(access, "stock.view")
    page = Paginator(selectors.stock_alerts(access).select_related("store__organisation"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "stock/alerts.html", {"page": page, "show_organisation": len(access.read_org_ids) > 1})


# --- One store --------------------------------------------------------------------------------------


def _store_actions(access, store: Store) -> dict:
    return {
        "can_move": access.can("stock.move", store) and store.is_active,
        "can_count": access.can("stock.manage", store) and store.is_active,
    }


@require_GET
def store_detail(request, pk):
    access = request.access
    store = selectors.get_store_for(access, pk)
    levels = selectors.store_levels(store)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        levels = levels.filter(Q(item__label__icontains=q) | Q(item__reference__icontains=q))
    only_alerts = request.GET.get("alerte") == "on"
    if only_alerts:
        levels = levels.filter(selectors.alert_condition())
    else:
        levels = levels.exclude(quantity=0, reorder_threshold__isnull=True)
    page = Paginator(levels, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "store": store,
        "summary": selectors.store_summary(store),
        "page": page,
        "q": q,
        "only_alerts": only_alerts,
        "movements": list(selectors.movements_of(access, store=store)[:15]),
        **_store_actions(access, store),
    }
    template = "stock/partials/store_levels.html" if is_htmx(request) else "stock/store_detail.html"
    return render(request, template, context)


def _movement_store(request, pk, action: str) -> Store:
    store = selectors.get_store_for(request.access, pk)
    if not request.access.can(action, store):
        raise PermissionDenied
    return store


def _items_of(store: Store):
    return selectors.catalogue_of_store(store)


@require_http_methods(["GET", "POST"])
def store_receipt(request, pk):
    """Goods delivered into the store: quantity and price (recomputes the CUMP)."""
    access = request.access
    store = _movement_store(request, pk, "stock.move")
    form = ReceiptForm(
        request.POST or None,
        items=_items_of(store),
        suppliers=selectors.suppliers_of(store.organisation_id),
        initial={"item": request.GET.get("article")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                movement = services.stock_receive(access=access, store=store, **form.cleaned_data)
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Entrée enregistrée : %(qty)s %(unit)s de « %(item)s ». Nouveau CUMP : %(cump)s.")
                    % {
                        "qty": format_quantity(movement.quantity),
                        "unit": movement.item.unit,
                        "item": movement.item.label,
                        "cump": format_euros(movement.cump_after),
                    },
                )
                return redirect("stock:store-detail", pk=store.pk)
        status = 400
    return render(request, "stock/movement_form.html", {"store": store, "form": form, "kind": "receipt"}, status=status)


@require_http_methods(["GET", "POST"])
def store_transfer(request, pk):
    """Send goods from this store to another store of the same organisation."""
    access = request.access
    store = _movement_store(request, pk, "stock.move")
    others = (
        selectors.stores_visible_to(access)
        .filter(organisation_id=store.organisation_id, is_active=True)
        .exclude(pk=store.pk)
        .order_by("name")
    )
    in_stock = _items_of(store).filter(levels__store=store, levels__quantity__gt=0)
    form = TransferForm(
        request.POST or None, items=in_stock, stores=others, initial={"item": request.GET.get("article")}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.stock_transfer(
                    access=access,
                    from_store=store,
                    to_store=data["to_store"],
                    item=data["item"],
                    quantity=data["quantity"],
                    note=data["note"],
                )
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Transfert enregistré : %(qty)s %(unit)s de « %(item)s » vers « %(to)s ».")
                    % {
                        "qty": format_quantity(data["quantity"]),
                        "unit": data["item"].unit,
                        "item": data["item"].label,
                        "to": data["to_store"].name,
                    },
                )
                return redirect("stock:store-detail", pk=store.pk)
        status = 400
    return render(
        request,
        "stock/movement_form.html",
        {"store": store, "form": form, "kind": "transfer", "no_other_store": not others.exists()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def store_count(request, pk):
    """The count sheet: the book quantity of each item (by family), a box for what is on the shelves.
    Each difference becomes an inventory adjustment at the CUMP."""
    access = request.access
    store = _movement_store(request, pk, "stock.manage")
    family = request.GET.get("famille", "").strip()
    items = _items_of(store)
    families = list(items.exclude(category="").order_by("category").values_list("category", flat=True).distinct())
    if family:
        items = items.filter(category=family)
    items = list(items[: COUNT_PAGE + 1])
    truncated = len(items) > COUNT_PAGE
    items = items[:COUNT_PAGE]
    book = {level.item_id: level for level in selectors.store_levels(store).filter(item__in=items)}
    levels = [book.get(item.pk) or _empty_level(store, item) for item in items]
    form = CountForm(request.POST or None, levels=levels)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                adjustments = services.stock_count_record(
                    access=access, store=store, counted=form.counted(), note=form.cleaned_data["note"]
                )
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if adjustments:
                    value = sum((m.amount for m in adjustments), 0)
                    messages.success(
                        request,
                        _("Inventaire enregistré : %(n)s écart(s) régularisé(s), pour %(value)s.")
                        % {"n": len(adjustments), "value": format_euros(value)},
                    )
                else:
                    messages.success(request, _("Inventaire enregistré : aucun écart avec le stock théorique."))
                return redirect("stock:store-detail", pk=store.pk)
        status = 400
    context = {
        "store": store,
        "form": form,
        "families": families,
        "family": family,
        "truncated": truncated,
    }
    return render(request, "stock/count.html", context, status=status)


def _empty_level(store, item):
    return StockLevel(organisation_id=store.organisation_id, store=store, item=item)
