"""`{% load field_ui %}{% offline_conflicts work_order %}`: on a work order's page, the entries its
technicians recorded offline that could not land on it (kept, to be settled by the team lead)."""

from django import template

from patrimoine.field.models import OfflineConflict
from patrimoine.field.selectors import conflicts_visible_to

register = template.Library()


@register.inclusion_tag("field/partials/order_conflicts.html", takes_context=True)
def offline_conflicts(context, work_order):
    access = getattr(context.get("request"), "access", None)
    conflicts = []
    if access is not None and access.is_authenticated:
        conflicts = list(
            conflicts_visible_to(access)
            .filter(work_order_id=work_order.pk, status=OfflineConflict.Status.OPEN)
            .order_by("created_at")
        )
    return {"conflicts": conflicts}
