"""Writes on cost lines: time entries, materials, external costs, labour rates.

Every add/remove checks the role through `work_order_may` (the one order-level rule), refuses a
closed order, runs in a transaction that locks the order row (so a validation cannot slip in
between the check and the write), writes the audit row and ends with `work_order_recompute_costs`,
which sums the lines with database aggregates (never read-modify-write in Python).

A line sent twice with the same `client_uuid` (the offline field app replays what it is not sure
was received) returns the first line and changes nothing.
"""

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.core.templatetags.formatting import format_hours
from patrimoine.costs.models import CostLine, ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team, TeamMember, Trade
from patrimoine.organisations.permissions import COST_LINE_REMOVAL, Owns
from patrimoine.stock import services as stock_services
from patrimoine.stock.selectors import catalogue_organisation_ids
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_may

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_HOURS = Decimal("24")
CLOSED_STATUSES = (WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED)


def money(value: Decimal) -> Decimal:
    """Round to the cent, half-up (the rule of French public accounting)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def work_order_recompute_costs(*, work_order: WorkOrder) -> WorkOrder:
    """Set the order's labour, material, external and total costs from its lines (to the cent)."""

    def total(model) -> Decimal:
        return (
            model._base_manager.filter(work_order_id=work_order.pk)
            .aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
            .quantize(CENT)
        )

    labour, material, external = total(TimeEntry), total(MaterialLine), total(ExternalCost)
    fields = {
        "labour_cost": labour,
        "material_cost": material,
        "external_cost": external,
        "total_cost": labour + material + external,
    }
    WorkOrder._base_manager.filter(pk=work_order.pk).update(**fields)
    for name, value in fields.items():
        setattr(work_order, name, value)
    return work_order


# --- Guards shared by every write --------------------------------------------------------------


def may_report(access: Access, work_order: WorkOrder) -> bool:
    """May log time and materials on this order (technician of its team, lead, admin…)."""
    return work_order_may(access, "workorders.report", work_order)


def may_manage(access: Access, work_order: WorkOrder) -> bool:
    """May add external costs and remove anybody's line (the roles that plan or validate)."""
    return work_order_may(access, "workorders.plan", work_order) or work_order_may(
        access, "workorders.validate", work_order
    )


def _lock_open(work_order: WorkOrder) -> None:
    """Lock the order row for the transaction and refuse if it is closed (read fresh, not from memory)."""
    status = (
        WorkOrder._base_manager.select_for_update().filter(pk=work_order.pk).values_list("status", flat=True).first()
    )
    if status is None:
        raise DomainError(_("Ce bon de travail n'existe plus."))
    work_order.status = status
    if status in CLOSED_STATUSES:
        raise DomainError(_("Ce bon de travail est clos : ses coûts ne peuvent plus changer."))


def _replayed(model: type[CostLine], client_uuid, work_order: WorkOrder) -> CostLine | None:
    """The line already received with this client identifier, if any."""
    if client_uuid is None:
        return None
    existing = model._base_manager.filter(client_uuid=client_uuid).first()
    if existing is not None and existing.work_order_id != work_order.pk:
        raise DomainError(_("Cet identifiant d'envoi est déjà utilisé par une autre saisie."))
    return existing


