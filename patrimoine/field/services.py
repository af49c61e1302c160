"""Writes of the field app: applying what the phone queued offline, once, and keeping what cannot land.

Every operation the phone sends carries a UUID it generated. `operation_apply` looks it up first:
already received → the stored answer, nothing done again (a lost acknowledgement, a retry after a
cut). Otherwise it calls the SAME services as the web pages (`costs.services.time_entry_add`,
`material_line_add`, `workorders.services.work_order_transition`, `checklist_item_toggle`,
`intervention_report_save`, `work_order_photo_attach`, `intake.services.work_request_create`) and
stores the answer under the UUID in the same transaction.

Conflict rules (see SYNC.md):
- order not visible to the user and never sent to his phone (another team's, another commune's) →
  « refusé », nothing stored;
- order sent to his phone but since reassigned, or cancelled / validated, or a rule refuses the
  entry (no rate for the year, more than 24 h in a day…) → « conflit »: the content is stored in an
  `OfflineConflict` for the team lead, never dropped, and the technician gets a French message;
- malformed operation (not a number, unknown status…) → « invalide », nothing stored.
"""

import datetime as dt
import io
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from patrimoine.assets.selectors import get_building_for, get_equipment_for
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.core.templatetags.formatting import format_hours
from patrimoine.costs.selectors import catalogue_items
from patrimoine.costs.services import material_line_add, may_manage, time_entry_add
from patrimoine.field.forms import OPERATION_FORMS, OperationForm, errors_text
from patrimoine.field.models import FieldDelivery, OfflineConflict, SyncOperation
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.services import photos_check, work_request_create
from patrimoine.ops.metrics import sync_counted
from patrimoine.organisations.access import Access
from patrimoine.stock.selectors import items_search
from patrimoine.workorders.models import InterventionReport, WorkOrder
from patrimoine.workorders.selectors import get_checklist_item_for, work_order_report, work_orders_visible_to
from patrimoine.workorders.services import (
    checklist_item_toggle,
    intervention_report_save,
    work_order_photo_attach,
    work_order_transition,
)

Kind = SyncOperation.Kind
Outcome = SyncOperation.Outcome
Status = WorkOrder.Status
CLOSED = (Status.VALIDATED, Status.CANCELLED)
MAX_BATCH = 200
RETRIES = 3

REFUSED, INVALID = "refuse", "invalide"


class NotYours(DomainError):
    """The order is not one the user may report on, and it was never on his phone: refused, nothing stored."""


def _answer(op_id, status: str, message: str, result: dict | None = None) -> dict:
    return {"id": str(op_id) if op_id else None, "status": status, "message": message, "result": result or {}}


def _require_field(access: Access) -> None:
    if not access.has("field.use"):
        raise PermissionRefused(_("Votre rôle ne permet pas d'utiliser l'application terrain."))


# --- Which order, and may the user still act on it -----------------------------------------------


def _order_for(access: Access, pk) -> tuple[WorkOrder, bool]:
    """(order, still his): visible orders are his; an order sent to his phone and since taken away is
    returned with False (his work becomes a conflict); any other order is refused like a missing one."""
    order = (
        work_orders_visible_to(access)
        .select_related("team", "organisation", "equipment", "building")
        .filter(pk=pk)
        .first()
    )
    if order is not None:
        return order, True
    if FieldDelivery._base_manager.filter(user=access.user, work_order_id=pk).exists():
        return WorkOrder._base_manager.select_related("team", "organisation").get(pk=pk), False
    raise NotYours(_("Bon de travail introuvable : il n'est pas (ou plus) parmi les vôtres."))


def _fresh(order: WorkOrder) -> WorkOrder:
    """The order as it is now (status and version), keeping the related objects already loaded."""
    current = WorkOrder._base_manager.filter(pk=order.pk).values("status", "version", "suspension_reason").get()
    for name, value in current.items():
        setattr(order, name, value)
    return order


# --- Appliers: one per kind, each calling the domain's own service -------------------------------


