"""Preventive maintenance: plans, their dated occurrences, the statutory catalogue, findings,
meter readings, notification preferences, and the bookkeeping of the scheduler and generation runs.

A plan says *what* must be done *when* (an RFC 5545 rule from a first due date, evaluated in
Europe/Paris wall time, or a meter threshold). The generator turns it into `Occurrence` rows — one
per due date, unique per plan and date — and, `lead_days` ahead of each, into a work order made by
`patrimoine.workorders.services.work_order_create`. Whether an occurrence is done, or a finding
cleared, is read from the status of its work order: no copy of the workflow lives here.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel
from patrimoine.workorders.models import WorkOrder


class StatutoryCheck(models.Model):
    """One periodic statutory check (vérification périodique réglementaire): national reference data,
    loaded from `data/statutory_checks.csv` by `load_catalogue` (data migration and command)."""

    class Scope(models.TextChoices):
        ERP = "erp", _("Établissements recevant du public")
        NON_ERP = "non_erp", _("Bâtiments hors ERP (lieux de travail)")
        ALL = "all", _("Tous les bâtiments")
        MANUAL = "manual", _("Au cas par cas (jamais proposé d'office)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    domain = models.CharField(_("domaine"), max_length=80)
    label = models.CharField(_("contrôle"), max_length=200)
    legal_reference = models.CharField(_("texte de référence"), max_length=250)
    rrule = models.CharField(_("périodicité (règle RFC 5545)"), max_length=200)
    periodicity = models.CharField(_("périodicité"), max_length=120)
    performer = models.CharField(_("réalisé par"), max_length=150)
    scope = models.CharField(_("s'applique à"), max_length=10, choices=Scope.choices)
    erp_types = models.CharField(_("types ERP"), max_length=80, blank=True, help_text=_("« * » : tous les types."))
    erp_categories = models.CharField(_("catégories ERP"), max_length=20, blank=True)
    categories = models.ManyToManyField(
        "assets.EquipmentCategory", blank=True, related_name="statutory_checks", verbose_name=_("équipements visés")
    )
    built_before = models.PositiveSmallIntegerField(_("bâtiments construits avant"), null=True, blank=True)
    min_surface_m2 = models.PositiveIntegerField(_("surface minimale (m²)"), null=True, blank=True)
    condition = models.CharField(_("condition à vérifier sur place"), max_length=250, blank=True)
    trade = models.ForeignKey(
        "organisations.Trade", on_delete=models.PROTECT, verbose_name=_("corps de métier"), related_name="+"
    )
    checklist = models.TextField(_("points de contrôle"), blank=True)
    source_urls = models.TextField(_("sources"), blank=True, help_text=_("Adresses séparées par des espaces."))
    to_verify = models.BooleanField(
        _("à vérifier"),
        default=False,
        help_text=_("Périodicité ou texte à confirmer sur Légifrance avant de s'y fier."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("contrôle réglementaire")
        verbose_name_plural = _("catalogue des contrôles réglementaires")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def sources(self) -> list[str]:
        return self.source_urls.split()

    @property
    def erp_type_list(self) -> list[str]:
        return self.erp_types.split()

    @property
    def erp_category_list(self) -> list[int]:
        return [int(c) for c in self.erp_categories.split() if c.isdigit()]


class MaintenancePlan(TenantModel):
    class Target(models.TextChoices):
        EQUIPMENT = "equipement", _("Un équipement")
        BUILDING = "batiment", _("Un bâtiment")
        CATEGORY = "categorie", _("Tous les équipements d'une catégorie")

    class Trigger(models.TextChoices):
        CALENDAR = "calendrier", _("Calendrier (règle de récurrence)")
        METER = "compteur", _("Compteur (heures de marche, cycles…)")

    name = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("consignes"), blank=True)
    target = models.CharField(_("porte sur"), max_length=12, choices=Target.choices)
    equipment = models.ForeignKey(
        "assets.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
        verbose_name=_("équipement"),
    )
    building = models.ForeignKey(
        "assets.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
        verbose_name=_("bâtiment"),
        help_text=_("Pour une catégorie : laisser vide pour toute la collectivité."),
    )
    category = models.ForeignKey(
        "assets.EquipmentCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catégorie d'équipement"),
    )
    statutory_check = models.ForeignKey(
        StatutoryCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("contrôle réglementaire"),
    )
    trigger = models.CharField(_("déclenchement"), max_length=12, choices=Trigger.choices, default=Trigger.CALENDAR)
    rrule = models.CharField(_("règle de récurrence (RFC 5545)"), max_length=250, blank=True)
    dtstart = models.DateTimeField(_("première échéance"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(
        _("délai de préparation (jours)"),
        default=30,
        help_text=_("Le bon de travail est créé ce nombre de jours avant l'échéance."),
    )
    meter_unit = models.CharField(_("unité du compteur"), max_length=40, blank=True)
    meter_every = models.DecimalField(
        _("tous les"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    meter_origin = models.DecimalField(_("valeur de départ"), max_digits=12, decimal_places=2, default=Decimal("0"))
    meter_lead = models.DecimalField(
        _("déclencher en avance de"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    checklist = models.TextField(_("liste de contrôle (un point par ligne)"), blank=True)
    trade = models.ForeignKey("organisations.Trade", on_delete=models.PROTECT, verbose_name=_("corps de métier"))
    team = models.ForeignKey(
        "organisations.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
        verbose_name=_("équipe"),
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
        verbose_name=_("prestataire"),
    )
    priority = models.CharField(
        _("priorité"), max_length=10, choices=WorkOrder.Priority.choices, default=WorkOrder.Priority.NORMAL
    )
    estimated_hours = models.DecimalField(
        _("durée estimée (heures)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    estimated_cost = models.DecimalField(
        _("coût estimé"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("plan de maintenance")
        verbose_name_plural = _("plans de maintenance")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target="equipement") & Q(equipment__isnull=False))
                | (Q(target="batiment") & Q(building__isnull=False) & Q(equipment__isnull=True))
                | (Q(target="categorie") & Q(category__isnull=False) & Q(equipment__isnull=True)),
                name="maintenance_plan_target_is_set",
            ),
            models.CheckConstraint(
                condition=(Q(trigger="calendrier") & ~Q(rrule="") & Q(dtstart__isnull=False))
                | (Q(trigger="compteur") & Q(meter_every__gt=0)),
                name="maintenance_plan_trigger_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="maintenance_plan_cost_not_negative",
            ),
            # A statutory check is planned once per building (an equipment-level plan may repeat it).
            models.UniqueConstraint(
                fields=["building", "statutory_check"],
                condition=Q(statutory_check__isnull=False, is_active=True, equipment__isnull=True),
                name="uniq_active_statutory_plan_per_building",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active", "trigger"])]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self):
        return self.equipment or self.building


class Occurrence(TenantModel):
    """One due date of a plan (« échéance »). Unique per plan and date: running the generator twice,
    or twice at the same time, never makes a second one. Its work order is created `lead_days`
    before the date; its state (done, late) is read from that order."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.PROTECT, related_name="occurrences")
    due_on = models.DateField(_("échéance"))
    due_at = models.DateTimeField(_("échéance (heure)"))
    meter_threshold = models.DecimalField(_("seuil du compteur"), max_digits=12, decimal_places=2, null=True)
    work_order = models.OneToOneField(
        WorkOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_occurrence",
        verbose_name=_("bon de travail"),
    )
    report = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapport de vérification"),
    )

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on"], name="uniq_occurrence_plan_date"),
            models.UniqueConstraint(
                fields=["plan", "meter_threshold"],
                condition=Q(meter_threshold__isnull=False),
                name="uniq_occurrence_plan_threshold",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "due_on"])]

    def __str__(self) -> str:
        return f"{self.plan} — {self.due_on:%d/%m/%Y}"


