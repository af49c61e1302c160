from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.costs.selectors import Period, building_costs, cost_rollup_for
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

from .conftest import THIS_YEAR, paris, validated_order

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
YEAR = Period.year(THIS_YEAR)
MONEY = ("labour", "material", "external", "total")


@pytest.fixture
def ledger(f, world):
    """Validated orders over two communes, buildings, trades and months, with awkward cents."""
    nesmy, venansault = world["nesmy"], world["venansault"]
    school = world["school"]
    town_hall = f.building(nesmy, "Mairie", surface_m2=None)
    gym = f.building(venansault, "Gymnase", surface_m2=Decimal("850.5"))
    boiler = f.equipment(school, "Chaudière gaz")
    plumbing, electricity = world["plumbing"], world["electricity"]
    orders = [
        validated_order(
            f,
            nesmy,
            building=school,
            trade=plumbing,
            labour="67.20",
            material="14.10",
            external="15.15",
            equipment=boiler,
            at=paris(THIS_YEAR, 1, 10, 9),
        ),
        validated_order(
            f,
            nesmy,
            building=school,
            trade=electricity,
            labour="103.00",
            material="0.01",
            at=paris(THIS_YEAR, 2, 3, 14),
        ),
        validated_order(
            f,
            nesmy,
            building=town_hall,
            trade=plumbing,
            labour="33.33",
            material="0.34",
            external="1000.01",
            at=paris(THIS_YEAR, 2, 28, 18),
        ),
        validated_order(f, nesmy, trade=plumbing, external="250.00", at=paris(THIS_YEAR, 6, 1, 8)),  # no building
        validated_order(
            f,
            venansault,
            building=gym,
            trade=electricity,
            labour="41.20",
            material="12.40",
            at=paris(THIS_YEAR, 6, 30, 23, 30),
        ),
        validated_order(
            f,
            venansault,
            building=gym,
            trade=plumbing,
            labour="0.01",
            material="0.02",
            external="0.03",
            at=paris(THIS_YEAR, 11, 5, 12),
        ),
    ]
    # Not counted: still open, another year, or cancelled.
    f.work_order(
        nesmy, building_obj=school, status=WorkOrder.Status.DONE, labour_cost=Decimal("500"), total_cost=Decimal("500")
    )
    validated_order(f, nesmy, building=school, trade=plumbing, labour="777.77", at=paris(THIS_YEAR - 1, 12, 31, 12))
    return {"orders": orders, "town_hall": town_hall, "gym": gym, "boiler": boiler}


def _admin_of_epci(f, world):
    return f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])


def _rollup(access, period=YEAR, **kwargs):
    with scope(organisation=sorted(access.read_org_ids)):
        return cost_rollup_for(access, period, **kwargs)


def _sum(rows, key):
    return sum((row[key] for row in rows), Decimal("0.00"))


def test_every_grouping_adds_up_to_the_total_to_the_cent(f, world, ledger):
    rollup = _rollup(access_of(_admin_of_epci(f, world)))
    expected = sum((o.total_cost for o in ledger["orders"]), Decimal("0"))

    assert rollup.total["total"] == expected == Decimal("1536.80")
    assert rollup.total["orders"] == 6
    for rows in (
        rollup.by_organisation,
        rollup.by_site,
        rollup.by_building,
        rollup.by_equipment,
        rollup.by_trade,
        rollup.by_month,
    ):
        for key in MONEY:
            assert _sum(rows, key) == rollup.total[key], key
        assert sum(row["orders"] for row in rows) == 6


def test_totals_per_commune_building_and_trade(f, world, ledger):
    rollup = _rollup(access_of(_admin_of_epci(f, world)))

    per_commune = {row["name"]: row["total"] for row in rollup.by_organisation}
    assert per_commune == {"Nesmy": Decimal("1483.14"), "Venansault": Decimal("53.66")}
    per_building = {row["name"]: row["total"] for row in rollup.by_building}
    assert per_building == {
        "École Jules Ferry": Decimal("199.46"),
        "Mairie": Decimal("1033.68"),
        None: Decimal("250.00"),
        "Gymnase": Decimal("53.66"),
    }
    per_trade = {row["name"]: row["labour"] for row in rollup.by_trade}
    assert per_trade == {"Plomberie": Decimal("100.54"), "Électricité": Decimal("144.20")}
    assert [row["total"] for row in rollup.by_building] == sorted(per_building.values(), reverse=True)


