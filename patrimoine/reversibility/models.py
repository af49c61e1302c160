"""An export of an organisation's data requested from the UI, run by the job worker."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


def archive_path(instance: "TenantExport", filename: str) -> str:
    """Never served as a media URL: only `views.download` reads it, after checking the access."""
    return f"reversibilite/org-{instance.organisation_id}/{uuid.uuid4().hex}.zip"


class TenantExport(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "en_attente", _("En attente")
        RUNNING = "en_cours", _("En cours")
        DONE = "terminee", _("Prête")
        FAILED = "echec", _("Échec")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=120, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archive = models.FileField(_("archive"), upload_to=archive_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("lignes"), default=0)
    files = models.PositiveIntegerField(_("fichiers"), default=0)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export de réversibilité")
        verbose_name_plural = _("exports de réversibilité")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def download_name(self) -> str:
        return f"patrimoine-{self.organisation.slug}-{self.created_at:%Y%m%d-%H%M}.zip"
