"""Work requests (file, accept, reject) and work orders (create, update, move along the workflow),
with their time entries, material lines and external costs — all through the apps' services."""

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from patrimoine.accounts.models import User
from patrimoine.api.v1.common import list_params, page_of, referenced, since
from patrimoine.api.v1.core import ERRORS, UPDATE_ERRORS, WRITE_ERRORS, Error, require_if_match, with_etag
from patrimoine.api.v1.pagination import keyset_page
from patrimoine.api.v1.types import Amount, SafeDate, Text, choice
from patrimoine.assets import selectors as asset_selectors
from patrimoine.contractors.models import Contractor
from patrimoine.core.errors import DomainError
from patrimoine.costs import services as cost_services
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.intake import services as intake_services
from patrimoine.intake.models import Urgency, WorkRequest
from patrimoine.intake.selectors import get_work_request_for, work_requests_visible_to
from patrimoine.organisations.models import Trade
from patrimoine.stock.selectors import get_item_for, get_store_for
from patrimoine.workorders import services as order_services
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder
from patrimoine.workorders.selectors import get_work_order_for, work_order_history, work_orders_visible_to

router = Router(tags=["Demandes et bons de travail"])
IfMatch = Header(None, alias="If-Match", description="L'ETag lu avec GET (obligatoire).")


def _trade(code: str | None) -> Trade | None:
    if code is None:
        return None
    trade = Trade.objects.filter(code=code).first()
    if trade is None:
        raise DomainError(_("Corps de métier inconnu : %(code)s.") % {"code": code})
    return trade


def _page(queryset, params, schema):
    return keyset_page(since(queryset, params), ordering=params.ordering, cursor=params.cursor, limit=params.limit)


# --- Work requests ---------------------------------------------------------------------------


class WorkRequestOut(Schema):
    id: UUID
    organisation_id: int
    reference: str
    status: str
    channel: str
    urgency: str
    description: str
    site_id: UUID | None
    building_id: UUID | None
    space_id: UUID | None
    equipment_id: UUID | None
    location_text: str
    suggested_trade: str | None
    trade: str | None
    work_order_id: UUID | None
    duplicate_of_id: UUID | None
    rejection_reason: str
    triaged_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_suggested_trade(obj) -> str | None:
        return obj.suggested_trade.code if obj.suggested_trade_id else None

    @staticmethod
    def resolve_trade(obj) -> str | None:
        return obj.trade.code if obj.trade_id else None


class WorkRequestIn(Schema):
    description: Text(4000, 1)
    urgency: choice(Urgency) = Urgency.NORMAL
    building_id: UUID | None = None
    equipment_id: UUID | None = None
    space_id: UUID | None = None
    location_text: Text(250) = ""


class AcceptIn(Schema):
    trade: Text(30) | None = Field(None, description="Code du corps de métier (sinon celui suggéré).")
    priority: choice(WorkOrder.Priority) | None = None


class RejectIn(Schema):
    reason: Text(2000, 1)


class WorkRequestFilter(Schema):
    status: choice(WorkRequest.Status) | None = None
    urgency: choice(Urgency) | None = None
    building_id: UUID | None = None


RequestParams = list_params(
    "WorkRequest",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "reference",
    "-reference",
    default="-created_at",
)
REQUEST_RELATED = ("trade", "suggested_trade")


@router.get("/work-requests", response={200: page_of(WorkRequestOut), **ERRORS}, summary="Demandes d'intervention")
def work_request_list(request, params: Query[RequestParams], filters: Query[WorkRequestFilter]):
    requests = work_requests_visible_to(request.access).select_related(*REQUEST_RELATED)
    for name in ("status", "urgency", "building_id"):
        if getattr(filters, name):
            requests = requests.filter(**{name: getattr(filters, name)})
    return _page(requests, params, WorkRequestOut)


@router.get("/work-requests/{uuid:pk}", response={200: WorkRequestOut, **ERRORS}, summary="Une demande")
def work_request_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, WorkRequestOut, get_work_request_for(request.access, pk))


