"""Reads of the field app: what goes on the technician's phone, and the conflicts a lead settles.

`field_bootstrap` is everything the phone needs to work a day offline, in a constant number of
queries whatever the number of orders: my orders (today, coming days, suspended, finished today)
with the place and a maps link, the equipment and what was done on it lately, the checklist, what
the requester wrote and the photos, the report, the time and material already recorded.
Citizens' personal data (name, e-mail, phone) never goes to the phone: only agents' names do.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.field.models import OfflineConflict
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.access import Access
from patrimoine.stock.selectors import items_search
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

Status = WorkOrder.Status
Named = WorkOrder.technicians.through
FIELD_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED)
HORIZON_DAYS = 14
MAX_ORDERS = 100
HISTORY_PER_EQUIPMENT = 5
HISTORY_YEARS = 3
PREFETCH_PHOTO_MAX_BYTES = 2 * 1024 * 1024


def field_orders(access: Access) -> QuerySet[WorkOrder]:
    """The orders for my phone: mine and my teams', open and due within two weeks (or not yet
    scheduled), plus those finished today; most urgent first, then by due date."""
    if not access.has("field.use"):
        return WorkOrder.objects.none()
    today = timezone.localdate()
    statuses = (*FIELD_STATUSES, Status.DONE)
    # My teams' orders by the (team, status) index, and those I am named on by their ids (read first:
    # a few dozen): two index branches. An OR with EXISTS(named on it) could use no index, and
    # PostgreSQL read every order of the organisations (years of history) to find the open ones.
    named_ids = list(
        Named.objects.filter(user_id=access.user.pk, workorder__status__in=statuses).values_list(
            "workorder_id", flat=True
        )
    )
    named_me = Exists(Named.objects.filter(workorder_id=OuterRef("pk"), user_id=access.user.pk))
    named = Exists(Named.objects.filter(workorder_id=OuterRef("pk")))
    open_soon = Q(status__in=FIELD_STATUSES) & (
        Q(planned_start__isnull=True) | Q(planned_start__date__lte=today + timedelta(days=HORIZON_DAYS))
    )
    order = (
        F("priority").desc(),
        F("due_date").asc(nulls_last=True),
        F("planned_start").asc(nulls_last=True),
        "reference",
    )
    # The hundred first of them, chosen on the orders' table alone (their ids read first, as a
    # subquery PostgreSQL misjudged them); then their places, trades and the rest: a shared team has
    # thousands of open orders, and joining the eight tables to every one of them before sorting
    # cost more than the sort.
    chosen = list(
        work_orders_visible_to(access)
        .filter(Q(team_id__in=access.team_ids, status__in=statuses) | Q(pk__in=named_ids))
        .filter(open_soon | Q(status=Status.DONE, completed_at__date=today))
        .order_by(*order)
        .values_list("pk", flat=True)[:MAX_ORDERS]
    )
    return (
        work_orders_visible_to(access)
        .filter(pk__in=chosen)
        .select_related(
            "trade", "site", "building", "space", "equipment", "equipment__category", "organisation", "team"
        )
        .annotate(named_me=named_me, named=named)
        .order_by(*order)
    )


def _group(order: WorkOrder, today) -> str:
    if order.status == Status.DONE:
        return "done"
    if order.status == Status.SUSPENDED:
        return "suspended"
    if order.status == Status.IN_PROGRESS or (
        order.planned_start is not None and timezone.localtime(order.planned_start).date() <= today
    ):
        return "today"
    return "upcoming"


def _place(order: WorkOrder) -> dict:
    anchor = order.building or order.site
    address = anchor.full_address if anchor is not None else ""
    return {
        "site": str(order.site) if order.site else "",
        "building": str(order.building) if order.building else "",
        "building_id": str(order.building_id) if order.building_id else None,
        "space": str(order.space) if order.space else "",
        "location": order.location_text,
        "address": address,
        "geo": anchor.geo_uri if anchor is not None else "",
        "map": anchor.map_url if anchor is not None else "",
    }


def _photo(document: Document) -> dict:
    return {
        "id": str(document.pk),
        "url": reverse("documents:download", args=[document.pk]),
        "title": document.title or document.original_name,
        "size": document.size,
        "prefetch": document.size <= PREFETCH_PHOTO_MAX_BYTES,
    }


def _documents_by_target(targets: list) -> dict:
    """Photos (images only) of several objects of one or more models, in one query per model."""
    by_target = defaultdict(list)
    by_model = defaultdict(list)
    for target in targets:
        by_model[type(target)].append(target.pk)
    for model, pks in by_model.items():
        documents = Document.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks, mime_type__startswith="image/"
        ).order_by("created_at")
        for document in documents:
            by_target[document.object_id].append(_photo(document))
    return by_target


class Labels(dict):
    """{value: label} of a field's choices, translated once (a value outside them shows as itself, as
    with `get_FOO_display()`, which hashes every lazy label of the choices on each call: a third of
    the phone's data time for a hundred orders)."""

    def __init__(self, model, name: str):
        super().__init__((value, str(label)) for value, label in model._meta.get_field(name).flatchoices)

    def __missing__(self, value):
        return value


