"""Stock movements through the services: CUMP valuation to the exact decimal, refusals that change
nothing, the ledger that cannot be edited, and issues made by the cost section of a work order."""

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.costs import services as costs
from patrimoine.costs.models import MaterialLine
from patrimoine.stock import services
from patrimoine.stock.models import Item, StockLevel, StockMovement
from patrimoine.stock.selectors import stock_alert_count, stock_alerts
from patrimoine.stock.tests.conftest import allow_negative, quantity_in
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Kind = StockMovement.Kind
D = Decimal


def _cump(item) -> Decimal:
    with scopes_disabled():
        return Item.objects.get(pk=item.pk).unit_cost


def _snapshot():
    with scopes_disabled():
        return (
            list(StockLevel.objects.order_by("pk").values_list("pk", "quantity", "reorder_threshold")),
            list(Item.objects.order_by("pk").values_list("pk", "unit_cost")),
            StockMovement.objects.count(),
            MaterialLine.objects.count(),
            AuditEntry.objects.count(),
        )


def _receive(world, quantity, price, store="central", item="joint", who="manager"):
    return services.stock_receive(
        access=access_of(world[who]), store=world[store], item=world[item], quantity=quantity, unit_price=price
    )


def _issue(world, quantity, store="central", item="joint", who="tech"):
    return costs.material_line_add(
        access=access_of(world[who]), work_order=world["order"], item=world[item], quantity=quantity, store=world[store]
    )


def test_cump_follows_receipts_at_different_prices_and_issues_leave_at_the_current_cump(world):
    _receive(world, "10", "2.00")
    assert _cump(world["joint"]) == D("2.0000")
    _receive(world, "5", "3.50")  # (10 × 2 + 5 × 3,50) / 15 = 2,50
    assert _cump(world["joint"]) == D("2.5000")

    line = _issue(world, "4")
    assert (line.unit_cost, line.amount) == (D("2.5000"), D("10.00"))
    assert _cump(world["joint"]) == D("2.5000")  # an issue never changes the CUMP

    _receive(world, "9", "2.90")  # (11 × 2,50 + 9 × 2,90) / 20 = 2,68
    assert _cump(world["joint"]) == D("2.6800")
    _receive(world, "3", "1.17")  # (20 × 2,68 + 3 × 1,17) / 23 = 2,483043… → 2,4830
    assert _cump(world["joint"]) == D("2.4830")

    line = _issue(world, "7")
    assert (line.unit_cost, line.amount) == (D("2.4830"), D("17.38"))
    assert quantity_in(world["central"], world["joint"]) == D("16.000")
    with scopes_disabled():
        ledger = list(StockMovement.objects.filter(item=world["joint"]).order_by("at", "created_at"))
        order = WorkOrder.objects.get(pk=world["order"].pk)
    assert [(m.kind, m.quantity, m.amount, m.quantity_after, m.cump_after) for m in ledger] == [
        (Kind.RECEIPT, D("10.000"), D("20.00"), D("10.000"), D("2.0000")),
        (Kind.RECEIPT, D("5.000"), D("17.50"), D("15.000"), D("2.5000")),
        (Kind.ISSUE, D("-4.000"), D("-10.00"), D("11.000"), D("2.5000")),
        (Kind.RECEIPT, D("9.000"), D("26.10"), D("20.000"), D("2.6800")),
        (Kind.RECEIPT, D("3.000"), D("3.51"), D("23.000"), D("2.4830")),
        (Kind.ISSUE, D("-7.000"), D("-17.38"), D("16.000"), D("2.4830")),
    ]
    assert order.material_cost == D("27.38")  # the work order's cost moved with the store


def test_the_cump_weighs_the_stock_of_every_store_of_the_organisation(world):
    _receive(world, "10", "2.00", store="central")
    _receive(world, "10", "4.00", store="van")  # (10 × 2 + 10 × 4) / 20 = 3
    assert _cump(world["joint"]) == D("3.0000")


