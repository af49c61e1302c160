"""The public side of a work request: the citizen's report (filed online or at a counter), its
tracking token, the person's contact and consent, the « +1 » of neighbours, public replies, the
messages sent to the person (receipts by e-mail or SMS), and the optional citizen sign-in identity."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


def new_token() -> str:
    """An unguessable tracking token (192 random bits), the only key of the public tracking page."""
    return secrets.token_urlsafe(24)


class CitizenIdentity(models.Model):
    """A citizen signed in through the citizen identity provider (FranceConnect-like).

    Not an account: no User, no Membership, no organisation — it only lets the person find the
    reports they filed (« Mes signalements »). Pseudonymous: the provider's `sub` is kept as a SHA-256
    digest with its issuer; the e-mail (and given name, if the provider sends it) pre-fill the form.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.CharField(_("fournisseur d'identité"), max_length=255)
    subject_hash = models.CharField(_("identifiant pseudonyme"), max_length=64)
    email = models.EmailField(_("courriel"), blank=True)
    given_name = models.CharField(_("prénom"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("dernière connexion"))

    class Meta:
        verbose_name = _("identité citoyenne")
        verbose_name_plural = _("identités citoyennes")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject_hash"], name="citizen_identity_unique_sub")]
        indexes = [models.Index(fields=["last_login_at"])]

    def __str__(self) -> str:
        return self.given_name or self.email or str(self.pk)

    @staticmethod
    def hash_subject(subject: str) -> str:
        return hashlib.sha256(subject.encode()).hexdigest()


class PublicReport(TenantModel):
    class Channel(models.TextChoices):
        EMAIL = "courriel", _("Courriel")
        PHONE = "telephone", _("Rappel par téléphone")
        POST = "courrier", _("Courrier postal")
        NONE = "aucun", _("Ne souhaite pas être recontacté(e)")

    work_request = models.OneToOneField(
        "intake.WorkRequest", on_delete=models.PROTECT, related_name="public_report", verbose_name=_("demande")
    )
    token = models.CharField(_("jeton de suivi"), max_length=64, unique=True, default=new_token, editable=False)
    category = models.CharField(_("catégorie"), max_length=30, blank=True)
    contact_name = models.CharField(_("nom"), max_length=150, blank=True)
    contact_email = models.EmailField(_("courriel"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    contact_address = models.CharField(_("adresse postale"), max_length=300, blank=True)
    contact_consent = models.BooleanField(_("accepte d'être recontacté(e)"), default=False)
    preferred_channel = models.CharField(
        _("moyen de contact préféré"), max_length=20, choices=Channel.choices, default=Channel.NONE
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent d'accueil"),
    )
    supporters = models.PositiveIntegerField(_("personnes ayant signalé le même problème"), default=0)
    last_news_at = models.DateTimeField(_("dernière nouvelle"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("rappelé(e) le"), null=True, blank=True)
    sms_consent = models.BooleanField(_("accepte de recevoir des SMS"), default=False, db_default=False)
    citizen = models.ForeignKey(
        CitizenIdentity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("déposé par l'identité citoyenne"),
    )

    class Meta:
        verbose_name = _("signalement public")
        verbose_name_plural = _("signalements publics")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "preferred_channel", "-created_at"])]

    def __str__(self) -> str:
        return str(self.work_request_id)


class PublicReply(TenantModel):
    """A reply written by the service for the citizen: shown on the tracking page, sent by e-mail."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("réponse"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("auteur")
    )

    class Meta:
        verbose_name = _("réponse publique")
        verbose_name_plural = _("réponses publiques")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class CitizenMessage(TenantModel):
    """One message sent to the person about a report (the receipt by e-mail or SMS): the request's
    history of what was sent, when, by whom and whether it left. The number is kept masked."""

    class Channel(models.TextChoices):
        EMAIL = "courriel", _("Courriel")
        SMS = "sms", _("SMS")

    class Outcome(models.TextChoices):
        SENT = "envoye", _("Envoyé")
        FAILED = "echec", _("Échec")

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("destinataire (masqué)"), max_length=80)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("détail"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("envoyé par")
    )

    class Meta:
        verbose_name = _("message au demandeur")
        verbose_name_plural = _("messages au demandeur")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient}"
