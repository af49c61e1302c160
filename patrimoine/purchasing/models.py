"""Public contracts (marchés) with their lots and unit price schedules (BPU), purchase orders (bons
de commande) and the invoices matched to them.

Amounts are in euros: prices and order lines before tax (HT), the order's total with tax (TTC) at
its VAT rate; the budget is followed in TTC (a collectivité does not deduct VAT).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class Contract(TenantModel):
    class Procedure(models.TextChoices):
        MAPA = "mapa", _("Marché à procédure adaptée (MAPA)")
        TENDER = "appel_offres", _("Appel d'offres")
        FRAMEWORK = "accord_cadre", _("Accord-cadre à bons de commande")

    reference = models.CharField(_("n° de marché"), max_length=40)
    title = models.CharField(_("objet"), max_length=200)
    procedure = models.CharField(_("procédure"), max_length=20, choices=Procedure.choices, default=Procedure.FRAMEWORK)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    class Meta:
        verbose_name = _("marché")
        verbose_name_plural = _("marchés")
        ordering = ["-start_date", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_contract_reference"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class Lot(TenantModel):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="lots", verbose_name=_("marché"))
    number = models.PositiveSmallIntegerField(_("n° de lot"))
    title = models.CharField(_("intitulé"), max_length=200)
    contractor = models.ForeignKey(
        "contractors.Contractor", on_delete=models.PROTECT, related_name="+", verbose_name=_("titulaire")
    )
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier"),
    )
    max_amount_ht = models.DecimalField(
        _("montant maximum (€ HT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Vide : sans maximum."),
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="uniq_lot_number")]

    def __str__(self) -> str:
        return _("Lot %(n)s — %(title)s") % {"n": self.number, "title": self.title}


class PriceLine(TenantModel):
    """One line of a lot's unit price schedule (bordereau de prix unitaires, BPU)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="prices", verbose_name=_("lot"))
    code = models.CharField(_("n° de prix"), max_length=20)
    label = models.CharField(_("désignation"), max_length=200)
    unit = models.CharField(_("unité"), max_length=20, default="u")
    unit_price = models.DecimalField(
        _("prix unitaire (€ HT)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("prix du bordereau")
        verbose_name_plural = _("bordereau des prix unitaires")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "code"], name="uniq_price_code"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class PurchaseOrder(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "brouillon", _("Brouillon")
        COMMITTED = "engage", _("Engagé")
        RECEIVED = "recu", _("Reçu (service fait)")
        SETTLED = "solde", _("Soldé")
        CANCELLED = "annule", _("Annulé")

    OPEN_STATUSES = (Status.COMMITTED, Status.RECEIVED)  # committed on the budget, not fully invoiced

    reference = models.CharField(_("numéro"), max_length=20, editable=False)
    title = models.CharField(_("objet"), max_length=200)
    contractor = models.ForeignKey(
        "contractors.Contractor", on_delete=models.PROTECT, related_name="+", verbose_name=_("prestataire")
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("lot du marché"),
        help_text=_("Vide : commande hors marché, à prix libres."),
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bon de travail"),
    )
    budget_line = models.ForeignKey(
        "budgets.BudgetLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
        verbose_name=_("ligne budgétaire"),
    )
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    total_ht = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_ttc = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    committed_at = models.DateTimeField(_("engagé le"), null=True, blank=True)
    received_at = models.DateTimeField(_("reçu le"), null=True, blank=True)
    settled_at = models.DateTimeField(_("soldé le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bon de commande")
        verbose_name_plural = _("bons de commande")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_purchase_order_reference"),
            models.CheckConstraint(
                condition=models.Q(total_ht__gte=0, total_ttc__gte=models.F("total_ht")),
                name="purchase_order_totals",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["engage", "recu", "solde"]) | models.Q(budget_line__isnull=False),
                name="purchase_order_committed_has_budget_line",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class PurchaseOrderLine(TenantModel):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    price_line = models.ForeignKey(
        PriceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("prix du BPU")
    )
    label = models.CharField(_("désignation"), max_length=200)
    unit = models.CharField(_("unité"), max_length=20, default="u")
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("prix unitaire (€ HT)"), max_digits=12, decimal_places=2)
    amount_ht = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("ligne de commande")
        verbose_name_plural = _("lignes de commande")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, unit_price__gte=0), name="purchase_line_positive"
            ),
        ]


class Invoice(TenantModel):
    """A supplier's invoice, matched to one purchase order."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("bon de commande")
    )
    contractor = models.ForeignKey(
        "contractors.Contractor", on_delete=models.PROTECT, related_name="+", verbose_name=_("prestataire")
    )
    number = models.CharField(_("n° de facture"), max_length=60)
    date = models.DateField(_("date de la facture"))
    amount_ht = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    amount_ttc = models.DecimalField(_("montant TTC"), max_digits=14, decimal_places=2)
    external_cost = models.OneToOneField(
        "costs.ExternalCost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice",
        verbose_name=_("prestation sur le bon de travail"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["date", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "contractor", "number"], name="uniq_invoice_number"),
            models.CheckConstraint(
                condition=models.Q(amount_ht__gt=0, amount_ttc__gte=models.F("amount_ht")), name="invoice_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.contractor_id})"
