"""Writes on work orders: creation, planning and the guarded status workflow.

Every function takes the acting user's `Access`, checks the role and the object's organisation,
runs in a transaction, records the transition and the audit row, and raises a DomainError with a
French message when refused — in which case nothing has changed.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record, reference_next, save_with_version
from patrimoine.documents.services import document_attach
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team, Trade
from patrimoine.portal.notify import citizen_notify_order
from patrimoine.reporting import rollups
from patrimoine.workorders.models import (
    ChecklistItem,
    InterventionReport,
    WorkOrder,
    WorkOrderTechnician,
    WorkOrderTransition,
)
from patrimoine.workorders.selectors import work_order_owned

Status = WorkOrder.Status

# Allowed moves: from → {to: action the role needs}.
TRANSITIONS: dict[str, dict[str, str]] = {
    Status.TO_PLAN: {Status.PLANNED: "workorders.plan", Status.CANCELLED: "workorders.plan"},
    Status.PLANNED: {
        Status.IN_PROGRESS: "workorders.report",
        Status.TO_PLAN: "workorders.plan",
        Status.CANCELLED: "workorders.plan",
    },
    Status.IN_PROGRESS: {
        Status.SUSPENDED: "workorders.report",
        Status.DONE: "workorders.report",
        Status.CANCELLED: "workorders.plan",
    },
    Status.SUSPENDED: {Status.IN_PROGRESS: "workorders.report", Status.CANCELLED: "workorders.plan"},
    Status.DONE: {Status.VALIDATED: "workorders.validate", Status.IN_PROGRESS: "workorders.validate"},
    Status.VALIDATED: {},
    Status.CANCELLED: {},
}


def allowed_transitions(access: Access, work_order: WorkOrder) -> list[str]:
    """The statuses this user may move the order to now (drives the buttons on the page)."""
    return [to for to, action in TRANSITIONS[work_order.status].items() if work_order_may(access, action, work_order)]


def work_order_may(access: Access, action: str, work_order: WorkOrder) -> bool:
    """May `access` do `action` (workorders.view|plan|report|validate) on this order? The one rule for all
    callers: the role has the verb, and stands to the order in a relation WORK_ORDER_OWNERSHIP grants."""
    if not access.has(action):
        return False
    return work_order_owned(access, work_order, "read" if action == "workorders.view" else "act")


def _require(access: Access, action: str, work_order: WorkOrder) -> None:
    if not work_order_may(access, action, work_order):
        raise PermissionRefused(_("Votre rôle ne permet pas cette action sur ce bon de travail."))


@transaction.atomic
def work_order_create(
    *,
    access: Access,
    organisation,
    title: str,
    trade: Trade,
    description: str = "",
    kind: str = WorkOrder.Kind.CORRECTIVE,
    priority: str = WorkOrder.Priority.NORMAL,
    site=None,
    building=None,
    space=None,
    equipment=None,
    location_text: str = "",
    due_date: date | None = None,
    checklist: list[str] | None = None,
) -> WorkOrder:
    """Create an order in « à planifier ». `organisation` owns it (where the cost lands)."""
    if not access.has("workorders.plan") or organisation.pk not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de créer un bon de travail pour cette collectivité."))
    for asset in (site, building, space, equipment):
        if asset is not None and asset.organisation_id != organisation.pk:
            raise DomainError(_("Le lieu choisi n'appartient pas à la collectivité du bon de travail."))
    if building is not None and site is None:
        site = building.site
    work_order = WorkOrder.objects.create(
        organisation=organisation,
        reference=reference_next(organisation=organisation, prefix="BT"),
        title=title.strip()[:200],
        description=description,
        kind=kind,
        trade=trade,
        priority=priority,
        site=site,
        building=building,
        space=space,
        equipment=equipment,
        location_text=location_text,
        due_date=due_date,
        created_by=access.user,
    )
    for position, label in enumerate(item.strip() for item in (checklist or []) if item.strip()):
        ChecklistItem.objects.create(
            organisation=organisation, work_order=work_order, label=label[:200], position=position
        )
    WorkOrderTransition.objects.create(
        organisation=organisation,
        work_order=work_order,
        from_status="",
        to_status=work_order.status,
        actor=access.user,
        reason=_("Création"),
    )
    rollups.track_new(orders=[work_order.pk])
    audit_record(actor=access.user, action="work_order.create", target=work_order, message=work_order.reference)
    return work_order


@transaction.atomic
def work_order_plan(
    *,
    access: Access,
    work_order: WorkOrder,
    expected_version: int,
    team: Team | None = None,
    technicians=(),
    contractor=None,
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    due_date: date | None = None,
) -> WorkOrder:
    """Assign a team (and technicians) or a contractor and a slot; moves « à planifier » to « planifié »."""
    _require(access, "workorders.plan", work_order)
    if work_order.status not in (Status.TO_PLAN, Status.PLANNED, Status.SUSPENDED):
        raise DomainError(
            _("Un bon « %(status)s » ne peut plus être planifié.") % {"status": work_order.get_status_display()}
        )
    if team is None and contractor is None:
        raise DomainError(_("Choisissez une équipe ou un prestataire."))
    if team is not None and not _team_serves(team, work_order.organisation_id):
        raise DomainError(_("L'équipe « %(team)s » n'intervient pas pour cette collectivité.") % {"team": team})
    if contractor is not None and contractor.organisation_id not in (
        work_order.organisation_id,
        team and team.organisation_id,
    ):
        raise DomainError(_("Ce prestataire n'est pas référencé par cette collectivité."))
    technicians = list(technicians)
    if technicians and team is None:
        raise DomainError(_("Choisissez l'équipe des techniciens."))
    member_ids = set(team.members.values_list("user_id", flat=True)) if team is not None else set()
    strangers = [t for t in technicians if t.pk not in member_ids]
    if strangers:
        raise DomainError(
            _("%(names)s ne fait pas partie de l'équipe « %(team)s ».")
            % {"names": ", ".join(str(t) for t in strangers), "team": team}
        )
    if planned_start and planned_end and planned_end < planned_start:
        raise DomainError(_("La fin prévue doit suivre le début prévu."))
    new_status = Status.PLANNED if work_order.status == Status.TO_PLAN else work_order.status
    previous = work_order.status
    with rollups.tracking(orders=[work_order.pk]):  # the due date counts for punctuality
        save_with_version(
            work_order,
            expected_version=expected_version,
            fields={
                "team": team,
                "contractor": contractor,
                "planned_start": planned_start,
                "planned_end": planned_end,
                "due_date": due_date if due_date is not None else work_order.due_date,
                "status": new_status,
            },
        )
    # Each named technician's row carries the order's organisation (distributed with the order).
    work_order.technicians.set(technicians, through_defaults=WorkOrderTechnician.defaults_for(work_order))
    if previous != new_status:
        _record_transition(access, work_order, previous, new_status, "")
        citizen_notify_order(work_order, "planned")  # citizens of the portal and the counter
    audit_record(
        actor=access.user,
        action="work_order.plan",
        target=work_order,
        data={
            "team": str(team.pk) if team else None,
            "technicians": [t.pk for t in technicians],
            "planned_start": planned_start.isoformat() if planned_start else None,
        },
    )
    return work_order


def _team_serves(team: Team, organisation_id: int) -> bool:
    return team.organisation_id == organisation_id or team.served_organisations.filter(pk=organisation_id).exists()


@transaction.atomic
def work_order_transition(
    *,
    access: Access,
    work_order: WorkOrder,
    to_status: str,
    expected_version: int,
    reason: str = "",
    suspension_reason: str = "",
) -> WorkOrder:
    """Move the order along the workflow, if the move and the role allow it."""
    previous = work_order.status
    action = TRANSITIONS[previous].get(to_status)
    if action is None:
        raise DomainError(
            _("Impossible de passer un bon « %(from)s » à « %(to)s ».")
            % {
                "from": Status(previous).label,
                "to": Status(to_status).label if to_status in Status.values else to_status,
            }
        )
    _require(access, action, work_order)
    reason = reason.strip()
    fields: dict = {"status": to_status}
    now = timezone.now()
    if to_status == Status.SUSPENDED:
        if suspension_reason not in WorkOrder.SuspensionReason.values:
            raise DomainError(_("Indiquez pourquoi le bon est suspendu (pièces, accès ou prestataire)."))
        fields["suspension_reason"] = suspension_reason
    else:
        fields["suspension_reason"] = ""
    if to_status == Status.CANCELLED and not reason:
        raise DomainError(_("Indiquez le motif de l'annulation."))
    if previous == Status.DONE and to_status == Status.IN_PROGRESS and not reason:
        raise DomainError(_("Indiquez ce qui manque pour valider : le technicien le verra."))
    if to_status == Status.IN_PROGRESS and work_order.started_at is None:
        fields["started_at"] = now
    if to_status == Status.DONE:
        fields["completed_at"] = now
    if to_status == Status.VALIDATED:
        fields["validated_at"] = now
        fields["validated_by"] = access.user
    # Completion, cancellation and validation (with the order's frozen cost) move the dashboards.
    with rollups.tracking(orders=[work_order.pk]):
        save_with_version(work_order, expected_version=expected_version, fields=fields)
        label = str(WorkOrder.SuspensionReason(suspension_reason).label) if suspension_reason else ""
        _record_transition(access, work_order, previous, to_status, reason or label)
    if to_status in CITIZEN_EVENTS:
        citizen_notify_order(work_order, CITIZEN_EVENTS[to_status])  # citizens of the portal and the counter
    return work_order


CITIZEN_EVENTS = {Status.PLANNED: "planned", Status.DONE: "done"}


def _record_transition(access: Access, work_order: WorkOrder, previous: str, new: str, reason: str) -> None:
    WorkOrderTransition.objects.create(
        organisation_id=work_order.organisation_id,
        work_order=work_order,
        from_status=previous,
        to_status=new,
        actor=access.user,
        reason=reason[:300],
    )
    audit_record(
        actor=access.user,
        action="work_order.transition",
        target=work_order,
        message=f"{previous} → {new}",
        data={"from": previous, "to": new, "reason": reason},
    )


# --- Editing, checklist, report and photos -----------------------------------------------------

CLOSED_STATUSES = (Status.VALIDATED, Status.CANCELLED)
UPDATABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "kind",
        "trade",
        "priority",
        "due_date",
        "site",
        "building",
        "space",
        "equipment",
        "location_text",
    }
)


def _refuse_if_closed(work_order: WorkOrder, message: str) -> None:
    if work_order.status in CLOSED_STATUSES:
        raise DomainError(message % {"status": work_order.get_status_display()})


def _place_checked(work_order: WorkOrder, values: dict) -> dict:
    """Complete and check the place (site › building › space, equipment) of an order being edited."""
    site, building, space, equipment = (values[k] for k in ("site", "building", "space", "equipment"))
    for asset in (site, building, space, equipment):
        if asset is not None and asset.organisation_id != work_order.organisation_id:
            raise DomainError(_("Le lieu choisi n'appartient pas à la collectivité du bon de travail."))
    if equipment is not None and building is None and equipment.building_id is not None:
        building = equipment.building
    if equipment is not None and building is not None and equipment.building_id not in (None, building.pk):
        raise DomainError(_("L'équipement « %(equipment)s » n'est pas dans ce bâtiment.") % {"equipment": equipment})
    if space is not None and building is not None and space.level.building_id != building.pk:
        raise DomainError(_("Le local « %(space)s » n'est pas dans ce bâtiment.") % {"space": space})
    if building is not None:
        site = building.site
    elif equipment is not None:
        site = equipment.site
    return {"site": site, "building": building, "space": space, "equipment": equipment}


@transaction.atomic
def work_order_update(*, access: Access, work_order: WorkOrder, expected_version: int, **fields) -> WorkOrder:
    """Change what the order is about (title, description, trade, priority, due date, place).

    Only planners (`workorders.plan`) may, never on a closed order, and only if nobody saved the
    order since `expected_version` was read (optimistic locking).
    """
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"work_order_update() does not change {', '.join(sorted(unknown))}")
    _require(access, "workorders.plan", work_order)
    _refuse_if_closed(work_order, _("Un bon « %(status)s » ne peut plus être modifié."))
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()[:200]
        if not fields["title"]:
            raise DomainError(_("Donnez un intitulé au bon de travail."))
    if "priority" in fields and fields["priority"] not in WorkOrder.Priority.values:
        raise DomainError(_("Priorité inconnue."))
    if "kind" in fields and fields["kind"] not in WorkOrder.Kind.values:
        raise DomainError(_("Nature d'intervention inconnue."))
    if "trade" in fields and fields["trade"] is None:
        raise DomainError(_("Choisissez le corps de métier."))
    place_keys = ("site", "building", "space", "equipment")
    if any(key in fields for key in place_keys):
        current = {key: fields.get(key, getattr(work_order, key)) for key in place_keys}
        fields.update(_place_checked(work_order, current))
    changed = sorted(name for name, value in fields.items() if getattr(work_order, name) != value)
    with rollups.tracking(orders=[work_order.pk]):  # trade, place and due date key the dashboards
        save_with_version(work_order, expected_version=expected_version, fields=fields)
    audit_record(
        actor=access.user,
        action="work_order.update",
        target=work_order,
        message=work_order.reference,
        data={"fields": changed},
    )
    return work_order


def _touch(work_order: WorkOrder, expected_version: int | None) -> None:
    """Bump the order's version (its checklist, report or photos changed), refusing a stale copy."""
    save_with_version(
        work_order,
        expected_version=work_order.version if expected_version is None else expected_version,
        fields={},
    )


