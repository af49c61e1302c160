"""Rows and columns → a CSV or XLSX download. Any list or report of any app can use it:

    columns = [Column(_("Bâtiment")), Column(_("Bons"), INTEGER), Column(_("Total (€)"), MONEY)]
    return export_response(fmt, filename="couts-2026", title=_("Coûts par bâtiment"), columns=columns, rows=rows)

CSV is what French accounting and spreadsheet software read without a wizard: UTF-8 with a BOM,
`;` between fields, a decimal comma and no thousands separator, dates as dd/mm/yyyy. XLSX cells keep
their type (numbers stay numbers, dates stay dates) with French number formats, so totals can be
recomputed in the spreadsheet.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

TEXT, INTEGER, MONEY, DECIMAL, DATE, PERCENT = "text", "integer", "money", "decimal", "date", "percent"
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_NUMBER_FORMATS = {
    INTEGER: "0",
    MONEY: '#,##0.00\\ "€"',
    DECIMAL: "#,##0.00",
    DATE: "DD/MM/YYYY",
    PERCENT: "0.0\\ %",
}
XLSX_WIDTHS = {TEXT: 32, INTEGER: 10, MONEY: 16, DECIMAL: 12, DATE: 12, PERCENT: 10}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


def export_format(request) -> str | None:
    """`csv` or `xlsx` when the request asks for a download (`?format=`), else None."""
    fmt = request.GET.get("format", "").lower()
    return fmt if fmt in FORMATS else None


def csv_value(value, kind: str = TEXT) -> str:
    """The CSV text of one cell: 1234.5 → « 1234,50 », a date → « 31/03/2026 », None → empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if kind == PERCENT:
        return f"{Decimal(str(value)):.1f}".replace(".", ",")
    if kind in (MONEY, DECIMAL) or isinstance(value, (Decimal, float)):
        places = Decimal("0.01")
        return f"{Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)}".replace(".", ",")
    text = str(value)
    # A cell a spreadsheet would run as a formula (« =cmd|… », « @SUM(…) ») is written as text.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filename(name: str, fmt: str) -> str:
    return f"{slugify(name) or 'export'}.{fmt}"


def csv_response(*, filename: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "csv")}"'
    response.write("\ufeff")  # BOM: spreadsheet software then reads UTF-8 correctly
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c.label) for c in columns])
    for row in rows:
        writer.writerow([csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return response


def xlsx_bytes(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook: a bold header row (frozen), typed cells, French number formats."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS.get(column.kind, 16)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=True):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value, column.kind))
            if cell.data_type == "f":  # openpyxl takes any text starting with « = » for a formula
                cell.data_type = "s"
            if column.kind in XLSX_NUMBER_FORMATS:
                cell.number_format = XLSX_NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value, kind: str):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind == PERCENT and isinstance(value, (int, float, Decimal)):
        return float(Decimal(str(value)) / 100)
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if kind == MONEY else float(value)
    return value if isinstance(value, (int, float, dt.date)) else str(value)


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return (cleaned or "Export")[:31]


def xlsx_response(*, filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title=title, columns=columns, rows=rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "xlsx")}"'
    return response


def export_response(
    fmt: str, *, filename: str, columns: Sequence[Column], rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    """The download of `rows` in `fmt` (`csv` or `xlsx`)."""
    if fmt == "xlsx":
        return xlsx_response(filename=filename, title=title or filename, columns=columns, rows=rows)
    return csv_response(filename=filename, columns=columns, rows=rows)
