"""Journey 6 in a real browser: the finance officer of a member commune opens the statement the EPCI
issued, downloads its PDF and its XLSX, and the dashboard's XLSX export; the files are checked."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import access_of, browser_login
from patrimoine.chargeback.services import statement_issue

from .helpers import Q1, paris, shared_world, validated_order
from .test_views import pdf_metadata, pdf_title

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issued(f):
    world = shared_world(f)
    nesmy = world["communes"][0]
    school = f.building(nesmy, "École Jules Ferry", surface_m2=Decimal("1200"))
    validated_order(
        f,
        world,
        nesmy,
        at=paris(2, 12),
        title="Fuite sous l'évier",
        building=school,
        time=[(world["ahmed"], "1.75", "38.40")],
        materials=[("Joint fibre 20/27", 2, "0.85"), ("Flexible inox 50 cm", 1, "12.40")],
        externals=["15.15"],
    )
    validated_order(f, world, nesmy, at=paris(3, 3), title="Chaudière", time=[(world["lucas"], "2.5", "41.20")])
    statement = statement_issue(access=access_of(world["chef"], world["epci"]), commune=nesmy, period=Q1)
    return world, statement


def _download(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return handle.read()


def test_finance_officer_downloads_the_statement_pdf_and_xlsx(issued, page):
    world, statement = issued
    browser_login(page, world["reader_nesmy"].username)
    page.get_by_role("link", name="Refacturation").click()
    page.get_by_role("link", name=statement.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relevé de refacturation {statement.reference}")
    expect(page.locator("main")).to_contain_text("215,41\u00a0€")  # 199,45 + 8 % (15,96)

    pdf = _download(page, "Télécharger le PDF")
    assert pdf.startswith(b"%PDF-")
    assert pdf_title(pdf) == f"Relevé de refacturation {statement.reference} — Nesmy"
    assert 'pdfuaid:part="1"' in pdf_metadata(pdf)
    if shutil.which("pdftotext"):  # poppler-utils, when the machine has it: read the visible text too
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert statement.reference in text and "215,41" in text and "Fuite sous l'évier" in text

    xlsx = load_workbook(io.BytesIO(_download(page, "XLSX"))).active
    rows = list(xlsx.iter_rows(values_only=True))
    assert rows[0][:3] == ("Relevé", "Commune", "Bon")
    assert (rows[-1][7], rows[-1][11]) == ("Total à refacturer", 215.41)
    assert round(sum(row[11] for row in rows[1:] if row[2]), 2) == 199.45


def test_elected_official_downloads_the_cost_dashboard_as_xlsx(issued, page):
    world, _statement = issued
    browser_login(page, world["reader_nesmy"].username)
    page.get_by_role("link", name="Tableaux de bord").click()
    page.get_by_role("navigation", name="Rapports").get_by_role("link", name="Coûts").click()
    page.get_by_text("Filtrer : période").click()
    page.get_by_label("Année").select_option(str(Q1.start.year))
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("img", name="Coût au m² par bâtiment")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Les bâtiments les plus coûteux"))
    with page.expect_download() as info:
        section.get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["École Jules Ferry"][8] == 96.45
    assert rows["École Jules Ferry"][9] == 0.08  # 96,45 € / 1 200 m²
