"""French formatting of money and durations for templates: {% load formatting %}."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"


def format_euros(value) -> str:
    """Decimal('1234.5') → '1 234,50 €' (narrow no-break space for thousands, comma for cents)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NARROW_NBSP.join(groups)},{cents}\u00a0€"


def format_hours(value) -> str:
    """Decimal('1.75') → '1 h 45'."""
    if value in (None, ""):
        return ""
    minutes = int((Decimal(value) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u00a0h\u00a0{rest:02d}" if rest else f"{hours}\u00a0h"


register.filter("euros", format_euros)
register.filter("hours", format_hours)
