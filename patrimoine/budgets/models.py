"""Budget lines per organisation, year and section, and which line a work order is charged to.

A line's consumption is computed, never stored (budgets.selectors): committed = the open purchase
orders charged to it, not yet invoiced; realised = the invoices of its purchase orders plus the
cost of the validated work orders charged to it (without the invoices already counted).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class BudgetLine(TenantModel):
    class Section(models.TextChoices):
        OPERATING = "fonctionnement", _("Fonctionnement")
        CAPITAL = "investissement", _("Investissement")

    year = models.PositiveSmallIntegerField(_("exercice"))
    section = models.CharField(_("section"), max_length=20, choices=Section.choices, default=Section.OPERATING)
    code = models.CharField(_("code"), max_length=30, help_text=_("Chapitre, article, fonction : « 011-615221-213 »."))
    label = models.CharField(_("libellé"), max_length=200)
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier"),
        help_text=_("Les bons de travail de ce métier y sont imputés."),
    )
    building = models.ForeignKey(
        "assets.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bâtiment"),
        help_text=_("Les bons de travail de ce bâtiment y sont imputés."),
    )
    is_default = models.BooleanField(
        _("ligne par défaut"),
        default=False,
        help_text=_("Reçoit les bons de travail qu'aucune autre ligne ne prend (une par section et par exercice)."),
    )
    amount = models.DecimalField(
        _("crédits ouverts (€ TTC)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    alert_threshold = models.DecimalField(
        _("seuil d'alerte (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("Alerte quand engagé + réalisé atteint ce pourcentage des crédits."),
    )

    class Meta:
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        ordering = ["year", "section", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "code"], name="uniq_budget_line_code"),
            models.UniqueConstraint(
                fields=["organisation", "year", "section"],
                condition=models.Q(is_default=True),
                name="uniq_budget_default_line",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(alert_threshold__gte=1, alert_threshold__lte=100), name="budget_alert_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label} ({self.year})"


class WorkOrderImputation(TenantModel):
    """The budget line one work order is charged to, when the automatic rule is not the right one."""

    work_order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="+", verbose_name=_("bon de travail")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="imputations", verbose_name=_("ligne budgétaire")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("imputation d'un bon de travail")
        verbose_name_plural = _("imputations des bons de travail")
