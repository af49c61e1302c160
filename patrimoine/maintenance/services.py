"""Writes of preventive maintenance: plans (create, change — which reschedules — archive), applying
the statutory catalogue to a building, meter readings, inspection reports, findings, preferences.

Each function takes the acting user's `Access`, checks the role and the organisation, validates,
runs in a transaction, writes the audit row and raises a DomainError with a French message when it
refuses — in which case nothing has changed. Work orders are only ever created or changed through
`patrimoine.workorders.services`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record, save_with_version
from patrimoine.documents.services import document_attach, upload_check
from patrimoine.organisations.access import Access
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_create, work_order_transition, work_order_update

from . import generation
from .models import (
    Finding,
    GenerationRun,
    MaintenancePlan,
    MeterReading,
    NotificationPreference,
    Occurrence,
    StatutoryCheck,
    new_calendar_token,
)
from .recurrence import PARIS, approximate_period_days, occurrences_between, rule_validate

Target = MaintenancePlan.Target
Trigger = MaintenancePlan.Trigger
NOT_STARTED = (WorkOrder.Status.TO_PLAN, WorkOrder.Status.PLANNED)
INSPECTED = (WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.DONE, WorkOrder.Status.VALIDATED)
CENT = Decimal("0.01")
SCHEDULE_FIELDS = ("trigger", "rrule", "dtstart", "lead_days")
PLAN_FIELDS = frozenset(
    {
        "name",
        "description",
        "building",
        "equipment",
        "category",
        "statutory_check",
        "trigger",
        "rrule",
        "dtstart",
        "lead_days",
        "meter_unit",
        "meter_every",
        "meter_origin",
        "meter_lead",
        "checklist",
        "trade",
        "team",
        "contractor",
        "priority",
        "estimated_hours",
        "estimated_cost",
    }
)
DEFAULTS = {
    "description": "",
    "building": None,
    "equipment": None,
    "category": None,
    "statutory_check": None,
    "trigger": Trigger.CALENDAR,
    "rrule": "",
    "dtstart": None,
    "lead_days": 30,
    "meter_unit": "",
    "meter_every": None,
    "meter_origin": Decimal("0"),
    "meter_lead": Decimal("0"),
    "checklist": "",
    "team": None,
    "contractor": None,
    "priority": WorkOrder.Priority.NORMAL,
    "estimated_hours": None,
    "estimated_cost": None,
}


def _require_manage(access: Access, organisation_id) -> None:
    if not access.has("maintenance.manage") or organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de gérer la maintenance préventive de cette collectivité."))


def local_start(day: date, at: time = time(8, 0)) -> datetime:
    """A due date at 08:00 Europe/Paris (the default hour of plans)."""
    return datetime.combine(day, at, tzinfo=PARIS)


# --- Plans -------------------------------------------------------------------------------------


def _plan_checked(organisation, values: dict, *, today: date) -> dict:
    """Validate and complete a plan's fields (target derived from what is given). Raises DomainError."""
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()[:200]
    if not values["name"]:
        raise DomainError(_("Donnez un intitulé au plan."))
    equipment, building, category = values["equipment"], values["building"], values["category"]
    for asset in (equipment, building):
        if asset is not None and asset.organisation_id != organisation.pk:
            raise DomainError(_("Le lieu choisi n'appartient pas à la collectivité du plan."))
    if equipment is not None:
        if building is not None and equipment.building_id not in (None, building.pk):
            message = _("L'équipement « %(equipment)s » n'est pas dans ce bâtiment.")
            raise DomainError(message % {"equipment": equipment})
        values["target"] = Target.EQUIPMENT
        values["building"] = equipment.building
        values["category"] = None
    elif category is not None:
        values["target"] = Target.CATEGORY
    elif building is not None:
        values["target"] = Target.BUILDING
    else:
        raise DomainError(_("Choisissez un bâtiment, un équipement ou une catégorie d'équipement."))
    if values["trade"] is None:
        raise DomainError(_("Choisissez le corps de métier."))
    team, contractor = values["team"], values["contractor"]
    if team is not None and contractor is not None:
        raise DomainError(_("Confiez le plan à une équipe ou à un prestataire, pas aux deux."))
    if team is not None and not (
        team.organisation_id == organisation.pk or team.served_organisations.filter(pk=organisation.pk).exists()
    ):
        raise DomainError(_("L'équipe « %(team)s » n'intervient pas pour cette collectivité.") % {"team": team})
    if contractor is not None and contractor.organisation_id != organisation.pk:
        raise DomainError(_("Ce prestataire n'est pas référencé par cette collectivité."))
    check = values["statutory_check"]
    if check is not None and not check.is_active:
        raise DomainError(_("Ce contrôle ne figure plus au catalogue."))
    if values["priority"] not in WorkOrder.Priority.values:
        raise DomainError(_("Priorité inconnue."))
    lead = values["lead_days"]
    if lead is None or not 0 <= int(lead) <= 365:
        raise DomainError(_("Le délai de préparation va de 0 à 365 jours."))
    values["lead_days"] = int(lead)
    for name in ("estimated_hours", "estimated_cost"):
        if values[name] is not None:
            if values[name] < 0:
                raise DomainError(_("Les estimations ne peuvent pas être négatives."))
            values[name] = Decimal(values[name]).quantize(CENT)
    if values["trigger"] == Trigger.CALENDAR:
        values["rrule"] = rule_validate(values["rrule"])
        if values["dtstart"] is None:
            raise DomainError(_("Indiquez la date de la première échéance."))
        if timezone.localtime(values["dtstart"]).date() < today - timedelta(days=5 * 366):
            raise DomainError(_("La première échéance ne peut pas remonter à plus de cinq ans."))
        values.update(meter_unit="", meter_every=None, meter_origin=Decimal("0"), meter_lead=Decimal("0"))
    elif values["trigger"] == Trigger.METER:
        values["meter_unit"] = (values["meter_unit"] or "").strip()[:40]
        if not values["meter_unit"]:
            raise DomainError(_("Indiquez l'unité du compteur (heures de marche, cycles…)."))
        if values["meter_every"] is None or values["meter_every"] <= 0:
            raise DomainError(_("Indiquez tous les combien d'unités l'entretien est dû."))
        values["meter_origin"] = values["meter_origin"] or Decimal("0")
        values["meter_lead"] = values["meter_lead"] or Decimal("0")
        if values["meter_origin"] < 0 or values["meter_lead"] < 0 or values["meter_lead"] >= values["meter_every"]:
            raise DomainError(_("L'avance doit être positive et inférieure à l'intervalle du compteur."))
        values.update(rrule="", dtstart=None)
    else:
        raise DomainError(_("Déclenchement inconnu."))
    if check is not None and building is not None and values["target"] != Target.EQUIPMENT:
        duplicate = MaintenancePlan.objects.filter(
            building=values["building"], statutory_check=check, is_active=True, equipment__isnull=True
        )
        if values.get("pk") is not None:
            duplicate = duplicate.exclude(pk=values["pk"])
        if duplicate.exists():
            raise DomainError(
                _("Le contrôle « %(check)s » est déjà planifié pour ce bâtiment.") % {"check": check.label}
            )
    values.pop("pk", None)
    return values