@router.post("/work-requests", response={201: WorkRequestOut, **WRITE_ERRORS}, summary="Signaler un problème")
def work_request_create(request, body: WorkRequestIn, response: HttpResponse):
    access = request.access
    created = intake_services.work_request_create(
        access=access,
        description=body.description,
        urgency=body.urgency,
        building=referenced(asset_selectors.get_building_for, access, body.building_id, _("Bâtiment")),
        equipment=referenced(asset_selectors.get_equipment_for, access, body.equipment_id, _("Équipement")),
        space=referenced(asset_selectors.get_space_for, access, body.space_id, _("Local")),
        location_text=body.location_text,
        channel=WorkRequest.Channel.INTERNAL,
    )
    return Status(201, with_etag(response, WorkRequestOut, get_work_request_for(access, created.pk)))


@router.post("/work-requests/{uuid:pk}/accept", response={200: WorkRequestOut, **WRITE_ERRORS}, summary="Accepter")
def work_request_accept(request, pk: UUID, body: AcceptIn, response: HttpResponse):
    work_request = get_work_request_for(request.access, pk)
    intake_services.work_request_accept(
        access=request.access, work_request=work_request, trade=_trade(body.trade), priority=body.priority
    )
    return with_etag(response, WorkRequestOut, get_work_request_for(request.access, pk))


@router.post("/work-requests/{uuid:pk}/reject", response={200: WorkRequestOut, **WRITE_ERRORS}, summary="Rejeter")
def work_request_reject(request, pk: UUID, body: RejectIn, response: HttpResponse):
    work_request = get_work_request_for(request.access, pk)
    intake_services.work_request_reject(access=request.access, work_request=work_request, reason=body.reason)
    return with_etag(response, WorkRequestOut, get_work_request_for(request.access, pk))


# --- Work orders -----------------------------------------------------------------------------


class WorkOrderOut(Schema):
    id: UUID
    organisation_id: int
    reference: str
    title: str
    description: str
    kind: str
    trade: str
    priority: str
    status: str
    suspension_reason: str
    site_id: UUID | None
    building_id: UUID | None
    space_id: UUID | None
    equipment_id: UUID | None
    location_text: str
    due_date: dt.date | None
    planned_start: dt.datetime | None
    planned_end: dt.datetime | None
    team_id: UUID | None
    contractor_id: UUID | None
    technicians: list[int]
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    validated_at: dt.datetime | None
    labour_cost: Decimal
    material_cost: Decimal
    external_cost: Decimal
    total_cost: Decimal
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_trade(obj) -> str:
        return obj.trade.code

    @staticmethod
    def resolve_technicians(obj) -> list[int]:
        return sorted(user.pk for user in obj.technicians.all())


class WorkOrderIn(Schema):
    title: Text(200, 1)
    trade: Text(30, 1) = Field(description="Code du corps de métier.")
    description: Text(10000) = ""
    kind: choice(WorkOrder.Kind) = WorkOrder.Kind.CORRECTIVE
    priority: choice(WorkOrder.Priority) = WorkOrder.Priority.NORMAL
    building_id: UUID | None = None
    space_id: UUID | None = None
    equipment_id: UUID | None = None
    location_text: Text(250) = ""
    due_date: SafeDate | None = None


class WorkOrderPatch(Schema):
    title: Text(200, 1) | None = None
    trade: Text(30, 1) | None = None
    description: Text(10000) | None = None
    kind: choice(WorkOrder.Kind) | None = None
    priority: choice(WorkOrder.Priority) | None = None
    building_id: UUID | None = None
    space_id: UUID | None = None
    equipment_id: UUID | None = None
    location_text: Text(250) | None = None
    due_date: SafeDate | None = None


class TransitionIn(Schema):
    to_status: choice(WorkOrder.Status)
    reason: Text(300) = ""
    suspension_reason: WorkOrder.SuspensionReason | Literal[""] = ""


