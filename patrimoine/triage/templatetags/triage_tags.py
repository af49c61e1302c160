"""`{% triage_panel wr %}`: the assistant's suggestions, probable duplicates and estimate of a request,
on its page and on the triage form. Empty for a role that cannot triage it, or when AI is off."""

from django import template

from patrimoine.intake.selectors import can_triage
from patrimoine.triage import selectors, services

register = template.Library()


@register.inclusion_tag("triage/partials/panel.html", takes_context=True)
def triage_panel(context, work_request, next_url: str = ""):
    request = context.get("request")
    access = getattr(request, "access", None)
    if access is None or not can_triage(access, work_request):
        return {"show": False}
    suggestion = selectors.suggestion_for(work_request)
    if suggestion is None and work_request.status == work_request.Status.NEW:
        # A request filed before AI was switched on, or imported: suggest now, once.
        suggestion = services.suggestion_ensure(work_request)
    if suggestion is None:
        return {"show": False}
    trade_id = suggestion.trade_id or work_request.suggested_trade_id
    return {
        "show": True,
        "wr": work_request,
        "s": suggestion,
        "low_confidence": suggestion.trade_id is None,
        "priority_label": selectors.Priority(suggestion.priority).label if suggestion.priority else "",
        "duplicates": selectors.probable_duplicates(access, work_request),
        "estimate": selectors.estimate_for(work_request.organisation_id, trade_id, work_request.description),
        "next": next_url or (request.get_full_path() if request else ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("triage/partials/estimate.html", takes_context=True)
def triage_estimate(context, work_order):
    """On an open work order's page, for those who plan: the range of similar validated jobs."""
    request = context.get("request")
    access = getattr(request, "access", None)
    if access is None or not access.has("workorders.plan") or not work_order.is_open:
        return {"estimate": None}
    text = f"{work_order.title} {work_order.description}"
    return {"estimate": selectors.estimate_for(work_order.organisation_id, work_order.trade_id, text)}


@register.filter
def percent(value) -> str:
    return f"{round(float(value or 0) * 100)} %"