@transaction.atomic
def plan_create(*, access: Access, organisation, today: date | None = None, **fields) -> MaintenancePlan:
    """Create a plan and schedule it at once (its next due dates, and the orders already due)."""
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise TypeError(f"plan_create() does not take {', '.join(sorted(unknown))}")
    _require_manage(access, organisation.pk)
    today = today or timezone.localdate()
    values = _plan_checked(organisation, {**DEFAULTS, **fields}, today=today)
    plan = MaintenancePlan.objects.create(organisation=organisation, created_by=_user(access), **values)
    audit_record(actor=access.user, action="maintenance_plan.create", target=plan, message=plan.name)
    generation.generate_due(today=today, plan_ids=[plan.pk])
    return plan


@transaction.atomic
def plan_update(
    *, access: Access, plan: MaintenancePlan, expected_version: int, today: date | None = None, **fields
) -> MaintenancePlan:
    """Change a plan. A changed rule, first date or lead time reschedules the future occurrences
    whose work has not started (orders « à planifier » or « planifié »); the others stay."""
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise TypeError(f"plan_update() does not take {', '.join(sorted(unknown))}")
    _require_manage(access, plan.organisation_id)
    if not plan.is_active:
        raise DomainError(_("Ce plan est archivé : il ne peut plus être modifié."))
    today = today or timezone.localdate()
    current = {name: getattr(plan, name) for name in PLAN_FIELDS}
    values = _plan_checked(plan.organisation, {**current, **fields, "pk": plan.pk}, today=today)
    changed = sorted(name for name, value in values.items() if getattr(plan, name) != value)
    reschedule = any(name in changed for name in SCHEDULE_FIELDS)
    save_with_version(plan, expected_version=expected_version, fields=values)
    moved = cancelled = 0
    if reschedule:
        moved, cancelled = _reschedule(access, plan, today)
    audit_record(
        actor=access.user,
        action="maintenance_plan.update",
        target=plan,
        message=plan.name,
        data={"fields": changed, "moved": moved, "cancelled": cancelled},
    )
    generation.generate_due(today=today, plan_ids=[plan.pk])
    return plan


