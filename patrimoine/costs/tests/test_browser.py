"""Journeys 3 and 4 in a real browser, on the work order page: Ahmed logs 1 h 45 and the catalogue
joints (search as you type), a typo is refused in place, and the total is right to the cent."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_technician_logs_time_and_catalogue_material_on_the_order_page(world, page):
    order = world["order"]
    browser_login(page, "technicien.epci")
    page.goto(f"/bons/{order.pk}/")
    section = page.locator("#couts")
    expect(section).to_contain_text("Aucun temps saisi.")

    section.get_by_text("Saisir du temps").click()
    section.get_by_label("Temps passé").fill("25")
    section.get_by_role("button", name="Enregistrer le temps").click()
    error = section.locator("#id_temps-hours_error")
    expect(error).to_contain_text("Le temps saisi doit être compris entre 0,01 et 24 heures.")
    expect(section.get_by_label("Temps passé")).to_be_focused()

    section.get_by_label("Temps passé").fill("1h45")
    section.get_by_role("button", name="Enregistrer le temps").click()
    expect(section.locator("[data-costs-notice]")).to_contain_text("Temps enregistré : 1\u00a0h\u00a045")
    expect(section).to_contain_text("67,20\u00a0€")

    section.get_by_text("Ajouter du matériel").click()
    section.get_by_label("Rechercher un article").fill("joint")
    expect(section.locator("#materiel-q-resultat")).to_have_text("1 article trouvé.")
    expect(section.get_by_label("Article du catalogue")).to_have_value(str(world["joint"].pk))
    section.get_by_label("Quantité").fill("2")
    section.get_by_role("button", name="Ajouter le matériel").click()
    expect(section.locator("[data-costs-notice]")).to_contain_text("Joint fibre 20/27")

    summary = section.locator("table.cost-summary")
    expect(summary).to_contain_text("67,20\u00a0€")
    expect(summary).to_contain_text("1,70\u00a0€")
    expect(summary).to_contain_text("68,90\u00a0€")
    with scopes_disabled():
        assert WorkOrder.objects.get(pk=order.pk).total_cost == Decimal("68.90")
