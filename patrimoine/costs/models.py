"""What a work order cost: labour (hours × loaded rate), materials and external lines."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel
from patrimoine.organisations.models import TeamMember


class LabourRate(TenantModel):
    """Loaded hourly rate (taux horaire chargé) of the organisation's agents, by grade, trade and year."""

    year = models.PositiveSmallIntegerField(_("année"))
    grade = models.CharField(_("grade"), max_length=20, choices=TeamMember.Grade.choices)
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("corps de métier"),
        help_text=_("Vide : tous les métiers."),
    )
    hourly_rate = models.DecimalField(
        _("taux horaire chargé (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("taux horaire")
        verbose_name_plural = _("taux horaires")
        ordering = ["-year", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "grade", "trade"], name="uniq_labour_rate"),
            models.UniqueConstraint(
                fields=["organisation", "year", "grade"],
                condition=models.Q(trade__isnull=True),
                name="uniq_labour_rate_any_trade",
            ),
            models.CheckConstraint(condition=models.Q(hourly_rate__gte=0), name="labour_rate_not_negative"),
        ]


class CostLine(TenantModel):
    """Common shape of the lines that make a work order's cost."""

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, related_name="+")
    client_uuid = models.UUIDField(
        _("identifiant client"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Posé par l'application terrain : rejouer l'envoi ne duplique rien."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)

    class Meta:
        abstract = True


class TimeEntry(CostLine):
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, related_name="time_entries")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("technicien")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("heures"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    hourly_rate = models.DecimalField(_("taux horaire chargé (€)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("temps passé")
        verbose_name_plural = _("temps passés")
        ordering = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24), name="time_entry_hours_in_day"
            ),
        ]


class MaterialLine(CostLine):
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, related_name="material_lines")
    item = models.ForeignKey(
        "stock.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("article")
    )
    label = models.CharField(_("désignation"), max_length=200)
    quantity = models.DecimalField(
        _("quantité"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unité"), max_length=20, default="u")
    unit_cost = models.DecimalField(_("coût unitaire (€)"), max_digits=12, decimal_places=4)

    class Meta:
        verbose_name = _("matériel utilisé")
        verbose_name_plural = _("matériels utilisés")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="material_quantity_positive"),
        ]


class ExternalCost(CostLine):
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, related_name="external_costs")
    contractor = models.ForeignKey(
        "contractors.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prestataire"),
    )
    description = models.CharField(_("objet"), max_length=200)
    invoice_reference = models.CharField(_("n° de facture"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("prestation externe")
        verbose_name_plural = _("prestations externes")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="external_cost_not_negative"),
        ]
