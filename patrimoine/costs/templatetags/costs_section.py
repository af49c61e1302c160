"""`{% cost_forms_for costs as forms %}`: the add forms of a work order's cost section.

The section is included by other apps' pages with only `work_order` and `costs` (the selector's
dict); the forms are built here, unless the costs view already put bound forms (with errors) in.
"""

from django import template

from patrimoine.costs.forms import cost_forms

register = template.Library()


@register.simple_tag(takes_context=True)
def cost_forms_for(context, costs: dict) -> dict:
    if "forms" in costs:
        return costs["forms"]
    access = context.get("access") or getattr(context.get("request"), "access", None)
    return cost_forms(access, costs)


@register.filter
def quantity(value) -> str:
    """Decimal('2.000') → '2', Decimal('1.500') → '1,5'."""
    if value in (None, ""):
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
