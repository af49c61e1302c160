"""Open311 GeoReport v2: the client applications' API keys, the services (request types) each
organisation publishes, and the link between a work request and the service it came through."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class ApiKey(TenantModel):
    """The key of one client application (a citizen-reporting app) of one organisation.

    Only the SHA-256 of the key is stored (the key is 256 random bits: a slow hash adds nothing);
    the key itself is shown once, at creation. `prefix` (its first characters) tells keys apart.
    """

    name = models.CharField(_("application"), max_length=100)
    prefix = models.CharField(_("début de la clé"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'API Open311")
        verbose_name_plural = _("clés d'API Open311")
        ordering = ["-is_active", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_open311_key_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Service(TenantModel):
    """A request type (`service_code`) an organisation publishes, mapped to the trade it needs."""

    class Type(models.TextChoices):
        REALTIME = "realtime", _("Immédiat : le numéro de la demande est rendu tout de suite")
        BATCH = "batch", _("Différé : un jeton est rendu, le numéro s'obtient ensuite")

    code = models.SlugField(_("code du service"), max_length=40)
    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("groupe"), max_length=80, blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=250, blank=True)
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corps de métier"),
        help_text=_("Vide : le corps de métier est suggéré d'après la description."),
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.REALTIME)
    notice = models.CharField(_("information rendue au demandeur"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("publié"), default=True)

    class Meta:
        verbose_name = _("service Open311")
        verbose_name_plural = _("services Open311")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="uniq_open311_service_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ServiceRequest(TenantModel):
    """A work request filed through Open311: its service, its client, its token and media URL.

    Only these requests are published by the Open311 read endpoints; requests filed in the
    application (by agents, at the counter) stay internal.
    """

    work_request = models.OneToOneField(
        "intake.WorkRequest", on_delete=models.CASCADE, related_name="open311", verbose_name=_("demande")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests", verbose_name=_("service"))
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("application")
    )
    token = models.CharField(_("jeton"), max_length=40, unique=True, editable=False)
    media_url = models.URLField(_("adresse du média"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("demande reçue par Open311")
        verbose_name_plural = _("demandes reçues par Open311")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.token