def test_cost_per_square_metre_when_the_surface_is_known(f, world, ledger):
    rows = {row["name"]: row for row in _rollup(access_of(_admin_of_epci(f, world))).by_building}
    assert rows["École Jules Ferry"]["per_m2"] == Decimal("0.17")  # 199.46 / 1200
    assert rows["Gymnase"]["per_m2"] == Decimal("0.06")  # 53.66 / 850.5
    assert rows["Mairie"]["per_m2"] is None


def test_months_follow_the_calendar_in_paris_time(f, world, ledger):
    months = _rollup(access_of(_admin_of_epci(f, world))).by_month
    # 30 June 23:30 in Paris is 21:30 UTC: still June.
    assert [(row["month"].month, row["orders"]) for row in months] == [(1, 1), (2, 2), (6, 2), (11, 1)]


def test_the_period_is_read_in_paris_time(f, world):
    nesmy = world["nesmy"]
    validated_order(f, nesmy, labour="10.00", at=paris(THIS_YEAR - 1, 12, 31, 23, 30))  # 22:30 UTC, last year
    validated_order(f, nesmy, labour="20.00", at=paris(THIS_YEAR, 1, 1, 0, 30))  # 23:30 UTC the day before
    access = access_of(_admin_of_epci(f, world))

    assert _rollup(access).total["total"] == Decimal("20.00")
    assert _rollup(access, Period.year(THIS_YEAR - 1)).total["total"] == Decimal("10.00")


def test_filters_by_commune_and_trade(f, world, ledger):
    access = access_of(_admin_of_epci(f, world))
    assert _rollup(access, organisation_id=world["venansault"].pk).total["total"] == Decimal("53.66")
    assert _rollup(access, trade_id=world["electricity"].pk).total["total"] == Decimal("156.61")


def test_a_user_of_another_commune_never_sees_these_costs(f, world, ledger):
    reader = f.user("lecteur.venansault", role=Role.READER, organisation=world["venansault"])
    rollup = _rollup(access_of(reader))

    assert rollup.total["total"] == Decimal("53.66")
    assert {row["name"] for row in rollup.by_organisation} == {"Venansault"}
    assert {row["name"] for row in rollup.by_building} == {"Gymnase"}
    # Even asking for Nesmy explicitly gives nothing.
    assert _rollup(access_of(reader), organisation_id=world["nesmy"].pk).total["orders"] == 0


def test_an_empty_period_gives_zeros(f, world):
    rollup = _rollup(access_of(_admin_of_epci(f, world)), Period.year(2001))
    assert rollup.total == {
        "labour": Decimal("0.00"),
        "material": Decimal("0.00"),
        "external": Decimal("0.00"),
        "total": Decimal("0.00"),
        "orders": 0,
    }
    assert rollup.by_building == []


def test_building_costs_per_year(f, world, ledger):
    access = access_of(_admin_of_epci(f, world))
    with scopes_disabled():
        rows = building_costs(access, world["school"])
    assert [(row["year"], row["total"], row["orders"]) for row in rows] == [
        (THIS_YEAR, Decimal("199.46"), 2),
        (THIS_YEAR - 1, Decimal("777.77"), 1),
    ]


def test_rollup_query_count_does_not_grow_with_orders(f, world, django_assert_num_queries):
    access = access_of(_admin_of_epci(f, world))
    for _ in range(3):
        validated_order(f, world["nesmy"], building=world["school"], labour="1.00")
    with django_assert_num_queries(7):
        _rollup(access)
    for _ in range(30):
        validated_order(f, world["venansault"], building=f.building(world["venansault"]), labour="1.00")
    with django_assert_num_queries(7):
        assert _rollup(access).total["orders"] == 33
