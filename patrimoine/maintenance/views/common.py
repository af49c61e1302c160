"""Helpers shared by the maintenance pages."""

from datetime import date

from django.core.exceptions import PermissionDenied

from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused

PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def status_of(error: DomainError) -> int:
    if isinstance(error, ConcurrentEditError):
        return 409
    if isinstance(error, PermissionRefused):
        return 403
    return 400


def require_view(access) -> None:
    if not access.has("maintenance.view"):
        raise PermissionDenied


def can_manage(access, obj=None) -> bool:
    if not access.has("maintenance.manage"):
        return False
    organisation_id = obj.organisation_id if obj is not None else getattr(access.organisation, "pk", None)
    return organisation_id in access.write_org_ids


def month_param(value: str | None, today: date) -> date:
    """`?mois=2026-09` → the first of that month; today's month otherwise."""
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)
