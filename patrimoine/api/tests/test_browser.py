"""The tokens page and the API documentation in real Chromium, under the strict CSP."""

import os

import pytest

from conftest import browser_login
from patrimoine.organisations.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("API_SCREENSHOTS")  # a folder, to look at the pages


def test_create_a_token_then_read_the_docs(f, page):
    nesmy = f.organisation("Nesmy")
    f.user("gestionnaire", role=Membership.Role.MANAGER, organisation=nesmy)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_login(page, "gestionnaire")
    page.get_by_role("link", name="Jetons d'API").click()
    page.get_by_label("Nom du jeton").fill("SIG communautaire")
    page.get_by_label("Droits").select_option("read")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_label("Jeton", exact=True).input_value()
    assert secret.startswith("pat_")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/api-tokens.png", full_page=True)
    page.get_by_role("link", name="Documentation de l'API").click()
    page.wait_for_selector(".opblock-tag", timeout=20000)
    assert page.get_by_text("/api/v1/work-orders/{pk}/transitions", exact=True).count() >= 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/api-docs.png", full_page=False)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    page.goto("/api/jetons/")
    page.get_by_role("button", name="Révoquer").click()
    assert page.get_by_text("Révoqué", exact=True).is_visible()