class TransitionOut(Schema):
    from_status: str
    to_status: str
    reason: str
    actor_id: int | None
    at: dt.datetime

    @staticmethod
    def resolve_at(obj) -> dt.datetime:
        return obj.created_at


class WorkOrderFilter(Schema):
    status: choice(WorkOrder.Status) | None = None
    priority: choice(WorkOrder.Priority) | None = None
    kind: choice(WorkOrder.Kind) | None = None
    trade: Text(30) | None = None
    building_id: UUID | None = None
    equipment_id: UUID | None = None
    team_id: UUID | None = None


OrderParams = list_params(
    "WorkOrder",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "reference",
    "-reference",
    "priority",
    "-priority",
    default="-created_at",
)


def _orders(access):
    return work_orders_visible_to(access).select_related("trade").prefetch_related("technicians")


@router.get("/work-orders", response={200: page_of(WorkOrderOut), **ERRORS}, summary="Bons de travail")
def work_order_list(request, params: Query[OrderParams], filters: Query[WorkOrderFilter]):
    orders = _orders(request.access)
    for name in ("status", "priority", "kind", "building_id", "equipment_id", "team_id"):
        if getattr(filters, name):
            orders = orders.filter(**{name: getattr(filters, name)})
    if filters.trade:
        orders = orders.filter(trade__code=filters.trade)
    return _page(orders, params, WorkOrderOut)


@router.get("/work-orders/{uuid:pk}", response={200: WorkOrderOut, **ERRORS}, summary="Un bon de travail")
def work_order_detail(request, pk: UUID, response: HttpResponse):
    return with_etag(response, WorkOrderOut, get_work_order_for(request.access, pk))


def _places(access, data: dict) -> dict:
    getters = {
        "building_id": ("building", asset_selectors.get_building_for, _("Bâtiment")),
        "space_id": ("space", asset_selectors.get_space_for, _("Local")),
        "equipment_id": ("equipment", asset_selectors.get_equipment_for, _("Équipement")),
    }
    for key, (name, getter, label) in getters.items():
        if key in data:
            data[name] = referenced(getter, access, data.pop(key), label)
    return data


@router.post("/work-orders", response={201: WorkOrderOut, **WRITE_ERRORS}, summary="Créer un bon de travail")
def work_order_create(request, body: WorkOrderIn, response: HttpResponse):
    access = request.access
    data = _places(access, body.model_dump())
    data["trade"] = _trade(data["trade"])
    place = data.get("equipment") or data.get("building") or data.get("space")
    organisation = place.organisation if place is not None else access.organisation
    order = order_services.work_order_create(access=access, organisation=organisation, **data)
    return Status(201, with_etag(response, WorkOrderOut, get_work_order_for(access, order.pk)))


@router.patch("/work-orders/{uuid:pk}", response={200: WorkOrderOut, **UPDATE_ERRORS}, summary="Modifier un bon")
def work_order_update(request, pk: UUID, body: WorkOrderPatch, response: HttpResponse, if_match: str | None = IfMatch):
    access = request.access
    order = get_work_order_for(access, pk)
    require_if_match(request, WorkOrderOut, order)
    data = _places(access, body.model_dump(exclude_unset=True))
    if "trade" in data:
        data["trade"] = _trade(data["trade"]) if data["trade"] is not None else None
    for name in ("description", "location_text"):
        if name in data and data[name] is None:
            data[name] = ""
    if data:
        order_services.work_order_update(access=access, work_order=order, expected_version=order.version, **data)
    return with_etag(response, WorkOrderOut, get_work_order_for(access, pk))


@router.get(
    "/work-orders/{uuid:pk}/transitions", response={200: list[TransitionOut], **ERRORS}, summary="Historique du bon"
)
def work_order_transitions(request, pk: UUID):
    order = get_work_order_for(request.access, pk)
    return [t for t in work_order_history(order)]


