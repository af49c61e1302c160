"""Sites, buildings, levels, spaces and equipment (read; create and update buildings and equipment)."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from patrimoine.api.v1.common import list_params, page_of, referenced, since
from patrimoine.api.v1.core import ERRORS, UPDATE_ERRORS, WRITE_ERRORS, require_if_match, with_etag
from patrimoine.api.v1.pagination import keyset_page
from patrimoine.api.v1.types import Amount, SafeDate, Text, choice
from patrimoine.assets import selectors, services
from patrimoine.assets.models import AssetStatus, Building, EquipmentCategory
from patrimoine.core.errors import DomainError

router = Router(tags=["Patrimoine"])


class SiteOut(Schema):
    id: UUID
    organisation_id: int
    name: str
    code: str
    status: str
    address: str
    postal_code: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None
    created_at: dt.datetime
    updated_at: dt.datetime


class BuildingOut(SiteOut):
    site_id: UUID
    surface_m2: Decimal | None
    construction_year: int | None
    is_erp: bool
    erp_type: str
    erp_category: int | None
    version: int


class LevelOut(Schema):
    id: UUID
    organisation_id: int
    building_id: UUID
    name: str
    position: int
    status: str
    updated_at: dt.datetime


class SpaceOut(Schema):
    id: UUID
    organisation_id: int
    level_id: UUID
    name: str
    code: str
    surface_m2: Decimal | None
    status: str
    updated_at: dt.datetime


class EquipmentOut(Schema):
    id: UUID
    organisation_id: int
    site_id: UUID
    building_id: UUID | None
    level_id: UUID | None
    space_id: UUID | None
    category: str = Field(description="Code de la catégorie d'équipement.")
    name: str
    code: str
    brand: str
    model_name: str
    serial_number: str
    installed_on: dt.date | None
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code


# --- Inputs: the fields of the edit forms, bounded like the database columns.


class AddressIn(Schema):
    address: Text(250) = ""
    postal_code: Text(5) = ""
    city: Text(100) = ""
    latitude: Amount(places=6, ge="-90", le="90") | None = None
    longitude: Amount(places=6, ge="-180", le="180") | None = None


class BuildingIn(AddressIn):
    site_id: UUID
    name: Text(150, 1)
    code: Text(30, 1)
    surface_m2: Amount(places=2, ge="0", le="99999999") | None = None
    construction_year: int | None = Field(None, ge=1000, le=2100)
    is_erp: bool = False
    erp_type: choice(Building.ErpType) | None = None
    erp_category: Building.ErpCategory | None = None
    status: choice(AssetStatus) = AssetStatus.IN_SERVICE


class BuildingPatch(Schema):
    site_id: UUID | None = None
    name: Text(150, 1) | None = None
    code: Text(30, 1) | None = None
    surface_m2: Amount(places=2, ge="0", le="99999999") | None = None
    construction_year: int | None = Field(None, ge=1000, le=2100)
    is_erp: bool | None = None
    erp_type: choice(Building.ErpType) | None = None
    erp_category: Building.ErpCategory | None = None
    status: choice(AssetStatus) | None = None
    address: Text(250) | None = None
    postal_code: Text(5) | None = None
    city: Text(100) | None = None
    latitude: Amount(places=6, ge="-90", le="90") | None = None
    longitude: Amount(places=6, ge="-180", le="180") | None = None


class EquipmentIn(Schema):
    site_id: UUID | None = None
    building_id: UUID | None = None
    level_id: UUID | None = None
    space_id: UUID | None = None
    category: Text(40, 1) = Field(description="Code de la catégorie d'équipement.")
    name: Text(150, 1)
    code: Text(40, 1)
    brand: Text(80) = ""
    model_name: Text(80) = ""
    serial_number: Text(80) = ""
    installed_on: SafeDate | None = None
    status: choice(AssetStatus) = AssetStatus.IN_SERVICE


class EquipmentPatch(Schema):
    site_id: UUID | None = None
    building_id: UUID | None = None
    level_id: UUID | None = None
    space_id: UUID | None = None
    category: Text(40, 1) | None = None
    name: Text(150, 1) | None = None
    code: Text(40, 1) | None = None
    brand: Text(80) | None = None
    model_name: Text(80) | None = None
    serial_number: Text(80) | None = None
    installed_on: SafeDate | None = None
    status: choice(AssetStatus) | None = None


# --- Filters


class AssetFilter(Schema):
    status: choice(AssetStatus) | None = None
    q: Text(200) | None = Field(None, description="Recherche (chaque mot, sans accents ni casse).")


class BuildingFilter(AssetFilter):
    site_id: UUID | None = None
    is_erp: bool | None = None


class EquipmentFilter(AssetFilter):
    site_id: UUID | None = None
    building_id: UUID | None = None
    category: Text(40) | None = None


NAMED = ("name", "-name", "code", "-code")
SiteParams = list_params("Site", *NAMED, "created_at", "-created_at", "updated_at", "-updated_at", default="name")
BuildingParams = list_params(
    "Building", *NAMED, "created_at", "-created_at", "updated_at", "-updated_at", default="name"
)
EquipmentParams = list_params(
    "Equipment", *NAMED, "created_at", "-created_at", "updated_at", "-updated_at", default="name"
)
LevelParams = list_params(
    "Level", "name", "-name", "position", "-position", "updated_at", "-updated_at", default="name"
)
SpaceParams = list_params("Space", "name", "-name", "updated_at", "-updated_at", default="name")


def _page(request, queryset, params, schema):
    return keyset_page(
        since(queryset, params),
        ordering=params.ordering,
        cursor=params.cursor,
        limit=params.limit,
    )


def _status(queryset, filters):
    return queryset.filter(status=filters.status) if filters.status else queryset


# --- Sites, levels, spaces: read


@router.get("/sites", response={200: page_of(SiteOut), **ERRORS}, summary="Sites")
def site_list(request, params: Query[SiteParams], filters: Query[AssetFilter]):
    sites = _status(selectors.sites_visible_to(request.access), filters)
    for term in selectors.search_terms(filters.q or ""):
        sites = sites.filter(search_text__contains=term)
    return _page(request, sites, params, SiteOut)


@router.get("/sites/{uuid:pk}", response={200: SiteOut, **ERRORS}, summary="Un site")
def site_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, SiteOut, selectors.get_site_for(request.access, pk))


@router.get("/levels", response={200: page_of(LevelOut), **ERRORS}, summary="Niveaux")
def level_list(request, params: Query[LevelParams], building_id: UUID | None = None):
    levels = selectors.levels_visible_to(request.access)
    if building_id:
        levels = levels.filter(building_id=building_id)
    return _page(request, levels, params, LevelOut)


@router.get("/levels/{uuid:pk}", response={200: LevelOut, **ERRORS}, summary="Un niveau")
def level_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, LevelOut, selectors.get_level_for(request.access, pk))


@router.get("/spaces", response={200: page_of(SpaceOut), **ERRORS}, summary="Locaux")
def space_list(request, params: Query[SpaceParams], level_id: UUID | None = None, building_id: UUID | None = None):
    spaces = selectors.spaces_visible_to(request.access)
    if level_id:
        spaces = spaces.filter(level_id=level_id)
    if building_id:
        spaces = spaces.filter(level__building_id=building_id)
    return _page(request, spaces, params, SpaceOut)


@router.get("/spaces/{uuid:pk}", response={200: SpaceOut, **ERRORS}, summary="Un local")
def space_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, SpaceOut, selectors.get_space_for(request.access, pk))


# --- Buildings


@router.get("/buildings", response={200: page_of(BuildingOut), **ERRORS}, summary="Bâtiments")
def building_list(request, params: Query[BuildingParams], filters: Query[BuildingFilter]):
    buildings = _status(selectors.buildings_visible_to(request.access), filters)
    if filters.site_id:
        buildings = buildings.filter(site_id=filters.site_id)
    if filters.is_erp is not None:
        buildings = buildings.filter(is_erp=filters.is_erp)
    if filters.q:
        buildings = selectors.buildings_matching(buildings, filters.q)
    return _page(request, buildings, params, BuildingOut)


@router.get("/buildings/{uuid:pk}", response={200: BuildingOut, **ERRORS}, summary="Un bâtiment")
def building_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, BuildingOut, selectors.get_building_for(request.access, pk))


def _building_fields(access, data: dict) -> dict:
    if "site_id" in data:
        data["site"] = referenced(selectors.get_site_for, access, data.pop("site_id"), "Site")
    for name in ("erp_type", "address", "postal_code", "city"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


@router.post("/buildings", response={201: BuildingOut, **WRITE_ERRORS}, summary="Créer un bâtiment")
def building_create(request, body: BuildingIn, response: HttpResponse):
    fields = _building_fields(request.access, body.model_dump())
    building = services.building_create(access=request.access, site=fields["site"], fields=fields)
    building = selectors.get_building_for(request.access, building.pk)
    return Status(201, with_etag(response, BuildingOut, building))


@router.patch("/buildings/{uuid:pk}", response={200: BuildingOut, **UPDATE_ERRORS}, summary="Modifier un bâtiment")
def building_update(
    request,
    pk: UUID,
    body: BuildingPatch,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description="L'ETag lu avec GET (obligatoire)."),
):
    building = selectors.get_building_for(request.access, pk)
    require_if_match(request, BuildingOut, building)
    fields = _building_fields(request.access, body.model_dump(exclude_unset=True))
    services.building_update(access=request.access, building=building, expected_version=building.version, fields=fields)
    return with_etag(response, BuildingOut, selectors.get_building_for(request.access, pk))


# --- Equipment


@router.get("/equipment", response={200: page_of(EquipmentOut), **ERRORS}, summary="Équipements")
def equipment_list(request, params: Query[EquipmentParams], filters: Query[EquipmentFilter]):
    equipment = _status(selectors.equipment_visible_to(request.access), filters).select_related("category")
    if filters.site_id:
        equipment = equipment.filter(site_id=filters.site_id)
    if filters.building_id:
        equipment = equipment.filter(building_id=filters.building_id)
    if filters.category:
        equipment = equipment.filter(category__code=filters.category)
    if filters.q:
        equipment = selectors.equipment_matching(equipment, filters.q)
    return _page(request, equipment, params, EquipmentOut)


@router.get("/equipment/{uuid:pk}", response={200: EquipmentOut, **ERRORS}, summary="Un équipement")
def equipment_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, EquipmentOut, selectors.get_equipment_for(request.access, pk))


def _equipment_fields(access, data: dict) -> dict:
    places = (
        ("site_id", "site", selectors.get_site_for, "Site"),
        ("building_id", "building", selectors.get_building_for, "Bâtiment"),
        ("level_id", "level", selectors.get_level_for, "Niveau"),
        ("space_id", "space", selectors.get_space_for, "Local"),
    )
    for key, name, getter, label in places:
        if key in data:
            data[name] = referenced(getter, access, data.pop(key), label)
    if "category" in data:
        category = EquipmentCategory.objects.filter(code=data["category"]).first()
        if category is None:
            raise DomainError(_("Catégorie d'équipement inconnue : %(code)s.") % {"code": data["category"]})
        data["category"] = category
    for name in ("brand", "model_name", "serial_number"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


@router.post("/equipment", response={201: EquipmentOut, **WRITE_ERRORS}, summary="Créer un équipement")
def equipment_create(request, body: EquipmentIn, response: HttpResponse):
    fields = _equipment_fields(request.access, body.model_dump())
    equipment = services.equipment_create(access=request.access, fields=fields)
    return Status(201, with_etag(response, EquipmentOut, selectors.get_equipment_for(request.access, equipment.pk)))


@router.patch("/equipment/{uuid:pk}", response={200: EquipmentOut, **UPDATE_ERRORS}, summary="Modifier un équipement")
def equipment_update(
    request,
    pk: UUID,
    body: EquipmentPatch,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description="L'ETag lu avec GET (obligatoire)."),
):
    equipment = selectors.get_equipment_for(request.access, pk)
    require_if_match(request, EquipmentOut, equipment)
    fields = _equipment_fields(request.access, body.model_dump(exclude_unset=True))
    services.equipment_update(
        access=request.access, equipment=equipment, expected_version=equipment.version, fields=fields
    )
    return with_etag(response, EquipmentOut, selectors.get_equipment_for(request.access, pk))
