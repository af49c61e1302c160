"""Shared building blocks: the tenant-owned base model, the audit trail, reference numbers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class TenantModel(models.Model):
    """Base of every row a collectivité owns.

    The default manager refuses to run unless a scope is active (django-scopes): the request
    middleware opens one with the organisations the user may see, so a forgotten filter fails
    loudly instead of leaking another commune's data. Code that legitimately works across
    organisations (seed, imports, the job worker) says so with `scopes_disabled()`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collectivité"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True


class AuditQuerySet(models.QuerySet):
    """The audit trail is append-only: bulk updates and deletes are refused by the ORM."""

    def update(self, **kwargs):
        raise AuditTrailImmutable(_("Le journal d'audit ne se modifie pas."))

    def delete(self):
        raise AuditTrailImmutable(_("Le journal d'audit ne s'efface pas."))


class AuditTrailImmutable(Exception):
    """An update or a delete of an audit entry was attempted."""


class AuditEntry(models.Model):
    """One row per state change or sensitive read, written by the service in the same transaction.

    Append-only (model guards here, a trigger on PostgreSQL) and hash-chained: `hash` is the SHA-256
    of `prev_hash` + the canonical JSON of the entry's content (see `core.audit`), so a row changed
    or removed behind the application's back is found by `manage.py audit_verify`.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("modification")
        READ = "read", _("consultation sensible")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("auteur"), max_length=150, blank=True)
    kind = models.CharField(_("nature"), max_length=8, choices=Kind.choices, default=Kind.CHANGE)
    action = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("type d'objet"), max_length=80)
    target_id = models.CharField(_("identifiant"), max_length=64)
    message = models.CharField(_("message"), max_length=300, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now, editable=False, db_index=True)
    ip = models.CharField(_("adresse IP"), max_length=45, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64, blank=True)
    hash = models.CharField(_("empreinte"), max_length=64, blank=True)

    objects = ScopedManager(_manager_class=models.Manager.from_queryset(AuditQuerySet), organisation="organisation")

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The audit trail page of an organisation, newest first (keyset pagination).
            models.Index(fields=["organisation", "-at", "-id"], name="auditentry_org_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable(_("Le journal d'audit ne se modifie pas."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable(_("Le journal d'audit ne s'efface pas."))


class AuditChainHead(models.Model):
    """The single row holding the last entry of the chain: locked by every writer (no fork) and
    compared by `audit_verify` (a removed last entry is found too)."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)


class ReferenceSequence(models.Model):
    """Per organisation, prefix and year counter behind readable numbers like DI-2026-000123."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "prefix", "year"], name="uniq_reference_sequence")
        ]
