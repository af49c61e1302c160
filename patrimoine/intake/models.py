"""Work requests (demandes d'intervention): what someone reported, before it becomes a work order."""

import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'"})


def fold(text: str) -> str:
    """Lower-case and accent-free: « Fuite sous l'Évier » → « fuite sous l'evier » (search, keyword rules)."""
    text = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


class Urgency(models.TextChoices):
    LOW = "faible", _("Peut attendre")
    NORMAL = "normale", _("Normale")
    URGENT = "urgente", _("Urgente")


class WorkRequest(TenantModel):
    class Status(models.TextChoices):
        NEW = "nouvelle", _("À trier")
        ACCEPTED = "acceptee", _("Acceptée")
        REJECTED = "rejetee", _("Rejetée")
        MERGED = "fusionnee", _("Fusionnée avec une autre demande")

    class Channel(models.TextChoices):
        INTERNAL = "interne", _("Agent de la collectivité")
        CITIZEN = "citoyen", _("Citoyen en ligne")
        COUNTER = "guichet", _("Guichet ou téléphone")
        FIELD = "terrain", _("Constaté sur le terrain")

    reference = models.CharField(_("numéro"), max_length=20, editable=False)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices, default=Channel.INTERNAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_requests",
        verbose_name=_("demandeur"),
    )
    requester_name = models.CharField(_("nom du demandeur"), max_length=150, blank=True)
    requester_email = models.EmailField(_("courriel du demandeur"), blank=True)
    requester_phone = models.CharField(_("téléphone du demandeur"), max_length=30, blank=True)
    site = models.ForeignKey(
        "assets.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    building = models.ForeignKey(
        "assets.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_requests",
        verbose_name=_("bâtiment"),
    )
    space = models.ForeignKey(
        "assets.Space", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("local")
    )
    equipment = models.ForeignKey(
        "assets.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_requests",
        verbose_name=_("équipement"),
    )
    location_text = models.CharField(_("lieu précis ou adresse"), max_length=250, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description du problème"), max_length=4000)
    urgency = models.CharField(_("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    suggested_trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier suggéré"),
    )
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier"),
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trié par"),
    )
    triaged_at = models.DateTimeField(_("trié le"), null=True, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name=_("doublon de")
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("bon de travail"),
    )
    # Accent-free text of the number, description, place and requester: search is a plain `contains`.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("demande d'intervention")
        verbose_name_plural = _("demandes d'intervention")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_request_reference"),
            models.CheckConstraint(
                condition=~models.Q(status="rejetee") | ~models.Q(rejection_reason=""),
                name="request_rejection_has_reason",
            ),
        ]
        indexes = [
            # The list's pages by date, every request or one status tab (keyset: id breaks ties).
            models.Index(fields=["organisation", "-created_at", "-id"], name="workrequest_list_created"),
            models.Index(fields=["organisation", "status", "-created_at", "-id"], name="workrequest_status_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        self.search_text = fold(
            " ".join(filter(None, (self.reference, self.description, self.location_text, self.requester_name)))
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class RequesterBuilding(TenantModel):
    """A building a person usually reports for (the school of its head, the gym of its manager).

    The « Signaler un problème » form pre-selects it when there is exactly one and lists these
    buildings first otherwise. Filing a request for a building adds the link, so the form learns.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="requester_buildings",
        verbose_name=_("demandeur"),
    )
    building = models.ForeignKey(
        "assets.Building",
        on_delete=models.CASCADE,
        related_name="requesters",
        verbose_name=_("bâtiment"),
    )

    class Meta:
        verbose_name = _("bâtiment habituel d'un demandeur")
        verbose_name_plural = _("bâtiments habituels des demandeurs")
        ordering = ["building__name"]
        constraints = [models.UniqueConstraint(fields=["user", "building"], name="uniq_requester_building")]

    def __str__(self) -> str:
        return f"{self.user} — {self.building}"
