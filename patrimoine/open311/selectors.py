"""Reads for Open311: which organisations publish services (the jurisdictions), their services,
and the public view of the requests filed through Open311 — never the requester's identity."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.assets.models import AssetStatus, Building
from patrimoine.intake.models import Urgency, WorkRequest
from patrimoine.intake.selectors import Progress, request_progress
from patrimoine.open311.formats import w3c
from patrimoine.open311.models import ApiKey, Service, ServiceRequest
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation
from patrimoine.workorders.models import WorkOrder

WRStatus = WorkRequest.Status
CLOSED_ORDER_STATUSES = (WorkOrder.Status.DONE, WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED)
CLOSED_STATES = {"done", "cancelled", "rejected"}

# A request is closed when it was rejected, when its work order is done, validated or cancelled, or
# when it was merged into a rejected request. `public_status` applies the same rule in Python.
CLOSED_Q = (
    Q(status=WRStatus.REJECTED)
    | Q(work_order__status__in=CLOSED_ORDER_STATUSES)
    | Q(status=WRStatus.MERGED, duplicate_of__status=WRStatus.REJECTED)
)

RECORD_RELATED = (
    "service",
    "organisation",
    "work_request__building",
    "work_request__work_order__team",
    "work_request__work_order__contractor",
    "work_request__work_order__report",
    "work_request__duplicate_of__work_order__team",
    "work_request__duplicate_of__work_order__contractor",
    "work_request__duplicate_of__work_order__report",
)


# --- Jurisdictions and services ------------------------------------------------------------------


def jurisdictions() -> list[Organisation]:
    """The active organisations that publish at least one service: this server's jurisdictions."""
    with scopes_disabled():
        org_ids = Service.objects.filter(is_active=True).values("organisation_id")
        return list(Organisation.objects.filter(is_active=True, pk__in=org_ids).order_by("slug"))


