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
