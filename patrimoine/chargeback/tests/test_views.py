"""Charge-back pages: who sees which statement (a commune never sees another's), the draft and
« Émettre », the PDF/CSV/XLSX downloads, the reconciliation, and constant query counts."""

import csv
import datetime as dt
import html
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import access_of
from patrimoine.chargeback.models import Statement
from patrimoine.chargeback.selectors import statement_draft
from patrimoine.chargeback.services import statement_issue
from patrimoine.core.models import AuditEntry
from patrimoine.costs.selectors import Period

from .helpers import Q1, Q2, paris, shared_world, validated_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(f):
    world = shared_world(f)
    nesmy, venansault = world["communes"]
    validated_order(
        f,
        world,
        nesmy,
        at=paris(2, 12),
        title="Fuite sous l'évier",
        time=[(world["ahmed"], "1.75", "38.40")],
        materials=[("Joint fibre 20/27", 2, "0.85"), ("Flexible inox 50 cm", 1, "12.40")],
        externals=["15.15"],
    )
    validated_order(f, world, venansault, at=paris(2, 20), title="Serrure du gymnase", externals=["120.00"])
    access = access_of(world["chef"], world["epci"])
    world["nesmy_statement"] = statement_issue(access=access, commune=nesmy, period=Q1)
    world["venansault_statement"] = statement_issue(access=access, commune=venansault, period=Q1)
    return world


def _urls(statement):
    return [
        reverse("chargeback:detail", args=[statement.pk]),
        reverse("chargeback:pdf", args=[statement.pk]),
        reverse("chargeback:export", args=[statement.pk]) + "?format=csv",
        reverse("chargeback:export", args=[statement.pk]) + "?format=xlsx",
    ]


# --- Visibility ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reader_nesmy", "admin_nesmy"])
def test_commune_finance_sees_its_statements_and_never_another_communes(world, login, who):
    client = login(world[who])
    mine, theirs = world["nesmy_statement"], world["venansault_statement"]
    page = client.get(reverse("chargeback:list")).content.decode()
    assert mine.reference in page and theirs.reference not in page and "Serrure" not in page
    for url in _urls(mine):
        assert client.get(url).status_code == 200, url
    for url in _urls(theirs):
        assert client.get(url).status_code == 404, url
    assert theirs.reference.encode() not in client.get(reverse("chargeback:list") + "?format=csv").content


@pytest.mark.parametrize("who", ["manager_nesmy", "chef_nesmy"])
def test_commune_staff_outside_finance_do_not_see_statements(world, login, who):
    client = login(world[who])
    assert world["nesmy_statement"].reference not in client.get(reverse("chargeback:list")).content.decode()
    assert client.get(_urls(world["nesmy_statement"])[0]).status_code == 404


@pytest.mark.parametrize("who", ["admin_epci", "chef", "manager_epci", "reader_epci"])
def test_the_epci_sees_every_statement_it_issued(world, login, who):
    client = login(world[who])
    page = client.get(reverse("chargeback:list")).content.decode()
    assert world["nesmy_statement"].reference in page and world["venansault_statement"].reference in page
    for url in _urls(world["venansault_statement"]):
        assert client.get(url).status_code == 200, url


def test_a_technician_and_a_requester_have_no_charge_back_pages(world, login, f):
    for user in (world["ahmed"], f.user(role="demandeur", organisation=world["communes"][0])):
        client = login(user)
        assert client.get(reverse("chargeback:list")).status_code == 403
        assert client.get(_urls(world["nesmy_statement"])[0]).status_code == 404
        assert client.get(reverse("chargeback:new")).status_code == 403


def test_another_epci_sees_nothing(world, login, f):
    other_epci, (other,) = f.epci_with_communes("Mouilleron")
    for user in (f.user(role="admin", organisation=other_epci), f.user(role="lecteur", organisation=other)):
        client = login(user)
        page = client.get(reverse("chargeback:list")).content.decode()
        assert world["nesmy_statement"].reference not in page and "Nesmy" not in page
        for statement in (world["nesmy_statement"], world["venansault_statement"]):
            for url in _urls(statement):
                assert client.get(url).status_code == 404


# --- Draft and issue ------------------------------------------------------------------------------


