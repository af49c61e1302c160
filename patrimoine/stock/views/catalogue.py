"""The catalogue (items with their quantity on hand and value), one item's page (stores, thresholds,
supplier references, movements), the item form, and the catalogue search of the material form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.pagination import KeysetPaginator
from patrimoine.stock import selectors, services
from patrimoine.stock.filters import CatalogueFilter, MovementFilter
from patrimoine.stock.forms import ItemForm, SupplierReferenceForm, ThresholdForm
from patrimoine.stock.views.common import PAGE_SIZE, is_htmx, require
from patrimoine.workorders.selectors import get_work_order_for

RESULTS = 30


@require_GET
def item_search(request):
    """Active items matching `q`. With `bon=<uuid>`, only the catalogues that may supply that order
    (404 if the user cannot see it). htmx gets the <option>s of the material form's select."""
    access = request.access
    if not (access.has("workorders.report") or access.has("workorders.plan")):
        raise PermissionDenied
    organisation_ids = None
    if request.GET.get("bon"):
        organisation_ids = selectors.catalogue_organisation_ids(get_work_order_for(access, request.GET["bon"]))
    q = request.GET.get("q", "").strip()[:100]
    items = list(selectors.items_search(access, q, organisation_ids=organisation_ids, limit=RESULTS + 1))
    context = {"items": items[:RESULTS], "more": len(items) > RESULTS, "q": q}
    if is_htmx(request):
        return render(request, "stock/partials/item_options.html", context)
    return render(request, "stock/item_search.html", context)


@require_GET
def catalogue(request):
    """Every item of the visible catalogues with its quantity on hand, its value at CUMP and its alerts."""
    access = request.access
    require(access, "stock.view")
    filterset = CatalogueFilter(request.GET, queryset=selectors.catalogue_for_list(access))
    page = Paginator(filterset.qs.select_related("organisation"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "sort": filterset.sort,
        "show_organisation": len(access.read_org_ids) > 1,
        "alert_count": selectors.stock_alert_count(access),
        "can_manage": access.has("stock.manage"),
    }
    template = "stock/partials/catalogue_results.html" if is_htmx(request) else "stock/catalogue.html"
    return render(request, template, context)


def _item_context(request, item, **forms) -> dict:
    access = request.access
    levels = selectors.item_levels(access, item)
    stores = selectors.stores_visible_to(access).filter(organisation_id=item.organisation_id, is_active=True)
    movement_filter = MovementFilter(
        request.GET, queryset=selectors.movements_of(access, item=item), stores=stores.order_by("name")
    )
    ledger = KeysetPaginator(movement_filter.qs, ["-at", "-created_at", "-id"], PAGE_SIZE, name="mouvements")
    page = ledger.page(request.GET.get("page"), count=False)
    can_manage = access.can("stock.manage", item)
    suppliers = selectors.suppliers_of(item.organisation_id)
    on_hand = sum((level.quantity for level in levels), 0)
    return {
        "item": item,
        "levels": levels,
        "on_hand": on_hand,
        "value": on_hand * item.unit_cost,
        "supplier_refs": selectors.supplier_refs_of(item),
        "movement_filter": movement_filter,
        "page": page,
        "rows": page.object_list,
        "show_store": True,
        "can_manage": can_manage,
        "threshold_form": forms.get("threshold_form")
        or (ThresholdForm(stores=stores, prefix="seuil") if can_manage else None),
        "supplier_form": forms.get("supplier_form")
        or (SupplierReferenceForm(suppliers=suppliers, prefix="fournisseur") if can_manage else None),
    }


@require_GET
def item_detail(request, pk):
    item = selectors.get_item_for(request.access, pk)
    context = _item_context(request, item)
    if is_htmx(request):
        return render(request, "stock/partials/movements.html", context)
    return render(request, "stock/item_detail.html", context)


@require_POST
def item_threshold(request, pk):
    access = request.access
    item = selectors.get_item_for(access, pk)
    if not access.can("stock.manage", item):
        raise PermissionDenied
    stores = selectors.stores_visible_to(access).filter(organisation_id=item.organisation_id, is_active=True)
    form = ThresholdForm(request.POST, stores=stores, prefix="seuil")
    if form.is_valid():
        try:
            services.stock_threshold_set(
                access=access, store=form.cleaned_data["store"], item=item, threshold=form.cleaned_data["threshold"]
            )
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Seuil enregistré."))
            return redirect("stock:item-detail", pk=item.pk)
    return render(request, "stock/item_detail.html", _item_context(request, item, threshold_form=form), status=400)


@require_POST
def item_supplier_add(request, pk):
    access = request.access
    item = selectors.get_item_for(access, pk)
    if not access.can("stock.manage", item):
        raise PermissionDenied
    form = SupplierReferenceForm(
        request.POST, suppliers=selectors.suppliers_of(item.organisation_id), prefix="fournisseur"
    )
    if form.is_valid():
        try:
            services.supplier_reference_save(access=access, item=item, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Référence fournisseur enregistrée."))
            return redirect("stock:item-detail", pk=item.pk)
    return render(request, "stock/item_detail.html", _item_context(request, item, supplier_form=form), status=400)


@require_http_methods(["GET", "POST"])
def item_create(request):
    access = request.access
    require(access, "stock.manage")
    return _item_form(request, None)


@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    access = request.access
    item = selectors.get_item_for(access, pk)
    if not access.can("stock.manage", item):
        raise PermissionDenied
    return _item_form(request, item)


def _item_form(request, item):
    initial = (
        {name: getattr(item, name) for name in ("reference", "label", "unit", "category", "is_active")}
        if item
        else None
    )
    form = ItemForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.item_save(access=request.access, item=item, **form.cleaned_data)
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Article enregistré."))
                return redirect("stock:item-detail", pk=saved.pk)
        status = 400
    return render(request, "stock/item_form.html", {"form": form, "item": item}, status=status)
