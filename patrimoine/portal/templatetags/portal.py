from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

from patrimoine.portal.forms import ReplyForm
from patrimoine.portal.models import PublicReport

register = template.Library()


@lru_cache(maxsize=32)
def _icon_source(code: str) -> str:
    path = finders.find(f"portal/icons/{code}.svg")
    if path is None:
        return ""
    with open(path, encoding="utf-8") as handle:
        svg = handle.read().strip()
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="tile__icon" ', 1)


@register.simple_tag
def portal_icon(code: str):
    """A category's SVG icon, inlined (no extra request), hidden from screen readers: the label says it."""
    return mark_safe(_icon_source(code))  # noqa: S308 — our own static file


@register.inclusion_tag("portal/partials/replies.html", takes_context=True)
def public_replies_box(context, work_requests):
    """The public replies of requests filed through the portal/counter, and the form to add one."""
    access = context["access"]
    request = context["request"]
    if not isinstance(work_requests, list | tuple):
        work_requests = [work_requests] if hasattr(work_requests, "pk") else list(work_requests)
    reports = list(
        PublicReport.objects.filter(work_request__in=[w.pk for w in work_requests])
        .select_related("work_request")
        .prefetch_related("replies", "messages")
    )
    return {
        "reports": reports,
        "can_reply": access is not None and access.has("portal.reply"),
        "form": ReplyForm(),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("portal/partials/citizen_bar.html", takes_context=True)
def citizen_bar(context):
    """The signed-in citizen (name, « Mes signalements », sign out), or the optional sign-in link."""
    from django.conf import settings

    from patrimoine.portal import citizen

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return {
        "request": request,
        "person": citizen.current(request) if request is not None else None,
        # « Mes signalements » has its own sign-in button: not twice on the same page.
        "enabled": citizen.enabled() and not (match and match.view_name == "portal:my-reports"),
        "label": settings.CITIZEN_OIDC_BUTTON_LABEL,
        "csrf_token": context.get("csrf_token"),
    }
