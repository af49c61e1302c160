"""Journey 5 in real Chromium: Claire checks her compliance, opens the gym (report, findings), prints
the safety register and has the catalogue propose the checks a building still lacks."""

import re

import pytest
from django_scopes import scopes_disabled

from conftest import browser_login
from patrimoine.maintenance.catalogue import load_catalogue
from patrimoine.maintenance.models import MaintenancePlan

from .world import build_world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_claire_before_the_safety_commission(page, f):
    with scopes_disabled():
        load_catalogue()
    world = build_world(f)
    browser_login(page, world.users["gestionnaire"].username)

    page.get_by_role("link", name="Maintenance").click()
    late = page.locator(".stat").filter(has_text="contrôles en retard")
    assert late.locator(".stat__value").inner_text() == "1"
    assert (
        page.get_by_role("region", name=re.compile("En retard"))
        .get_by_text("Vérification annuelle des extincteurs")
        .is_visible()
    )

    page.get_by_role("link", name="Salle de sports de la Vallée").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Rapport (PDF)").is_visible()
    findings = page.get_by_role("region", name="Réserves des vérificateurs")
    assert findings.get_by_text("Levée", exact=True).is_visible()
    assert findings.get_by_text("À lever", exact=True).is_visible()

    register = page.get_by_role("link", name="Registre de sécurité (PDF)").get_attribute("href")
    response = page.request.get(register)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.get_by_role("link", name="Appliquer le catalogue réglementaire").click()
    page.wait_for_load_state()
    commission = page.get_by_role(
        "checkbox", name="Visite périodique de la commission de sécurité et suivi de ses prescriptions"
    )
    assert commission.is_checked()
    page.get_by_role("button", name="Planifier les contrôles cochés").click()
    page.wait_for_load_state()
    assert page.get_by_text(re.compile(r"contrôle\(s\) planifié\(s\)")).is_visible()
    with scopes_disabled():
        assert MaintenancePlan.objects.filter(
            building=world.gym, statutory_check__code="erp-commission-securite"
        ).exists()
