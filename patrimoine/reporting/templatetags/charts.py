"""Server-rendered SVG charts, no chart library: {% load charts %}

    {% bar_chart rows label="name" value="total" unit="euros" title=_("Coût par bâtiment") %}
    {% column_chart rows label="label" value="total" unit="euros" title=_("Coût par mois") %}
    {% line_chart rows label="label" value="count" unit="count" title=_("Demandes en attente") %}

Each chart is an <svg role="img"> labelled by its <title> and a <desc> that states the figures in
words; every bar or point carries its own <title> (a tooltip for the mouse). Colours and sizes are
SVG presentation attributes, not inline styles: the strict CSP holds, and WeasyPrint draws the same
chart in a PDF. A chart never stands alone: templates put its data table next to it.
"""

import itertools
from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from patrimoine.core.templatetags.formatting import format_euros

register = template.Library()
_ids = itertools.count(1)

WIDTH = 520  # a half-width card; wide charts ask for more (`width=1000`) so that text keeps its size
BAR_ROW = 38
VALUE_WIDTH = 110
PLOT_HEIGHT = 170
COLOURS = {"primary": "#1d4e89", "accent": "#b45309", "ok": "#1e6b34", "muted": "#4a5560"}


def format_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "euros":
        return format_euros(value)
    if unit == "days":
        return _("%(n)s j") % {"n": f"{Decimal(str(value)):.1f}".replace(".", ",")}
    if unit == "percent":
        return f"{Decimal(str(value)):.1f}".replace(".", ",") + "\u00a0%"
    if unit == "m2":
        return format_euros(value) + "/m²"
    return f"{int(value):,}".replace(",", "\u202f")


def _axis_text(amount: float, unit: str) -> str:
    """Round figures on an axis: « 20 000 € », « 150 »."""
    number = f"{round(amount):,}".replace(",", "\u202f")
    if unit in ("euros", "m2"):
        return f"{number}\u00a0€"
    if unit == "percent":
        return f"{number}\u00a0%"
    if unit == "days":
        return f"{number}\u00a0j"
    return number


def _get(row, key):
    return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def _truncate(text: str, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _nice_max(peak: float) -> float:
    """A round upper bound for the axis: 1, 2, 2.5 or 5 × 10^n."""
    if peak <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(peak))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if peak <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass
class Mark:
    label: str
    short: str
    text: str
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0


def _description(title: str, marks: list[Mark]) -> str:
    if not marks:
        return _("Aucune donnée.")
    return "; ".join(f"{m.label} : {m.text}" for m in marks) + "."


def _base(rows, label, value, unit, title, colour):
    rows = list(rows or [])
    chart_id = f"chart-{next(_ids)}"
    return rows, {
        "id": chart_id,
        "title": title,
        "unit": unit,
        "colour": COLOURS.get(colour, colour),
        "empty": not rows,
    }


@register.inclusion_tag("reporting/charts/bar.html")
def bar_chart(rows, label="name", value="total", unit="euros", title="", colour="primary", empty_label=""):
    """Horizontal bars, one per row (rankings: buildings, trades, channels): the name above its bar,
    the value after it, so long names stay readable at any width."""
    rows, chart = _base(rows, label, value, unit, title, colour)
    values = [_number(_get(r, value)) for r in rows]
    peak = max(values, default=0) or 1.0
    plot = WIDTH - VALUE_WIDTH
    marks = []
    for index, (row, number) in enumerate(zip(rows, values, strict=True)):
        name = str(_get(row, label) or empty_label or "—")
        mark = Mark(label=name, short=_truncate(name, 64), text=format_value(_get(row, value), unit))
        mark.y = index * BAR_ROW
        mark.width = round(max(number, 0) / peak * plot, 1)
        mark.text_y = mark.y + 14
        mark.bar_y = mark.y + 19
        mark.value_x = mark.width + 6
        mark.value_y = mark.bar_y + 11
        marks.append(mark)
    chart.update(
        marks=marks,
        height=max(len(marks), 1) * BAR_ROW + 4,
        width=WIDTH,
        bar_height=13,
        desc=_description(title, marks),
    )
    return {"chart": chart}


def _columns_geometry(rows, label, value, unit, width):
    values = [_number(_get(r, value)) for r in rows]
    top = _nice_max(max(values, default=0))
    left, bottom = 70, 28
    plot_width = width - left - 8
    step = plot_width / max(len(rows), 1)
    marks = []
    for index, (row, number) in enumerate(zip(rows, values, strict=True)):
        name = str(_get(row, label) or "—")
        mark = Mark(label=name, short=_truncate(name, 12), text=format_value(_get(row, value), unit))
        mark.height = round(max(number, 0) / top * PLOT_HEIGHT, 1)
        mark.x = round(left + index * step, 1)
        mark.y = round(PLOT_HEIGHT - mark.height + 8, 1)
        mark.width = round(step * 0.7, 1)
        mark.centre = round(left + index * step + step / 2, 1)
        mark.point_y = mark.y
        marks.append(mark)
    ticks = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        amount = top * fraction
        ticks.append({"y": round(PLOT_HEIGHT - fraction * PLOT_HEIGHT + 8, 1), "text": _axis_text(amount, unit)})
    # Label every n-th column so that labels never overlap (about 60 px each).
    every = max(1, int(60 // step) + (1 if 60 % step else 0)) if step < 60 else 1
    for index, mark in enumerate(marks):
        mark.show_label = index % every == 0
    return marks, ticks, left, bottom


@register.inclusion_tag("reporting/charts/columns.html")
def column_chart(rows, label="label", value="total", unit="euros", title="", colour="primary", width=WIDTH):
    """Vertical columns over time (months, quarters)."""
    rows, chart = _base(rows, label, value, unit, title, colour)
    marks, ticks, left, bottom = _columns_geometry(rows, label, value, unit, width)
    for mark in marks:
        mark.x = round(mark.centre - mark.width / 2, 1)
    chart.update(
        marks=marks,
        ticks=ticks,
        left=left,
        width=width,
        height=PLOT_HEIGHT + 8 + bottom,
        axis_y=PLOT_HEIGHT + 8,
        label_y=PLOT_HEIGHT + 8 + 18,
        desc=_description(title, marks),
    )
    return {"chart": chart}


@register.inclusion_tag("reporting/charts/line.html")
def line_chart(rows, label="label", value="count", unit="count", title="", colour="primary", width=WIDTH):
    """A line over time with a dot per point (the backlog month after month)."""
    rows, chart = _base(rows, label, value, unit, title, colour)
    marks, ticks, left, bottom = _columns_geometry(rows, label, value, unit, width)
    points = " ".join(f"{m.centre},{m.point_y}" for m in marks)
    chart.update(
        marks=marks,
        ticks=ticks,
        left=left,
        width=width,
        height=PLOT_HEIGHT + 8 + bottom,
        axis_y=PLOT_HEIGHT + 8,
        label_y=PLOT_HEIGHT + 8 + 18,
        points=points,
        desc=_description(title, marks),
    )
    return {"chart": chart}


@register.filter
def chart_value(value, unit="count"):
    """The same French formatting as the charts, for their data tables: {{ row.ttr|chart_value:"days" }}."""
    return format_value(value, unit)


@register.filter
def at(sequence, index):
    """`{{ columns|at:forloop.counter0 }}`: the item at a position (data-label of a cross table's cell)."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""
