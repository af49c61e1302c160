"""The public side of a work request: the citizen's report (filed online or at a counter), its
tracking token, the person's contact and consent, the « +1 » of neighbours, and public replies."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


def new_token() -> str:
    """An unguessable tracking token (192 random bits), the only key of the public tracking page."""
    return secrets.token_urlsafe(24)


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