def test_draft_shows_the_lines_then_emettre_issues_exactly_them(world, login, f):
    nesmy = world["communes"][0]
    validated_order(f, world, nesmy, at=paris(5, 2), title="Radiateur froid", time=[(world["lucas"], 3, "41.20")])
    client = login(world["chef"])
    page = client.get(
        reverse("chargeback:new"),
        {"commune": nesmy.pk, "trimestre": "autre", "debut": Q2.start.isoformat(), "fin": Q2.end.isoformat()},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Radiateur froid" in body and "Émettre le relevé" in body
    assert "123,60" in body and "133,49" in body  # 3 h × 41,20 ; + 8 % = 9,89
    fingerprint = re.search(r'name="empreinte" value="([0-9a-f]+)"', body).group(1)
    response = client.post(
        reverse("chargeback:new"),
        {"commune": nesmy.pk, "debut": Q2.start.isoformat(), "fin": Q2.end.isoformat(), "empreinte": fingerprint},
    )
    with scopes_disabled():
        statement = Statement.objects.get(commune=nesmy, period_start=Q2.start)
    assert response.status_code == 302 and response["Location"] == reverse("chargeback:detail", args=[statement.pk])
    assert statement.total == Decimal("133.49")
    again = client.post(
        reverse("chargeback:new"),
        {"commune": nesmy.pk, "debut": Q2.start.isoformat(), "fin": Q2.end.isoformat(), "empreinte": fingerprint},
    )
    assert again.status_code == 400
    assert "Rien à refacturer à Nesmy" in again.content.decode()
    with scopes_disabled():
        assert Statement.objects.filter(commune=nesmy).count() == 2


def test_a_stale_preview_is_refused_with_409_and_nothing_issued(world, login, f):
    nesmy = world["communes"][0]
    validated_order(f, world, nesmy, at=paris(5, 2), externals=["10.00"])
    fingerprint = statement_draft(world["epci"], nesmy, Q2).fingerprint
    validated_order(f, world, nesmy, at=paris(5, 3), externals=["20.00"])
    client = login(world["chef"])
    with scopes_disabled():
        before = (Statement.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("chargeback:new"),
        {"commune": nesmy.pk, "debut": Q2.start.isoformat(), "fin": Q2.end.isoformat(), "empreinte": fingerprint},
    )
    assert response.status_code == 409 and "ont changé depuis l'aperçu" in html.unescape(response.content.decode())
    with scopes_disabled():
        assert (Statement.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["reader_epci", "manager_epci", "technician_epci", "reader_nesmy"])
def test_roles_without_the_issue_right_cannot_post(world, login, f, who):
    nesmy = world["communes"][0]
    validated_order(f, world, nesmy, at=paris(5, 2), externals=["10.00"])
    fingerprint = statement_draft(world["epci"], nesmy, Q2).fingerprint
    client = login(world[who])
    response = client.post(
        reverse("chargeback:new"),
        {"commune": nesmy.pk, "debut": Q2.start.isoformat(), "fin": Q2.end.isoformat(), "empreinte": fingerprint},
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Statement.objects.filter(period_start=Q2.start).exists()


# --- Downloads ------------------------------------------------------------------------------------


def test_csv_is_itemised_with_semicolons_french_decimals_and_a_bom(world, login):
    statement = world["nesmy_statement"]
    response = login(world["reader_nesmy"]).get(_urls(statement)[2])
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{statement.reference.lower()}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Relevé", "Commune", "Bon"]
    items = [row for row in rows[1:] if row[2]]
    assert [(row[6], row[8], row[10], row[11]) for row in items] == [
        ("Main-d'œuvre", "1,75", "38,40", "67,20"),
        ("Matériel", "2,00", "0,85", "1,70"),
        ("Matériel", "1,00", "12,40", "12,40"),
        ("Prestation externe", "1,00", "15,15", "15,15"),
    ]
    assert [(row[7], row[11]) for row in rows[-3:]] == [
        ("Coût direct", "96,45"),
        ("Frais généraux (8,00 %)", "7,72"),
        ("Total à refacturer", "104,17"),
    ]


def test_xlsx_opens_with_typed_amounts_that_add_up(world, login):
    statement = world["nesmy_statement"]
    response = login(world["reader_nesmy"]).get(_urls(statement)[3])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Relevé" and sheet.title == statement.reference
    amounts = [row[11] for row in rows[1:] if row[2]]
    assert amounts == [67.2, 1.7, 12.4, 15.15]
    assert round(sum(amounts), 2) == float(statement.subtotal)
    assert (rows[-1][7], rows[-1][11]) == ("Total à refacturer", 104.17)


def pdf_streams(content: bytes) -> list[bytes]:
    """The PDF's streams, inflated (objects, metadata), read without a PDF library."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        data = match.group(1)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        streams.append(data)
    return streams


def pdf_metadata(content: bytes) -> str:
    """The XMP metadata packet (title, PDF/UA claim)."""
    return next((data.decode() for data in pdf_streams(content) if b"<x:xmpmeta" in data), "")


def pdf_title(content: bytes) -> str:
    found = re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", pdf_metadata(content), re.S)
    return found.group(1) if found else ""


def test_pdf_is_an_accessible_a4_document_titled_with_the_statement(world, login):
    statement = world["nesmy_statement"]
    response = login(world["reader_nesmy"]).get(_urls(statement)[1])
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{statement.reference.lower()}.pdf"' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF-")
    assert pdf_title(content) == f"Relevé de refacturation {statement.reference} — Nesmy"
    assert 'pdfuaid:part="1"' in pdf_metadata(content)
    objects = b"".join([content, *pdf_streams(content)])
    assert re.search(rb"/MediaBox ?\[0 0 595\.\d+ 841\.\d+\]", objects)  # A4 portrait


def test_list_exports_as_csv_and_xlsx(world, login):
    client = login(world["admin_epci"])
    text = client.get(reverse("chargeback:list") + "?format=csv").content.decode()
    assert world["nesmy_statement"].reference in text and world["venansault_statement"].reference in text
    sheet = load_workbook(io.BytesIO(client.get(reverse("chargeback:list") + "?format=xlsx").content)).active
    totals = sorted(row[-1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert totals == sorted([float(world["nesmy_statement"].total), float(world["venansault_statement"].total)])


# --- Reconciliation -------------------------------------------------------------------------------


def test_reconciliation_page_balances_and_is_the_epcis_only(world, login, f):
    validated_order(f, world, world["epci"], at=paris(3, 1), externals=["50.00"])
    validated_order(f, world, world["communes"][0], at=paris(3, 30), externals=["7.00"])  # not billed yet
    client = login(world["reader_epci"])
    page = client.get(
        reverse("chargeback:reconciliation"),
        {"trimestre": "autre", "debut": Q1.start.isoformat(), "fin": Q1.end.isoformat()},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Le compte est juste" in body
    assert "273,45" in body  # 96,45 + 120 + 50 + 7
    assert "7,00" in body
    sheet = load_workbook(
        io.BytesIO(
            client.get(
                reverse("chargeback:reconciliation"),
                {"trimestre": "autre", "debut": Q1.start.isoformat(), "fin": Q1.end.isoformat(), "format": "xlsx"},
            ).content
        )
    ).active
    total = list(sheet.iter_rows(values_only=True))[-1]
    assert total[0] == "Total" and total[2] == 273.45 and total[4] == 216.45 and total[5] == 7.0
    assert login(world["reader_nesmy"]).get(reverse("chargeback:reconciliation")).status_code in (200, 403)


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_statements(f, world, count):
    nesmy = world["communes"][0]
    access = access_of(world["chef"], world["epci"])
    for index in range(count):
        day = Q2.start + dt.timedelta(days=index)
        validated_order(f, world, nesmy, at=paris(day.month, day.day), externals=["1.00"])
        statement_issue(access=access, commune=nesmy, period=Period(day, day))


def test_list_query_count_does_not_grow_with_statements(world, login, f):
    client = login(world["reader_nesmy"])
    _more_statements(f, world, 2)
    small = _queries(client, reverse("chargeback:list"))
    _more_statements(f, world, 27)
    assert _queries(client, reverse("chargeback:list")) == small


def _statement_with_orders(f, world, count, start):
    nesmy = world["communes"][0]
    for index in range(count):
        validated_order(
            f,
            world,
            nesmy,
            at=paris(start.month, start.day + index % 20, 9),
            time=[(world["ahmed"], 1, "38.40")],
            materials=[("Joint", 1, "0.85")],
            externals=["3.00"],
        )
    return statement_issue(
        access=access_of(world["chef"], world["epci"]),
        commune=nesmy,
        period=Period(start, start + dt.timedelta(days=25)),
    )


def test_statement_pages_query_count_does_not_grow_with_lines(world, login, f):
    client = login(world["reader_nesmy"])
    small = _statement_with_orders(f, world, 3, dt.date(Q2.start.year, 4, 1))
    large = _statement_with_orders(f, world, 30, dt.date(Q2.start.year, 5, 1))
    assert large.line_count == 30
    for name in ("chargeback:detail", "chargeback:pdf"):
        assert _queries(client, reverse(name, args=[large.pk])) == _queries(client, reverse(name, args=[small.pk]))
    export = reverse("chargeback:export", args=[large.pk]) + "?format=xlsx"
    assert _queries(client, export) == _queries(client, reverse("chargeback:export", args=[small.pk]) + "?format=xlsx")


def test_draft_query_count_does_not_grow_with_orders(world, login, f):
    nesmy = world["communes"][0]
    client = login(world["chef"])

    def draft_url(start):
        return reverse("chargeback:new") + (
            f"?commune={nesmy.pk}&trimestre=autre&debut={start.isoformat()}"
            f"&fin={(start + dt.timedelta(days=25)).isoformat()}"
        )

    for index in range(3):
        validated_order(f, world, nesmy, at=paris(4, 1 + index), time=[(world["ahmed"], 1, "38.40")], externals=["1"])
    for index in range(30):
        validated_order(f, world, nesmy, at=paris(5, 1 + index % 20), time=[(world["lucas"], 1, "41.20")])
    small, large = draft_url(dt.date(Q2.start.year, 4, 1)), draft_url(dt.date(Q2.start.year, 5, 1))
    assert "BT-" in client.get(large).content.decode()
    assert _queries(client, large) == _queries(client, small)
