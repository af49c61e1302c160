"""Browsing the registry: the tree and search, and the page of a site, a building, an equipment."""

from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from patrimoine.assets import selectors
from patrimoine.assets.filters import BuildingFilter, EquipmentFilter
from patrimoine.assets.forms import DocumentUploadForm
from patrimoine.core.pagination import KeysetPaginator, ranked_page
from patrimoine.costs.selectors import building_costs
from patrimoine.documents.selectors import documents_of

SITES_PER_PAGE = 20
RESULTS_PER_PAGE = 25
HISTORY_PER_PAGE = 10
HISTORY_ORDER = ("-closed_at", "-created_at")  # the `closed_at` of selectors._newest_first, then the id
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def asset_list(request):
    """/patrimoine/ — the tree of sites and buildings; with a search or a filter, the matching
    buildings and equipment. An htmx request (the filter form) gets the results fragment."""
    access = request.access
    if not access.has("assets.view"):
        raise PermissionDenied
    buildings = BuildingFilter(
        request.GET,
        queryset=selectors.buildings_visible_to(access).select_related("site", "organisation"),
        access=access,
    )
    context = {
        "filter": buildings,
        "searching": buildings.is_active,
        "filtering": buildings.is_active
        and any(buildings.form.cleaned_data.get(name) for name in buildings.form.cleaned_data if name != "q"),
        "several_orgs": len(access.read_org_ids) > 1,
    }
    if buildings.is_active:
        ordering = buildings.qs.query.order_by  # the chosen sort, or relevance / alphabetical
        context["buildings_page"] = KeysetPaginator(
            buildings.qs, ordering, RESULTS_PER_PAGE, name="batiments:" + ",".join(map(str, ordering))
        ).page(request.GET.get("page"))
        cleaned = buildings.form.cleaned_data
        if cleaned.get("q") or cleaned.get("category"):
            equipment = EquipmentFilter(
                request.GET,
                queryset=selectors.equipment_visible_to(access).select_related(
                    "category", "building", "site", "organisation"
                ),
                access=access,
            )
            context["equipment_page"] = ranked_page(
                equipment.qs,
                equipment.default_ordering,
                ("search_text", "pk"),
                RESULTS_PER_PAGE,
                request.GET.get("epage"),
                name="equipements",
            )
    else:
        sites = selectors.site_tree(access, buildings.qs, only_matching=False)
        context["sites_page"] = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    context["can_change"] = access.has("assets.change") and bool(access.write_org_ids)
    template = "assets/partials/list_results.html" if is_htmx(request) else "assets/list.html"
    return render(request, template, context)


def _documents_context(access, target, kind: str, upload_form=None) -> dict:
    documents = list(documents_of(target).select_related("uploaded_by"))
    can_change = access.can("assets.change", target)
    return {
        "documents": documents,
        "photos": [d for d in documents if d.is_image],
        "files": [d for d in documents if not d.is_image],
        "upload_form": (upload_form or DocumentUploadForm()) if can_change else None,
        "upload_url": reverse(f"assets:{kind}-upload", args=[target.pk]),
    }


def building_page_context(request, building, *, upload_form=None) -> dict:
    access = request.access
    can_change = access.can("assets.change", building)
    context = {
        "building": building,
        "site": building.site,
        "levels": selectors.building_levels(access, building),
        "equipment": list(selectors.building_equipment(access, building)),
        "can_change": can_change,
        "deletable": can_change and not selectors.asset_has_history(building),
        "report_query": urlencode({"building": building.pk}) if access.has("intake.create") else "",
        **_documents_context(access, building, "building", upload_form),
    }
    if access.has("workorders.view"):
        context["open_orders"] = list(selectors.building_open_work_orders(access, building))
        context["history_page"] = KeysetPaginator(
            selectors.building_work_order_history(access, building), HISTORY_ORDER, HISTORY_PER_PAGE, name="historique"
        ).page(request.GET.get("historique"), count=False)
    if access.has("costs.view"):
        costs = building_costs(access, building)
        context["costs"] = costs
        context["show_costs"] = True
        context["costs_total"] = {
            key: sum((row[key] or ZERO for row in costs), ZERO) for key in ("labour", "material", "external", "total")
        }
        if costs and building.surface_m2:
            context["cost_per_m2"] = (costs[0]["total"] / building.surface_m2).quantize(CENT)
    return context


def building_detail(request, pk):
    building = selectors.get_building_for(request.access, pk)
    return render(request, "assets/building_detail.html", building_page_context(request, building))


def equipment_page_context(request, equipment, *, upload_form=None) -> dict:
    access = request.access
    can_change = access.can("assets.change", equipment)
    context = {
        "equipment": equipment,
        "can_change": can_change,
        "deletable": can_change and not selectors.asset_has_history(equipment),
        "report_query": _report_query(access, equipment),
        **_documents_context(access, equipment, "equipment", upload_form),
    }
    if access.has("workorders.view"):
        context["orders_page"] = KeysetPaginator(
            selectors.equipment_work_orders(access, equipment), HISTORY_ORDER, HISTORY_PER_PAGE, name="historique"
        ).page(request.GET.get("historique"), count=False)
    return context


def _report_query(access, equipment) -> str:
    if not access.has("intake.create"):
        return ""
    place = {"building": equipment.building_id} if equipment.building_id else {"site": equipment.site_id}
    return urlencode({**place, "equipment": equipment.pk})


def equipment_detail(request, pk):
    equipment = selectors.get_equipment_for(request.access, pk)
    return render(request, "assets/equipment_detail.html", equipment_page_context(request, equipment))


def site_page_context(request, site, *, upload_form=None) -> dict:
    access = request.access
    can_change = access.can("assets.change", site)
    return {
        "site": site,
        "buildings": selectors.site_buildings(access, site),
        "equipment": list(selectors.site_equipment(access, site)),
        "can_change": can_change,
        "deletable": can_change and not selectors.asset_has_history(site),
        **_documents_context(access, site, "site", upload_form),
    }


def site_detail(request, pk):
    site = selectors.get_site_for(request.access, pk)
    return render(request, "assets/site_detail.html", site_page_context(request, site))
