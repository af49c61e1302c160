"""An administrator's first sign-in in a real browser: enrolment is forced, the QR code shows; the
next sign-in asks for the code. The pages pass the axe audit (WCAG 2.1 A/AA)."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.organisations.models import Membership
from patrimoine.tests.test_accessibility_browser import _violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_enrols_with_the_qr_code_then_signs_in_with_a_code(page, f, settings, tmp_path):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=f.organisation("Nesmy"))
    browser_login(page, "admin.nesmy")
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert _violations(page, "/compte/double-authentification/") == []
    qr = page.get_by_alt_text("QR code à scanner avec votre application d’authentification")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code affiché par l'application").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("La double authentification est activée")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continuer vers Patrimoine").click()
    expect(page.locator(".site-header")).to_contain_text("Nesmy")

    page.get_by_role("button", name="Se déconnecter").click()
    browser_login(page, "admin.nesmy")
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    assert _violations(page, "/compte/verification/") == []
    page.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
    page.get_by_label("Code").fill(f"{totp(key, drift=1):06d}")  # the next code: each is accepted once
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_have_count(0)
    expect(page.locator(".site-header")).to_contain_text("Administrateur")
