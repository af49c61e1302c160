"""Reads: the exports an administrator may see — his own organisation's, nobody else's."""

from django.db.models import QuerySet
from django.http import Http404

from patrimoine.organisations.access import Access

from .models import TenantExport

ACTION = "reversibility.export"


def exports_for(access: Access) -> QuerySet[TenantExport]:
    if not access.has(ACTION) or access.organisation is None:
        return TenantExport.objects.none()
    organisation = access.organisation
    if organisation.pk not in access.write_org_ids:
        return TenantExport.objects.none()
    return TenantExport.objects.filter(organisation=organisation).select_related("requested_by", "organisation")


def get_export_for(access: Access, pk) -> TenantExport:
    export = exports_for(access).filter(pk=pk).first()
    if export is None:
        raise Http404
    return export
