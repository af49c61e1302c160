"""Small template helpers of the request pages."""

from django import template
from django.urls import NoReverseMatch, reverse

from patrimoine.intake.services import PRIORITY_OF_URGENCY
from patrimoine.workorders.models import WorkOrder

register = template.Library()


@register.filter
def work_order_url(work_order) -> str:
    """The work order's page, when the work-order pages are installed (empty otherwise)."""
    if work_order is None:
        return ""
    try:
        return reverse("workorders:detail", kwargs={"pk": work_order.pk})
    except NoReverseMatch:
        return ""


@register.filter
def suggested_priority(work_request) -> str:
    """The work-order priority that « Accepter » will give, from the request's urgency."""
    priority = PRIORITY_OF_URGENCY.get(work_request.urgency, WorkOrder.Priority.NORMAL)
    return WorkOrder.Priority(priority).label
