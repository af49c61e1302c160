"""The technician's offline app: what the phone sent (once), and what could not land on its order.

- `SyncOperation`: one row per operation the phone queued, keyed by the UUID the phone generated.
  Replaying the same operation (lost acknowledgement, retry after a cut) finds the row and answers
  the same result without doing anything again.
- `OfflineConflict`: an operation that could not be applied to its order (cancelled, validated or
  reassigned while the phone was offline, or refused by a rule): its content is kept here, flagged for
  the team lead, never dropped.
- `FieldDelivery`: which orders were sent to whose phone. It tells a reassigned order (the
  technician had it, his work is kept as a conflict) from an order he never had (refused).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class SyncOperation(TenantModel):
    """An operation received from the field app; `id` is the phone's UUID (idempotency key)."""

    class Kind(models.TextChoices):
        TIME = "temps", _("Temps passé")
        MATERIAL = "materiel", _("Matériel")
        CHECKLIST = "controle", _("Point de contrôle")
        REPORT = "compte_rendu", _("Compte rendu")
        SIGNATURE = "signature", _("Signature")
        STATUS = "statut", _("Changement de statut")
        PHOTO = "photo", _("Photo")
        REQUEST = "signalement", _("Nouveau signalement")

    class Outcome(models.TextChoices):
        APPLIED = "applique", _("Enregistrée")
        CONFLICT = "conflit", _("Conservée, à régulariser")

    id = models.UUIDField(primary_key=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    message = models.CharField(_("message"), max_length=400, blank=True)
    result = models.JSONField(_("réponse"), default=dict, blank=True)

    class Meta:
        verbose_name = _("opération reçue du terrain")
        verbose_name_plural = _("opérations reçues du terrain")
        ordering = ["created_at"]

    def answer(self) -> dict:
        """What the phone is told, the first time and on every replay."""
        return {"id": str(self.pk), "status": self.outcome, "message": self.message, "result": self.result}


def conflict_path(instance: "OfflineConflict", filename: str) -> str:
    return f"org-{instance.organisation_id}/terrain/{instance.operation_id}-{filename}"


class OfflineConflict(TenantModel):
    """Work recorded offline that could not be applied to its order: kept and shown to the team lead."""

    class Status(models.TextChoices):
        OPEN = "a_traiter", _("À régulariser")
        REINTEGRATED = "reintegre", _("Réintégrée au bon")
        DISMISSED = "classe", _("Classée")

    operation = models.OneToOneField(SyncOperation, on_delete=models.PROTECT, related_name="conflict")
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="offline_conflicts", verbose_name=_("bon")
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("technicien")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=SyncOperation.Kind.choices)
    summary = models.CharField(_("saisie"), max_length=300)
    reason = models.CharField(_("motif"), max_length=400)
    payload = models.JSONField(_("contenu envoyé"), default=dict)
    attachment = models.FileField(_("fichier"), upload_to=conflict_path, max_length=200, null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    resolution_note = models.CharField(_("note de régularisation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("saisie hors ligne à régulariser")
        verbose_name_plural = _("saisies hors ligne à régulariser")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.summary


class FieldDelivery(TenantModel):
    """This order was sent to this user's phone (at least once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("bon envoyé sur un téléphone")
        verbose_name_plural = _("bons envoyés sur les téléphones")
        constraints = [models.UniqueConstraint(fields=["user", "work_order"], name="uniq_field_delivery")]