def services_of(organisation: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(organisation=organisation, is_active=True).order_by("position", "name")


def attributes_of(service: Service) -> list[dict]:
    """The extra fields of a service definition: the urgency, and the public building concerned."""
    attributes = [
        {
            "variable": True,
            "code": "urgence",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 1,
            "description": _("Urgence du problème"),
            "values": [{"key": value, "name": str(label)} for value, label in Urgency.choices],
        }
    ]
    buildings = buildings_for_reports(service.organisation_id)
    if buildings:
        attributes.append(
            {
                "variable": True,
                "code": "batiment",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("Code du bâtiment (aussi accepté comme address_id)"),
                "order": 2,
                "description": _("Bâtiment public concerné, le cas échéant"),
                "values": [{"key": code, "name": name} for code, name in buildings],
            }
        )
    return attributes


def buildings_for_reports(organisation_id: int) -> list[tuple[str, str]]:
    """(code, name) of the organisation's buildings in service, by name."""
    rows = (
        Building.objects.filter(organisation_id=organisation_id)
        .exclude(status=AssetStatus.ARCHIVED)
        .exclude(code="")
        .order_by("name")
        .values_list("code", "name")
    )
    return list(rows)


# --- Requests ------------------------------------------------------------------------------------


def service_requests_of(organisation: Organisation) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(organisation=organisation).select_related(*RECORD_RELATED)


def service_requests_search(
    organisation: Organisation,
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    limit: int = 1000,
) -> list[ServiceRequest]:
    """GET requests: by ids (which override every other filter), else by service, period and status."""
    requests = service_requests_of(organisation)
    if ids:
        requests = requests.filter(work_request__reference__in=ids)
    else:
        if service_codes:
            requests = requests.filter(service__code__in=service_codes)
        if start is not None:
            requests = requests.filter(work_request__created_at__gte=start)
        if end is not None:
            requests = requests.filter(work_request__created_at__lte=end)
        if statuses and set(statuses) != {"open", "closed"}:
            closed = _prefixed(CLOSED_Q, "work_request__")
            requests = requests.filter(closed) if statuses == ["closed"] else requests.exclude(closed)
    return list(requests.order_by("-work_request__created_at")[:limit])


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a related model: Q(status=…) → Q(work_request__status=…)."""
    copy = Q()
    copy.connector, copy.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            copy.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            copy.children.append((prefix + key, value))
    return copy


def service_request_by_id(organisation: Organisation, service_request_id: str) -> ServiceRequest:
    found = service_requests_of(organisation).filter(work_request__reference=service_request_id[:30]).first()
    if found is None:
        raise Http404
    return found


def service_request_by_token(organisation: Organisation, token: str) -> ServiceRequest:
    found = ServiceRequest.objects.filter(organisation=organisation, token=token[:40]).select_related("work_request")
    found = found.first()
    if found is None:
        raise Http404
    return found


def _public_progress(progress: Progress) -> tuple[str, str]:
    """(state, text) of a progress line, without the rejection reason nor the technician's notes:
    those are written for the requester, not for a public feed."""
    text = _("Non retenue par le service technique") if progress.state == "rejected" else progress.text
    if progress.then is not None:
        state, then = _public_progress(progress.then)
        return state, f"{text} — {then}"
    return progress.state, text


def public_status(work_request: WorkRequest) -> tuple[str, str]:
    """GeoReport's `status` (open / closed) and `status_notes` of a work request."""
    state, notes = _public_progress(request_progress(work_request))
    return ("closed" if state in CLOSED_STATES else "open"), notes


def public_record(service_request: ServiceRequest) -> dict:
    """One request as GET requests shows it: no name, e-mail, phone, device or account."""
    work_request = service_request.work_request
    order = work_request.work_order
    building = work_request.building
    status, notes = public_status(work_request)
    updated = max(filter(None, (work_request.updated_at, order.updated_at if order else None)))
    expected = None
    if (
        status == "open"
        and order is not None
        and order.status in (WorkOrder.Status.PLANNED, WorkOrder.Status.IN_PROGRESS)
    ):
        expected = order.planned_end or order.planned_start
    latitude = work_request.latitude if work_request.latitude is not None else getattr(building, "latitude", None)
    longitude = work_request.longitude if work_request.longitude is not None else getattr(building, "longitude", None)
    return {
        "service_request_id": work_request.reference,
        "status": status,
        "status_notes": notes,
        "service_name": service_request.service.name,
        "service_code": service_request.service.code,
        "description": work_request.description,
        "agency_responsible": service_request.organisation.name,
        "service_notice": service_request.service.notice or None,
        "requested_datetime": w3c(work_request.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(expected),
        "address": _address(work_request) or None,
        "address_id": building.code if building is not None else None,
        "zipcode": (building.postal_code or None) if building is not None else None,
        "lat": float(latitude) if latitude is not None else None,
        "long": float(longitude) if longitude is not None else None,
        "media_url": service_request.media_url or None,
    }


def _address(work_request: WorkRequest) -> str:
    building = work_request.building
    if building is None:
        return work_request.location_text
    parts = [work_request.location_text, building.name, building.address, f"{building.postal_code} {building.city}"]
    return ", ".join(part.strip() for part in parts if part and part.strip())


# --- API keys (management page) ------------------------------------------------------------------


def api_keys_for(access: Access) -> QuerySet[ApiKey]:
    if not access.has("open311.manage"):
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation=access.organisation).select_related("created_by")


def get_api_key_for(access: Access, pk) -> ApiKey:
    try:
        return api_keys_for(access).get(pk=pk)
    except (ApiKey.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def services_for_management(access: Access) -> QuerySet[Service]:
    if not access.has("open311.manage"):
        return Service.objects.none()
    return Service.objects.filter(organisation=access.organisation).select_related("trade")


def get_service_for(access: Access, pk) -> Service:
    try:
        return services_for_management(access).get(pk=pk)
    except (Service.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def requests_count_by_key(organisation: Organisation) -> dict:
    rows = ServiceRequest.objects.filter(organisation=organisation).values("api_key_id").annotate(n=Count("pk"))
    return {row["api_key_id"]: row["n"] for row in rows}
