"""The citizen's optional sign-in without a browser: the switch, the authorization request, the identity
(pseudonymous, never an account), « Mes signalements » (only one's own), forgetting and retention.
The whole flow through the real provider is in test_citizen_browser.py."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.core.models import AuditEntry
from patrimoine.organisations.models import Membership
from patrimoine.portal import services
from patrimoine.portal.citizen import SESSION_KEY
from patrimoine.portal.models import CitizenIdentity, PublicReport
from patrimoine.trust.tasks import anonymise_expired_personal_data

pytestmark = pytest.mark.django_db
ISSUER = "https://identite.example.fr"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def configured(settings):
    """Sign-in switched on with a provider that is never called (what the browser does not need)."""
    settings.CITIZEN_OIDC_ENABLED = True
    settings.CITIZEN_OIDC_CLIENT_ID = "portail"
    settings.CITIZEN_OIDC_CLIENT_SECRET = "secret"
    settings.CITIZEN_OIDC_ISSUER = ISSUER
    settings.CITIZEN_OIDC_AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize"
    settings.CITIZEN_OIDC_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.CITIZEN_OIDC_USERINFO_ENDPOINT = f"{ISSUER}/userinfo"
    settings.CITIZEN_OIDC_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    settings.CITIZEN_OIDC_EXTRA_AUTH_PARAMS = {"acr_values": "eidas1"}
    return settings


@pytest.fixture
def communes(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    f.trade("electricite", "Électricité")
    return nesmy, venansault


def _signed_in(client, identity):
    session = client.session
    session[SESSION_KEY] = str(identity.pk)
    session.save()
    return client


def _file(client, org, description="Le lampadaire est éteint", **extra):
    data = {"categorie": "eclairage", "lieu": "12 rue des Lilas", "lat": "", "lon": "", "description": description}
    return client.post(f"/signaler/{org.slug}/", {**data, **extra})


def _identity(sub="abc", email="marie@example.net", **claims):
    return services.citizen_identity_sign_in(issuer=ISSUER, claims={"sub": sub, "email": email, **claims})


def test_sign_in_is_off_unless_configured(client):
    assert client.get("/signaler/connexion/").status_code == 404
    assert client.get("/signaler/connexion/retour/?code=x&state=y").status_code == 404
    page = client.get("/signaler/mes-signalements/").content.decode().replace("&#x27;", "'")
    assert "La connexion n'est pas proposée ici" in page


def test_the_authorization_request_uses_pkce_state_and_nonce(client, configured, communes):
    response = client.get("/signaler/connexion/", {"suivant": f"/signaler/{communes[0].slug}/"})
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/authorize"
    assert query["client_id"] == "portail" and query["response_type"] == "code" and query["scope"] == "openid email"
    assert query["redirect_uri"] == "http://testserver/signaler/connexion/retour/"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and query["acr_values"] == "eidas1"
    # An unsafe « suivant » is ignored: back to « Mes signalements » after the sign-in.
    client.get("/signaler/connexion/", {"suivant": "https://ailleurs.example.com/"})
    assert client.session["citizen_next"] == "/signaler/mes-signalements/"
    client.get("/signaler/connexion/", {"suivant": "//ailleurs.example.com/x"})
    assert client.session["citizen_next"] == "/signaler/mes-signalements/"


def test_a_callback_with_a_forged_state_signs_nobody_in(client, configured):
    client.get("/signaler/connexion/")
    response = client.get("/signaler/connexion/retour/", {"code": "volé", "state": "x" * 43}, follow=True)
    assert "n'a pas abouti" in response.content.decode().replace("&#x27;", "'")
    assert SESSION_KEY not in client.session and not CitizenIdentity.objects.exists()


def test_an_identity_is_pseudonymous_and_never_an_account(f):
    users_before = get_user_model().objects.count()
    first = _identity(given_name="Marie")
    again = _identity(email="marie.nouvelle@example.net")
    other_issuer = services.citizen_identity_sign_in(issuer="https://autre.example.fr", claims={"sub": "abc"})
    assert first.pk == again.pk and again.email == "marie.nouvelle@example.net" and other_issuer.pk != first.pk
    assert again.subject_hash == CitizenIdentity.hash_subject("abc") and "abc" not in again.subject_hash
    assert get_user_model().objects.count() == users_before and not Membership.objects.exists()
    with pytest.raises(services.DomainError):
        services.citizen_identity_sign_in(issuer=ISSUER, claims={"email": "sans-sub@example.net"})


def test_signed_in_the_form_is_prefilled_and_reports_are_linked(client, communes):
    nesmy, venansault = communes
    marie, paul = _identity(), _identity(sub="paul", email="paul@example.net")
    _signed_in(client, marie)
    form = client.get(f"/signaler/{nesmy.slug}/", {"categorie": "eclairage", "lieu": "Place"}).content.decode()
    assert 'value="marie@example.net"' in form and "Mes signalements" in form
    _file(client, nesmy, contact_email="marie@example.net", contact_consent="on")
    _file(client, venansault, description="Trou dans la chaussée")
    other = client.__class__()
    _signed_in(other, paul)
    _file(other, nesmy, description="Banc cassé")
    _file(client.__class__(), nesmy, description="Signalé sans connexion")
    with scopes_disabled():
        mine = list(PublicReport.objects.filter(citizen=marie).select_related("work_request"))
        assert len(mine) == 2 and PublicReport.objects.filter(citizen=None).count() == 1
    page = client.get("/signaler/mes-signalements/").content.decode()
    for report in mine:
        assert report.work_request.reference in page and f"/suivi/{report.token}/" in page
    assert "Nesmy" in page and "Venansault" in page  # every commune of the instance
    theirs = other.get("/signaler/mes-signalements/").content.decode()
    assert all(r.work_request.reference not in theirs for r in mine) and "Banc" not in page


def test_signing_out_keeps_the_reports_and_forgetting_unlinks_them(client, communes):
    nesmy, _ = communes
    marie = _identity()
    _signed_in(client, marie)
    _file(client, nesmy)
    response = client.post("/signaler/deconnexion/", follow=True)
    assert "Vous êtes déconnecté(e)" in response.content.decode() and SESSION_KEY not in client.session
    _signed_in(client, marie)
    response = client.post("/signaler/mes-signalements/oublier/", follow=True)
    assert "Votre identifiant a été supprimé" in response.content.decode()
    assert not CitizenIdentity.objects.exists()
    with scopes_disabled():
        report = PublicReport.objects.get()
        assert report.citizen is None
        tracking = client.get(f"/suivi/{report.token}/")
        assert tracking.status_code == 200 and tracking["Referrer-Policy"] == "same-origin"  # no token leak
        assert AuditEntry.objects.filter(action="citizen_identity.delete").count() == 1


def test_the_retention_job_deletes_identities_unused_for_too_long(client, communes, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {**settings.PERSONAL_DATA_RETENTION_DAYS, "citizen_identity": 365}
    nesmy, _ = communes
    old, recent = _identity(sub="ancien"), _identity(sub="recent")
    _signed_in(client, old)
    _file(client, nesmy)
    CitizenIdentity.objects.filter(pk=old.pk).update(last_login_at=timezone.now() - timedelta(days=400))
    assert anonymise_expired_personal_data.call()["citizen_identities"] == 1
    assert list(CitizenIdentity.objects.all()) == [recent]
    with scopes_disabled():
        assert PublicReport.objects.get().citizen is None  # the report stays, unlinked
    page = client.get("/signaler/mes-signalements/").content.decode()
    assert "Connecté(e)" not in page and SESSION_KEY not in client.session  # signed out with it


def test_the_register_of_processing_lists_citizen_identities(client, f):
    nesmy = f.organisation("Nesmy")
    client.force_login(f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=nesmy))
    page = client.get("/confiance/registre-des-traitements/").content.decode().replace("&#x27;", "'")
    assert "Connexion des citoyens au portail de signalement" in page and "identifiant pseudonyme" in page
    assert "1095 jours" in page
