from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, per organisation."""

    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class OidcIdentity(models.Model):
    """An identity of an OpenID Connect provider (issuer + subject), tied to one Patrimoine user.

    Created at the first single sign-on: linked to an existing account when the provider vouches
    for the e-mail (`email_verified`), otherwise pending until an administrator approves it.
    Not tenant data: until approved, the person belongs to no organisation.
    """

    class Status(models.TextChoices):
        PENDING = "en_attente", _("En attente de validation")
        LINKED = "liee", _("Liée à un compte")
        REJECTED = "refusee", _("Refusée")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(_("fournisseur d'identité"), max_length=255)
    subject = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    email = models.EmailField(_("e-mail"), blank=True)
    email_verified = models.BooleanField(_("e-mail vérifié par le fournisseur"), default=False)
    given_name = models.CharField(_("prénom"), max_length=150, blank=True)
    family_name = models.CharField(_("nom"), max_length=150, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("première connexion"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("décidé par")
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité SSO")
        verbose_name_plural = _("identités SSO")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return f"{name or self.email or self.subject} ({self.get_status_display()})"
