"""What the triage assistant keeps: each organisation's model and switch, and every suggestion with
the decision the person took (accepted as is, or corrected), which becomes training data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class OrganisationModel(TenantModel):
    """One per organisation: AI on or off, and the model trained on its own history (a joblib blob)."""

    class Status(models.TextChoices):
        STARTER = "starter", _("Modèle de départ (aucun entraînement propre)")
        QUEUED = "queued", _("Entraînement demandé")
        TRAINED = "trained", _("Entraîné sur l'historique")
        FAILED = "failed", _("Échec du dernier entraînement")

    enabled = models.BooleanField(_("IA activée"), default=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.STARTER)
    blob = models.BinaryField(_("modèle"), null=True, blank=True, editable=False)
    trained_at = models.DateTimeField(_("entraîné le"), null=True, blank=True)
    samples = models.PositiveIntegerField(_("exemples de l'historique"), default=0)
    size_bytes = models.PositiveIntegerField(_("taille du modèle (octets)"), default=0)
    training_seconds = models.FloatField(_("temps CPU d'entraînement (s)"), default=0)
    metrics = models.JSONField(_("mesures"), default=dict, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("modèle d'IA d'une collectivité")
        verbose_name_plural = _("modèles d'IA des collectivités")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="uniq_triage_model_per_org")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_status_display()}"


class Suggestion(TenantModel):
    """What the assistant proposed for one work request, and what the person decided."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("En attente du tri")
        ACCEPTED = "accepted", _("Acceptée telle quelle")
        CORRECTED = "corrected", _("Corrigée")
        REJECTED = "rejected", _("Demande rejetée")
        MERGED = "merged", _("Demande fusionnée")

    work_request = models.OneToOneField(
        "intake.WorkRequest", on_delete=models.CASCADE, related_name="ai_suggestion", verbose_name=_("demande")
    )
    source = models.CharField(_("modèle"), max_length=20, default="starter")
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier suggéré"),
    )
    trade_confidence = models.FloatField(_("confiance (métier)"), default=0)
    trade_why = models.JSONField(_("pourquoi (métier)"), default=list, blank=True)
    trade_ranked = models.JSONField(_("alternatives"), default=list, blank=True)
    priority = models.CharField(_("priorité suggérée"), max_length=12, blank=True)
    priority_confidence = models.FloatField(_("confiance (priorité)"), default=0)
    priority_why = models.JSONField(_("pourquoi (priorité)"), default=list, blank=True)
    space = models.ForeignKey(
        "assets.Space", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("local")
    )
    equipment = models.ForeignKey(
        "assets.Equipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("équipement"),
    )
    place_confidence = models.FloatField(_("confiance (lieu)"), default=0)
    place_why = models.JSONField(_("pourquoi (lieu)"), default=list, blank=True)
    cpu_ms = models.FloatField(_("temps CPU (ms)"), default=0)
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier retenu"),
    )
    decided_priority = models.CharField(_("priorité retenue"), max_length=12, blank=True)
    trade_accepted = models.BooleanField(_("métier accepté"), null=True)
    priority_accepted = models.BooleanField(_("priorité acceptée"), null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion de tri")
        verbose_name_plural = _("suggestions de tri")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "outcome"])]

    def __str__(self) -> str:
        return f"{self.work_request_id} → {self.trade_id or '?'}"