def _as_uuid(value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise DomainError(_("Identifiant d'envoi invalide.")) from exc


def _decimal(value, message: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError(message) from exc
    if not number.is_finite():
        raise DomainError(message)
    return number


def _create_once(model: type[CostLine], work_order: WorkOrder, **fields) -> tuple[CostLine, bool]:
    """Create the line; if a concurrent replay inserted the same client_uuid first, return that one."""
    client_uuid = fields.get("client_uuid")
    try:
        with transaction.atomic():
            return model._base_manager.create(work_order=work_order, **fields), True
    except IntegrityError:
        existing = _replayed(model, client_uuid, work_order)
        if existing is None:
            raise
        return existing, False


# --- Labour rates --------------------------------------------------------------------------------


def labour_rate_for(*, organisation_id: int, grade: str, trade: Trade | None, year: int) -> LabourRate | None:
    """The employer's rate for this grade and trade this year, else the same grade for every trade."""
    rates = LabourRate._base_manager.filter(organisation_id=organisation_id, year=year, grade=grade)
    if trade is not None:
        exact = rates.filter(trade=trade).first()
        if exact is not None:
            return exact
    return rates.filter(trade__isnull=True).first()


def _team_member_for(access: Access, work_order: WorkOrder, technician) -> TeamMember:
    """The technician's team membership that sets his rate on this order (or a French refusal)."""
    if work_order.team_id is not None:
        member = (
            TeamMember.objects.filter(team_id=work_order.team_id, user=technician)
            .select_related("team", "trade")
            .first()
        )
        if member is None:
            raise DomainError(
                _("%(name)s ne fait pas partie de l'équipe « %(team)s » de ce bon.")
                % {"name": technician, "team": work_order.team}
            )
        return member
    if not work_order_may(access, "workorders.plan", work_order):
        raise PermissionRefused(_("Ce bon n'a pas d'équipe : seul un responsable peut saisir du temps."))
    member = (
        TeamMember.objects.filter(user=technician, team__in=_teams_serving(work_order.organisation_id))
        .select_related("team", "trade")
        .order_by("team__name")
        .first()
    )
    if member is None:
        raise DomainError(
            _("%(name)s n'est membre d'aucune équipe qui intervient pour cette collectivité.") % {"name": technician}
        )
    return member


def _teams_serving(organisation_id: int):
    """Teams of the organisation or serving it (shared teams), read across the scope on purpose."""
    return Team._base_manager.filter(organisation_id=organisation_id) | Team._base_manager.filter(
        served_organisations__id=organisation_id
    )


# --- Time entries --------------------------------------------------------------------------------


@transaction.atomic
def time_entry_add(
    *,
    access: Access,
    work_order: WorkOrder,
    technician,
    date: dt.date,
    hours,
    client_uuid=None,
) -> TimeEntry:
    """Record `hours` of `technician` on the order, valued at his employer's loaded rate of that year."""
    if not may_report(access, work_order):
        raise PermissionRefused(_("Votre rôle ne permet pas de saisir du temps sur ce bon de travail."))
    client_uuid = _as_uuid(client_uuid)
    existing = _replayed(TimeEntry, client_uuid, work_order)
    if existing is not None:
        return existing
    _lock_open(work_order)
    hours = _decimal(hours, _("Le temps saisi doit être compris entre 0,01 et 24 heures.")).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    if hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_("Le temps saisi doit être compris entre 0,01 et 24 heures."))
    if date > timezone.localdate():
        raise DomainError(_("La date du temps passé ne peut pas être dans le futur."))
    if not may_manage(access, work_order) and technician.pk != access.user.pk:
        raise PermissionRefused(_("Vous ne pouvez saisir que votre propre temps."))
    member = _team_member_for(access, work_order, technician)
    already = TimeEntry._base_manager.filter(technician=technician, date=date).aggregate(
        s=Coalesce(Sum("hours"), ZERO)
    )["s"]
    if already + hours > MAX_HOURS:
        raise DomainError(
            _("%(name)s a déjà %(hours)s saisies le %(date)s : au plus 24 heures par jour.")
            % {"name": technician, "hours": format_hours(already), "date": date.strftime("%d/%m/%Y")}
        )
    rate = labour_rate_for(
        organisation_id=member.team.organisation_id, grade=member.grade, trade=member.trade, year=date.year
    )
    if rate is None:
        raise DomainError(
            _(
                "Aucun taux horaire n'est défini pour %(grade)s, %(trade)s en %(year)s : "
                "demandez à l'administrateur de le saisir."
            )
            % {
                "grade": member.get_grade_display(),
                "trade": member.trade.name.lower() if member.trade else _("sans métier"),
                "year": date.year,
            }
        )
    entry, created = _create_once(
        TimeEntry,
        work_order,
        organisation_id=work_order.organisation_id,
        technician=technician,
        date=date,
        hours=hours,
        hourly_rate=rate.hourly_rate,
        amount=money(hours * rate.hourly_rate),
        client_uuid=client_uuid,
        created_by=access.user,
    )
    if created:
        audit_record(
            actor=access.user,
            action="work_order.time_add",
            target=work_order,
            message=f"{technician} {hours} h × {rate.hourly_rate} € = {entry.amount} €",
            data={"line": str(entry.pk), "technician": technician.pk, "hours": str(hours), "amount": str(entry.amount)},
        )
        work_order_recompute_costs(work_order=work_order)
    return entry


# --- Materials -----------------------------------------------------------------------------------


@transaction.atomic
def material_line_add(
    *,
    access: Access,
    work_order: WorkOrder,
    item=None,
    label: str = "",
    quantity,
    unit_cost=None,
    unit: str = "",
    client_uuid=None,
    store=None,
) -> MaterialLine:
    """Record material used: a catalogue item at its current CUMP, or a free label at a given unit cost.

    With a `store`, the item leaves that store in the same transaction (a stock issue at the CUMP,
    refused when the store holds too little): the line's unit cost is the issue's."""
    if not may_report(access, work_order):
        raise PermissionRefused(_("Votre rôle ne permet pas de saisir du matériel sur ce bon de travail."))
    client_uuid = _as_uuid(client_uuid)
    existing = _replayed(MaterialLine, client_uuid, work_order)
    if existing is not None:
        return existing
    _lock_open(work_order)
    quantity = _decimal(quantity, _("Indiquez une quantité positive.")).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )
    if quantity <= 0:
        raise DomainError(_("Indiquez une quantité positive."))
    if store is not None and item is None:
        raise DomainError(_("Choisissez un article du catalogue pour une sortie de magasin."))
    if item is not None:
        if item.organisation_id not in catalogue_organisation_ids(work_order):
            raise DomainError(_("Cet article n'appartient pas au catalogue utilisable pour ce bon."))
        if not item.is_active:
            raise DomainError(_("Cet article n'est plus au catalogue."))
        if store is not None:
            item = stock_services.lock_item(item)  # the CUMP the goods leave at, held until commit
        label, unit, unit_cost = item.label, item.unit, item.unit_cost
    else:
        label = (label or "").strip()
        if not label:
            raise DomainError(_("Choisissez un article du catalogue ou saisissez une désignation."))
        if unit_cost in (None, ""):
            raise DomainError(_("Indiquez le coût unitaire de cet article hors catalogue."))
        unit_cost = _decimal(unit_cost, _("Le coût unitaire doit être un montant positif ou nul.")).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        if unit_cost < 0:
            raise DomainError(_("Le coût unitaire doit être un montant positif ou nul."))
        unit = (unit or "u").strip()[:20]
    line, created = _create_once(
        MaterialLine,
        work_order,
        organisation_id=work_order.organisation_id,
        item=item,
        label=label[:200],
        quantity=quantity,
        unit=unit,
        unit_cost=unit_cost,
        amount=money(quantity * unit_cost),
        client_uuid=client_uuid,
        created_by=access.user,
    )
    if created and store is not None:
        stock_services.stock_issue(
            access=access, store=store, item=item, quantity=quantity, work_order=work_order, material_line_id=line.pk
        )
    if created:
        audit_record(
            actor=access.user,
            action="work_order.material_add",
            target=work_order,
            message=f"{label} × {quantity} = {line.amount} €",
            data={"line": str(line.pk), "item": str(item.pk) if item else None, "amount": str(line.amount)},
        )
        work_order_recompute_costs(work_order=work_order)
    return line


