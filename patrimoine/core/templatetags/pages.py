"""Links between the pages of a list: {% load pages %}."""

from django import template
from django.utils.translation import gettext as _

from patrimoine.core.pagination import COUNT_CAP

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, param: str, value=None) -> str:
    """The current query string with one page parameter set (or removed when `value` is None)."""
    query = context["request"].GET.copy()
    if value in (None, ""):
        query.pop(param, None)
    else:
        query[param] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def capped_count(page, singular: str, plural: str) -> str:
    """« 12 bons de travail », or « Plus de 1 000 bons de travail » on a big list (no full COUNT).

    `singular` and `plural` are the translated nouns; a Django `Page` gives its exact count."""
    paginator = page.paginator
    count = paginator.capped_count if hasattr(paginator, "capped_count") else paginator.count
    if count > COUNT_CAP:
        return _("Plus de %(n)s %(noun)s") % {"n": f"{COUNT_CAP:,}".replace(",", "\u202f"), "noun": plural}
    return f"{count:,}".replace(",", "\u202f") + " " + (singular if count == 1 else plural)