@router.post(
    "/work-orders/{uuid:pk}/transitions",
    response={200: WorkOrderOut, 412: Error, **WRITE_ERRORS},
    summary="Changer le statut (workflow)",
    description="Avec If-Match (facultatif ici), refusé en 412 si le bon a changé depuis la lecture.",
)
def work_order_transition(
    request,
    pk: UUID,
    body: TransitionIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description="L'ETag lu avec GET (facultatif)."),
):
    access = request.access
    order = get_work_order_for(access, pk)
    if if_match:
        require_if_match(request, WorkOrderOut, order)
    order_services.work_order_transition(
        access=access,
        work_order=order,
        to_status=body.to_status,
        expected_version=order.version,
        reason=body.reason,
        suspension_reason=body.suspension_reason,
    )
    return with_etag(response, WorkOrderOut, get_work_order_for(access, pk))


# --- Cost lines --------------------------------------------------------------------------------


class TimeEntryOut(Schema):
    id: UUID
    work_order_id: UUID
    technician_id: int
    date: dt.date
    hours: Decimal
    hourly_rate: Decimal
    amount: Decimal
    created_at: dt.datetime


class TimeEntryIn(Schema):
    technician_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Par défaut, soi-même.")
    date: SafeDate
    hours: Amount(places=2, gt="0", le="24")
    client_uuid: UUID | None = Field(None, description="Identifiant choisi par le client : un renvoi ne double pas.")


class MaterialLineOut(Schema):
    id: UUID
    work_order_id: UUID
    item_id: UUID | None
    label: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal
    amount: Decimal
    created_at: dt.datetime


class MaterialLineIn(Schema):
    item_id: UUID | None = None
    store_id: UUID | None = Field(None, description="Sortie de ce magasin (article du catalogue).")
    label: Text(200) = ""
    quantity: Amount(places=3, gt="0", le="999999999")
    unit: Text(20) = ""
    unit_cost: Amount(places=4, ge="0", le="99999999") | None = None
    client_uuid: UUID | None = None


class ExternalCostOut(Schema):
    id: UUID
    work_order_id: UUID
    contractor_id: UUID | None
    description: str
    invoice_reference: str
    amount: Decimal
    created_at: dt.datetime


class ExternalCostIn(Schema):
    description: Text(200, 1)
    amount: Amount(places=2, gt="0", le="9999999999")
    contractor_id: UUID | None = None
    invoice_reference: Text(60) = ""
    client_uuid: UUID | None = None


class ChecklistPointOut(Schema):
    label: str
    position: int
    done: bool
    done_at: dt.datetime | None


class InterventionReportOut(Schema):
    work_order_id: UUID
    notes: str
    signed_by_name: str
    signed: bool = Field(description="Une signature de la personne sur place est jointe.")
    submitted_by_id: int | None
    submitted_at: dt.datetime | None
    checklist: list[ChecklistPointOut]


@router.get(
    "/work-orders/{uuid:pk}/report",
    response={200: InterventionReportOut, **ERRORS},
    summary="Compte rendu d'intervention et points de contrôle",
)
def work_order_report(request, pk: UUID):
    order = get_work_order_for(request.access, pk)
    report = InterventionReport.objects.filter(work_order=order).first()
    checklist = ChecklistItem.objects.filter(work_order=order).order_by("position", "created_at")
    return {
        "work_order_id": order.pk,
        "notes": report.notes if report else "",
        "signed_by_name": report.signed_by_name if report else "",
        "signed": bool(report and report.signature),
        "submitted_by_id": report.submitted_by_id if report else None,
        "submitted_at": report.submitted_at if report else None,
        "checklist": [
            {"label": c.label, "position": c.position, "done": c.done, "done_at": c.done_at} for c in checklist
        ],
    }


LINES = {"time-entries": TimeEntry, "material-lines": MaterialLine, "external-costs": ExternalCost}


def _lines(model, order):
    return model.objects.filter(work_order=order).order_by("created_at", "pk")


