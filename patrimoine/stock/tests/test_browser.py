"""In real Chromium: a technician takes joints from the store on the work order page (a shortage is
refused in place, nothing moves), the lead reads it in the store's ledger; and axe-core finds no
WCAG 2.1 A/AA violation on the stock, purchasing and budget pages."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import access_of, browser_login
from patrimoine.purchasing import services as purchasing
from patrimoine.purchasing.tests.conftest import budget_line, contract
from patrimoine.stock import services
from patrimoine.stock.tests.conftest import quantity_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe.min.js").read_text()


def _stock(world, quantity="3", price="0.80"):
    with scopes_disabled():
        services.stock_receive(
            access=access_of(world["manager"]),
            store=world["central"],
            item=world["joint"],
            quantity=quantity,
            unit_price=price,
        )


def test_technician_takes_joints_from_the_store_and_a_shortage_is_refused_in_place(world, page):
    _stock(world)
    order = world["order"]
    browser_login(page, "technicien.epci")
    page.goto(f"/bons/{order.pk}/")
    section = page.locator("#couts")
    section.get_by_text("Ajouter du matériel").click()
    section.get_by_label("Article du catalogue").select_option(str(world["joint"].pk))
    expect(section.get_by_label("Sorti du magasin")).to_be_visible()
    section.get_by_label("Sorti du magasin").select_option(str(world["central"].pk))
    section.get_by_label("Quantité").fill("5")
    section.get_by_role("button", name="Ajouter le matériel").click()
    expect(section).to_contain_text("Stock insuffisant au magasin « Magasin central » : 3 u de « Joint fibre 20/27 »")
    assert quantity_in(world["central"], world["joint"]) == Decimal("3.000")

    section.get_by_label("Quantité").fill("2")
    section.get_by_role("button", name="Ajouter le matériel").click()
    expect(section.locator("[data-costs-notice]")).to_contain_text("Matériel sorti du magasin « Magasin central »")
    expect(section).to_contain_text("sorti du magasin « Magasin central »")
    expect(section.locator("table.cost-summary")).to_contain_text("1,60\u00a0€")
    assert quantity_in(world["central"], world["joint"]) == Decimal("1.000")

    page.context.clear_cookies()
    browser_login(page, "chef.epci")
    page.goto(f"/stock/magasins/{world['central'].pk}/")
    ledger = page.locator("#mouvements")
    expect(ledger).to_contain_text("Sortie (bon de travail)")
    expect(ledger).to_contain_text(order.reference)


def _violations(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0,2).map(n => n.target).join(' | ')}`)"
    )
    return [f"{path} — {v}" for v in result]


def test_stock_purchasing_and_budget_pages_have_no_axe_violation(world, page, f):
    _stock(world, "10")
    with scopes_disabled():
        services.stock_threshold_set(
            access=access_of(world["manager"]), store=world["central"], item=world["joint"], threshold="12"
        )
        epci = world["epci"]
        budget_line(epci, "011-615221", "20000", is_default=True)
        durand = f.contractor(epci, "Plomberie Durand")
        lot = contract(epci, durand)
        access = access_of(world["manager"])
        order = purchasing.purchase_order_create(access=access, title="Chauffe-eau", lot=lot)
        purchasing.purchase_order_line_add(access=access, order=order, price_line=lot.prices.get(), quantity="2")
        purchasing.purchase_order_commit(access=access, order=order)
        purchasing.invoice_record(
            access=access, order=order, number="F-1", date=timezone.localdate(), amount_ht="50", amount_ttc="60"
        )
    browser_login(page, "gestionnaire.epci")
    found = []
    for path in (
        "/stock/",
        "/stock/magasins/",
        f"/stock/magasins/{world['central'].pk}/",
        f"/stock/magasins/{world['central'].pk}/entree/",
        f"/stock/magasins/{world['central'].pk}/transfert/",
        f"/stock/magasins/{world['central'].pk}/inventaire/",
        f"/stock/articles/{world['joint'].pk}/",
        "/stock/alertes/",
        "/achats/",
        "/achats/bons/nouveau/",
        f"/achats/bons/{order.pk}/",
        "/achats/marches/",
        f"/achats/marches/{lot.contract_id}/",
        "/budgets/",
        f"/budgets/lignes/{order.budget_line_id}/",
    ):
        found += _violations(page, path)
    assert found == []
