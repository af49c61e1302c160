"""The shared export helper (rows + columns → CSV / XLSX) and the SVG chart tags."""

import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template
from openpyxl import load_workbook

from patrimoine.reporting.exports import DATE, DECIMAL, INTEGER, MONEY, Column, csv_response, csv_value, xlsx_bytes

COLUMNS = [Column("Bâtiment"), Column("Bons", INTEGER), Column("Total (€)", MONEY), Column("Le", DATE)]
ROWS = [
    ["École « Jules Ferry »; cantine", 3, Decimal("1234.565"), dt.date(2026, 3, 31)],
    ["Mairie", 0, Decimal("0.1"), None],
]


def test_csv_is_what_french_spreadsheets_read():
    response = csv_response(filename="Coûts par bâtiment", columns=COLUMNS, rows=ROWS)
    assert response["Content-Disposition"] == 'attachment; filename="couts-par-batiment.csv"'
    text = response.content.decode("utf-8")
    assert text == (
        "\ufeffBâtiment;Bons;Total (€);Le\r\n"
        '"École « Jules Ferry »; cantine";3;1234,57;31/03/2026\r\n'
        "Mairie;0;0,10;\r\n"
    )


def test_csv_values_are_localised():
    paris = ZoneInfo("Europe/Paris")
    assert csv_value(dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)) == "01/04/2026 00:30"
    assert csv_value(dt.datetime(2026, 1, 5, 9, 0, tzinfo=paris)) == "05/01/2026 09:00"
    assert csv_value(Decimal("1.755"), DECIMAL) == "1,76"
    assert csv_value(None, MONEY) == ""
    assert csv_value("texte") == "texte"


def test_xlsx_keeps_numbers_and_dates_typed_with_french_formats():
    content = xlsx_bytes(title="Coûts: par bâtiment/2026", columns=COLUMNS, rows=ROWS)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Coûts  par bâtiment 2026"
    assert [c.value for c in sheet[1]] == ["Bâtiment", "Bons", "Total (€)", "Le"]
    assert sheet[1][0].font.bold
    assert [c.value for c in sheet[2]] == ["École « Jules Ferry »; cantine", 3, 1234.57, dt.datetime(2026, 3, 31)]
    assert sheet["C2"].number_format == '#,##0.00\\ "€"'
    assert sheet["D2"].number_format == "DD/MM/YYYY"
    assert sheet["D3"].value is None
    assert sheet.freeze_panes == "A2"


def _render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_text_that_a_spreadsheet_would_run_is_exported_as_text():
    hostile = "=cmd|' /C calc'!A0"
    assert csv_value(hostile) == "'" + hostile and csv_value("@SUM(A1)") == "'@SUM(A1)"
    assert csv_value("Fuite sous l'évier") == "Fuite sous l'évier"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="t", columns=[Column("Libellé")], rows=[[hostile]]))).active
    assert sheet["A2"].value == hostile and sheet["A2"].data_type == "s"


def test_bar_chart_is_an_accessible_svg_with_proportional_bars():
    rows = [{"name": "École", "total": Decimal("300")}, {"name": "Gymnase", "total": Decimal("150")}]
    svg = _render('{% bar_chart rows title="Coût par bâtiment" %}', rows=rows)
    match = re.search(r'role="img" aria-labelledby="(chart-\d+)-title chart-\d+-desc"', svg)
    assert match
    chart_id = match.group(1)
    assert f'<title id="{chart_id}-title">Coût par bâtiment</title>' in svg
    assert f'<desc id="{chart_id}-desc">École : 300,00\u00a0€; Gymnase : 150,00\u00a0€.</desc>' in svg
    assert "<title>Gymnase : 150,00\u00a0€</title>" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1] > 0
    assert 'style="' not in svg  # the CSP forbids inline styles


def test_column_and_line_charts_label_their_axis_and_points():
    rows = [{"label": "janv. 26", "total": Decimal("1000")}, {"label": "févr. 26", "total": Decimal("2500")}]
    columns = _render('{% column_chart rows title="Par mois" %}', rows=rows)
    assert "2\u202f500\u00a0€" in columns and "janv. 26" in columns and columns.count("<rect") == 2
    line = _render('{% line_chart rows value="total" unit="count" title="Reste à faire" %}', rows=rows)
    assert line.count("<circle") == 2 and "<polyline" in line and "<title>févr. 26 : 2\u202f500</title>" in line


def test_a_chart_without_data_says_so():
    svg = _render('{% bar_chart rows title="Rien" %}', rows=[])
    assert "Aucune donnée." in svg and 'role="img"' in svg
