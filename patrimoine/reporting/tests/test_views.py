"""Dashboards and the annual report: who may see them, what they show (and never another commune's
data), their CSV/XLSX/PDF downloads, and query counts that do not grow with the data."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.reporting import rollups
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Role = Membership.Role
SECRET = "Zyxwvu"
YEAR = timezone.localdate().year


@scopes_disabled()
def _validated(f, org, building, total: str, *, when: dt.datetime, trade=None):
    order = f.work_order(org, building_obj=building, status=WorkOrder.Status.VALIDATED, trade_obj=trade)
    amount = Decimal(total)
    with rollups.tracking(orders=[order.pk]):  # validated in the past: the dashboards' rollups follow
        WorkOrder.objects.filter(pk=order.pk).update(
            validated_at=when, completed_at=when, external_cost=amount, total_cost=amount
        )
    return order


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    school = f.building(nesmy, "École Jules Ferry", surface_m2=Decimal("1000"))
    gym = f.building(nesmy, "Gymnase", surface_m2=Decimal("500"))
    secret = f.building(venansault, f"Mairie {SECRET}", surface_m2=Decimal("10"))
    when = dt.datetime(YEAR, 1, 15, 10, tzinfo=dt.UTC)
    _validated(f, nesmy, school, "1200.00", when=when)
    _validated(f, nesmy, gym, "300.50", when=when)
    _validated(f, venansault, secret, "9999.99", when=when)
    f.work_request(nesmy, channel=WorkRequest.Channel.CITIZEN, description="Lampadaire")
    f.work_request(venansault, description=f"Fuite {SECRET}")
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "school": school,
        "reader": f.user(role=Role.READER, organisation=nesmy),
        "reader_epci": f.user(role=Role.READER, organisation=epci),
    }


PAGES = ["reporting:dashboard", "reporting:costs", "reporting:annual"]


@pytest.mark.parametrize("role", [Role.READER, Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD])
def test_directors_and_elected_officials_see_their_commune_only(world, login, f, role):
    client = login(f.user(role=role, organisation=world["nesmy"]))
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert SECRET not in response.content.decode(), name
    costs = client.get(reverse("reporting:costs")).content.decode()
    assert "École Jules Ferry" in costs and "1\u202f200,00\u00a0€" in costs and "1,20\u00a0€/m²" in costs


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.REQUESTER, Role.CONTRACTOR])
def test_field_roles_have_no_dashboards(world, login, f, role):
    client = login(f.user(role=role, organisation=world["nesmy"]))
    for name in [*PAGES, "reporting:annual-pdf"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_charts_come_with_their_data_tables(world, login):
    page = login(world["reader"]).get(reverse("reporting:costs")).content.decode()
    charts = re.findall(r'<svg class="chart[^"]*" role="img" aria-labelledby="([^"]+)"', page)
    assert len(charts) >= 4
    for ids in charts:
        for element_id in ids.split():
            assert f'id="{element_id}"' in page
    assert page.count("Tableau des données") >= 4
    assert page.count("<table") >= 4


def test_the_epci_reader_sees_every_member_commune(world, login):
    page = login(world["reader_epci"]).get(reverse("reporting:costs")).content.decode()
    assert "Nesmy" in page and "Venansault" in page and "Coûts par collectivité et par trimestre" in page


def test_a_commune_filter_outside_ones_scope_shows_nothing_of_it(world, login):
    client = login(world["reader"])
    page = client.get(reverse("reporting:costs"), {"organisation": world["venansault"].pk}).content.decode()
    assert SECRET not in page and "9\u202f999,99" not in page


def test_sections_download_as_csv_and_xlsx(world, login):
    client = login(world["reader"])
    csv_text = client.get(reverse("reporting:costs"), {"export": "batiments", "format": "csv"}).content.decode()
    assert csv_text.startswith("\ufeffBâtiment;Site;Collectivité;Surface (m²)")
    assert "École Jules Ferry" in csv_text and "1200,00" in csv_text and SECRET not in csv_text
    response = client.get(reverse("reporting:costs"), {"export": "batiments", "format": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="couts-batiments-')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Bâtiment"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["École Jules Ferry"][8] == 1200.0 and by_name["École Jules Ferry"][9] == 1.2
    assert round(sum(row[8] for row in rows[1:]), 2) == 1500.5
    channels = client.get(reverse("reporting:dashboard"), {"export": "canaux", "format": "xlsx"})
    counts = dict(list(load_workbook(io.BytesIO(channels.content)).active.iter_rows(values_only=True))[1:])
    assert counts["Citoyen en ligne"] == 1 and sum(counts.values()) == 1
    assert client.get(reverse("reporting:dashboard"), {"export": "inconnu", "format": "csv"}).status_code == 404


def test_annual_report_on_screen_and_as_pdf(world, login):
    client = login(world["reader"])
    query = {"organisation": world["nesmy"].pk, "year": YEAR}
    page = client.get(reverse("reporting:annual"), query).content.decode()
    assert f"Nesmy — activité {YEAR}" in page and "1\u202f500,50\u00a0€" in page
    response = client.get(reverse("reporting:annual-pdf"), query)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == f'attachment; filename="rapport-activite-nesmy-{YEAR}.pdf"'


def test_annual_report_of_another_commune_is_refused(world, login):
    client = login(world["reader"])
    query = {"organisation": world["venansault"].pk, "year": YEAR}
    assert client.get(reverse("reporting:annual-pdf"), query).status_code == 404
    page = client.get(reverse("reporting:annual"), query).content.decode()
    assert SECRET not in page and "errorlist" in page


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def _grow(f, world, count):
    nesmy = world["nesmy"]
    for index in range(count):
        building = f.building(nesmy, f"Bâtiment {index}", surface_m2=Decimal("100"))
        when = dt.datetime(YEAR, 1 + index % 12, 1 + index % 27, 9, tzinfo=dt.UTC)
        _validated(f, nesmy, building, f"{10 + index}.25", when=when, trade=f.trade(f"metier{index % 7}"))
        f.work_request(nesmy, building_obj=building, channel=WorkRequest.Channel.COUNTER)
        f.work_order(nesmy, building_obj=building)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("reporting:dashboard", {}),
        ("reporting:costs", {}),
        ("reporting:costs", {"pas": "trimestre", "export": "batiments", "format": "xlsx"}),
        ("reporting:annual", {"year": YEAR}),
    ],
)
def test_query_count_does_not_grow_with_the_data(world, login, f, name, params):
    client = login(world["reader_epci"])
    if name == "reporting:annual":
        params = {**params, "organisation": world["nesmy"].pk}
    _grow(f, world, 3)
    small = _queries(client, reverse(name), params)
    _grow(f, world, 30)
    assert _queries(client, reverse(name), params) == small
