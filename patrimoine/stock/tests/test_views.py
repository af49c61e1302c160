"""Stock pages through the Django client: catalogue, item, store, receipt, transfer, count, alerts,
and the material form of a work order issuing from a store. A user of another commune gets 404."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import MaterialLine
from patrimoine.stock import services
from patrimoine.stock.models import Item, StockLevel, StockMovement, StockSettings, Store
from patrimoine.stock.tests.conftest import quantity_in, store

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
D = Decimal


def _receive(world, quantity="10", price="2.00", item="joint", store_key="central"):
    return services.stock_receive(
        access=access_of(world["manager"]),
        store=world[store_key],
        item=world[item],
        quantity=quantity,
        unit_price=price,
    )


def _state():
    with scopes_disabled():
        return (
            StockMovement.objects.count(),
            list(StockLevel.objects.order_by("pk").values_list("quantity", "reorder_threshold")),
            MaterialLine.objects.count(),
            AuditEntry.objects.count(),
        )


def test_catalogue_shows_quantity_on_hand_and_value_at_cump(login, world):
    _receive(world, "10", "2.50")
    html = login(world["chef"]).get(reverse("stock:catalogue")).content.decode()
    assert "Joint fibre 20/27" in html and "10 u" in html
    assert "25,00\u00a0€" in html  # 10 × 2,50
    assert "Zyxwvu" not in html


def test_catalogue_searches_and_filters_the_items_under_threshold(login, world):
    _receive(world, "2", "1.00")
    services.stock_threshold_set(
        access=access_of(world["manager"]), store=world["central"], item=world["joint"], threshold="5"
    )
    client = login(world["manager"])
    html = client.get(reverse("stock:catalogue"), {"alerte": "on"}, **HTMX).content.decode()
    assert "Joint fibre" in html and "Tube LED" not in html and "à réapprovisionner" in html
    html = client.get(reverse("stock:catalogue"), {"q": "led"}).content.decode()
    assert "Tube LED" in html and "Joint fibre" not in html


def test_catalogue_query_count_does_not_grow_with_items(login, world, f, django_assert_num_queries):
    client = login(world["manager"])
    _receive(world, "1", "1")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("stock:catalogue"))
    for n in range(30):
        item = f.item(world["epci"], f"Article {n}", "1", reference=f"A{n}")
        services.stock_receive(
            access=access_of(world["manager"]), store=world["central"], item=item, quantity=1, unit_price=1
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("stock:catalogue"))
    assert "Article 29" in response.content.decode() or "Suivante" in response.content.decode()


def test_another_communes_user_gets_404_on_every_stock_page(login, world):
    client = login(world["v_manager"])
    urls = [
        reverse("stock:item-detail", args=[world["joint"].pk]),
        reverse("stock:item-edit", args=[world["joint"].pk]),
        reverse("stock:store-detail", args=[world["central"].pk]),
        reverse("stock:store-receipt", args=[world["central"].pk]),
        reverse("stock:store-transfer", args=[world["central"].pk]),
        reverse("stock:store-count", args=[world["central"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    before = _state()
    assert client.post(urls[3], {"item": world["joint"].pk, "quantity": "5", "unit_price": "1"}).status_code == 404
    assert _state() == before
    for url in (reverse("stock:catalogue"), reverse("stock:store-list"), reverse("stock:alerts")):
        assert "Joint fibre" not in client.get(url).content.decode()
        assert "Magasin central" not in client.get(url).content.decode()


def test_item_page_lists_the_stores_and_the_movements(login, world):
    _receive(world, "10", "2.00")
    _receive(world, "4", "3.00", store_key="van")
    html = login(world["chef"]).get(reverse("stock:item-detail", args=[world["joint"].pk])).content.decode()
    assert "Magasin central" in html and "Fourgon plomberie" in html
    assert "14 u" in html  # on hand in both stores
    assert "2,2857\u00a0€" not in html  # CUMP is shown to the cent
    assert html.count('<span class="badge badge--ok">Entrée</span>') == 2


def test_item_movements_filter_answers_htmx_with_the_ledger_only(login, world):
    _receive(world, "10", "2.00")
    response = login(world["chef"]).get(
        reverse("stock:item-detail", args=[world["joint"].pk]), {"nature": "sortie"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<h1" not in html and "Aucun mouvement." in html


def test_receipt_form_records_the_delivery_and_the_new_cump(login, world):
    _receive(world, "10", "2.00")
    client = login(world["chef"])
    url = reverse("stock:store-receipt", args=[world["central"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"item": world["joint"].pk, "quantity": "10", "unit_price": "3,00", "document_reference": "BL-42"},
        follow=True,
    )
    html = response.content.decode()
    assert "Entrée enregistrée" in html and "2,50\u00a0€" in html
    assert quantity_in(world["central"], world["joint"]) == D("20.000")
    with scopes_disabled():
        assert StockMovement.objects.filter(document_reference="BL-42").exists()


def test_receipt_with_a_bad_quantity_answers_400_and_changes_nothing(login, world):
    client = login(world["chef"])
    before = _state()
    response = client.post(
        reverse("stock:store-receipt", args=[world["central"].pk]),
        {"item": world["joint"].pk, "quantity": "-3", "unit_price": "2"},
    )
    assert response.status_code == 400 and "supérieur à zéro" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("who", ["tech", "reader", "requester"])
def test_roles_without_stock_move_cannot_receive(login, world, who):
    client = login(world[who])
    before = _state()
    url = reverse("stock:store-receipt", args=[world["central"].pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"item": world["joint"].pk, "quantity": "5", "unit_price": "1"}).status_code in (403, 404)
    assert _state() == before


def test_transfer_of_more_than_on_hand_is_refused_in_french_and_nothing_moves(login, world):
    _receive(world, "2", "2.00")
    client = login(world["chef"])
    before = _state()
    response = client.post(
        reverse("stock:store-transfer", args=[world["central"].pk]),
        {"item": world["joint"].pk, "to_store": world["van"].pk, "quantity": "5"},
    )
    assert response.status_code == 400
    assert "Stock insuffisant au magasin « Magasin central »" in response.content.decode()
    assert _state() == before


def test_transfer_moves_goods_to_the_van(login, world):
    _receive(world, "6", "2.00")
    response = login(world["chef"]).post(
        reverse("stock:store-transfer", args=[world["central"].pk]),
        {"item": world["joint"].pk, "to_store": world["van"].pk, "quantity": "2,5"},
    )
    assert response.status_code == 302
    assert quantity_in(world["van"], world["joint"]) == D("2.500")


def test_count_sheet_books_only_the_differences(login, world):
    _receive(world, "10", "2.00")
    _receive(world, "4", "5.00", item="tube")
    client = login(world["manager"])
    url = reverse("stock:store-count", args=[world["central"].pk])
    html = client.get(url).content.decode()
    assert "Stock théorique" in html and f'name="compte-{world["joint"].pk}"' in html
    response = client.post(
        url,
        {f"compte-{world['joint'].pk}": "9", f"compte-{world['tube'].pk}": "4", "note": "Inventaire annuel"},
        follow=True,
    )
    assert "1 écart(s)" in response.content.decode()
    with scopes_disabled():
        (adjustment,) = StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTMENT)
    assert (adjustment.quantity, adjustment.amount, adjustment.note) == (D("-1"), D("-2.00"), "Inventaire annuel")


def test_a_team_lead_cannot_count(login, world):
    client = login(world["chef"])
    assert client.get(reverse("stock:store-count", args=[world["central"].pk])).status_code == 403


def test_store_page_shows_levels_value_and_last_movements(login, world):
    _receive(world, "10", "2.00")
    html = login(world["tech"]).get(reverse("stock:store-detail", args=[world["central"].pk])).content.decode()
    assert "Joint fibre 20/27" in html and "20,00\u00a0€" in html
    assert "Entrée en stock" not in html  # a technician sees the stock but does not receive


def test_store_page_query_count_does_not_grow_with_items(login, world, f, django_assert_num_queries):
    client = login(world["manager"])
    url = reverse("stock:store-detail", args=[world["central"].pk])
    for n in range(3):
        _receive(world, "1", "1", item="joint" if n == 0 else "tube")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        item = f.item(world["epci"], f"Article {n}", "1", reference=f"B{n}")
        services.stock_receive(
            access=access_of(world["manager"]), store=world["central"], item=item, quantity=1, unit_price=1
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_alerts_page_lists_rows_at_or_below_threshold(login, world):
    _receive(world, "3", "2.00")
    services.stock_threshold_set(
        access=access_of(world["manager"]), store=world["central"], item=world["joint"], threshold="3"
    )
    html = login(world["reader"]).get(reverse("stock:alerts")).content.decode()
    assert "1 article à réapprovisionner" in html and "Joint fibre" in html


def test_threshold_form_sets_the_reorder_point(login, world):
    response = login(world["manager"]).post(
        reverse("stock:item-threshold", args=[world["joint"].pk]),
        {"seuil-store": world["central"].pk, "seuil-threshold": "12"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert StockLevel.objects.get(store=world["central"], item=world["joint"]).reorder_threshold == D("12")


def test_manager_creates_a_store_and_allows_negative_stock(login, world):
    client = login(world["manager"])
    response = client.post(reverse("stock:store-create"), {"magasin-code": "ecole", "magasin-name": "Réserve école"})
    assert response.status_code == 302
    client.post(reverse("stock:settings"), {"reglages-allow_negative_stock": "on"})
    with scopes_disabled():
        assert Store.objects.filter(organisation=world["epci"], code="ECOLE").exists()
        assert StockSettings.objects.get(organisation=world["epci"]).allow_negative_stock


def test_duplicate_store_code_is_refused_in_french(login, world):
    response = login(world["manager"]).post(
        reverse("stock:store-create"), {"magasin-code": "central", "magasin-name": "Autre"}
    )
    assert response.status_code == 400 and "code « CENTRAL »" in response.content.decode()


def test_item_form_creates_and_edits_without_touching_the_cump(login, world):
    client = login(world["manager"])
    response = client.post(
        reverse("stock:item-create"), {"reference": "cvc-purg", "label": "Purgeur", "unit": "u", "is_active": "on"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        item = Item.objects.get(organisation=world["epci"], reference="CVC-PURG")
    response = client.post(
        reverse("stock:item-edit", args=[item.pk]), {"reference": "CVC-PURG", "label": "Purgeur auto", "unit": "u"}
    )
    with scopes_disabled():
        item.refresh_from_db()
    assert (item.label, item.is_active, item.unit_cost) == ("Purgeur auto", False, D("0"))


def test_material_form_issues_from_the_store_and_refuses_a_shortage_in_place(login, world):
    _receive(world, "3", "2.00")
    client = login(world["tech"])
    order = world["order"]
    section = client.get(reverse("costs:work-order", args=[order.pk]), **HTMX).content.decode()
    assert 'name="materiel-store"' in section and "Magasin central" in section
    before = _state()
    response = client.post(
        reverse("costs:material-add", args=[order.pk]),
        {"materiel-item": world["joint"].pk, "materiel-quantity": "5", "materiel-store": world["central"].pk},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Stock insuffisant au magasin « Magasin central »" in response.content.decode()
    assert _state() == before
    response = client.post(
        reverse("costs:material-add", args=[order.pk]),
        {"materiel-item": world["joint"].pk, "materiel-quantity": "2", "materiel-store": world["central"].pk},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "sorti du magasin « Magasin central »" in html
    assert quantity_in(world["central"], world["joint"]) == D("1.000")


def test_another_organisations_store_cannot_be_chosen_on_the_material_form(login, world):
    _receive(world, "3", "2.00")
    before = _state()
    response = login(world["tech"]).post(
        reverse("costs:material-add", args=[world["order"].pk]),
        {"materiel-item": world["joint"].pk, "materiel-quantity": "1", "materiel-store": world["v_store"].pk},
        **HTMX,
    )
    assert response.status_code == 400 and "Ce magasin ne peut pas fournir ce bon." in response.content.decode()
    assert _state() == before


def test_venansault_sees_its_own_store(login, world, f):
    _ = store(world["venansault"], "V2", "Réserve Zyxwvu")
    html = login(world["v_manager"]).get(reverse("stock:store-list")).content.decode()
    assert "Réserve Zyxwvu" in html and "Magasin Zyxwvu" in html and "Magasin central" not in html


def test_alerts_and_store_list_query_counts_do_not_grow(login, world, f, django_assert_num_queries):
    client = login(world["manager"])
    manager = access_of(world["manager"])

    def short_item(n):
        item = f.item(world["epci"], f"Article {n}", "1", reference=f"C{n}")
        services.stock_receive(access=manager, store=world["central"], item=item, quantity=1, unit_price=1)
        services.stock_threshold_set(access=manager, store=world["central"], item=item, threshold="2")

    short_item(0)
    with CaptureQueriesContext(connection) as alerts, CaptureQueriesContext(connection):
        client.get(reverse("stock:alerts"))
    with CaptureQueriesContext(connection) as stores:
        client.get(reverse("stock:store-list"))
    for n in range(1, 31):
        short_item(n)
    for n in range(5):
        store(world["epci"], f"S{n}")
    with django_assert_num_queries(len(alerts.captured_queries)):
        assert "31 articles à réapprovisionner" in client.get(reverse("stock:alerts")).content.decode()
    with django_assert_num_queries(len(stores.captured_queries)):
        client.get(reverse("stock:store-list"))
