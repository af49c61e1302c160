"""Collectivités, their people (memberships and roles), trades and teams."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class Organisation(models.Model):
    """A collectivité: a commune, an EPCI (communauté d'agglomération, métropole) or a syndicat."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI (intercommunalité)")
        SYNDICAT = "syndicat", _("Syndicat")

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("identifiant court"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("EPCI de rattachement"),
    )
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[RegexValidator(r"^\d{9}$", _("Le SIREN compte 9 chiffres."))]
    )
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    email = models.EmailField(_("courriel du service"), blank=True)
    phone = models.CharField(_("téléphone du service"), max_length=30, blank=True)
    overhead_rate = models.DecimalField(
        _("taux de frais généraux refacturés"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("En pourcentage, appliqué aux relevés de refacturation."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several, one per organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrateur")
        MANAGER = "gestionnaire", _("Gestionnaire de patrimoine")
        TEAM_LEAD = "chef", _("Responsable de régie")
        TECHNICIAN = "technicien", _("Technicien")
        REQUESTER = "demandeur", _("Demandeur")
        READER = "lecteur", _("Lecteur (élu, direction, finances)")
        CONTRACTOR = "prestataire", _("Prestataire")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    contractor = models.ForeignKey(
        "contractors.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("entreprise"),
        help_text=_("Pour un prestataire : l'entreprise dont il voit les bons de travail."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"


class Trade(models.Model):
    """Corps de métier: a national reference list shared by every organisation."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=80)

    class Meta:
        verbose_name = _("corps de métier")
        verbose_name_plural = _("corps de métier")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TenantModel):
    """An in-house team (régie). It belongs to one organisation and may serve several."""

    name = models.CharField(_("nom"), max_length=120)
    trades = models.ManyToManyField(Trade, blank=True, related_name="teams", verbose_name=_("corps de métier"))
    served_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="serving_teams",
        verbose_name=_("collectivités servies"),
        help_text=_("Équipe mutualisée : les communes pour lesquelles elle intervient (en plus de la sienne)."),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("responsable"),
    )

    class Meta:
        verbose_name = _("équipe")
        verbose_name_plural = _("équipes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_team_name")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A technician in a team, with the grade and trade that set their loaded hourly rate."""

    class Grade(models.TextChoices):
        AGENT = "agent", _("Adjoint technique")
        AGENT_MAITRISE = "maitrise", _("Agent de maîtrise")
        TECHNICIEN = "technicien", _("Technicien territorial")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    trade = models.ForeignKey(Trade, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("métier"))
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, default=Grade.AGENT)

    class Meta:
        verbose_name = _("membre d'équipe")
        verbose_name_plural = _("membres d'équipe")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]

    def __str__(self) -> str:
        return f"{self.user} ({self.team})"
