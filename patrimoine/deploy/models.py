"""The upgrades an instance went through: `manage.py upgrade` writes one row each time it succeeds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Upgrade(models.Model):
    """One run of `manage.py upgrade` (instance-wide, not a tenant row)."""

    previous_version = models.CharField(_("version précédente"), max_length=80, blank=True)
    version = models.CharField(_("version installée"), max_length=80)
    started_at = models.DateTimeField(_("commencée le"))
    finished_at = models.DateTimeField(_("terminée le"))
    migrations = models.JSONField(_("migrations appliquées"), default=list, blank=True)
    static_changed = models.PositiveIntegerField(_("fichiers statiques changés"), default=0)
    backup_folder = models.CharField(_("sauvegarde"), max_length=500, blank=True)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("mise à jour")
        verbose_name_plural = _("mises à jour")

    def __str__(self) -> str:
        return f"{self.version} ({self.finished_at:%Y-%m-%d %H:%M})"
