"""Helpers shared by the purchasing views."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from patrimoine.budgets.models import BudgetLine

PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(access, action: str) -> None:
    if not access.has(action):
        raise PermissionDenied


def budget_lines_for_orders(organisation_id: int, current=None):
    """This year's lines of the organisation (and the order's current line, whatever its year)."""
    lines = BudgetLine.objects.filter(organisation_id=organisation_id, year=timezone.localdate().year)
    if current is not None:
        lines = lines | BudgetLine.objects.filter(pk=current.pk)
    return lines.order_by("section", "code")
