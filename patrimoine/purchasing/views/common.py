"""Helpers shared by the purchasing views."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from patrimoine.budgets.selectors import budget_lines_of

PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(access, action: str) -> None:
    if not access.has(action):
        raise PermissionDenied


def budget_lines_for_orders(organisation_id: int, current=None):
    """This year's lines of the organisation (and the order's current line, whatever its year)."""
    return budget_lines_of(organisation_id, timezone.localdate().year, also=current)
