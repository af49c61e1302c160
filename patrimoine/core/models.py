"""Shared building blocks: the tenant-owned base model, the audit trail, reference numbers."""

import uuid

from django.conf import settings
from django.db import models
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


class AuditEntry(models.Model):
    """One row per state change, written by the service in the same transaction."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("type d'objet"), max_length=80)
    target_id = models.CharField(_("identifiant"), max_length=64)
    message = models.CharField(_("message"), max_length=300, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


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
