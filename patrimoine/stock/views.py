"""Catalogue search: the search-as-you-type of the material form, and a plain page without JavaScript."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patrimoine.stock.selectors import catalogue_organisation_ids, items_search
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
        organisation_ids = catalogue_organisation_ids(get_work_order_for(access, request.GET["bon"]))
    q = request.GET.get("q", "").strip()[:100]
    items = list(items_search(access, q, organisation_ids=organisation_ids, limit=RESULTS + 1))
    context = {"items": items[:RESULTS], "more": len(items) > RESULTS, "q": q}
    if request.headers.get("HX-Request") == "true":
        return render(request, "stock/partials/item_options.html", context)
    return render(request, "stock/item_search.html", context)
