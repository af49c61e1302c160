"""The instance's own records (not a collectivité's: no tenant scope)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    """One `manage.py backup` that completed: what the instance page reports as « dernière sauvegarde »."""

    created_at = models.DateTimeField(_("faite le"), db_index=True)
    folder = models.CharField(_("dossier"), max_length=500)
    engine = models.CharField(_("base"), max_length=20)
    encrypted = models.BooleanField(_("chiffrée"), default=False)
    size_bytes = models.BigIntegerField(_("taille"), default=0)
    seconds = models.FloatField(_("durée (s)"), default=0)

    class Meta:
        verbose_name = _("sauvegarde")
        verbose_name_plural = _("sauvegardes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.folder}"
