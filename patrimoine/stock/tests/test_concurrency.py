"""Two technicians take the last parts at the same instant: the stock never goes below zero.

Real concurrent transactions need a database that locks rows (PostgreSQL); SQLite serialises
whole-database writes, so the race cannot happen there and the test is skipped."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.errors import DomainError
from patrimoine.costs import services as costs
from patrimoine.costs.models import MaterialLine
from patrimoine.stock import services
from patrimoine.stock.models import StockMovement
from patrimoine.stock.tests.conftest import quantity_in
from patrimoine.workorders.models import WorkOrder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"),
]

THREADS = 6


def test_concurrent_issues_never_take_more_than_the_store_holds(world, f):
    services.stock_receive(
        access=access_of(world["manager"]), store=world["central"], item=world["joint"], quantity="10", unit_price="2"
    )
    access = access_of(world["tech"])
    # one work order per technician: the order's own lock must not be what keeps them apart
    orders = [
        f.work_order(world["nesmy"], team_obj=world["team"], status=WorkOrder.Status.IN_PROGRESS)
        for _ in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def take_three(order):
        try:
            barrier.wait()
            with scopes_disabled():
                costs.material_line_add(
                    access=access, work_order=order, item=world["joint"], quantity="3", store=world["central"]
                )
            outcomes.append("ok")
        except DomainError as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_three, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 3  # 3 × 3 = 9 of the 10, the others are refused
    assert all("Stock insuffisant" in o for o in outcomes if o != "ok")
    assert quantity_in(world["central"], world["joint"]) == Decimal("1.000")
    with scopes_disabled():
        assert MaterialLine.objects.count() == 3
        assert StockMovement.objects.filter(kind=StockMovement.Kind.ISSUE).count() == 3


def test_concurrent_receipts_at_different_prices_keep_an_exact_cump(world):
    access = access_of(world["manager"])
    barrier = threading.Barrier(2)

    def receive(price):
        try:
            barrier.wait()
            services.stock_receive(
                access=access, store=world["central"], item=world["joint"], quantity="10", unit_price=price
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive, args=(p,)) for p in ("2", "4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with scopes_disabled():
        world["joint"].refresh_from_db()
    assert world["joint"].unit_cost == Decimal("3.0000")  # whichever came first, (10 × a + 10 × b) / 20
    assert quantity_in(world["central"], world["joint"]) == Decimal("20.000")
