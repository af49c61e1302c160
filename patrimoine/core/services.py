"""Shared write helpers: audit rows, reference numbers, optimistic locking."""

from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import ConcurrentEditError
from patrimoine.core.models import AuditEntry, ReferenceSequence


def audit_record(
    *, actor, action: str, target: models.Model, organisation=None, message: str = "", data: dict | None = None
) -> AuditEntry:
    """Write one audit row; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        organisation=organisation if organisation is not None else getattr(target, "organisation", None),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        message=message[:300],
        data=data or {},
    )


def reference_next(*, organisation, prefix: str, year: int | None = None) -> str:
    """Return the next readable number, e.g. DI-2026-000123, unique per organisation and year.

    The counter row is locked (`select_for_update`) and incremented with `F()`, so two requests
    filed at the same instant never get the same number.
    """
    year = year or timezone.localdate().year
    with transaction.atomic():
        sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(
            organisation=organisation, prefix=prefix, year=year
        )
        ReferenceSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
        sequence.refresh_from_db(fields=["last_value"])
    return f"{prefix}-{year}-{sequence.last_value:06d}"


def save_with_version(instance: models.Model, *, expected_version: int, fields: dict[str, Any]) -> None:
    """Update `fields` only if nobody saved the row since `expected_version` was read.

    The model must have an integer `version` field. On a stale version nothing is written and a
    ConcurrentEditError tells the user to reload.
    """
    model = type(instance)
    updated = model._base_manager.filter(pk=instance.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEditError(
            _(
                "Cet élément a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
                "Rechargez la page pour voir sa version actuelle ; vos changements n'ont pas été enregistrés."
            )
        )
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.version = expected_version + 1
