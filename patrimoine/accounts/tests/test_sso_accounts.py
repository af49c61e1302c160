"""Single sign-on without a browser: the switch, identity resolution and the administrator's decision."""

import pytest
from django.urls import reverse

from patrimoine.accounts import services
from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
ISSUER = "https://idp.example.org"


def claims(sub="abc", email="agent@example.org", verified=True, **extra):
    names = {"given_name": "Agent", "family_name": "Test"}
    return {"sub": sub, "email": email, "email_verified": verified, **names, **extra}


def test_sso_is_off_when_unconfigured(client):
    page = client.get("/compte/connexion/").content.decode()
    assert "Se connecter avec" not in page
    assert client.get("/compte/sso/").status_code == 404
    assert client.get("/compte/sso/retour/?code=x&state=y").status_code == 404


def test_sso_button_shows_the_configured_label(client, settings):
    settings.OIDC_ENABLED, settings.OIDC_BUTTON_LABEL = True, "ProConnect"
    assert "Se connecter avec ProConnect" in client.get("/compte/connexion/").content.decode()


def test_known_subject_opens_the_same_account_even_if_the_email_changed(f):
    agent = f.user("agent")  # agent@example.org
    first = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    again = services.oidc_identity_resolve(issuer=ISSUER, claims=claims(email="nouvelle@example.org"))
    assert first.pk == again.pk and again.user_id == agent.pk and again.email == "nouvelle@example.org"


def test_same_subject_of_another_issuer_is_another_identity(f):
    f.user("agent")
    services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    other = services.oidc_identity_resolve(issuer="https://autre.example.org", claims=claims(verified=False))
    assert other.status == OidcIdentity.Status.PENDING and OidcIdentity.objects.count() == 2


def test_unverified_email_is_never_linked_to_the_matching_account(f):
    agent = f.user("agent")  # agent@example.org
    identity = services.oidc_identity_resolve(issuer=ISSUER, claims=claims(verified=False))
    assert identity.status == OidcIdentity.Status.PENDING and identity.user_id != agent.pk
    assert not identity.user.is_active and not Membership.objects.filter(user=identity.user).exists()
    missing = services.oidc_identity_resolve(issuer=ISSUER, claims={**claims(sub="x"), "email_verified": "true"})
    assert missing.status == OidcIdentity.Status.PENDING  # only a real boolean true counts


def test_inactive_account_with_that_email_is_not_linked(f):
    f.user("agent", is_active=False)
    identity = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    assert identity.status == OidcIdentity.Status.PENDING and identity.user.username == "agent.2"


def test_administrator_approves_a_pending_identity_in_the_django_admin(f, client):
    nesmy = f.organisation("Nesmy")
    identity = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    dsi = f.user("dsi", is_staff=True, is_superuser=True)
    client.force_login(dsi)
    listing = client.get(reverse("admin:accounts_oidcidentity_changelist")).content.decode()
    assert "agent@example.org" in listing and "Valider…" in listing
    url = reverse("admin:accounts_oidcidentity_approve", args=[identity.pk])
    assert "Accorder l’accès" in client.get(url).content.decode()
    response = client.post(url, {"organisation": nesmy.pk, "role": Membership.Role.TECHNICIAN})
    assert response.status_code == 302
    identity.refresh_from_db()
    assert identity.status == OidcIdentity.Status.LINKED and identity.decided_by == dsi
    assert identity.user.is_active
    assert Membership.objects.get(user=identity.user).role == Membership.Role.TECHNICIAN
    # Already decided: a second approval is refused and changes nothing.
    client.post(url, {"organisation": nesmy.pk, "role": Membership.Role.ADMIN})
    assert Membership.objects.get(user=identity.user).role == Membership.Role.TECHNICIAN


def test_administrator_rejects_a_pending_identity(f, client):
    identity = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    client.force_login(f.user("dsi", is_staff=True, is_superuser=True))
    client.post(
        reverse("admin:accounts_oidcidentity_changelist"), {"action": "reject", "_selected_action": [identity.pk]}
    )
    identity.refresh_from_db()
    assert identity.status == OidcIdentity.Status.REJECTED and not identity.user.is_active
    again = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    assert again.status == OidcIdentity.Status.REJECTED  # a new login does not reopen the request


def test_non_staff_cannot_reach_the_approval_page(f, client):
    identity = services.oidc_identity_resolve(issuer=ISSUER, claims=claims())
    client.force_login(f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=f.organisation("Nesmy")))
    response = client.post(
        reverse("admin:accounts_oidcidentity_approve", args=[identity.pk]), {"role": Membership.Role.ADMIN}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not User.objects.get(pk=identity.user_id).is_active


def test_unreachable_provider_gives_a_french_message_not_an_error(client, settings):
    dead = "http://127.0.0.1:9"  # discard port: nothing answers
    settings.OIDC_ENABLED, settings.OIDC_RP_CLIENT_ID, settings.OIDC_OP_ISSUER = True, "patrimoine", dead
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{dead}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{dead}/token"
    settings.OIDC_TIMEOUT = 2
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    start = client.get("/compte/sso/")
    assert "acr_values=eidas1" in start["Location"]
    assert start["Location"].startswith(f"{dead}/auth?") and "code_challenge_method=S256" in start["Location"]
    assert "nonce=" in start["Location"] and "state=" in start["Location"]
    state = next(iter(client.session["oidc_states"]))
    response = client.get(f"/compte/sso/retour/?code=abc&state={state}", follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("La connexion avec mon compte professionnel n'a pas abouti" in m for m in shown)
    assert "_auth_user_id" not in client.session


def test_callback_with_a_forged_state_is_refused(client, settings):
    settings.OIDC_ENABLED = True
    client.get("/compte/sso/")
    response = client.get("/compte/sso/retour/?code=abc&state=forge")
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_oidc_discover_prints_the_settings_of_a_real_provider(oidc_provider):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc_discover", oidc_provider.issuer, stdout=out)
    lines = out.getvalue().splitlines()
    assert f"OIDC_ISSUER={oidc_provider.issuer}" in lines
    assert f"OIDC_TOKEN_ENDPOINT={oidc_provider.issuer}/token" in lines
    assert f"OIDC_END_SESSION_ENDPOINT={oidc_provider.issuer}/session/end" in lines
    out = StringIO()
    call_command("oidc_discover", oidc_provider.issuer, "--citoyens", stdout=out)  # the portal's sign-in
    assert f"CITIZEN_OIDC_JWKS_ENDPOINT={oidc_provider.issuer}/jwks" in out.getvalue().splitlines()