def test_receipt_on_an_empty_or_negative_stock_takes_the_new_price(world):
    allow_negative(world["epci"])
    _receive(world, "2", "5.00")
    _issue(world, "5")  # 3 below zero
    assert quantity_in(world["central"], world["joint"]) == D("-3.000")
    _receive(world, "10", "6.00")
    assert _cump(world["joint"]) == D("6.0000")
    assert quantity_in(world["central"], world["joint"]) == D("7.000")


def test_issuing_more_than_the_store_holds_is_refused_in_french_and_changes_nothing(world):
    _receive(world, "3", "2.00")
    before = _snapshot()
    with pytest.raises(DomainError) as refusal:
        _issue(world, "5")
    assert "Stock insuffisant au magasin « Magasin central »" in refusal.value.message
    assert "3 u" in refusal.value.message and "5 demandé" in refusal.value.message
    assert _snapshot() == before


def test_an_organisation_may_allow_negative_stock(world):
    allow_negative(world["epci"])
    _receive(world, "3", "2.00")
    line = _issue(world, "5")
    assert line.amount == D("10.00")
    assert quantity_in(world["central"], world["joint"]) == D("-2.000")


def test_removing_the_material_line_returns_the_goods_at_their_issue_cost(world):
    _receive(world, "10", "2.00")
    line = _issue(world, "4")
    _receive(world, "6", "4.00")  # (6 × 2 + 6 × 4) / 12 = 3
    assert _cump(world["joint"]) == D("3.0000")

    costs.cost_line_remove(access=access_of(world["tech"]), line=line)

    # the 4 come back at 2,00: (12 × 3 + 4 × 2) / 16 = 2,75
    assert quantity_in(world["central"], world["joint"]) == D("16.000")
    assert _cump(world["joint"]) == D("2.7500")
    with scopes_disabled():
        back = StockMovement.objects.get(kind=Kind.RETURN)
        assert not MaterialLine.objects.filter(pk=line.pk).exists()
        assert WorkOrder.objects.get(pk=world["order"].pk).material_cost == D("0.00")
    assert (back.quantity, back.unit_cost, back.material_line_id) == (D("4.000"), D("2.0000"), line.pk)


def test_a_free_label_line_never_touches_the_stock(world):
    costs.material_line_add(
        access=access_of(world["tech"]), work_order=world["order"], label="Silicone", quantity="1", unit_cost="7.5"
    )
    with scopes_disabled():
        assert StockMovement.objects.count() == 0


def test_an_item_line_without_a_store_is_a_direct_purchase(world):
    _receive(world, "10", "2.00")
    costs.material_line_add(access=access_of(world["tech"]), work_order=world["order"], item=world["joint"], quantity=2)
    assert quantity_in(world["central"], world["joint"]) == D("10.000")


def test_transfer_moves_quantity_at_the_cump_without_changing_it(world):
    _receive(world, "10", "2.40")
    out, into = services.stock_transfer(
        access=access_of(world["chef"]),
        from_store=world["central"],
        to_store=world["van"],
        item=world["joint"],
        quantity="4",
    )
    assert (out.quantity, into.quantity, out.amount, into.amount) == (D("-4"), D("4"), D("-9.60"), D("9.60"))
    assert out.transfer_id == into.transfer_id
    assert quantity_in(world["central"], world["joint"]) == D("6.000")
    assert quantity_in(world["van"], world["joint"]) == D("4.000")
    assert _cump(world["joint"]) == D("2.4000")


def test_transfer_of_more_than_on_hand_is_refused_and_changes_nothing(world):
    _receive(world, "1", "2.40")
    before = _snapshot()
    with pytest.raises(DomainError, match="Stock insuffisant"):
        services.stock_transfer(
            access=access_of(world["chef"]),
            from_store=world["central"],
            to_store=world["van"],
            item=world["joint"],
            quantity="2",
        )
    assert _snapshot() == before


def test_inventory_count_books_the_differences_at_the_cump(world):
    _receive(world, "10", "2.00")
    _receive(world, "5", "1.00", item="tube")
    movements = services.stock_count_record(
        access=access_of(world["manager"]),
        store=world["central"],
        counted={world["joint"]: "8", world["tube"]: "5"},
    )
    assert [(m.item_id, m.quantity, m.amount) for m in movements] == [(world["joint"].pk, D("-2.000"), D("-4.00"))]
    assert quantity_in(world["central"], world["joint"]) == D("8.000")


