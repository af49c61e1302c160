"""An administrator searches the audit trail and opens the personal data pages in a real browser."""

from pathlib import Path

import pytest
from django.conf import settings

from conftest import browser_login
from patrimoine.core.services import audit_record
from patrimoine.organisations.models import Membership
from patrimoine.tests.test_accessibility_browser import _violations

SCREENS = Path(settings.BASE_DIR) / "var" / "screens"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_searches_the_trail_and_reads_the_register(page, f):
    org = f.organisation("Nesmy")
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=org)
    manager = f.user("gestion.nesmy", role=Membership.Role.MANAGER, organisation=org)
    school = f.building(org, "École Jules-Verne")
    audit_record(actor=manager, action="building.update", target=school, data={"name": ["École", "École J.-V."]})
    audit_record(actor=admin, action="building.archive", target=school, message="École Jules-Verne")
    SCREENS.mkdir(parents=True, exist_ok=True)

    browser_login(page, admin.username)
    page.get_by_role("link", name="Journal d'audit").click()
    page.get_by_label("Qui").fill("gestion")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "building.update" in rows.first.inner_text()
    page.screenshot(path=SCREENS / "audit-journal.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("journal-audit-")

    page.get_by_role("link", name="Données personnelles").click()
    page.get_by_label("Adresse électronique de la personne").fill("jeanne@example.org")
    page.get_by_role("button", name="Effacer ses données").click()
    assert page.get_by_text("Cochez la case pour confirmer").is_visible()
    page.screenshot(path=SCREENS / "donnees-personnelles.png", full_page=True)
    page.get_by_role("link", name="Registre des traitements").click()
    assert page.get_by_role("heading", name="Demandes d'intervention").is_visible()
    page.screenshot(path=SCREENS / "registre.png", full_page=True)

    violations = []
    for path in (
        "/confiance/journal/?qui=gestion",
        "/confiance/donnees-personnelles/",
        "/confiance/registre-des-traitements/",
    ):
        violations += _violations(page, path)
    assert violations == [], "\n".join(violations)
