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
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership, Team, Trade
from patrimoine.workorders.models import ChecklistItem, WorkOrder, WorkOrderTransition

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
    """May `access` do `action` (workorders.report|plan|validate) on this order? The one rule for all callers."""
    if access.can(action, work_order):
        if action == "workorders.report" and access.role == Membership.Role.TECHNICIAN:
            return work_order.team_id in access.team_ids or work_order.technicians.filter(pk=access.user.pk).exists()
        if action == "workorders.report" and access.role == Membership.Role.CONTRACTOR:
            return access.contractor_id is not None and work_order.contractor_id == access.contractor_id
        return True
    # A shared team works on orders owned by the communes it serves: its members act through the team.
    return (
        action in ("workorders.report", "workorders.validate", "workorders.plan")
        and access.has(action)
        and work_order.team_id is not None
        and work_order.team_id in access.team_ids
    )


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
    work_order.technicians.set(technicians)
    if previous != new_status:
        _record_transition(access, work_order, previous, new_status, "")
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
    save_with_version(work_order, expected_version=expected_version, fields=fields)
    label = str(WorkOrder.SuspensionReason(suspension_reason).label) if suspension_reason else ""
    _record_transition(access, work_order, previous, to_status, reason or label)
    return work_order


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