def test_inventory_count_may_find_more_than_the_books(world):
    _receive(world, "2", "3.00")
    (movement,) = services.stock_count_record(
        access=access_of(world["manager"]), store=world["central"], counted={world["joint"]: "3,5"}
    )
    assert (movement.kind, movement.quantity, movement.amount) == (Kind.ADJUSTMENT, D("1.500"), D("4.50"))
    assert _cump(world["joint"]) == D("3.0000")


@pytest.mark.parametrize(
    ("who", "call"),
    [
        ("tech", "receive"),
        ("reader", "receive"),
        ("chef", "count"),
        ("reader", "count"),
        ("v_manager", "receive"),
        ("requester", "transfer"),
    ],
)
def test_roles_without_the_right_are_refused_and_nothing_changes(world, who, call):
    _receive(world, "5", "2.00")
    before = _snapshot()
    access = access_of(world[who])
    with pytest.raises(PermissionRefused):
        if call == "receive":
            services.stock_receive(access=access, store=world["central"], item=world["joint"], quantity=1, unit_price=1)
        elif call == "count":
            services.stock_count_record(access=access, store=world["central"], counted={world["joint"]: "1"})
        else:
            services.stock_transfer(
                access=access, from_store=world["central"], to_store=world["van"], item=world["joint"], quantity=1
            )
    assert _snapshot() == before


@pytest.mark.parametrize("quantity", ["0", "-2", "abc", "NaN"])
def test_bad_quantities_are_refused(world, quantity):
    before = _snapshot()
    with pytest.raises(DomainError, match="quantité positive"):
        _receive(world, quantity, "2.00")
    assert _snapshot() == before


def test_another_organisations_item_cannot_enter_a_store(world):
    with pytest.raises(DomainError, match="catalogue de ce magasin"):
        _receive(world, "1", "2.00", item="v_item")


def test_a_requester_cannot_issue_from_the_store_even_on_an_order(world, f):
    _receive(world, "5", "2.00")
    with pytest.raises(PermissionRefused):
        services.stock_issue(
            access=access_of(world["requester"]),
            store=world["central"],
            item=world["joint"],
            quantity=1,
            work_order=world["order"],
        )


def test_the_ledger_is_append_only(world):
    movement = _receive(world, "5", "2.00")
    with pytest.raises(TypeError):
        movement.note = "corrigé"
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with scopes_disabled(), pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=1)
    with scopes_disabled(), pytest.raises(TypeError):
        StockMovement.objects.all().delete()


def test_reorder_alerts_list_items_at_or_below_their_threshold(world):
    _receive(world, "10", "2.00")
    _receive(world, "3", "2.00", item="tube")
    manager = access_of(world["manager"])
    services.stock_threshold_set(access=manager, store=world["central"], item=world["joint"], threshold="4")
    services.stock_threshold_set(access=manager, store=world["central"], item=world["tube"], threshold="3")
    with scope(organisation=sorted(manager.read_org_ids)):
        assert [level.item for level in stock_alerts(manager)] == [world["tube"]]
    _issue(world, "6")
    with scope(organisation=sorted(manager.read_org_ids)):
        assert stock_alert_count(manager) == 2
    v_manager = access_of(world["v_manager"])
    with scope(organisation=sorted(v_manager.read_org_ids)):
        assert stock_alert_count(v_manager) == 0


def test_a_delivery_may_be_recorded_afterwards_but_never_in_the_future(world):
    from datetime import timedelta

    from django.utils import timezone

    yesterday = timezone.now() - timedelta(days=1)
    movement = services.stock_receive(
        access=access_of(world["manager"]),
        store=world["central"],
        item=world["joint"],
        quantity="2",
        unit_price="1",
        at=yesterday,
    )
    assert movement.at == yesterday
    before = _snapshot()
    with pytest.raises(DomainError, match="dans le futur"):
        services.stock_receive(
            access=access_of(world["manager"]),
            store=world["central"],
            item=world["joint"],
            quantity="2",
            unit_price="1",
            at=timezone.now() + timedelta(hours=2),
        )
    assert _snapshot() == before
