"""Changing the registry: create and edit forms, archive, delete, attach documents.

Each view parses its form, calls the service and, when the service refuses, shows its French
message with the form again (status 400, or 409 for a concurrent edit) — nothing saved.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patrimoine.assets import selectors, services
from patrimoine.assets.forms import (
    BuildingForm,
    DocumentUploadForm,
    EquipmentForm,
    LevelForm,
    SiteForm,
    SpaceForm,
)
from patrimoine.assets.models import AssetStatus
from patrimoine.assets.views.browse import (
    building_page_context,
    equipment_page_context,
    is_htmx,
    site_page_context,
)
from patrimoine.core.errors import ConcurrentEditError, DomainError
from patrimoine.documents.services import document_attach


def _require_change(access, obj=None) -> None:
    """Refuse (403) a user who may see the asset but not change it; the service checks again."""
    if not access.can("assets.change", obj) or not access.write_org_ids:
        raise PermissionDenied


def _form_page(request, form, *, title, cancel_url, obj=None, status=200, htmx_template=None):
    context = {"form": form, "title": title, "cancel_url": cancel_url, "object": obj}
    if obj is not None:
        kind = obj._meta.model_name  # site, building, level, space, equipment: the url names' prefix
        if obj.status != AssetStatus.ARCHIVED:
            context["archive_url"] = reverse(f"assets:{kind}-archive", args=[obj.pk])
        context["delete_url"] = reverse(f"assets:{kind}-delete", args=[obj.pk])
    template = htmx_template if htmx_template and is_htmx(request) else "assets/form.html"
    return render(request, template, context, status=status)


def _save(request, form, save, *, title, cancel_url, obj=None, success_message):
    """Run `save()` (a service call) for a valid form; on refusal show the form with the message."""
    try:
        saved = save()
    except ConcurrentEditError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, title=title, cancel_url=cancel_url, obj=obj, status=409)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, title=title, cancel_url=cancel_url, obj=obj, status=400)
    messages.success(request, success_message)
    return redirect(_detail_url(saved))


def _detail_url(asset) -> str:
    from patrimoine.assets.models import Building, Equipment, Level, Site, Space

    if isinstance(asset, Site):
        return reverse("assets:site-detail", args=[asset.pk])
    if isinstance(asset, Building):
        return reverse("assets:building-detail", args=[asset.pk])
    if isinstance(asset, Equipment):
        return reverse("assets:equipment-detail", args=[asset.pk])
    if isinstance(asset, Level):
        return reverse("assets:building-detail", args=[asset.building_id]) + "#niveaux"
    if isinstance(asset, Space):
        return reverse("assets:building-detail", args=[asset.level.building_id]) + "#niveaux"
    raise TypeError(asset)


# --- Sites


def site_create(request):
    access = request.access
    _require_change(access)
    form = SiteForm(request.POST or None)
    title = _("Nouveau site")
    cancel = reverse("assets:list")
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.site_create(access=access, organisation=access.organisation, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            success_message=_("Le site a été créé."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, status=400 if form.is_bound else 200)


def site_edit(request, pk):
    access = request.access
    site = selectors.get_site_for(access, pk)
    _require_change(access, site)
    form = SiteForm(request.POST or None, instance=copy.copy(site))
    title = _("Modifier le site « %(name)s »") % {"name": site.name}
    cancel = _detail_url(site)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.site_update(access=access, site=site, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            obj=site,
            success_message=_("Le site a été enregistré."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, obj=site, status=400 if form.is_bound else 200)


# --- Buildings


def building_create(request):
    access = request.access
    _require_change(access)
    initial = {}
    if request.GET.get("site"):
        initial["site"] = selectors.get_site_for(access, request.GET["site"])
    form = BuildingForm(request.POST or None, initial=initial, access=access)
    title = _("Nouveau bâtiment")
    cancel = _detail_url(initial["site"]) if initial else reverse("assets:list")
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.building_create(
                access=access, site=form.cleaned_data["site"], fields=form.service_fields()
            ),
            title=title,
            cancel_url=cancel,
            success_message=_("Le bâtiment a été créé."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, status=400 if form.is_bound else 200)


def building_edit(request, pk):
    access = request.access
    building = selectors.get_building_for(access, pk)
    _require_change(access, building)
    form = BuildingForm(request.POST or None, instance=copy.copy(building), access=access)
    title = _("Modifier le bâtiment « %(name)s »") % {"name": building.name}
    cancel = _detail_url(building)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.building_update(
                access=access,
                building=building,
                expected_version=form.cleaned_data["version"],
                fields=form.service_fields(),
            ),
            title=title,
            cancel_url=cancel,
            obj=building,
            success_message=_("Le bâtiment a été enregistré."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, obj=building, status=400 if form.is_bound else 200)


# --- Levels and spaces


def level_create(request, building_pk):
    access = request.access
    building = selectors.get_building_for(access, building_pk)
    _require_change(access, building)
    form = LevelForm(request.POST or None)
    title = _("Nouveau niveau — %(building)s") % {"building": building.name}
    cancel = _detail_url(building) + "#niveaux"
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.level_create(access=access, building=building, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            success_message=_("Le niveau a été ajouté."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, status=400 if form.is_bound else 200)


def level_edit(request, pk):
    access = request.access
    level = selectors.get_level_for(access, pk)
    _require_change(access, level)
    form = LevelForm(request.POST or None, instance=copy.copy(level))
    title = _("Modifier le niveau « %(name)s » — %(building)s") % {"name": level.name, "building": level.building}
    cancel = _detail_url(level)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.level_update(access=access, level=level, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            obj=level,
            success_message=_("Le niveau a été enregistré."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, obj=level, status=400 if form.is_bound else 200)


def space_create(request, level_pk):
    access = request.access
    level = selectors.get_level_for(access, level_pk)
    _require_change(access, level)
    form = SpaceForm(request.POST or None)
    title = _("Nouveau local — %(level)s, %(building)s") % {"level": level.name, "building": level.building}
    cancel = _detail_url(level)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.space_create(access=access, level=level, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            success_message=_("Le local a été ajouté."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, status=400 if form.is_bound else 200)


def space_edit(request, pk):
    access = request.access
    space = selectors.get_space_for(access, pk)
    _require_change(access, space)
    form = SpaceForm(request.POST or None, instance=copy.copy(space))
    title = _("Modifier le local « %(name)s »") % {"name": space.name}
    cancel = _detail_url(space)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.space_update(access=access, space=space, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            obj=space,
            success_message=_("Le local a été enregistré."),
        )
    return _form_page(request, form, title=title, cancel_url=cancel, obj=space, status=400 if form.is_bound else 200)


# --- Equipment


def _equipment_initial(request, access) -> dict:
    """Pre-filled place: from the page the user came from (?building= or ?site=), or the building
    just chosen in the form (htmx reloads the placement fieldset with it)."""
    initial = {}
    if request.GET.get("building"):
        building = selectors.get_building_for(access, request.GET["building"])
        initial.update(building=building, site=building.site)
    elif "building" in request.GET:
        initial.update(building=None, level=None, space=None)
    if request.GET.get("site") and "site" not in initial:
        initial["site"] = selectors.get_site_for(access, request.GET["site"])
    return initial


PLACEMENT_PARTIAL = "assets/partials/equipment_placement.html"


def _reload_placement_on_change(request, form) -> None:
    """Choosing another building reloads the level and space lists (htmx; a plain submit otherwise)."""
    form.fields["building"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-target": "#fs-placement",
            "hx-select": "#fs-placement",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )


def equipment_create(request):
    access = request.access
    _require_change(access)
    initial = _equipment_initial(request, access)
    form = EquipmentForm(request.POST or None, initial=initial, access=access)
    _reload_placement_on_change(request, form)
    title = _("Nouvel équipement")
    place = initial.get("building") or initial.get("site")
    cancel = _detail_url(place) if place else reverse("assets:list")
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.equipment_create(access=access, fields=form.service_fields()),
            title=title,
            cancel_url=cancel,
            success_message=_("L'équipement a été créé."),
        )
    return _form_page(
        request,
        form,
        title=title,
        cancel_url=cancel,
        status=400 if form.is_bound else 200,
        htmx_template=PLACEMENT_PARTIAL,
    )


def equipment_edit(request, pk):
    access = request.access
    equipment = selectors.get_equipment_for(access, pk)
    _require_change(access, equipment)
    initial = _equipment_initial(request, access) if request.method == "GET" else {}
    form = EquipmentForm(request.POST or None, instance=copy.copy(equipment), initial=initial, access=access)
    _reload_placement_on_change(request, form)
    title = _("Modifier l'équipement « %(name)s »") % {"name": equipment.name}
    cancel = _detail_url(equipment)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            form,
            lambda: services.equipment_update(
                access=access,
                equipment=equipment,
                expected_version=form.cleaned_data["version"],
                fields=form.service_fields(),
            ),
            title=title,
            cancel_url=cancel,
            obj=equipment,
            success_message=_("L'équipement a été enregistré."),
        )
    return _form_page(
        request,
        form,
        title=title,
        cancel_url=cancel,
        obj=equipment,
        status=400 if form.is_bound else 200,
        htmx_template=PLACEMENT_PARTIAL,
    )


# --- Archive and delete: a confirmation page (GET) and the action (POST), for every kind.

GETTERS = {
    "site": selectors.get_site_for,
    "building": selectors.get_building_for,
    "level": selectors.get_level_for,
    "space": selectors.get_space_for,
    "equipment": selectors.get_equipment_for,
}


def _parent_url(asset) -> str:
    """Where to go once the asset is deleted."""
    from patrimoine.assets.models import Building, Equipment, Site

    if isinstance(asset, Site):
        return reverse("assets:list")
    if isinstance(asset, Building):
        return reverse("assets:site-detail", args=[asset.site_id])
    if isinstance(asset, Equipment):
        if asset.building_id:
            return reverse("assets:building-detail", args=[asset.building_id])
        return reverse("assets:site-detail", args=[asset.site_id])
    return _detail_url(asset)


def asset_archive(request, kind, pk):
    access = request.access
    asset = GETTERS[kind](access, pk)
    _require_change(access, asset)
    context = {"asset": asset, "kind": kind, "action": "archive", "cancel_url": _detail_url(asset)}
    if request.method == "POST":
        try:
            services.asset_archive(access=access, asset=asset)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "assets/confirm.html", context, status=400)
        messages.success(request, _("« %(name)s » est archivé ; son historique est conservé.") % {"name": asset})
        return redirect(_detail_url(asset))
    return render(request, "assets/confirm.html", context)


def asset_delete(request, kind, pk):
    access = request.access
    asset = GETTERS[kind](access, pk)
    _require_change(access, asset)
    context = {"asset": asset, "kind": kind, "action": "delete", "cancel_url": _detail_url(asset)}
    if request.method == "POST":
        try:
            services.asset_delete(access=access, asset=asset)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "assets/confirm.html", context, status=400)
        messages.success(request, _("« %(name)s » a été supprimé.") % {"name": asset})
        return redirect(_parent_url(asset))
    if selectors.asset_has_history(asset):
        context["error"] = services.history_message(asset)
    return render(request, "assets/confirm.html", context)


# --- Documents and photos

PAGES = {
    "site": ("assets/site_detail.html", site_page_context),
    "building": ("assets/building_detail.html", building_page_context),
    "equipment": ("assets/equipment_detail.html", equipment_page_context),
}


@require_POST
def asset_upload(request, kind, pk):
    """Attach a photo or a PDF. The file's type is read from its content; on refusal the page is
    shown again with the French reason next to the field (status 400) and nothing is stored."""
    access = request.access
    asset = GETTERS[kind](access, pk)
    _require_change(access, asset)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_attach(
                actor=request.user, target=asset, uploaded=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
    if form.errors:
        template, page_context = PAGES[kind]
        return render(request, template, page_context(request, asset, upload_form=form), status=400)
    messages.success(request, _("Le fichier a été ajouté."))
    return redirect(_detail_url(asset) + "#documents")
