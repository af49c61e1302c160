"""Single sign-on end to end: real Chromium, real OpenID Connect provider (npm oidc-provider)."""

import re

import pytest
from playwright.sync_api import expect

from patrimoine.accounts import services
from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.organisations.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_at_provider(page, login):
    page.get_by_role("link", name="Se connecter avec Fédération de test").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("peu-importe")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent


def test_sso_links_verified_email_to_existing_account_and_signs_in(page, f, sso):
    nesmy = f.organisation("Nesmy")
    nadia = f.user("nadia", role=Membership.Role.REQUESTER, organisation=nesmy, first_name="Nadia", last_name="B.")
    User.objects.filter(pk=nadia.pk).update(email="Nadia.Belkacem@example.org")
    page.goto("/compte/connexion/")
    _sign_in_at_provider(page, "nadia")
    expect(page.locator(".site-header")).to_contain_text("Nadia B.")
    expect(page.locator(".site-header")).to_contain_text("Nesmy")
    identity = OidcIdentity.objects.get()
    assert (identity.user_id, identity.status, identity.subject) == (nadia.pk, OidcIdentity.Status.LINKED, "nadia")
    assert identity.issuer == sso.issuer
    page.screenshot(path=str(sso.log.parent / "sso-signed-in.png"))


def test_sso_unknown_person_waits_for_approval_then_signs_in_and_out(page, f, sso):
    nesmy = f.organisation("Nesmy")
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=nesmy)
    f.user("nadia", role=Membership.Role.REQUESTER, organisation=nesmy)  # nadia@example.org
    page.goto("/compte/connexion/")
    _sign_in_at_provider(page, "inconnu")
    page.wait_for_url("**/compte/connexion/")
    expect(page.get_by_text("attend maintenant la validation d'un administrateur")).to_be_visible()
    page.screenshot(path=str(sso.log.parent / "sso-pending.png"))
    identity = OidcIdentity.objects.select_related("user").get()
    assert identity.status == OidcIdentity.Status.PENDING and not identity.user.is_active
    assert identity.user.email == "nouvel.agent@example.org"

    # Still pending: signing in again (the provider remembers the person) opens nothing.
    page.get_by_role("link", name="Se connecter avec Fédération de test").click()
    page.wait_for_url("**/compte/connexion/")
    expect(page.get_by_text("attend maintenant la validation")).to_be_visible()

    services.oidc_identity_approve(actor=admin, identity=identity, organisation=nesmy, role=Membership.Role.READER)
    page.get_by_role("link", name="Se connecter avec Fédération de test").click()
    expect(page.locator(".site-header")).to_contain_text("Nouvel Agent")
    expect(page.locator(".site-header")).to_contain_text("Lecteur")

    # RP-initiated logout: Patrimoine's session ends, then the provider's (after its confirmation).
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(r"/compte/connexion/\?state="))  # the provider echoes our state
    expect(page.get_by_label("Identifiant")).to_be_visible()
    # The provider forgot the person: the next SSO asks for a login again.
    page.get_by_role("link", name="Se connecter avec Fédération de test").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_pending_person_is_approved_in_the_identities_page_then_lands_on_his_home(page, f, sso):
    """The whole path without the Django admin: sign in through the provider, wait, an administrator of
    the commune opens the account in « Identités en attente », sign in again, home page."""
    from conftest import browser_login
    from patrimoine.tests.test_accessibility_browser import _violations

    nesmy = f.organisation("Nesmy")
    f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=nesmy)
    page.goto("/compte/connexion/")
    _sign_in_at_provider(page, "inconnu")
    page.wait_for_url("**/compte/connexion/")
    expect(page.get_by_text("attend maintenant la validation d'un administrateur")).to_be_visible()

    base_url = page.url.split("/compte/")[0]
    context = page.context.browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15000)
    admin = context.new_page()
    try:
        browser_login(admin, "admin.nesmy")
        admin.get_by_role("link", name="Identités en attente").click()
        card = admin.get_by_role("region", name="Nouvel Agent")
        expect(card).to_contain_text("nouvel.agent@example.org")
        assert _violations(admin, "/compte/identites/") == []
        admin.screenshot(path=str(sso.log.parent / "identities.png"), full_page=True)
        card.get_by_label("Rôle").select_option(label="Demandeur")
        card.get_by_role("button", name="Ouvrir le compte dans Nesmy").click()
        expect(admin.get_by_role("status")).to_contain_text("Accès accordé : Nouvel Agent")
        expect(admin.get_by_text("Aucune identité n'attend de décision.")).to_be_visible()
    finally:
        context.close()

    page.get_by_role("link", name="Se connecter avec Fédération de test").click()
    page.wait_for_url(f"{base_url}/")
    expect(page.locator(".site-header")).to_contain_text("Nouvel Agent")
    expect(page.locator(".site-header")).to_contain_text("Demandeur")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    identity = OidcIdentity.objects.select_related("user").get()
    assert identity.status == OidcIdentity.Status.LINKED and identity.user.is_active
