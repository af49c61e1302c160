"""The item catalogue, stores, the quantity of each item in each store and the movement ledger.

Valuation is the weighted average cost (CUMP, coût unitaire moyen pondéré) of French public
accounting, kept per item on `Item.unit_cost`: a receipt (or a return) recomputes it as
(quantity on hand × CUMP + quantity in × price) / (quantity on hand + quantity in), every other
movement leaves the store at the current CUMP. `StockMovement` rows are an append-only ledger:
a correction is a new movement, never an edit.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from patrimoine.core.models import TenantModel


class Item(TenantModel):
    reference = models.CharField(_("référence"), max_length=40)
    label = models.CharField(_("désignation"), max_length=200)
    unit = models.CharField(_("unité"), max_length=20, default="u")
    category = models.CharField(_("famille"), max_length=80, blank=True)
    unit_cost = models.DecimalField(
        _("coût unitaire moyen (CUMP)"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_item_reference")]

    def __str__(self) -> str:
        return f"{self.label} ({self.reference})"


class SupplierReference(TenantModel):
    """How a supplier names and prices one of our items (its catalogue reference)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="supplier_refs", verbose_name=_("article"))
    supplier = models.ForeignKey(
        "contractors.Contractor", on_delete=models.PROTECT, related_name="+", verbose_name=_("fournisseur")
    )
    supplier_reference = models.CharField(_("référence fournisseur"), max_length=60)
    last_price = models.DecimalField(
        _("dernier prix (€ HT)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("référence fournisseur")
        verbose_name_plural = _("références fournisseurs")
        ordering = ["supplier__name"]
        constraints = [models.UniqueConstraint(fields=["item", "supplier"], name="uniq_supplier_reference")]

    def __str__(self) -> str:
        return f"{self.supplier} : {self.supplier_reference}"


class Store(TenantModel):
    """A store (magasin): the organisation's central store, or one on a site (atelier, école…)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=120)
    site = models.ForeignKey(
        "assets.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("Vide : magasin de la collectivité."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("magasin")
        verbose_name_plural = _("magasins")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="uniq_store_code"),
            models.UniqueConstraint(fields=["organisation", "name"], name="uniq_store_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(TenantModel):
    """The quantity of one item in one store: the row the movements lock and update with F()."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="levels", verbose_name=_("magasin"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="levels", verbose_name=_("article"))
    quantity = models.DecimalField(_("quantité en stock"), max_digits=12, decimal_places=3, default=Decimal("0"))
    reorder_threshold = models.DecimalField(
        _("seuil de réapprovisionnement"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Alerte quand la quantité en stock descend à ce seuil ou en dessous."),
    )

    class Meta:
        verbose_name = _("stock d'un article")
        verbose_name_plural = _("stocks des articles")
        ordering = ["item__label"]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="uniq_stock_level"),
            models.CheckConstraint(
                condition=models.Q(reorder_threshold__isnull=True) | models.Q(reorder_threshold__gte=0),
                name="stock_threshold_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["item", "store"])]

    def __str__(self) -> str:
        return f"{self.item} @ {self.store}: {self.quantity}"

    @property
    def value(self) -> Decimal:
        """Value at the item's current CUMP."""
        return self.quantity * self.item.unit_cost

    @property
    def below_threshold(self) -> bool:
        return self.reorder_threshold is not None and self.quantity <= self.reorder_threshold


class StockSettings(TenantModel):
    """Stock rules of one organisation."""

    allow_negative_stock = models.BooleanField(
        _("autoriser le stock négatif"),
        default=False,
        help_text=_("Permet de sortir plus que la quantité en stock (régularisée ensuite par une entrée)."),
    )

    class Meta:
        verbose_name = _("réglages du stock")
        verbose_name_plural = _("réglages du stock")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="uniq_stock_settings")]


class LedgerQuerySet(models.QuerySet):
    """The movements are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("Stock movements are append-only: record a new movement instead.")

    def delete(self):
        raise TypeError("Stock movements are append-only: record a new movement instead.")


class StockMovement(TenantModel):
    """One line of the stock ledger. `quantity` is signed: positive into the store, negative out."""

    class Kind(models.TextChoices):
        RECEIPT = "entree", _("Entrée")
        ISSUE = "sortie", _("Sortie (bon de travail)")
        TRANSFER_OUT = "transfert_sortie", _("Transfert (départ)")
        TRANSFER_IN = "transfert_entree", _("Transfert (arrivée)")
        RETURN = "retour", _("Retour en stock")
        ADJUSTMENT = "inventaire", _("Inventaire")

    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="movements", verbose_name=_("magasin"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements", verbose_name=_("article"))
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=3)
    unit_cost = models.DecimalField(_("coût unitaire (€)"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("valeur (€)"), max_digits=14, decimal_places=2)
    quantity_after = models.DecimalField(_("stock après"), max_digits=12, decimal_places=3)
    cump_after = models.DecimalField(_("CUMP après"), max_digits=12, decimal_places=4)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bon de travail"),
    )
    material_line_id = models.UUIDField(_("ligne de matériel"), null=True, blank=True, db_index=True)
    transfer_id = models.UUIDField(_("transfert"), null=True, blank=True)
    other_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("autre magasin")
    )
    supplier = models.ForeignKey(
        "contractors.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fournisseur"),
    )
    document_reference = models.CharField(_("n° de bon de livraison ou de facture"), max_length=60, blank=True)
    note = models.CharField(_("commentaire"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    objects = ScopedManager(organisation="organisation", _manager_class=models.Manager.from_queryset(LedgerQuerySet))

    class Meta:
        verbose_name = _("mouvement de stock")
        verbose_name_plural = _("mouvements de stock")
        ordering = ["-at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="stock_movement_not_zero"),
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="stock_movement_cost_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(kind="sortie") | models.Q(work_order__isnull=False),
                name="stock_issue_has_work_order",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "-at"]),
            models.Index(fields=["store", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.item_id} @ {self.store_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Stock movements are append-only: record a new movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Stock movements are append-only: record a new movement instead.")