def _pending(plan: MaintenancePlan, today: date):
    """Future occurrences of the plan whose work has not started."""
    return (
        Occurrence.objects.filter(plan=plan, due_on__gte=today)
        .filter(Q(work_order__isnull=True) | Q(work_order__status__in=NOT_STARTED))
        .select_related("work_order")
        .order_by("due_on")
    )


def _reschedule(access: Access, plan: MaintenancePlan, today: date) -> tuple[int, int]:
    """Move the plan's not-started future occurrences onto its new dates (their orders keep their
    number and team, with the new due date); cancel the orders left over; forget the bare forecasts."""
    pending = list(_pending(plan, today))
    Occurrence.objects.filter(pk__in=[o.pk for o in pending if o.work_order_id is None]).delete()
    with_orders = [o for o in pending if o.work_order_id is not None]
    kept = set(
        Occurrence.objects.filter(plan=plan, due_on__gte=today)
        .exclude(pk__in=[o.pk for o in with_orders])
        .values_list("due_on", flat=True)
    )
    until = today + timedelta(days=generation.HORIZON_DAYS)
    new_dates: list[datetime] = []
    if plan.trigger == Trigger.CALENDAR:
        new_dates = [d for d in occurrences_between(plan.rrule, plan.dtstart, today, until) if _day(d) not in kept]
    staying = {_day(d) for d in new_dates} & {o.due_on for o in with_orders}
    free = [d for d in new_dates if _day(d) not in staying]
    to_move = [o for o in with_orders if o.due_on not in staying]
    moved = cancelled = 0
    for occurrence in to_move:
        order = occurrence.work_order
        if free:
            due = free.pop(0)
            Occurrence.objects.filter(pk=occurrence.pk).update(due_on=_day(due), due_at=due)
            work_order_update(access=access, work_order=order, expected_version=order.version, due_date=_day(due))
            moved += 1
        else:
            Occurrence.objects.filter(pk=occurrence.pk).delete()
            work_order_transition(
                access=access,
                work_order=order,
                to_status=WorkOrder.Status.CANCELLED,
                expected_version=order.version,
                reason=_("Échéance supprimée : le plan « %(plan)s » a changé.") % {"plan": plan.name},
            )
            cancelled += 1
    return moved, cancelled


def _day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


@transaction.atomic
def plan_archive(*, access: Access, plan: MaintenancePlan, expected_version: int, today: date | None = None) -> None:
    """Stop a plan: its future orders not yet started are cancelled, its forecasts forgotten."""
    _require_manage(access, plan.organisation_id)
    if not plan.is_active:
        raise DomainError(_("Ce plan est déjà archivé."))
    today = today or timezone.localdate()
    save_with_version(plan, expected_version=expected_version, fields={"is_active": False})
    pending = list(_pending(plan, today))
    Occurrence.objects.filter(pk__in=[o.pk for o in pending]).delete()
    for occurrence in pending:
        if occurrence.work_order is not None:
            order = occurrence.work_order
            work_order_transition(
                access=access,
                work_order=order,
                to_status=WorkOrder.Status.CANCELLED,
                expected_version=order.version,
                reason=_("Plan « %(plan)s » archivé.") % {"plan": plan.name},
            )
    audit_record(actor=access.user, action="maintenance_plan.archive", target=plan, message=plan.name)


# --- The statutory catalogue -------------------------------------------------------------------


def default_lead_days(rule: str) -> int:
    period = approximate_period_days(rule)
    if period < 60:
        return 7
    if period < 180:
        return 15
    return 30


@dataclass
class CatalogueChoice:
    check: StatutoryCheck
    first_due: date


