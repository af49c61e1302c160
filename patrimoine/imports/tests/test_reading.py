"""Reading legacy files: encodings, separators, French numbers and dates, hostile input."""

import codecs
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from patrimoine.imports import cells
from patrimoine.imports.models import Kind
from patrimoine.imports.reading import ReadError, read_table
from patrimoine.imports.schema import guess_mapping

TEXT = "Code bâtiment;Libellé;Surface (m²)\nB1;École Jules-Ferry;1 234,50\nB2;Mairie annexe;98\n"


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("cp1252"), "windows-1252"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_each_encoding_is_detected_and_accents_survive(content, encoding):
    table = read_table(content, "export.csv")
    assert table.encoding == encoding
    assert table.headers == ["Code bâtiment", "Libellé", "Surface (m²)"]
    assert table.rows[0] == (2, ["B1", "École Jules-Ferry", "1 234,50"])


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_each_separator_is_sniffed(delimiter):
    d = delimiter
    text = f'Code{d}Libellé{d}Adresse\nB1{d}"École, primaire"{d}"1 rue de la Paix; Nesmy"\n'
    table = read_table(text.encode(), "x.csv")
    assert table.delimiter == delimiter
    assert table.rows == [(2, ["B1", "École, primaire", "1 rue de la Paix; Nesmy"])]


def test_semicolon_file_with_decimal_commas_is_not_taken_for_a_comma_file():
    text = "Code;Surface\nB1;1 234,50\nB2;12,5\nB3;7\n"
    table = read_table(text.encode(), "x.csv")
    assert table.delimiter == ";"
    assert [row for _line, row in table.rows] == [["B1", "1 234,50"], ["B2", "12,5"], ["B3", "7"]]


def test_blank_lines_are_skipped_but_line_numbers_stay_those_of_the_file():
    table = read_table(b"Code;Nom\nB1;Un\n;\n\nB2;Deux\n", "x.csv")
    assert [line for line, _row in table.rows] == [2, 5]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),  # non-breaking space (Excel, LibreOffice)
        ("1\u202f234,50", "1234.50"),  # narrow non-breaking space (French locale since 2020)
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("12,5", "12.5"),
        ("98", "98"),
        ("-3,25", "-3.25"),
        ("1 200 m²", "1200"),
        ("45,00 €", "45.00"),
        (12.5, "12.5"),
    ],
)
def test_french_numbers(raw, expected):
    assert cells.decimal(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["douze", "1,2,3", "12abc", ""])
def test_unreadable_numbers_say_why_in_french(raw):
    with pytest.raises(cells.CellError, match="Nombre illisible"):
        cells.decimal(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/12/2024", date(2024, 12, 31)),
        ("1/2/2024", date(2024, 2, 1)),
        ("31-12-2024", date(2024, 12, 31)),
        ("31.12.24", date(2024, 12, 31)),
        ("31/12/2024 14:30", date(2024, 12, 31)),
        ("2024-12-31", date(2024, 12, 31)),
        ("2024-12-31T08:00:00+01:00", date(2024, 12, 31)),
        (datetime(2024, 12, 31, 0, 0), date(2024, 12, 31)),
    ],
)
def test_french_and_iso_dates(raw, expected):
    assert cells.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"), [("31/02/2024", "n'existe pas"), ("12/31", "illisible"), ("demain", "illisible")]
)
def test_bad_dates_say_why(raw, reason):
    with pytest.raises(cells.CellError, match=reason):
        cells.parse_date(raw)


def test_common_french_headers_are_recognised_whatever_their_case_accents_and_spacing():
    headers = ["CODE BATIMENT", "libellé ", "Adresse", "surface  (M2)", "Date mise en service", "C.P.", "Inconnue"]
    mapping = guess_mapping(Kind.BUILDINGS, headers)
    assert mapping == {"0": "code", "1": "name", "2": "address", "3": "surface_m2", "5": "postal_code"}
    equipment = guess_mapping(
        Kind.EQUIPMENT, ["Code équipement", "Libellé", "Famille", "Code bâtiment", "Date de mise en service"]
    )
    assert equipment == {"0": "code", "1": "name", "2": "category", "3": "building_code", "4": "installed_on"}


def test_a_saved_mapping_wins_over_the_synonyms():
    mapping = guess_mapping(Kind.BUILDINGS, ["Réf", "Désignation", "Zone"], saved={"ref": "code", "zone": "city"})
    assert mapping == {"0": "code", "1": "name", "2": "city"}


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_keep_their_types():
    content = _xlsx(
        [["Code équipement", "Mise en service", "Surface"], ["EQ1", datetime(2019, 5, 3), 12.5], [None, None]]
    )
    table = read_table(content, "export.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows == [(2, ["EQ1", datetime(2019, 5, 3), 12.5])]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (bytes(range(256)) * 40, "garbage.csv", "binaire"),
        (b"\x89PNG\r\n\x1a\n" + bytes(500), "photo.csv", "binaire"),
        (b"PK\x03\x04 not really a zip" * 10, "faux.xlsx", "illisible"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "ancien.xls", "xlsx"),
        (b"", "vide.csv", "vide"),
        (b"Code;Nom\n", "entetes.csv", "aucune ligne"),
        (b'{"type": "Feature"}', "x.geojson", "FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [', "x.geojson", "JSON valide"),
        (b"[" * 100_000, "x.json", "JSON valide"),
    ],
)
def test_hostile_or_broken_files_get_a_clear_french_error(content, filename, message):
    with pytest.raises(ReadError, match=message):
        read_table(content, filename)


def test_files_over_the_size_limit_are_refused_before_reading(settings, monkeypatch):
    monkeypatch.setattr("patrimoine.imports.reading.MAX_BYTES", 1024)
    with pytest.raises(ReadError, match="taille maximale"):
        read_table(b"Code;Nom\n" + b"B1;x\n" * 500, "gros.csv")


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("patrimoine.imports.reading.MAX_ROWS", 10)
    with pytest.raises(ReadError, match="plus de 10 lignes"):
        read_table(b"Code;Nom\n" + b"B1;x\n" * 20, "long.csv")
