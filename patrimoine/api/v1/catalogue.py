"""Organisations, maintenance plans, stock (items and stores) and contractors: read only."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema

from patrimoine.api.v1.common import list_params, page_of, since
from patrimoine.api.v1.core import ERRORS, with_etag
from patrimoine.api.v1.pagination import keyset_page
from patrimoine.api.v1.types import Text
from patrimoine.contractors.selectors import contractors_visible_to, get_contractor_for
from patrimoine.maintenance.selectors import get_plan_for, plans_visible_to
from patrimoine.organisations.models import Organisation
from patrimoine.stock.selectors import get_item_for, get_store_for, items_visible_to, stores_visible_to

router = Router()


def _page(queryset, params, schema, *, stamped=True):
    queryset = since(queryset, params) if stamped else queryset
    return keyset_page(queryset, ordering=params.ordering, cursor=params.cursor, limit=params.limit)


# --- Who am I, organisations ------------------------------------------------------------------


class MeOut(Schema):
    user_id: int
    username: str
    full_name: str
    organisation_id: int
    role: str
    token_scope: str
    token_expires_at: dt.datetime
    readable_organisation_ids: list[int]
    writable_organisation_ids: list[int]


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["Compte"], summary="Le compte et le jeton utilisés")
def me(request):
    access, token = request.access, request.api_token
    return MeOut(
        user_id=access.user.pk,
        username=access.user.username,
        full_name=access.user.get_full_name(),
        organisation_id=access.organisation.pk,
        role=access.role,
        token_scope=token.scope,
        token_expires_at=token.expires_at,
        readable_organisation_ids=sorted(access.read_org_ids),
        writable_organisation_ids=sorted(access.write_org_ids),
    )


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    parent_id: int | None
    siren: str
    insee_code: str
    address: str
    email: str
    phone: str
    writable: bool = Field(description="Le jeton peut-il y modifier des données ?")


def _organisation_out(access, org: Organisation) -> OrganisationOut:
    fields = ("id", "name", "slug", "kind", "parent_id", "siren", "insee_code", "address", "email", "phone")
    return OrganisationOut(**{name: getattr(org, name) for name in fields}, writable=org.pk in access.write_org_ids)


OrganisationParams = list_params("Organisation", "name", "-name", default="name")


def _organisations(access):
    return Organisation.objects.filter(pk__in=access.read_org_ids, is_active=True)


@router.get(
    "/organisations",
    response={200: page_of(OrganisationOut), **ERRORS},
    tags=["Collectivités"],
    summary="Collectivités",
)
def organisation_list(request, params: Query[OrganisationParams]):
    return keyset_page(
        _organisations(request.access),
        ordering=params.ordering,
        cursor=params.cursor,
        limit=params.limit,
        serialize=lambda org: _organisation_out(request.access, org),
    )


@router.get(
    "/organisations/{int:pk}",
    response={200: OrganisationOut, **ERRORS},
    tags=["Collectivités"],
    summary="Une collectivité",
)
def organisation_detail(request, pk: int, response: HttpResponse):
    organisation = _organisations(request.access).filter(pk=pk).first() if pk < 2**31 else None
    if organisation is None:
        raise Http404
    return with_etag(response, OrganisationOut, _organisation_out(request.access, organisation))


# --- Maintenance plans --------------------------------------------------------------------------


class PlanOut(Schema):
    id: UUID
    organisation_id: int
    name: str
    description: str
    target: str
    equipment_id: UUID | None
    building_id: UUID | None
    category: str | None
    trigger: str
    rrule: str
    dtstart: dt.datetime | None
    lead_days: int
    meter_unit: str
    meter_every: Decimal | None
    trade: str
    team_id: UUID | None
    contractor_id: UUID | None
    priority: str
    estimated_hours: Decimal | None
    estimated_cost: Decimal | None
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_trade(obj) -> str:
        return obj.trade.code


class PlanFilter(Schema):
    is_active: bool | None = None
    building_id: UUID | None = None
    equipment_id: UUID | None = None
    trigger: Text(12) | None = None


PlanParams = list_params(
    "Plan", "name", "-name", "updated_at", "-updated_at", "created_at", "-created_at", default="name"
)


@router.get(
    "/maintenance-plans",
    response={200: page_of(PlanOut), **ERRORS},
    tags=["Maintenance"],
    summary="Plans de maintenance",
)
def plan_list(request, params: Query[PlanParams], filters: Query[PlanFilter]):
    plans = plans_visible_to(request.access).select_related("category", "trade")
    for name in ("building_id", "equipment_id", "trigger"):
        if getattr(filters, name):
            plans = plans.filter(**{name: getattr(filters, name)})
    if filters.is_active is not None:
        plans = plans.filter(is_active=filters.is_active)
    return _page(plans, params, PlanOut)


@router.get("/maintenance-plans/{uuid:pk}", response={200: PlanOut, **ERRORS}, tags=["Maintenance"], summary="Un plan")
def plan_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, PlanOut, get_plan_for(request.access, pk))


# --- Stock ------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: UUID
    organisation_id: int
    reference: str
    label: str
    unit: str
    category: str
    unit_cost: Decimal = Field(description="Coût unitaire moyen pondéré (CUMP).")
    is_active: bool
    updated_at: dt.datetime


class StockLevelOut(Schema):
    item_id: UUID
    quantity: Decimal
    reorder_threshold: Decimal | None


class StoreOut(Schema):
    id: UUID
    organisation_id: int
    code: str
    name: str
    site_id: UUID | None
    is_active: bool
    updated_at: dt.datetime


class StoreDetailOut(StoreOut):
    levels: list[StockLevelOut]

    @staticmethod
    def resolve_levels(obj) -> list:
        return list(obj.levels.order_by("item__label", "pk"))


class ItemFilter(Schema):
    is_active: bool | None = None
    category: Text(80) | None = None
    q: Text(200) | None = None


ItemParams = list_params(
    "Item", "label", "-label", "reference", "-reference", "updated_at", "-updated_at", default="label"
)
StoreParams = list_params("Store", "name", "-name", "code", "-code", default="name")


@router.get("/stock/items", response={200: page_of(ItemOut), **ERRORS}, tags=["Stock"], summary="Articles du catalogue")
def item_list(request, params: Query[ItemParams], filters: Query[ItemFilter]):
    items = items_visible_to(request.access)
    if filters.is_active is not None:
        items = items.filter(is_active=filters.is_active)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.q:
        items = items.filter(label__icontains=filters.q) | items.filter(reference__icontains=filters.q)
    return _page(items, params, ItemOut)


@router.get("/stock/items/{uuid:pk}", response={200: ItemOut, **ERRORS}, tags=["Stock"], summary="Un article")
def item_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, ItemOut, get_item_for(request.access, pk))


@router.get("/stock/stores", response={200: page_of(StoreOut), **ERRORS}, tags=["Stock"], summary="Magasins")
def store_list(request, params: Query[StoreParams]):
    return _page(stores_visible_to(request.access), params, StoreOut, stamped=False)


@router.get(
    "/stock/stores/{uuid:pk}",
    response={200: StoreDetailOut, **ERRORS},
    tags=["Stock"],
    summary="Un magasin et ses stocks",
)
def store_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, StoreDetailOut, get_store_for(request.access, pk))


# --- Contractors --------------------------------------------------------------------------------


class ContractorOut(Schema):
    id: UUID
    organisation_id: int
    name: str
    siret: str
    email: str
    phone: str
    trades: list[str]
    updated_at: dt.datetime

    @staticmethod
    def resolve_trades(obj) -> list[str]:
        return sorted(trade.code for trade in obj.trades.all())


ContractorParams = list_params("Contractor", "name", "-name", "updated_at", "-updated_at", default="name")


@router.get(
    "/contractors", response={200: page_of(ContractorOut), **ERRORS}, tags=["Prestataires"], summary="Prestataires"
)
def contractor_list(request, params: Query[ContractorParams]):
    return _page(contractors_visible_to(request.access).prefetch_related("trades"), params, ContractorOut)


@router.get(
    "/contractors/{uuid:pk}", response={200: ContractorOut, **ERRORS}, tags=["Prestataires"], summary="Un prestataire"
)
def contractor_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, ContractorOut, get_contractor_for(request.access, pk))