def _requests(orders: list[WorkOrder]) -> dict:
    urgencies, channels = Labels(WorkRequest, "urgency"), Labels(WorkRequest, "channel")
    requests = list(
        WorkRequest.objects.filter(work_order__in=orders).select_related("requested_by").order_by("created_at")
    )
    photos = _documents_by_target(requests)
    by_order = defaultdict(list)
    for request in requests:
        agent = request.channel == WorkRequest.Channel.INTERNAL and request.requested_by is not None
        by_order[request.work_order_id].append(
            {
                "reference": request.reference,
                "description": request.description,
                "urgency": urgencies[request.urgency],
                "channel": channels[request.channel],
                # An agent's name helps (« ask the school head »); a citizen's stays off the phone.
                "requester": (request.requested_by.get_full_name() or str(request.requested_by)) if agent else "",
                "created_at": request.created_at.isoformat(),
                "photos": photos.get(request.pk, []),
            }
        )
    return by_order


def _history(access: Access, orders: list[WorkOrder]) -> dict:
    """What was done lately on each equipment: closed orders, their report and materials."""
    equipment_ids = {o.equipment_id for o in orders if o.equipment_id}
    if not equipment_ids:
        return {}
    since = timezone.now() - timedelta(days=365 * HISTORY_YEARS)
    past = list(
        work_orders_visible_to(access)
        .filter(equipment_id__in=equipment_ids, status__in=(Status.DONE, Status.VALIDATED), created_at__gte=since)
        .exclude(pk__in=[o.pk for o in orders])
        .select_related("report")
        .order_by(F("completed_at").desc(nulls_last=True), "-created_at")
    )
    kept, count = [], defaultdict(int)
    for order in past:
        if count[order.equipment_id] < HISTORY_PER_EQUIPMENT:
            count[order.equipment_id] += 1
            kept.append(order)
    materials = defaultdict(list)
    for line in MaterialLine.objects.filter(work_order__in=kept).order_by("created_at"):
        materials[line.work_order_id].append(f"{line.label} × {line.quantity.normalize():f}")
    history = defaultdict(list)
    for order in kept:
        report = getattr(order, "report", None)
        when = order.completed_at or order.created_at
        history[order.equipment_id].append(
            {
                "reference": order.reference,
                "title": order.title,
                "date": timezone.localtime(when).date().isoformat(),
                "notes": report.notes if report else "",
                "materials": materials.get(order.pk, []),
            }
        )
    return history


def _by_order(queryset, key="work_order_id") -> dict:
    grouped = defaultdict(list)
    for row in queryset:
        grouped[getattr(row, key)].append(row)
    return grouped