@router.get("/work-orders/{uuid:pk}/time-entries", response={200: list[TimeEntryOut], **ERRORS}, summary="Temps passés")
def time_entry_list(request, pk: UUID):
    order = get_work_order_for(request.access, pk)
    return [line for line in _lines(TimeEntry, order)]


@router.post(
    "/work-orders/{uuid:pk}/time-entries", response={201: TimeEntryOut, **WRITE_ERRORS}, summary="Saisir du temps"
)
def time_entry_add(request, pk: UUID, body: TimeEntryIn):
    access = request.access
    order = get_work_order_for(access, pk)
    technician = access.user
    if body.technician_id is not None and body.technician_id != access.user.pk:
        technician = User.objects.filter(pk=body.technician_id, is_active=True).first()
        if technician is None:
            raise DomainError(_("Technicien inconnu : %(id)s.") % {"id": body.technician_id})
    entry = cost_services.time_entry_add(
        access=access,
        work_order=order,
        technician=technician,
        date=body.date,
        hours=body.hours,
        client_uuid=body.client_uuid,
    )
    return Status(201, entry)


@router.get(
    "/work-orders/{uuid:pk}/material-lines", response={200: list[MaterialLineOut], **ERRORS}, summary="Matériel utilisé"
)
def material_line_list(request, pk: UUID):
    order = get_work_order_for(request.access, pk)
    return [line for line in _lines(MaterialLine, order)]


@router.post(
    "/work-orders/{uuid:pk}/material-lines",
    response={201: MaterialLineOut, **WRITE_ERRORS},
    summary="Saisir du matériel",
)
def material_line_add(request, pk: UUID, body: MaterialLineIn):
    access = request.access
    order = get_work_order_for(access, pk)
    line = cost_services.material_line_add(
        access=access,
        work_order=order,
        item=referenced(get_item_for, access, body.item_id, _("Article")),
        store=referenced(get_store_for, access, body.store_id, _("Magasin")),
        label=body.label,
        quantity=body.quantity,
        unit_cost=body.unit_cost,
        unit=body.unit,
        client_uuid=body.client_uuid,
    )
    return Status(201, line)


@router.get(
    "/work-orders/{uuid:pk}/external-costs",
    response={200: list[ExternalCostOut], **ERRORS},
    summary="Prestations externes",
)
def external_cost_list(request, pk: UUID):
    order = get_work_order_for(request.access, pk)
    return [line for line in _lines(ExternalCost, order)]


@router.post(
    "/work-orders/{uuid:pk}/external-costs",
    response={201: ExternalCostOut, **WRITE_ERRORS},
    summary="Saisir une prestation externe",
)
def external_cost_add(request, pk: UUID, body: ExternalCostIn):
    access = request.access
    order = get_work_order_for(access, pk)
    contractor = None
    if body.contractor_id is not None:
        contractor = Contractor.objects.filter(pk=body.contractor_id).first()
        if contractor is None:
            raise DomainError(_("Prestataire introuvable : %(pk)s.") % {"pk": body.contractor_id})
    line = cost_services.external_cost_add(
        access=access,
        work_order=order,
        description=body.description,
        amount=body.amount,
        contractor=contractor,
        invoice_reference=body.invoice_reference,
        client_uuid=body.client_uuid,
    )
    return Status(201, line)


@router.delete(
    "/work-orders/{uuid:pk}/{kind}/{uuid:line_pk}",
    response={204: None, **WRITE_ERRORS},
    summary="Retirer une ligne de coût",
)
def cost_line_remove(
    request, pk: UUID, kind: Literal["time-entries", "material-lines", "external-costs"], line_pk: UUID
):
    order = get_work_order_for(request.access, pk)
    line = LINES[kind].objects.filter(work_order=order, pk=line_pk).first()
    if line is None:
        raise Http404
    cost_services.cost_line_remove(access=request.access, line=line)
    return Status(204, None)
