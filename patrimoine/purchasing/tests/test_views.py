"""Purchasing pages through the Django client: the order list (filters, constant queries), the order
form, an order's page (lines, commitment, invoices with French refusals in place), contracts; a
contractor sees only his own orders; another commune's user gets 404."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import ExternalCost
from patrimoine.purchasing import services
from patrimoine.purchasing.models import Contract, Invoice, PurchaseOrder, PurchaseOrderLine

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
Status = PurchaseOrder.Status
D = Decimal


def _order(
    shop, *, lines=(("P7", "1"),), commit=False, contractor_lot=True, title="Chauffe-eau de l'école", on_order=True
):
    access = access_of(shop["manager"])
    with scopes_disabled():
        order = services.purchase_order_create(
            access=access,
            title=title,
            lot=shop["lot"] if contractor_lot else None,
            contractor=None if contractor_lot else shop["other"],
            work_order=shop["order"] if on_order else None,
        )
        for code, quantity in lines:
            if contractor_lot:
                services.purchase_order_line_add(
                    access=access, order=order, price_line=shop["prices"][code], quantity=quantity
                )
            else:
                services.purchase_order_line_add(access=access, order=order, label=code, unit_price="10", quantity=1)
        if commit:
            services.purchase_order_commit(access=access, order=order)
    return order


def _state():
    with scopes_disabled():
        return (
            list(PurchaseOrder.objects.order_by("pk").values_list("status", "total_ttc")),
            PurchaseOrderLine.objects.count(),
            Invoice.objects.count(),
            ExternalCost.objects.count(),
            Contract.objects.count(),
            AuditEntry.objects.count(),
        )


def test_manager_creates_a_draft_on_the_lot_adds_bpu_lines_and_commits(login, shop):
    client = login(shop["manager"])
    response = client.post(
        reverse("purchasing:order-create"),
        {
            "title": "Chauffe-eau",
            "lot": shop["lot"].pk,
            "work_order": shop["order"].reference.lower(),
            "vat_rate": "20",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        order = PurchaseOrder.objects.get()
    assert (order.work_order_id, order.contractor_id, order.status) == (
        shop["order"].pk,
        shop["durand"].pk,
        Status.DRAFT,
    )
    detail = reverse("purchasing:order-detail", args=[order.pk])
    client.post(
        reverse("purchasing:order-line-add", args=[order.pk]),
        {"ligne-price_line": shop["prices"]["P7"].pk, "ligne-quantity": "1"},
    )
    client.post(
        reverse("purchasing:order-line-add", args=[order.pk]),
        {"ligne-price_line": shop["prices"]["P1"].pk, "ligne-quantity": "2,5"},
    )
    html = client.get(detail).content.decode()
    assert "1\u202f020,00\u00a0€" in html  # 890 + 2,5 × 52 HT
    assert "1\u202f224,00\u00a0€" in html  # TTC
    response = client.post(reverse("purchasing:order-status", args=[order.pk]), {"action": "engager"}, follow=True)
    assert "engagé : 1\u202f224,00\u00a0€ TTC sur la ligne « 011-615221 »" in response.content.decode()


def test_an_unknown_work_order_number_is_a_form_error(login, shop):
    response = login(shop["manager"]).post(
        reverse("purchasing:order-create"),
        {"title": "x", "lot": shop["lot"].pk, "work_order": "BT-1999-000001", "vat_rate": "20"},
    )
    assert response.status_code == 400 and "Aucun bon de travail de votre collectivité" in response.content.decode()
    assert _state()[0] == []


def test_invoice_over_the_order_is_refused_in_place_with_the_amounts(login, shop):
    order = _order(shop, commit=True)  # 890 HT
    before = _state()
    response = login(shop["manager"]).post(
        reverse("purchasing:order-invoice-add", args=[order.pk]),
        {
            "facture-number": "F-12",
            "facture-date": timezone.localdate().isoformat(),
            "facture-amount_ht": "990",
            "facture-amount_ttc": "1188",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Le montant ne correspond pas au bon de commande" in html and "il reste 890,00\u00a0€ HT" in html
    assert _state() == before


def test_matching_invoice_settles_and_reports_the_cost_added(login, shop):
    order = _order(shop, commit=True)
    response = login(shop["manager"]).post(
        reverse("purchasing:order-invoice-add", args=[order.pk]),
        {
            "facture-number": "F-12",
            "facture-date": timezone.localdate().isoformat(),
            "facture-amount_ht": "890,00",
            "facture-amount_ttc": "1 068,00",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Le bon de commande est soldé." in html and shop["order"].reference in html
    with scopes_disabled():
        assert PurchaseOrder.objects.get(pk=order.pk).status == Status.SETTLED
        assert ExternalCost.objects.get(work_order=shop["order"]).amount == D("1068.00")


def test_commit_refusal_is_shown_and_changes_nothing(login, shop):
    order = _order(shop, lines=(("P7", "12"),))  # 12 816 TTC > 10 000
    before = _state()
    response = login(shop["manager"]).post(reverse("purchasing:order-status", args=[order.pk]), {"action": "engager"})
    assert response.status_code == 400 and "Crédits insuffisants" in response.content.decode()
    assert _state() == before


def test_cancel_needs_a_reason(login, shop):
    order = _order(shop)
    client = login(shop["manager"])
    response = client.post(reverse("purchasing:order-status", args=[order.pk]), {"action": "annuler", "reason": ""})
    assert response.status_code == 400 and "motif" in response.content.decode()
    client.post(reverse("purchasing:order-status", args=[order.pk]), {"action": "annuler", "reason": "Doublon"})
    with scopes_disabled():
        assert PurchaseOrder.objects.get(pk=order.pk).status == Status.CANCELLED


def test_contractor_sees_only_his_companys_engaged_orders(login, shop):
    mine = _order(shop, commit=True, title="Commande Durand")
    draft = _order(shop, title="Brouillon Durand")
    never_sent = _order(shop, title="Jamais envoyée Durand")
    with scopes_disabled():
        services.purchase_order_cancel(access=access_of(shop["manager"]), order=never_sent, reason="Erreur")
    theirs = _order(
        shop, contractor_lot=False, lines=(("Tableau", "1"),), commit=True, title="Commande Martin", on_order=False
    )
    client = login(shop["durand_user"])
    html = client.get(reverse("purchasing:order-list")).content.decode()
    assert "Commande Durand" in html and "Brouillon Durand" not in html and "Commande Martin" not in html
    assert "Jamais envoyée" not in html
    assert client.get(reverse("purchasing:order-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("purchasing:order-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("purchasing:order-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("purchasing:contract-list")).status_code == 403
    assert client.get(reverse("purchasing:contract-detail", args=[shop["lot"].contract_id])).status_code == 404
    before = _state()
    response = client.post(reverse("purchasing:order-status", args=[mine.pk]), {"action": "receptionner"})
    assert response.status_code == 403 and _state() == before
    other = login(shop["martin_user"])
    assert "Commande Martin" in other.get(reverse("purchasing:order-list")).content.decode()


def test_contractor_does_not_see_an_order_on_a_work_order_given_to_another_company(login, shop, f):
    order = _order(shop, commit=True, title="Commande Durand")
    with scopes_disabled():
        type(shop["order"]).objects.filter(pk=shop["order"].pk).update(contractor=shop["other"])
    client = login(shop["durand_user"])
    assert client.get(reverse("purchasing:order-detail", args=[order.pk])).status_code == 404


def test_another_communes_user_gets_404_and_sees_nothing(login, shop):
    order = _order(shop, commit=True)
    client = login(shop["v_manager"])
    for url in (
        reverse("purchasing:order-detail", args=[order.pk]),
        reverse("purchasing:order-edit", args=[order.pk]),
        reverse("purchasing:contract-detail", args=[shop["lot"].contract_id]),
    ):
        assert client.get(url).status_code == 404, url
    before = _state()
    for url, data in (
        (reverse("purchasing:order-status", args=[order.pk]), {"action": "annuler", "reason": "x"}),
        (reverse("purchasing:order-invoice-add", args=[order.pk]), {"facture-number": "X"}),
        (reverse("purchasing:lot-price-add", args=[shop["lot"].pk]), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert _state() == before
    for url in (reverse("purchasing:order-list"), reverse("purchasing:contract-list")):
        html = client.get(url).content.decode()
        assert order.reference not in html and "2026-012" not in html


def test_reader_reads_orders_but_has_no_forms(login, shop):
    order = _order(shop, commit=True)
    client = login(shop["reader"])
    html = client.get(reverse("purchasing:order-detail", args=[order.pk])).content.decode()
    assert order.reference in html and "Rapprocher une facture" not in html
    assert client.get(reverse("purchasing:order-create")).status_code == 403


def test_order_list_filters_by_status_and_search(login, shop):
    _order(shop, commit=True, title="Commande engagée")
    _order(shop, title="Commande brouillon")
    client = login(shop["manager"])
    html = client.get(reverse("purchasing:order-list"), {"statut": "en_cours"}, **HTMX).content.decode()
    assert "Commande engagée" in html and "Commande brouillon" not in html and "<h1" not in html
    html = client.get(reverse("purchasing:order-list"), {"q": "brouillon"}).content.decode()
    assert "Commande brouillon" in html and "Commande engagée" not in html


def test_order_list_query_count_does_not_grow_with_orders(login, shop, django_assert_num_queries):
    client = login(shop["manager"])
    for _ in range(3):
        _order(shop, commit=True)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("purchasing:order-list"))
    for _ in range(27):
        _order(shop, lines=(("P1", "1"),))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("purchasing:order-list"))


def test_contract_pages_add_a_lot_and_a_price(login, shop):
    client = login(shop["manager"])
    response = client.post(
        reverse("purchasing:contract-create"),
        {
            "reference": "2026-031",
            "title": "Électricité",
            "procedure": "accord_cadre",
            "start_date": "2026-01-01",
            "end_date": "2029-12-31",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        contract = Contract.objects.get(reference="2026-031")
    client.post(
        reverse("purchasing:contract-lot-add", args=[contract.pk]),
        {"number": "1", "title": "Courants forts", "contractor": shop["other"].pk, "max_amount_ht": "40 000"},
    )
    with scopes_disabled():
        lot = contract.lots.get()
    client.post(
        reverse("purchasing:lot-price-add", args=[lot.pk]),
        {
            f"prix-{lot.pk}-code": "E1",
            f"prix-{lot.pk}-label": "Heure d'électricien",
            f"prix-{lot.pk}-unit": "h",
            f"prix-{lot.pk}-unit_price": "48,50",
        },
    )
    html = client.get(reverse("purchasing:contract-detail", args=[contract.pk])).content.decode()
    assert "Heure d&#x27;électricien" in html and "48,50\u00a0€" in html and "40\u202f000,00\u00a0€" in html


def test_a_team_lead_cannot_create_a_contract(login, shop):
    before = _state()
    response = login(shop["chef"]).post(reverse("purchasing:contract-create"), {"reference": "X"})
    assert response.status_code == 403 and _state() == before


def test_contract_list_query_count_does_not_grow_with_contracts(login, shop, django_assert_num_queries):
    from patrimoine.purchasing.tests.conftest import contract

    client = login(shop["manager"])
    for n in range(2):
        contract(shop["nesmy"], shop["other"], reference=f"2026-1{n:02d}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("purchasing:contract-list"))
    for n in range(2, 24):
        contract(shop["nesmy"], shop["other"], reference=f"2026-1{n:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(reverse("purchasing:contract-list")).content.decode()
    assert "2026-123" in html or "Suivante" in html
