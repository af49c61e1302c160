"""{% load maintenance_ui %}: French wording of recurrence rules."""

from django import template

from patrimoine.maintenance.recurrence import rule_describe

register = template.Library()


@register.filter
def rule_text(rule: str) -> str:
    return rule_describe(rule) if rule else ""