@transaction.atomic
def catalogue_apply(
    *, access: Access, building, choices: list[CatalogueChoice], today: date | None = None
) -> list[MaintenancePlan]:
    """Create the building's plans for the chosen checks (one per check, first due on the given date).
    Refuses the whole lot — creating nothing — if one check is already planned there."""
    _require_manage(access, building.organisation_id)
    if not choices:
        raise DomainError(_("Cochez au moins un contrôle à planifier."))
    today = today or timezone.localdate()
    plans = []
    for choice in choices:
        check = choice.check
        categories = list(check.categories.all())
        in_building = {
            c for c in categories if building.equipment.filter(category=c, status="en_service").exists()
        } or set(categories)
        category = next(iter(in_building)) if len(in_building) == 1 else None
        if choice.first_due is None:
            raise DomainError(_("Indiquez la première échéance de « %(check)s ».") % {"check": check.label})
        plan = plan_create(
            access=access,
            organisation=building.organisation,
            today=today,
            name=check.label,
            building=building,
            category=category,
            statutory_check=check,
            rrule=check.rrule,
            dtstart=local_start(choice.first_due),
            lead_days=default_lead_days(check.rrule),
            checklist=check.checklist,
            trade=check.trade,
        )
        plans.append(plan)
    audit_record(
        actor=access.user,
        action="maintenance.catalogue_apply",
        target=building,
        message=_("%(n)d contrôle(s) planifié(s)") % {"n": len(plans)},
        data={"checks": [p.statutory_check.code for p in plans]},
    )
    return plans


# --- Meter readings ----------------------------------------------------------------------------


@transaction.atomic
def meter_reading_record(
    *, access: Access, plan: MaintenancePlan, value: Decimal, read_at: datetime | None = None, note: str = ""
) -> tuple[MeterReading, Occurrence | None]:
    """Record a reading; when it reaches the next threshold, the work order is created at once."""
    if not access.has("maintenance.meter") or plan.organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de saisir un relevé ici."))
    if plan.trigger != Trigger.METER:
        raise DomainError(_("Ce plan ne suit pas de compteur."))
    if not plan.is_active:
        raise DomainError(_("Ce plan est archivé."))
    if value is None or value < 0:
        raise DomainError(_("Le relevé doit être un nombre positif."))
    read_at = read_at or timezone.now()
    previous = MeterReading.objects.filter(plan=plan).order_by("-read_at", "-created_at").first()
    if previous is not None and value < previous.value:
        raise DomainError(
            _("Le relevé (%(value)s) est inférieur au précédent (%(previous)s) : vérifiez la saisie.")
            % {"value": value, "previous": previous.value}
        )
    reading = MeterReading.objects.create(
        organisation_id=plan.organisation_id,
        plan=plan,
        value=value,
        read_at=read_at,
        read_by=_user(access),
        note=note.strip()[:200],
    )
    occurrence = generation.meter_trigger(plan, value, read_at)
    audit_record(
        actor=access.user,
        action="maintenance_plan.reading",
        target=plan,
        message=f"{value} {plan.meter_unit}",
        data={"occurrence": str(occurrence.pk) if occurrence else None},
    )
    return reading, occurrence


# --- Inspection reports and findings ----------------------------------------------------------


@transaction.atomic
def occurrence_report_attach(*, access: Access, occurrence: Occurrence, uploaded, title: str = ""):
    """Attach the inspector's report (PDF) to the occurrence's work order and mark it as the report."""
    _require_manage(access, occurrence.organisation_id)
    if occurrence.work_order is None:
        raise DomainError(_("Le rapport se joint au bon de contrôle, qui n'est pas encore créé pour cette échéance."))
    if upload_check(uploaded) != "application/pdf":
        raise DomainError(_("Le rapport de vérification doit être un PDF."))
    title = title.strip() or _("Rapport de vérification — %(plan)s, échéance du %(date)s") % {
        "plan": occurrence.plan.name,
        "date": occurrence.due_on.strftime("%d/%m/%Y"),
    }
    document = document_attach(actor=access.user, target=occurrence.work_order, uploaded=uploaded, title=title)
    Occurrence.objects.filter(pk=occurrence.pk).update(report=document)
    occurrence.report = document
    audit_record(actor=access.user, action="maintenance.report_attach", target=occurrence, message=document.title)
    return document


def _corrective_order(access: Access, finding: Finding, occurrence: Occurrence, priority: str, trade) -> WorkOrder:
    plan = occurrence.plan
    summary = " ".join(finding.description.split())
    return work_order_create(
        access=access,
        organisation=occurrence.organisation,
        title=_("Levée de réserve — %(summary)s") % {"summary": summary[:150]},
        trade=trade or plan.trade,
        description=_("Réserve relevée lors de « %(plan)s » (échéance du %(date)s) :\n%(text)s")
        % {"plan": plan.name, "date": occurrence.due_on.strftime("%d/%m/%Y"), "text": finding.description},
        kind=WorkOrder.Kind.CORRECTIVE,
        priority=priority,
        building=finding.building,
        equipment=finding.equipment,
    )