# --- External costs ------------------------------------------------------------------------------


@transaction.atomic
def external_cost_add(
    *,
    access: Access,
    work_order: WorkOrder,
    description: str,
    amount,
    contractor=None,
    invoice_reference: str = "",
    client_uuid=None,
) -> ExternalCost:
    """Record a contractor's line (invoice) on the order. Team leads, managers and admins only."""
    if not may_manage(access, work_order):
        raise PermissionRefused(_("Votre rôle ne permet pas de saisir une prestation externe sur ce bon."))
    client_uuid = _as_uuid(client_uuid)
    existing = _replayed(ExternalCost, client_uuid, work_order)
    if existing is not None:
        return existing
    _lock_open(work_order)
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Indiquez l'objet de la prestation."))
    amount = money(_decimal(amount, _("Le montant doit être positif.")))
    if amount <= 0:
        raise DomainError(_("Le montant doit être positif."))
    if contractor is not None and contractor.organisation_id not in catalogue_organisation_ids(work_order):
        raise DomainError(_("Ce prestataire n'est pas référencé par cette collectivité."))
    line, created = _create_once(
        ExternalCost,
        work_order,
        organisation_id=work_order.organisation_id,
        description=description[:200],
        amount=amount,
        contractor=contractor,
        invoice_reference=(invoice_reference or "").strip()[:60],
        client_uuid=client_uuid,
        created_by=access.user,
    )
    if created:
        audit_record(
            actor=access.user,
            action="work_order.external_add",
            target=work_order,
            message=f"{description} = {amount} €",
            data={"line": str(line.pk), "contractor": str(contractor.pk) if contractor else "", "amount": str(amount)},
        )
        work_order_recompute_costs(work_order=work_order)
    return line


