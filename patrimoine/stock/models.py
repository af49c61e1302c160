"""The item catalogue. Stores, movements and CUMP valuation come with the stock issue."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