@transaction.atomic
def finding_create(
    *,
    access: Access,
    occurrence: Occurrence,
    description: str,
    equipment=None,
    priority: str = WorkOrder.Priority.NORMAL,
    trade=None,
) -> Finding:
    """Record a réserve of an inspection; it becomes a corrective work order at once. It is cleared
    when that order is validated."""
    _require_manage(access, occurrence.organisation_id)
    order = occurrence.work_order
    if order is None or order.status not in INSPECTED:
        raise DomainError(_("Les réserves se saisissent après la visite : le contrôle n'a pas encore eu lieu."))
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Décrivez la réserve."))
    if priority not in WorkOrder.Priority.values:
        raise DomainError(_("Priorité inconnue."))
    building = occurrence.plan.building or order.building
    if equipment is not None and (
        equipment.organisation_id != occurrence.organisation_id
        or (building is not None and equipment.building_id != building.pk)
    ):
        raise DomainError(_("Cet équipement n'est pas dans le bâtiment contrôlé."))
    finding = Finding(
        organisation_id=occurrence.organisation_id,
        occurrence=occurrence,
        building=building,
        equipment=equipment,
        description=description,
        created_by=_user(access),
    )
    finding.work_order = _corrective_order(access, finding, occurrence, priority, trade)
    finding.save()
    audit_record(
        actor=access.user,
        action="maintenance.finding_create",
        target=finding,
        message=description[:300],
        data={"work_order": str(finding.work_order.pk)},
    )
    return finding


@transaction.atomic
def finding_reopen(*, access: Access, finding: Finding) -> Finding:
    """Give a finding a new corrective order when its order was cancelled (the réserve stays owed)."""
    _require_manage(access, finding.organisation_id)
    if finding.work_order is not None and finding.work_order.status != WorkOrder.Status.CANCELLED:
        raise DomainError(_("Cette réserve a déjà un bon correctif en cours ou validé."))
    previous = finding.work_order
    priority = previous.priority if previous else WorkOrder.Priority.NORMAL
    trade = previous.trade if previous else None
    finding.work_order = _corrective_order(access, finding, finding.occurrence, priority, trade)
    Finding.objects.filter(pk=finding.pk).update(work_order=finding.work_order, updated_at=timezone.now())
    audit_record(
        actor=access.user,
        action="maintenance.finding_reopen",
        target=finding,
        data={"work_order": str(finding.work_order.pk), "previous": str(previous.pk) if previous else None},
    )
    return finding


# --- Preferences, calendar token, generation on demand -----------------------------------------


def preference_of(user) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    return preference


@transaction.atomic
def preference_update(*, access: Access, overdue_alerts: bool, weekly_digest: bool) -> NotificationPreference:
    if not access.is_authenticated:
        raise PermissionRefused(_("Connectez-vous pour régler vos notifications."))
    preference = preference_of(access.user)
    preference.overdue_alerts = bool(overdue_alerts)
    preference.weekly_digest = bool(weekly_digest)
    preference.save(update_fields=["overdue_alerts", "weekly_digest"])
    audit_record(
        actor=access.user,
        action="maintenance.preferences",
        target=preference,
        organisation=access.organisation,
        data={"overdue_alerts": preference.overdue_alerts, "weekly_digest": preference.weekly_digest},
    )
    return preference


@transaction.atomic
def calendar_token_reset(*, access: Access) -> NotificationPreference:
    """A new secret for the user's calendar feeds: the old addresses stop working."""
    if not access.is_authenticated:
        raise PermissionRefused(_("Connectez-vous pour gérer vos calendriers."))
    preference = preference_of(access.user)
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token"])
    audit_record(
        actor=access.user,
        action="maintenance.calendar_token_reset",
        target=preference,
        organisation=access.organisation,
    )
    return preference


@transaction.atomic
def generation_request(*, access: Access) -> GenerationRun:
    """Queue a generation of the organisation's plans for the worker; its progress shows on the page."""
    organisation = access.organisation
    _require_manage(access, organisation.pk if organisation else None)
    running = GenerationRun.objects.filter(
        organisation=organisation, status__in=[GenerationRun.Status.QUEUED, GenerationRun.Status.RUNNING]
    )
    if running.exists():
        raise DomainError(_("Une génération est déjà en attente ou en cours pour cette collectivité."))
    run = GenerationRun.objects.create(organisation=organisation, requested_by=_user(access))
    audit_record(actor=access.user, action="maintenance.generation_request", target=run, organisation=organisation)

    def enqueue() -> None:
        from .tasks import generate_maintenance_work_orders

        generate_maintenance_work_orders.enqueue(run_id=run.pk)

    transaction.on_commit(enqueue)
    return run


def _user(access: Access):
    user = access.user
    return user if getattr(user, "is_authenticated", False) else None
