"""Reads of the import app: an organisation's jobs and saved mappings, through the user's access."""

from django.db.models import QuerySet
from django.http import Http404

from patrimoine.imports.models import ColumnMapping, ImportJob
from patrimoine.organisations.access import Access


def jobs_visible_to(access: Access) -> QuerySet[ImportJob]:
    """Imports of the active organisation, for those who may import (never another commune's)."""
    if not access.has("imports.run") or access.organisation is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(organisation=access.organisation).defer("content")


def get_job_for(access: Access, pk) -> ImportJob:
    job = jobs_visible_to(access).filter(pk=pk).select_related("organisation", "created_by").first()
    if job is None:
        raise Http404
    return job


def mappings_of(access: Access, kind: str | None = None) -> QuerySet[ColumnMapping]:
    if not access.has("imports.run") or access.organisation is None:
        return ColumnMapping.objects.none()
    mappings = ColumnMapping.objects.filter(organisation=access.organisation)
    return mappings.filter(kind=kind) if kind else mappings