# --- Removal -------------------------------------------------------------------------------------


def may_remove(access: Access, line: CostLine, work_order: WorkOrder) -> bool:
    """COST_LINE_REMOVAL (organisations/permissions.py): those who plan or validate the order remove any
    line; those who only report on it, the time or material they entered themselves (Owns.MINE)."""
    for action, reach in COST_LINE_REMOVAL.items():
        if not work_order_may(access, action, work_order):
            continue
        if reach == "any":
            return True
        if reach == Owns.MINE and not isinstance(line, ExternalCost):
            mine = line.created_by_id == access.user.pk
            if isinstance(line, TimeEntry):
                mine = mine or line.technician_id == access.user.pk
            if mine:
                return True
    return False


@transaction.atomic
def cost_line_remove(*, access: Access, line: CostLine) -> WorkOrder:
    """Remove a time entry, material line or external cost from an open order."""
    work_order = WorkOrder._base_manager.select_related("team").get(pk=line.work_order_id)
    if not may_remove(access, line, work_order):
        raise PermissionRefused(_("Votre rôle ne permet pas de retirer cette ligne."))
    _lock_open(work_order)
    kind = line._meta.model_name
    data = {"line": str(line.pk), "kind": kind, "amount": str(line.amount)}
    description = str(getattr(line, "label", "") or getattr(line, "description", "") or line._meta.verbose_name)
    if isinstance(line, MaterialLine):
        stock_services.stock_return_material_line(access=access, material_line=line)
    type(line)._base_manager.filter(pk=line.pk).delete()
    audit_record(
        actor=access.user,
        action="work_order.cost_remove",
        target=work_order,
        message=f"{description} ({line.amount} €)",
        data=data,
    )
    return work_order_recompute_costs(work_order=work_order)


@transaction.atomic
def labour_rate_save(*, access: Access, year: int, grade: str, trade: Trade | None, hourly_rate) -> LabourRate:
    """Set the loaded hourly rate of the active organisation's agents (creates or replaces).

    Entries already recorded keep the rate they were valued at: they store their own copy.
    """
    organisation = access.organisation
    if organisation is None or not access.has("organisations.manage"):
        raise PermissionRefused(_("Seul l'administrateur de la collectivité peut fixer les taux horaires."))
    if grade not in TeamMember.Grade.values:
        raise DomainError(_("Choisissez un grade."))
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("Indiquez une année valide."))
    hourly_rate = money(_decimal(hourly_rate, _("Le taux horaire doit être un montant positif.")))
    if hourly_rate <= 0:
        raise DomainError(_("Le taux horaire doit être un montant positif."))
    rate = LabourRate._base_manager.filter(organisation=organisation, year=year, grade=grade, trade=trade).first()
    previous = rate.hourly_rate if rate else None
    if rate is None:
        rate = LabourRate._base_manager.create(
            organisation=organisation, year=year, grade=grade, trade=trade, hourly_rate=hourly_rate
        )
    else:
        LabourRate._base_manager.filter(pk=rate.pk).update(hourly_rate=hourly_rate, updated_at=timezone.now())
        rate.hourly_rate = hourly_rate
    audit_record(
        actor=access.user,
        action="labour_rate.save",
        target=rate,
        message=f"{year} {grade} {trade or '*'} : {previous} → {hourly_rate}",
        data={"previous": str(previous) if previous is not None else None, "rate": str(hourly_rate)},
    )
    return rate
