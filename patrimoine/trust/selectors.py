"""Reads of the trust pages: the audit trail an administrator may search."""

from django.db.models import QuerySet

from patrimoine.core.models import AuditEntry


def audit_entries_visible_to(access) -> QuerySet[AuditEntry]:
    """The trail of the organisations the administrator reads (an EPCI's: its member communes too)."""
    access.require("audit.view")
    return (
        AuditEntry.objects.filter(organisation_id__in=access.read_org_ids)
        .select_related("organisation")
        .order_by("-at", "-id")
    )
