"""The cost overview page (/couts/) and its CSV downloads."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patrimoine.organisations.models import Membership

from .conftest import THIS_YEAR, paris, validated_order

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
URL = reverse("costs:overview")


@pytest.fixture
def costs(f, world):
    gym = f.building(world["venansault"], "Gymnase Pierre de Coubertin", surface_m2=Decimal("800"))
    nesmy_order = validated_order(
        f,
        world["nesmy"],
        building=world["school"],
        trade=world["plumbing"],
        labour="67.20",
        material="14.10",
        external="15.15",
        title="Fuite cantine",
        at=paris(THIS_YEAR, 1, 12, 10),
    )
    venansault_order = validated_order(
        f,
        world["venansault"],
        building=gym,
        trade=world["electricity"],
        labour="41.20",
        material="12.40",
        title="Éclairage vestiaires",
        at=paris(THIS_YEAR, 2, 2, 10),
    )
    return {"nesmy": nesmy_order, "venansault": venansault_order, "gym": gym}


def _csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_epci_admin_sees_totals_per_commune_building_trade_and_month(f, login, world, costs):
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])
    response = login(admin).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "150,05\u00a0€" in html  # 96,45 + 53,60
    assert "96,45\u00a0€" in html and "53,60\u00a0€" in html
    assert "Par collectivité" in html and "Nesmy" in html and "Venansault" in html
    assert "École Jules Ferry" in html and "Gymnase Pierre de Coubertin" in html
    assert "0,08\u00a0€" in html  # 96,45 € / 1 200 m²
    assert "Plomberie" in html and "Électricité" in html
    assert "Janvier" in html and "Février" in html


def test_a_commune_manager_sees_only_his_communes_costs(f, login, world, costs):
    manager = f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=world["venansault"])
    client = login(manager)
    html = client.get(URL).content.decode()

    assert "53,60\u00a0€" in html
    assert "96,45" not in html and "École Jules Ferry" not in html and "Nesmy" not in html
    assert "Par collectivité" not in html  # one commune: no commune table, no commune filter
    rows = _csv_rows(client.get(URL, {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == [costs["venansault"].reference, "Total"]
    # Asking for the other commune by id gives nothing either.
    html = client.get(URL, {"organisation": world["nesmy"].pk}).content.decode()
    assert "96,45" not in html


def test_roles_without_cost_access_are_refused(login, world):
    assert login(world["ahmed"]).get(URL).status_code == 403


def test_filters_by_commune_trade_and_period(f, login, world, costs):
    client = login(f.user(role=Role.ADMIN, organisation=world["epci"]))

    by_commune = client.get(URL, {"organisation": world["nesmy"].pk}).content.decode()
    assert "96,45\u00a0€" in by_commune and "Gymnase" not in by_commune
    by_trade = client.get(URL, {"trade": world["electricity"].pk}).content.decode()
    assert "53,60\u00a0€" in by_trade and "École Jules Ferry" not in by_trade
    february = client.get(URL, {"date_from": f"{THIS_YEAR}-02-01", "date_to": f"{THIS_YEAR}-02-28"}).content.decode()
    assert "53,60\u00a0€" in february and "École Jules Ferry" not in february
    last_year = client.get(URL, {"year": THIS_YEAR - 1}).content.decode()
    assert "Aucun bon validé" in last_year


def test_a_period_ending_before_it_starts_is_a_french_error(f, login, world):
    client = login(f.user(role=Role.ADMIN, organisation=world["epci"]))
    html = client.get(URL, {"date_from": f"{THIS_YEAR}-03-01", "date_to": f"{THIS_YEAR}-02-01"}).content.decode()
    assert "La fin de la période doit suivre son début." in html


def test_csv_detail_uses_semicolons_french_decimals_and_a_bom(f, login, world, costs):
    client = login(f.user(role=Role.ADMIN, organisation=world["epci"]))
    response = client.get(URL, {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Bon", "Intitulé", "Validé le"]
    nesmy = next(row for row in rows if row[0] == costs["nesmy"].reference)
    assert nesmy[1:4] == ["Fuite cantine", f"12/01/{THIS_YEAR}", "Nesmy"]
    assert nesmy[-4:] == ["67,20", "14,10", "15,15", "96,45"]
    assert rows[-1][0] == "Total" and rows[-1][-1] == "150,05"


@pytest.mark.parametrize("grouping", ["commune", "site", "batiment", "equipement", "metier", "mois"])
def test_each_grouping_csv_reconciles_with_its_total_row(f, login, world, costs, grouping):
    client = login(f.user(role=Role.ADMIN, organisation=world["epci"]))
    rows = _csv_rows(client.get(URL, {"format": "csv", "par": grouping}))

    header, *lines, total = rows
    assert total[0] == "Total" and total[5] == "150,05"
    assert sum(Decimal(line[5].replace(",", ".")) for line in lines) == Decimal("150.05")
    if grouping == "batiment":
        assert header[-1] == "Coût au m² (€)"
        school = next(line for line in lines if line[0].startswith("École Jules Ferry"))
        assert school[-2:] == ["1200,00", "0,08"]


def test_overview_query_count_does_not_grow_with_orders(f, login, world):
    client = login(f.user(role=Role.ADMIN, organisation=world["epci"]))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    for _ in range(3):
        validated_order(f, world["nesmy"], building=world["school"], labour="1.00")
    few = count()
    for n in range(30):
        org = world["nesmy"] if n % 2 else world["venansault"]
        validated_order(f, org, building=f.building(org), trade=world["electricity"], labour="2.00")
    assert count() == few
    assert few <= 15, few
    html = client.get(URL).content.decode()
    assert "autres bâtiments" in html  # beyond the top 15, the rest in one row, so the table still adds up
