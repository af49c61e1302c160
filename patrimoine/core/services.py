"""Shared write helpers: audit rows, reference numbers, optimistic locking."""

from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core import audit
from patrimoine.core.errors import ConcurrentEditError
from patrimoine.core.models import AuditEntry, ReferenceSequence


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    message: str = "",
    data: dict | None = None,
    kind: str = AuditEntry.Kind.CHANGE,
    target_type: str = "",
    target_id: str = "",
) -> AuditEntry:
    """Append one entry to the hash-chained trail; call it inside the service's transaction.

    Who (`actor`), what (`action`, `target` or `target_type`/`target_id`), before/after values in
    `data`; from where (IP, user agent) comes from the request being served (`core.audit`).
    """
    if organisation is None and target is not None:
        organisation = getattr(target, "organisation", None)
    if target is not None and kind == AuditEntry.Kind.CHANGE:
        # Creates and deletes carry the object's values (after / before); updates pass their changes.
        if action.endswith((".create", "_create")) and "after" not in (data or {}):
            data = {**(data or {}), "after": audit.snapshot(target)}
        elif action.endswith((".delete", "_delete")) and "before" not in (data or {}):
            data = {**(data or {}), "before": audit.snapshot(target)}
    context = audit.current_context()
    authenticated = getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        organisation=organisation,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        kind=kind,
        action=action,
        target_type=target._meta.label_lower if target is not None else target_type,
        target_id=str(target.pk) if target is not None else target_id,
        message=message[:300],
        data=audit.normalise_data(data),
        ip=context.ip,
        user_agent=context.user_agent,
    )
    with transaction.atomic():
        return audit.append(entry)


def audit_read(*, access, action: str, target: models.Model | None = None, message: str = "", data=None) -> None:
    """Record a sensitive read (an export, a document download) by the request's user."""
    audit_record(
        actor=access.user,
        action=action,
        target=target,
        organisation=getattr(target, "organisation", None) or access.organisation,
        message=message,
        data=data,
        kind=AuditEntry.Kind.READ,
        target_type="" if target is not None else "export",
        target_id="" if target is not None else action.rsplit(".", 1)[0],
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