def field_bootstrap(access: Access, orders: list[WorkOrder]) -> dict:
    """Everything the phone shows about `orders` (from `field_orders`), as JSON-ready data: about a
    dozen queries for any number of orders."""
    today = timezone.localdate()
    checklists = _by_order(ChecklistItem.objects.filter(work_order__in=orders).order_by("position", "created_at"))
    reports = {r.work_order_id: r for r in InterventionReport.objects.filter(work_order__in=orders)}
    times = _by_order(
        TimeEntry.objects.filter(work_order__in=orders).select_related("technician").order_by("date", "created_at")
    )
    materials = _by_order(MaterialLine.objects.filter(work_order__in=orders).order_by("created_at"))
    requests = _requests(orders)
    photos = _documents_by_target(orders)
    history = _history(access, orders)
    statuses, priorities = Labels(WorkOrder, "status"), Labels(WorkOrder, "priority")
    kinds = Labels(WorkOrder, "kind")
    data = []
    for order in orders:
        report = reports.get(order.pk)
        equipment = order.equipment
        data.append(
            {
                "id": str(order.pk),
                "reference": order.reference,
                "title": order.title,
                "description": order.description,
                "status": order.status,
                "status_label": statuses[order.status],
                "suspension_reason": order.suspension_reason,
                "priority": order.priority,
                "priority_label": priorities[order.priority],
                "kind": kinds[order.kind],
                "trade": order.trade.name,
                "organisation": order.organisation.name,
                "catalogue": sorted({order.organisation_id, *([order.team.organisation_id] if order.team else [])}),
                # Mine: I am named on it, or nobody is yet (the team's, to be taken).
                "mine": order.named_me or not order.named,
                "group": _group(order, today),
                "due_date": order.due_date.isoformat() if order.due_date else None,
                "planned_start": order.planned_start.isoformat() if order.planned_start else None,
                "planned_end": order.planned_end.isoformat() if order.planned_end else None,
                "place": _place(order),
                "equipment": {
                    "id": str(equipment.pk),
                    "name": equipment.name,
                    "code": equipment.code,
                    "category": equipment.category.name,
                    "brand": " ".join(p for p in (equipment.brand, equipment.model_name) if p),
                    "history": history.get(equipment.pk, []),
                }
                if equipment
                else None,
                "checklist": [
                    {"id": str(i.pk), "label": i.label, "done": i.done} for i in checklists.get(order.pk, [])
                ],
                "requests": requests.get(order.pk, []),
                "photos": photos.get(order.pk, []),
                "report": {
                    "notes": report.notes if report else "",
                    "signed_by_name": report.signed_by_name if report else "",
                    "signed": bool(report and report.signature),
                },
                "time_entries": [
                    {
                        "id": str(e.pk),
                        "client_uuid": str(e.client_uuid) if e.client_uuid else None,
                        "date": e.date.isoformat(),
                        "hours": str(e.hours),
                        "technician": e.technician.get_full_name() or str(e.technician),
                        "mine": e.technician_id == access.user.pk,
                    }
                    for e in times.get(order.pk, [])
                ],
                "materials": [
                    {
                        "id": str(m.pk),
                        "client_uuid": str(m.client_uuid) if m.client_uuid else None,
                        "label": m.label,
                        "quantity": f"{m.quantity.normalize():f}",
                        "unit": m.unit,
                    }
                    for m in materials.get(order.pk, [])
                ],
            }
        )
    return {
        "today": today.isoformat(),
        "user": {
            "id": access.user.pk,
            "name": access.user.get_full_name() or str(access.user),
            "organisation": access.organisation.name,
            "role": access.role_label,
        },
        "orders": data,
        "conflicts": [_conflict_row(c) for c in my_open_conflicts(access)],
        "conflicts_to_settle": conflicts_to_settle(access).count() if access.has("workorders.validate") else 0,
        "conflicts_url": reverse("field:conflicts"),
    }


def field_catalogue(access: Access, orders) -> list[dict]:
    """The items the phone may offer, from the catalogues that may supply my orders (no prices:
    the cost is the server's business)."""
    org_ids = set()
    for order in orders:
        org_ids.add(order.organisation_id)
        if order.team_id is not None:
            org_ids.add(order.team.organisation_id)
    items = items_search(access, organisation_ids=org_ids).only("pk", "reference", "label", "unit", "organisation_id")
    return [
        {"id": str(i.pk), "ref": i.reference, "label": i.label, "unit": i.unit, "org": i.organisation_id} for i in items
    ]


# --- Conflicts ---------------------------------------------------------------------------------


def _conflict_row(conflict: OfflineConflict) -> dict:
    return {
        "id": str(conflict.pk),
        "operation": str(conflict.operation_id),
        "order": str(conflict.work_order_id),
        "summary": conflict.summary,
        "reason": conflict.reason,
        "at": conflict.created_at.isoformat(),
    }


def my_open_conflicts(access: Access, limit: int = 50) -> list[OfflineConflict]:
    """What I recorded offline that is waiting for my team lead (shown on my phone)."""
    return list(
        OfflineConflict._base_manager.filter(technician=access.user, status=OfflineConflict.Status.OPEN).order_by(
            "-created_at"
        )[:limit]
    )


def conflicts_visible_to(access: Access) -> QuerySet[OfflineConflict]:
    """Kept entries the user may look at: a lead/planner those on orders he sees, a technician his own."""
    conflicts = OfflineConflict.objects.select_related("work_order", "technician", "resolved_by", "operation")
    if access.has("workorders.plan") or access.has("workorders.validate"):
        return conflicts.filter(Q(work_order__in=work_orders_visible_to(access)) | Q(technician=access.user.pk))
    if access.has("field.use"):
        return conflicts.filter(technician=access.user)
    return conflicts.none()


def conflicts_to_settle(access: Access) -> QuerySet[OfflineConflict]:
    if not (access.has("workorders.plan") or access.has("workorders.validate")):
        return OfflineConflict.objects.none()
    return conflicts_visible_to(access).filter(status=OfflineConflict.Status.OPEN)


def get_conflict_for(access: Access, pk) -> OfflineConflict:
    try:
        return conflicts_visible_to(access).get(pk=pk)
    except (OfflineConflict.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
