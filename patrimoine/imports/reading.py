"""Reading an uploaded file into a table: CSV (separator sniffed, encoding detected), XLSX (openpyxl)
or GeoJSON (a FeatureCollection whose properties are the columns, plus latitude/longitude).

Everything a hostile or broken file can do ends in `ReadError`, with a French message.
"""

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError

MAX_BYTES = settings.UPLOAD_MAX_BYTES  # the project's upload limit (10 Mio unless configured)
MAX_ROWS = 20_000  # rows of data per file: a bigger export is split (one import stays one transaction)
MAX_COLUMNS = 100
MAX_CELL = 2_000
DELIMITERS = ";,\t|"


class ReadError(DomainError):
    """The file cannot be read at all (as opposed to a row with a bad value)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells)
    file_format: str  # csv, xlsx, geojson
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def read_table(content: bytes, filename: str = "") -> Table:
    if len(content) > MAX_BYTES:
        raise ReadError(
            _("Le fichier dépasse la taille maximale de %(max)d Mo : découpez-le en plusieurs fichiers.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise ReadError(_("Le fichier est vide."))
    name = filename.lower()
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise ReadError(
            _(
                "Ce fichier n'est pas un classeur Excel au format .xlsx "
                "(un ancien .xls ? enregistrez-le en .xlsx ou en CSV)."
            )
        )
    text, encoding = _decode(content)
    if name.endswith((".geojson", ".json")) or text.lstrip().startswith("{"):
        return _read_geojson(text, encoding)
    return _read_csv(text, encoding)


def _decode(content: bytes) -> tuple[str, str]:
    """UTF-8 with or without BOM, UTF-16 with BOM, or else Windows-1252 (what Excel writes in France).

    A strict UTF-8 decode is a reliable test: accented Windows-1252 text is practically never valid
    UTF-8, so no statistical detection library is needed for the three encodings SIPs export.
    """
    try:
        if content.startswith(codecs.BOM_UTF8):
            text, encoding = content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = content.decode("utf-16"), "utf-16"
        else:
            try:
                text, encoding = content.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                text, encoding = content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ReadError(
            _(
                "Ce fichier semble binaire ou illisible : déposez un CSV (UTF-8 ou Windows-1252), un classeur "
                "Excel (.xlsx) ou un GeoJSON."
            )
        ) from exc
    controls = sum(1 for char in text[:20_000] if ord(char) < 32 and char not in "\t\r\n")
    if "\x00" in text or controls > len(text[:20_000]) / 100:
        raise ReadError(
            _("Ce fichier semble binaire : déposez un fichier CSV, un classeur Excel (.xlsx) ou un GeoJSON.")
        )
    return text, encoding


def _sniff(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:20]
    header = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter not in header:  # the sniffer can be misled by decimal commas: trust the header line
        counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
        best = max(counts, key=counts.get)
        delimiter = best if counts[best] else (delimiter or ";")
    return delimiter


def _read_csv(text: str, encoding: str) -> Table:
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = _limited(reader)
    except csv.Error as exc:
        raise ReadError(_("Le fichier CSV est mal formé : %(error)s") % {"error": exc}) from exc
    return _table(records, "csv", encoding=encoding, delimiter=delimiter)


def _limited(rows) -> list[list]:
    records = []
    filled = 0  # blank rows (a sheet formatted down to row 1,048,576) do not count
    for row in rows:
        filled += any(_filled(cell) for cell in row)
        if filled > MAX_ROWS + 1:
            raise ReadError(
                _("Le fichier a plus de %(max)d lignes : découpez-le en plusieurs fichiers.") % {"max": MAX_ROWS}
            )
        if len(row) > MAX_COLUMNS:
            raise ReadError(_("Le fichier a plus de %(max)d colonnes.") % {"max": MAX_COLUMNS})
        records.append([cell[:MAX_CELL] if isinstance(cell, str) else cell for cell in row])
    return records


def _table(records: list[list], file_format: str, **extra) -> Table:
    """First non-empty row = headers; line numbers are those a spreadsheet shows (header = 1)."""
    start = next((i for i, row in enumerate(records) if any(_filled(cell) for cell in row)), None)
    if start is None:
        raise ReadError(_("Le fichier est vide."))
    headers = [str(cell).strip() if cell is not None else "" for cell in records[start]]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ReadError(_("La première ligne doit porter les noms des colonnes."))
    rows = []
    for index, row in enumerate(records[start + 1 :], start=start + 2):
        cells = list(row[: len(headers)]) + [None] * (len(headers) - len(row))
        if any(_filled(cell) for cell in cells):
            rows.append((index, cells))
    if not rows:
        raise ReadError(_("Le fichier n'a aucune ligne de données sous les en-têtes."))
    return Table(headers=headers, rows=rows, file_format=file_format, **extra)


def _filled(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            if (sheet.max_column or 0) > MAX_COLUMNS:
                raise ReadError(_("Le fichier a plus de %(max)d colonnes.") % {"max": MAX_COLUMNS})
            rows = (_trimmed(row) for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
            records = _limited(rows)
        finally:
            workbook.close()
    except ReadError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError, EOFError) as exc:
        raise ReadError(_("Ce classeur Excel est illisible ou endommagé.")) from exc
    return _table(records, "xlsx")


def _trimmed(row) -> list:
    """openpyxl pads every row to `max_col`: drop the empty cells at the end."""
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _read_geojson(text: str, encoding: str) -> Table:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ReadError(_("Ce fichier n'est pas un JSON valide.")) from exc
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ReadError(_("Un GeoJSON d'import doit être une « FeatureCollection » avec une liste « features »."))
    features = data["features"]
    if len(features) > MAX_ROWS:
        raise ReadError(_("Le fichier a plus de %(max)d entités.") % {"max": MAX_ROWS})
    headers: list[str] = []
    parsed = []
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ReadError(_("Chaque élément de « features » doit être une « Feature »."))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise ReadError(_("Les « properties » d'une entité doivent être un objet."))
        values = {str(key): value for key, value in properties.items()}
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coordinates = geometry.get("coordinates")
            if not (isinstance(coordinates, list) and len(coordinates) >= 2):
                raise ReadError(_("Un point GeoJSON doit avoir des coordonnées [longitude, latitude]."))
            values["longitude"], values["latitude"] = coordinates[0], coordinates[1]
        elif geometry is not None:
            raise ReadError(_("Seules les géométries « Point » (ou nulles) sont importées."))
        for key in values:
            if key not in headers:
                headers.append(key)
        parsed.append(values)
    if len(headers) > MAX_COLUMNS:
        raise ReadError(_("Le fichier a plus de %(max)d colonnes.") % {"max": MAX_COLUMNS})
    records = [headers] + [[_flat(values.get(key)) for key in headers] for values in parsed]
    table = _table(records, "geojson", encoding=encoding)
    table.rows = [(line - 1, cells) for line, cells in table.rows]  # entity numbers, from 1
    return table


def _flat(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:MAX_CELL]
    if isinstance(value, str):
        return value[:MAX_CELL]
    return value
