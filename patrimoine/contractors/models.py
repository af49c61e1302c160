from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class Contractor(TenantModel):
    """An external company (prestataire) working for the organisation."""

    name = models.CharField(_("raison sociale"), max_length=150)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    trades = models.ManyToManyField("organisations.Trade", blank=True, verbose_name=_("corps de métier"))

    class Meta:
        verbose_name = _("prestataire")
        verbose_name_plural = _("prestataires")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_contractor_name")]

    def __str__(self) -> str:
        return self.name
