"""The sum of all statements plus the EPCI's own share equals the shared team's total cost, to the cent.

Proved on generated data: many random orders, awkward amounts (rates and unit costs that round),
three communes and the EPCI itself, two quarters, orders validated on either side of a quarter's
midnight in Paris, and orders that must not be billed (a commune's own team, an open order).
The team's total is computed independently, by the cost rollup over what the EPCI's reader sees.
"""

import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.chargeback.models import Statement, StatementLine
from patrimoine.chargeback.selectors import reconciliation
from patrimoine.chargeback.services import statement_issue
from patrimoine.costs.selectors import Period, cost_rollup, validated_orders
from patrimoine.testing import factories
from patrimoine.workorders.models import WorkOrder

from .helpers import Q1, Q2, money, paris, shared_world, validated_order

pytestmark = pytest.mark.django_db

ORDERS = 160
RATES = ["38.40", "41.17", "36.33", "44.99", "29.07"]


def _random_order(f, world, rng, owner, at):
    time = [
        (rng.choice([world["ahmed"], world["lucas"]]), rng.choice(range(1, 33)) / 4, rng.choice(RATES))
        for _ in range(rng.randint(0, 3))
    ]
    materials = [
        (f"Article {rng.randint(1, 99)}", Decimal(rng.randint(1, 4000)) / 1000, Decimal(rng.randint(1, 999999)) / 10000)
        for _ in range(rng.randint(0, 3))
    ]
    externals = [Decimal(rng.randint(1, 500000)) / 100 for _ in range(rng.randint(0, 1))]
    if not (time or materials or externals):
        externals = [Decimal("0.01")]
    return validated_order(f, world, owner, at=at, time=time, materials=materials, externals=externals)


def _generate(f):
    world = shared_world(f, "Nesmy", "Venansault", "Aubigny", overhead="7.35")
    epci, communes = world["epci"], world["communes"]
    rng = random.Random(20260331)  # noqa: S311 — reproducible test data
    owners = [*communes, epci]
    orders = []
    for _ in range(ORDERS):
        month = rng.randint(1, 6)
        at = paris(month, rng.randint(1, 28), rng.randint(7, 19), rng.randint(0, 59))
        orders.append(_random_order(f, world, rng, rng.choice(owners), at))
    # Either side of midnight between the quarters, in Paris (22:30 and 21:59 UTC on 31 March).
    orders.append(_random_order(f, world, rng, communes[0], paris(3, 31, 23, 59)))
    orders.append(_random_order(f, world, rng, communes[0], paris(4, 1, 0, 30)))
    # Not the shared team's work: never billed, outside its cost.
    own_team = f.team(communes[1], "Atelier municipal")
    validated_order(f, world, communes[1], at=paris(2, 10), externals=["999.99"], team=own_team)
    with scopes_disabled():
        open_order = f.work_order(communes[2], team_obj=world["team"], status=WorkOrder.Status.DONE)
        WorkOrder.objects.filter(pk=open_order.pk).update(total_cost=Decimal("55.55"), external_cost=Decimal("55.55"))
    return world, orders


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The generated orders, made once for the module in a transaction rolled back at its end (they
    take seconds); each test issues its statements in its own savepoint on top (`db`)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _generate(factories)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _issue_all(world):
    access = access_of(world["chef"], world["epci"])
    statements = []
    for period in (Q1, Q2):
        for commune in world["communes"]:
            statements.append(statement_issue(access=access, commune=commune, period=period))
    return statements


def _team_total(world, period: Period) -> dict:
    """The shared team's cost, as the EPCI's reader sees it in the cost rollups."""
    access = access_of(world["reader_epci"], world["epci"])
    with scope(organisation=sorted(access.read_org_ids)):
        orders = validated_orders(access, period).filter(team=world["team"])
        return cost_rollup(orders, groupings=("organisation",))


def test_statements_plus_the_epci_share_equal_the_shared_team_cost_to_the_cent(generated, db):
    world, orders = generated
    statements = _issue_all(world)
    epci = world["epci"]
    for period in (Q1, Q2, Period(Q1.start, Q2.end)):
        rollup = _team_total(world, period)
        team_total = rollup.total["total"]
        own_share = next((r["total"] for r in rollup.by_organisation if r["organisation_id"] == epci.pk), Decimal(0))
        in_period = [s for s in statements if period.start <= s.period_start and s.period_end <= period.end]
        billed = sum((s.subtotal for s in in_period), Decimal("0.00"))
        assert team_total > 1000
        assert billed + own_share == team_total, period
        assert rollup.total["orders"] == sum(s.line_count for s in in_period) + next(
            r["orders"] for r in rollup.by_organisation if r["organisation_id"] == epci.pk
        )
        result = reconciliation(epci, period)
        assert (result.team_total, result.own_share, result.billed, result.unbilled, result.gap) == (
            team_total,
            own_share,
            billed,
            Decimal("0.00"),
            Decimal("0.00"),
        )


def test_every_statement_adds_up_to_the_cent(generated, db):
    world, _orders = generated
    for statement in _issue_all(world):
        with scopes_disabled():
            lines = list(StatementLine.objects.filter(statement=statement))
        assert statement.line_count == len(lines) > 0
        for name in ("labour", "material", "external", "subtotal", "hours"):
            assert getattr(statement, name) == sum((getattr(line, name) for line in lines), Decimal(0)), name
        for line in lines:
            items = {
                kind: sum(Decimal(i["amount"]) for i in line.detail if i["kind"] == kind)
                for kind in ("labour", "material", "external")
            }
            assert (line.labour, line.material, line.external) == (
                items["labour"],
                items["material"],
                items["external"],
            )
            assert line.subtotal == line.labour + line.material + line.external
            for item in line.detail:
                if item["kind"] != "external":
                    assert Decimal(item["amount"]) == money(Decimal(item["quantity"]) * Decimal(item["unit_price"]))
        assert statement.overhead_rate == Decimal("7.35")
        assert statement.overhead == money(statement.subtotal * Decimal("7.35") / 100)
        assert statement.total == statement.subtotal + statement.overhead


def test_each_shared_team_order_of_a_commune_is_billed_exactly_once(generated, db):
    world, orders = generated
    _issue_all(world)
    epci = world["epci"]
    with scopes_disabled():
        billed = list(StatementLine.objects.values_list("work_order_id", flat=True))
        # Validated in March in Paris (22:59 UTC on the 31st): first quarter; 00:30 on 1 April: second.
        last_march, first_april = orders[-2], orders[-1]
        assert StatementLine.objects.get(work_order=last_march).statement.period_end == Q1.end
        assert StatementLine.objects.get(work_order=first_april).statement.period_start == Q2.start
        assert Statement.objects.filter(period_start=Q1.start).aggregate(n=Sum("line_count"))["n"] > 0
    expected = {o.pk for o in orders if o.organisation_id != epci.pk}
    assert len(billed) == len(set(billed)) == len(expected)
    assert set(billed) == expected
