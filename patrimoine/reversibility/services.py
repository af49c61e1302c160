"""Writes: start an export for the acting administrator's organisation; the worker runs it."""

import hashlib
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.organisations.access import Access

from .exporter import export_tenant
from .models import TenantExport
from .selectors import ACTION


def tenant_export_request(*, access: Access) -> TenantExport:
    """Queue an export of the whole organisation; one at a time."""
    organisation = access.organisation
    access.require(ACTION)
    if organisation is None or organisation.pk not in access.write_org_ids:
        raise PermissionRefused(_("Seuls les administrateurs de la collectivité peuvent exporter ses données."))
    if TenantExport.objects.filter(organisation=organisation, status__in=TenantExport.ACTIVE).exists():
        raise DomainError(_("Un export est déjà en attente ou en cours pour cette collectivité."))
    export = TenantExport.objects.create(organisation=organisation, requested_by=access.user)
    audit_record(actor=access.user, action="reversibility.export_request", target=export)

    def enqueue() -> None:
        from .tasks import run_tenant_export

        run_tenant_export.enqueue(export_id=str(export.pk))

    transaction.on_commit(enqueue)
    return export


@scopes_disabled()
def tenant_export_run(*, export_id) -> TenantExport:
    """Write the archive (the worker's job), reporting progress on the row as it goes."""
    export = TenantExport.objects.select_related("organisation").get(pk=export_id)
    rows = TenantExport.objects.filter(pk=export.pk)
    rows.update(status=TenantExport.Status.RUNNING, started_at=timezone.now(), percent=1)

    def progress(percent: int, step: str) -> None:
        rows.update(percent=min(percent, 99), step=step[:120])

    try:
        with tempfile.TemporaryFile() as target:
            manifest = export_tenant(export.organisation, target, progress=progress)
            target.seek(0)
            digest = hashlib.sha256()
            while chunk := target.read(1024 * 1024):
                digest.update(chunk)
            target.seek(0)
            export.archive.save("archive.zip", File(target), save=False)
            size = target.seek(0, 2)
    except Exception as exc:
        rows.update(status=TenantExport.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now())
        raise
    rows.update(
        status=TenantExport.Status.DONE,
        percent=100,
        step=_("Archive prête"),
        archive=export.archive.name,
        size=size,
        sha256=digest.hexdigest(),
        rows=sum(manifest["comptes"].values()),
        files=len(manifest["fichiers"]),
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export
