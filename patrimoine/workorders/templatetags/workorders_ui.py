"""Template helpers of the work-order pages: {% load workorders_ui %}."""

from django import template
from django.urls import NoReverseMatch, reverse

from patrimoine.workorders.models import WorkOrder

register = template.Library()
Status = WorkOrder.Status
Priority = WorkOrder.Priority

STATUS_BADGES = {
    Status.TO_PLAN: "badge--warn",
    Status.PLANNED: "badge--info",
    Status.IN_PROGRESS: "badge--info",
    Status.SUSPENDED: "badge--warn",
    Status.DONE: "badge--ok",
    Status.VALIDATED: "badge--ok",
    Status.CANCELLED: "",
}
PRIORITY_BADGES = {Priority.URGENT: "badge--urgent", Priority.HIGH: "badge--warn"}


@register.filter
def status_badge(status: str) -> str:
    """CSS modifier of a status badge."""
    return STATUS_BADGES.get(status, "")


@register.filter
def priority_badge(priority: str) -> str:
    return PRIORITY_BADGES.get(priority, "")


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL of `name`, or "" while the page it names does not exist (then the template shows plain text)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None or "" removes them); `page` resets."""
    query = context["request"].GET.copy()
    if "page" not in changes:
        query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