def _apply_time(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    entry = time_entry_add(
        access=access,
        work_order=order,
        technician=technician,
        date=data["date"],
        hours=data["hours"],
        client_uuid=op_id,
    )
    return {"line": str(entry.pk), "hours": str(entry.hours)}


def _apply_material(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    item = None
    if data.get("item"):
        item = catalogue_items(access, order).filter(pk=data["item"]).first()
        if item is None:
            raise DomainError(_("Cet article n'est plus au catalogue utilisable pour ce bon."))
    line = material_line_add(
        access=access,
        work_order=order,
        item=item,
        label=data.get("label") or "",
        quantity=data["quantity"],
        unit=data.get("unit") or "",
        client_uuid=op_id,
    )
    return {"line": str(line.pk), "quantity": str(line.quantity)}


def _apply_checklist(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    try:
        item = get_checklist_item_for(access, order, data["item"])
    except Http404 as exc:
        raise DomainError(_("Ce point de contrôle n'existe plus sur le bon.")) from exc
    checklist_item_toggle(access=access, item=item, done=data["done"])
    return {"item": str(item.pk), "done": bool(data["done"])}


def _apply_report(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    current = work_order_report(order)
    report = intervention_report_save(
        access=access,
        work_order=order,
        notes=data.get("notes") or "",
        signed_by_name=current.signed_by_name if current else "",
    )
    return {"report": str(report.pk)}


def _apply_signature(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    report = intervention_signature_save(
        access=access, work_order=order, signed_by_name=data["signed_by_name"], image=data["image"]
    )
    return {"report": str(report.pk)}


def _apply_status(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    """Reach the status the technician chose; « terminé » or « suspendu » from « planifié » (or
    « suspendu ») passes through « en cours », as it did on site."""
    target = data["to"]
    steps = []
    if order.status != target:
        if target in (Status.DONE, Status.SUSPENDED) and order.status in (Status.PLANNED, Status.SUSPENDED):
            steps.append(Status.IN_PROGRESS)
        steps.append(target)
    for step in steps:
        work_order_transition(
            access=access,
            work_order=order,
            to_status=step,
            expected_version=order.version,
            reason=(data.get("reason") or "") if step == target else "",
            suspension_reason=(data.get("suspension_reason") or "") if step == Status.SUSPENDED else "",
        )
    return {"status": order.status}


def _apply_photo(access: Access, order: WorkOrder, data: dict, op_id, technician) -> dict:
    document = work_order_photo_attach(
        access=access, work_order=order, uploaded=data["file"], title=data.get("title") or _("Photo d'intervention")
    )
    return {"document": str(document.pk)}


APPLIERS: dict[str, Callable] = {
    Kind.TIME: _apply_time,
    Kind.MATERIAL: _apply_material,
    Kind.CHECKLIST: _apply_checklist,
    Kind.REPORT: _apply_report,
    Kind.SIGNATURE: _apply_signature,
    Kind.STATUS: _apply_status,
    Kind.PHOTO: _apply_photo,
}


def _summary(kind: str, data: dict) -> str:
    """The entry in a few words, for the technician's message and the team lead's list."""
    if kind == Kind.TIME:
        return _("%(hours)s le %(date)s") % {
            "hours": format_hours(data["hours"]),
            "date": data["date"].strftime("%d/%m/%Y"),
        }
    if kind == Kind.MATERIAL:
        label = data.get("catalogue_label") or data.get("label") or _("article du catalogue")
        return f"{label} × {str(data['quantity'].normalize()).replace('.', ',')}"
    if kind == Kind.CHECKLIST:
        return _("Point de contrôle coché") if data.get("done") else _("Point de contrôle décoché")
    if kind == Kind.REPORT:
        return _("Compte rendu : %(notes)s") % {"notes": (data.get("notes") or "")[:200]}
    if kind == Kind.SIGNATURE:
        return _("Signature de %(name)s") % {"name": data["signed_by_name"]}
    if kind == Kind.STATUS:
        return _("Passage au statut %(status)s") % {"status": str(Status(data["to"]).label).lower()}
    if kind == Kind.PHOTO:
        return _("Photo « %(name)s »") % {"name": data["file"].name}
    return str(Kind(kind).label)


def _conflict_reason(order: WorkOrder, still_his: bool, error: DomainError | None) -> str:
    if order.status == Status.CANCELLED:
        return _("Le bon %(ref)s a été annulé pendant que vous étiez hors ligne.") % {"ref": order.reference}
    if order.status == Status.VALIDATED:
        return _("Le bon %(ref)s a été validé et clos pendant que vous étiez hors ligne.") % {"ref": order.reference}
    if not still_his:
        return _("Le bon %(ref)s a été confié à quelqu'un d'autre pendant que vous étiez hors ligne.") % {
            "ref": order.reference
        }
    return _("Le bon %(ref)s n'a pas accepté cette saisie : %(why)s") % {"ref": order.reference, "why": error}


def _jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, bytes) or hasattr(value, "read"):
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date) else str(value) if value is not None else None
    return out


def _replay(access: Access, previous: SyncOperation) -> dict:
    if previous.user_id != access.user.pk:
        return _answer(previous.pk, INVALID, _("Cet identifiant d'opération est déjà utilisé."))
    return previous.answer()


def _once(*, access: Access, op_id: uuid.UUID, kind: str, order_pk, data: dict) -> dict:
    """Apply the operation unless its UUID was already received; store the answer under the UUID."""
    previous = SyncOperation._base_manager.filter(pk=op_id).first()
    if previous is not None:
        return _replay(access, previous)
    try:
        with transaction.atomic():
            order, still_his = _order_for(access, order_pk)
            record = SyncOperation(
                id=op_id, organisation_id=order.organisation_id, user=access.user, kind=kind, work_order=order
            )
            record.save(force_insert=True)
            error = None
            if still_his:
                error = _apply_with_retries(access, order, kind, data, op_id, record)
            if still_his and error is None:
                record.outcome = Outcome.APPLIED
            else:
                _fresh(order)
                reason = _conflict_reason(order, still_his, error)
                conflict = _conflict_store(access, record, order, kind, data, reason)
                record.result = {"conflict": str(conflict.pk)}
                record.outcome = Outcome.CONFLICT
                record.message = _(
                    "%(reason)s Votre saisie « %(summary)s » est conservée et signalée à votre responsable."
                ) % {"reason": reason, "summary": _summary(kind, data)}
            SyncOperation._base_manager.filter(pk=record.pk).update(
                outcome=record.outcome, message=record.message[:400], result=record.result
            )
            return record.answer()
    except NotYours as refusal:
        return _answer(op_id, REFUSED, refusal.message)
    except IntegrityError:
        previous = SyncOperation._base_manager.filter(pk=op_id).first()
        if previous is None:
            raise
        return _replay(access, previous)


def _apply_with_retries(access, order, kind, data, op_id, record) -> DomainError | None:
    """Run the applier in a savepoint; a refusal rolls it back and is returned (it becomes a conflict).
    A concurrent edit of the order (someone saved it meanwhile) is retried on the fresh order."""
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                record.result = APPLIERS[kind](access, _fresh(order), data, op_id, access.user)
            return None
        except ConcurrentEditError as error:
            if attempt == RETRIES - 1:
                return error
        except DomainError as error:
            return error
    return None


def _conflict_store(access: Access, record: SyncOperation, order: WorkOrder, kind: str, data: dict, reason: str):
    conflict = OfflineConflict(
        organisation_id=order.organisation_id,
        operation=record,
        work_order=order,
        technician=access.user,
        kind=kind,
        summary=_summary(kind, data)[:300],
        reason=reason[:400],
        payload=_jsonable(data),
    )
    if kind == Kind.PHOTO:
        data["file"].seek(0)
        conflict.attachment.save(data["file"].name[-60:], data["file"], save=False)
    elif kind == Kind.SIGNATURE:
        conflict.attachment.save("signature.png", ContentFile(data["image"]), save=False)
    conflict.save()
    audit_record(
        actor=access.user,
        action="field.conflict",
        target=order,
        message=f"{conflict.summary} — {reason}"[:300],
        data={"operation": str(record.pk), "kind": kind},
    )
    return conflict


# --- Entry points --------------------------------------------------------------------------------


def operations_apply(*, access: Access, operations: list) -> list[dict]:
    """Apply a batch of queued operations in order; each has its own answer (and transaction)."""
    _require_field(access)
    if not isinstance(operations, list):
        raise DomainError(_("Envoi mal formé : une liste d'opérations est attendue."))
    if len(operations) > MAX_BATCH:
        raise DomainError(_("Trop d'opérations dans un seul envoi (%(max)d au plus).") % {"max": MAX_BATCH})
    return [operation_apply(access=access, raw=raw) for raw in operations]


@sync_counted("operation")
def operation_apply(*, access: Access, raw) -> dict:
    """One JSON operation: check its shape, then apply it once."""
    _require_field(access)
    if not isinstance(raw, dict):
        return _answer(None, INVALID, _("Opération mal formée."))
    envelope = OperationForm(raw)
    if not envelope.is_valid():
        return _answer(raw.get("id") if isinstance(raw.get("id"), str) else None, INVALID, errors_text(envelope))
    op_id, kind = envelope.cleaned_data["id"], envelope.cleaned_data["type"]
    form = OPERATION_FORMS[kind](raw)
    if not form.is_valid():
        return _answer(op_id, INVALID, errors_text(form))
    data = dict(form.cleaned_data)
    if kind == Kind.MATERIAL:
        label = raw.get("catalogue_label") if isinstance(raw.get("catalogue_label"), str) else ""
        if not label and data.get("item"):
            label = items_search(access).filter(pk=data["item"]).values_list("label", flat=True).first() or ""
        data["catalogue_label"] = label[:200]
    return _once(access=access, op_id=op_id, kind=kind, order_pk=envelope.cleaned_data["order"], data=data)


@sync_counted("photo")
def photo_apply(*, access: Access, op_id: uuid.UUID, order_pk, uploaded, title: str = "") -> dict:
    """A photo taken on site (already resized on the phone). Sent again after a cut: stored once."""
    _require_field(access)
    previous = SyncOperation._base_manager.filter(pk=op_id).first()
    if previous is not None:
        return _replay(access, previous)
    try:
        photos_check([uploaded])
    except DomainError as error:
        return _answer(op_id, INVALID, error.message)
    return _once(
        access=access, op_id=op_id, kind=Kind.PHOTO, order_pk=order_pk, data={"file": uploaded, "title": title}
    )


@sync_counted("signalement")
def problem_report(*, access: Access, op_id: uuid.UUID, data: dict, photos=(), location_suffix: str = "") -> dict:
    """« Signaler autre chose »: a new work request (channel « terrain »), once per UUID."""
    _require_field(access)
    previous = SyncOperation._base_manager.filter(pk=op_id).first()
    if previous is not None:
        return _replay(access, previous)
    try:
        building = get_building_for(access, data["building"]) if data.get("building") else None
        equipment = get_equipment_for(access, data["equipment"]) if data.get("equipment") else None
    except Http404:
        return _answer(op_id, REFUSED, _("Ce lieu n'est pas (ou plus) parmi ceux que vous pouvez voir."))
    location = " — ".join(part for part in ((data.get("location_text") or "").strip(), location_suffix) if part)
    try:
        with transaction.atomic():
            request = work_request_create(
                access=access,
                description=data["description"],
                urgency=data["urgency"],
                building=building,
                equipment=equipment,
                location_text=location,
                photos=photos,
                channel=WorkRequest.Channel.FIELD,
            )
            record = SyncOperation(
                id=op_id,
                organisation_id=request.organisation_id,
                user=access.user,
                kind=Kind.REQUEST,
                outcome=Outcome.APPLIED,
                message=_("Signalement %(ref)s enregistré.") % {"ref": request.reference},
                result={"request": str(request.pk), "reference": request.reference},
            )
            record.save(force_insert=True)
            return record.answer()
    except IntegrityError:
        previous = SyncOperation._base_manager.filter(pk=op_id).first()
        if previous is None:
            raise
        return _replay(access, previous)
    except DomainError as error:
        return _answer(op_id, REFUSED if isinstance(error, PermissionRefused) else INVALID, error.message)


# --- Signature -----------------------------------------------------------------------------------


def _signature_checked(image: bytes) -> None:
    try:
        with Image.open(io.BytesIO(image)) as picture:
            if picture.format != "PNG":
                raise DomainError(_("La signature doit être une image PNG."))
            if picture.width > 2000 or picture.height > 2000:
                raise DomainError(_("La signature est trop grande."))
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError(_("La signature est illisible.")) from exc


@transaction.atomic
def intervention_signature_save(
    *, access: Access, work_order: WorkOrder, signed_by_name: str, image: bytes
) -> InterventionReport:
    """Store the on-site signature (PNG drawn on the phone) on the order's intervention report.

    The report itself is written by `intervention_report_save` (role, closed order, version): this
    only adds the image once that service has accepted.
    """
    name = (signed_by_name or "").strip()
    if not name:
        raise DomainError(_("Indiquez le nom de la personne qui signe."))
    _signature_checked(image)
    current = work_order_report(work_order)
    report = intervention_report_save(
        access=access, work_order=work_order, notes=current.notes if current else "", signed_by_name=name
    )
    report.signature.save(f"{work_order.reference}-{uuid.uuid4().hex[:8]}.png", ContentFile(image), save=False)
    InterventionReport._base_manager.filter(pk=report.pk).update(signature=report.signature.name)
    audit_record(
        actor=access.user,
        action="work_order.report.signature",
        target=work_order,
        message=_("Signé par %(name)s") % {"name": name},
    )
    return report


# --- What was sent to which phone ----------------------------------------------------------------


def field_deliveries_record(*, access: Access, work_orders) -> None:
    """Remember that these orders went to this user's phone (one INSERT, existing pairs ignored)."""
    FieldDelivery._base_manager.bulk_create(
        [FieldDelivery(organisation_id=o.organisation_id, user=access.user, work_order=o) for o in work_orders],
        ignore_conflicts=True,
    )


# --- The team lead settles a conflict ------------------------------------------------------------

REINTEGRABLE = (Kind.TIME, Kind.MATERIAL, Kind.CHECKLIST, Kind.REPORT, Kind.SIGNATURE, Kind.PHOTO)


def _payload_data(conflict: OfflineConflict) -> dict:
    """The operation's data back from the stored payload (and attachment), in the appliers' shape."""
    form_class = OPERATION_FORMS.get(conflict.kind)
    data: dict = {}
    if form_class is not None and conflict.kind != Kind.SIGNATURE:
        form = form_class(conflict.payload)
        if not form.is_valid():
            raise DomainError(
                _("Le contenu de cette saisie ne peut pas être réintégré : %(why)s") % {"why": errors_text(form)}
            )
        data = dict(form.cleaned_data)
    if conflict.kind == Kind.SIGNATURE:
        with conflict.attachment.open("rb") as stored:
            data = {"signed_by_name": conflict.payload.get("signed_by_name", ""), "image": stored.read()}
    if conflict.kind == Kind.PHOTO:
        stored = conflict.attachment.open("rb")
        stored.name = conflict.attachment.name.rsplit("/", 1)[-1]
        data = {"file": stored, "title": conflict.payload.get("title") or ""}
    return data


@transaction.atomic
def offline_conflict_resolve(
    *, access: Access, conflict: OfflineConflict, decision: str, note: str = ""
) -> OfflineConflict:
    """Settle a kept entry: put it on the order now (« réintégrer », the order must be open again and
    accept it) or file it with a note (« classer »). Team leads, planners and admins of the order."""
    order = WorkOrder._base_manager.select_related("team", "organisation").get(pk=conflict.work_order_id)
    if not may_manage(access, order):
        raise PermissionRefused(_("Seul un responsable du bon peut régulariser cette saisie."))
    current = OfflineConflict._base_manager.select_for_update().get(pk=conflict.pk)
    if current.status != OfflineConflict.Status.OPEN:
        raise DomainError(_("Cette saisie a déjà été régularisée."))
    note = (note or "").strip()[:300]
    if decision == "reintegrer":
        if current.kind not in REINTEGRABLE:
            raise DomainError(_("Un changement de statut ne se réintègre pas : classez-le avec une note."))
        data = _payload_data(current)
        APPLIERS[current.kind](access, order, data, current.operation_id, current.technician)
        status = OfflineConflict.Status.REINTEGRATED
    elif decision == "classer":
        if not note:
            raise DomainError(_("Indiquez pourquoi cette saisie est classée sans être réintégrée."))
        status = OfflineConflict.Status.DISMISSED
    else:
        raise DomainError(_("Choisissez une décision."))
    fields = {"status": status, "resolved_by": access.user, "resolved_at": timezone.now(), "resolution_note": note}
    OfflineConflict._base_manager.filter(pk=current.pk).update(**fields)
    for name, value in fields.items():
        setattr(conflict, name, value)
    audit_record(
        actor=access.user,
        action="field.conflict.resolve",
        target=order,
        message=f"{conflict.summary} → {OfflineConflict.Status(status).label}",
        data={"conflict": str(conflict.pk), "decision": decision, "note": note},
    )
    return conflict