@transaction.atomic
def checklist_item_toggle(
    *, access: Access, item: ChecklistItem, done: bool, expected_version: int | None = None
) -> ChecklistItem:
    """Tick (or untick) a checklist point of an order the user reports on."""
    work_order = item.work_order
    _require(access, "workorders.report", work_order)
    _refuse_if_closed(work_order, _("Ce bon est « %(status)s » : sa liste de contrôle ne change plus."))
    _touch(work_order, expected_version)
    fields = {"done": bool(done), "done_by": access.user if done else None, "done_at": timezone.now() if done else None}
    ChecklistItem._base_manager.filter(pk=item.pk).update(**fields)
    for name, value in fields.items():
        setattr(item, name, value)
    audit_record(
        actor=access.user,
        action="work_order.checklist",
        target=work_order,
        message=f"{'☑' if done else '☐'} {item.label}",
        data={"item": str(item.pk), "done": bool(done)},
    )
    return item


@transaction.atomic
def intervention_report_save(
    *,
    access: Access,
    work_order: WorkOrder,
    notes: str,
    signed_by_name: str,
    expected_version: int | None = None,
) -> InterventionReport:
    """Write the compte rendu (what was done, who signed on site): created on first save, then updated."""
    _require(access, "workorders.report", work_order)
    _refuse_if_closed(work_order, _("Ce bon est « %(status)s » : son compte rendu ne peut plus être modifié."))
    _touch(work_order, expected_version)
    report, created = InterventionReport.objects.update_or_create(
        work_order=work_order,
        defaults={
            "organisation_id": work_order.organisation_id,
            "notes": notes.strip(),
            "signed_by_name": signed_by_name.strip()[:150],
            "submitted_by": access.user,
            "submitted_at": timezone.now(),
        },
    )
    audit_record(
        actor=access.user,
        action="work_order.report.create" if created else "work_order.report.update",
        target=work_order,
        message=work_order.reference,
    )
    return report


@transaction.atomic
def work_order_photo_attach(
    *, access: Access, work_order: WorkOrder, uploaded, title: str = "", expected_version: int | None = None
):
    """Attach a photo or PDF to the order (checked by `document_attach`); refused on a closed order."""
    if not (
        work_order_may(access, "workorders.report", work_order) or work_order_may(access, "workorders.plan", work_order)
    ):
        raise PermissionRefused(_("Votre rôle ne permet pas cette action sur ce bon de travail."))
    _refuse_if_closed(work_order, _("Ce bon est « %(status)s » : on ne peut plus y joindre de fichier."))
    _touch(work_order, expected_version)
    return document_attach(actor=access.user, target=work_order, uploaded=uploaded, title=title)