class MeterReading(TenantModel):
    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(_("relevé"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    read_at = models.DateTimeField(_("relevé le"))
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("remarque"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("relevé de compteur")
        verbose_name_plural = _("relevés de compteur")
        ordering = ["-read_at"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="meter_reading_not_negative")]


class Finding(TenantModel):
    """A réserve written by the inspector. It becomes a corrective work order; it is cleared when that
    order is validated (read from the order, see selectors.finding_state)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="findings")
    building = models.ForeignKey(
        "assets.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bâtiment")
    )
    equipment = models.ForeignKey(
        "assets.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("équipement"),
    )
    description = models.TextField(_("réserve"))
    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_findings",
        verbose_name=_("bon correctif"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("réserve")
        verbose_name_plural = _("réserves")
        ordering = ["created_at"]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class NotificationPreference(models.Model):
    """What a user wants to receive, and the secret of his calendar feeds (fetched without a session)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maintenance_preference"
    )
    overdue_alerts = models.BooleanField(_("m'alerter des contrôles en retard"), default=True)
    weekly_digest = models.BooleanField(_("recevoir la synthèse hebdomadaire (le lundi)"), default=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")


class NotificationSent(models.Model):
    """One message per (user, kind, key): an overdue alert per occurrence, a digest per week and
    organisation. The unique row makes sending idempotent (at most once, even from two workers)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=80)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="uniq_notification_sent")]


class GenerationRun(models.Model):
    """A run of the generator, with its progress (shown on the « Génération » page while it runs).
    `organisation` is empty for the scheduler's runs over every organisation."""

    class Status(models.TextChoices):
        QUEUED = "en_attente", _("En attente")
        RUNNING = "en_cours", _("En cours")
        DONE = "termine", _("Terminée")
        FAILED = "echec", _("Échec")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    plans_total = models.PositiveIntegerField(default=0)
    plans_done = models.PositiveIntegerField(default=0)
    occurrences_created = models.PositiveIntegerField(default=0)
    orders_created = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.plans_done / self.plans_total) if self.plans_total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SchedulerSlot(models.Model):
    """« Job J was enqueued for slot S » (a day, a week, an interval): inserted in the same
    transaction as the queued task, unique, so two schedulers never enqueue the same job twice."""

    job = models.CharField(max_length=40)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="uniq_scheduler_slot")]
