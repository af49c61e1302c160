"""Imports from legacy systems: column mappings saved per source, and import jobs (the uploaded
file, its detected format, the mapping used, the row-by-row error report and the progress)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class Kind(models.TextChoices):
    BUILDINGS = "buildings", _("Bâtiments")
    SPACES = "spaces", _("Locaux")
    EQUIPMENT = "equipment", _("Équipements")
    ITEMS = "items", _("Articles de stock")
    CONTRACTORS = "contractors", _("Prestataires")
    WORKORDERS = "workorders", _("Bons de travail historiques")


class ColumnMapping(TenantModel):
    """How the columns of one source's files (« export GMAO 2019 ») map to our fields, reused later."""

    name = models.CharField(_("nom"), max_length=80)
    kind = models.CharField(_("type de données"), max_length=20, choices=Kind.choices)
    columns = models.JSONField(_("correspondance des colonnes"), default=dict)  # normalised header → field

    class Meta:
        verbose_name = _("correspondance de colonnes")
        verbose_name_plural = _("correspondances de colonnes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "name"], name="uniq_column_mapping")]

    def __str__(self) -> str:
        return self.name


class ImportJob(TenantModel):
    class Status(models.TextChoices):
        UPLOADED = "depose", _("Fichier déposé")
        CHECKING = "verification", _("Vérification en cours")
        CHECKED = "verifie", _("Vérifié")
        QUEUED = "en_attente", _("En attente")
        RUNNING = "en_cours", _("En cours")
        DONE = "termine", _("Terminé")
        FAILED = "echec", _("Échec")

    kind = models.CharField(_("type de données"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("fichier"), max_length=200)
    content = models.BinaryField(_("contenu"))
    file_format = models.CharField(_("format"), max_length=10)  # csv, xlsx, geojson
    encoding = models.CharField(_("encodage"), max_length=20, blank=True)
    delimiter = models.CharField(_("séparateur"), max_length=5, blank=True)
    headers = models.JSONField(_("en-têtes"), default=list)
    mapping = models.JSONField(_("correspondance"), default=dict)  # column index (str) → field
    status = models.CharField(_("statut"), max_length=14, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    errors = models.JSONField(_("erreurs"), default=list)  # [{line, column, value, reason}]
    preview = models.JSONField(_("aperçu"), default=list)  # the first rows, as read with the mapping
    counts = models.JSONField(_("créations"), default=dict)
    failure = models.CharField(_("motif de l'échec"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
