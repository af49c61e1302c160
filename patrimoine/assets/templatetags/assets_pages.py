"""{% page_url "epage" 3 %}: the current query string with one page parameter changed."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
