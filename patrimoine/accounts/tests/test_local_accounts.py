"""Local accounts: the password policy (in French) and the lockout after repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from patrimoine.organisations.models import Membership
from patrimoine.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def nadia(f):
    return f.user("nadia", role=Membership.Role.REQUESTER, organisation=f.organisation("Nesmy"), last_name="Belkacem")


def _change(client, new):
    return client.post("/compte/mot-de-passe/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("483920174652", "Ce mot de passe est entièrement numérique."),
        ("password1234", "Ce mot de passe est trop courant."),
        ("nadiabelkacem", "Le mot de passe est trop semblable au champ «\xa0nom\xa0»."),
    ],
)
def test_weak_password_is_refused_with_a_french_message_and_nothing_changes(login, nadia, password, message):
    client = login(nadia)
    response = _change(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    nadia.refresh_from_db()
    assert nadia.check_password(PASSWORD)


def test_strong_password_is_accepted(login, nadia):
    response = _change(login(nadia), "trois chats sur le toit")
    assert response.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password("trois chats sur le toit")


def test_login_is_locked_after_failures_for_this_username_and_ip(axes_on, f, client, nadia):
    f.user("claire")
    for _ in range(2):
        response = client.post("/compte/connexion/", {"username": "nadia", "password": "mauvais"})
        assert response.status_code == 200 and "Identifiant ou mot de passe incorrect" in response.content.decode()
    locked = client.post("/compte/connexion/", {"username": "nadia", "password": "mauvais"})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Trop de tentatives de connexion échouées" in body and "15 minutes" in body
    # Even the right password is refused while locked, from this address…
    again = client.post("/compte/connexion/", {"username": "nadia", "password": PASSWORD})
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # …but not from another one, nor for another username from this one.
    other_ip = client.post("/compte/connexion/", {"username": "nadia", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 302
    other_user = client.post("/compte/connexion/", {"username": "claire", "password": PASSWORD})
    assert other_user.status_code == 302


def test_administrator_unlocks_a_locked_account(axes_on, client, nadia):
    for _ in range(3):
        client.post("/compte/connexion/", {"username": "nadia", "password": "mauvais"})
    assert AccessAttempt.objects.filter(username="nadia").exists()
    call_command("axes_reset_username", "nadia")  # or delete the attempt in the admin
    response = client.post("/compte/connexion/", {"username": "nadia", "password": PASSWORD})
    assert response.status_code == 302


def test_lock_ends_after_the_cool_off(axes_on, settings, client, nadia):
    from datetime import timedelta

    for _ in range(3):
        client.post("/compte/connexion/", {"username": "nadia", "password": "mauvais"})
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    assert client.post("/compte/connexion/", {"username": "nadia", "password": PASSWORD}).status_code == 302


def test_behind_a_proxy_the_lock_follows_the_forwarded_client_address(axes_on, settings, client, nadia):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        client.post(
            "/compte/connexion/",
            {"username": "nadia", "password": "mauvais"},
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",  # the first entry is the client's own (forgeable)
        )
    other_client = client.post(
        "/compte/connexion/", {"username": "nadia", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other_client.status_code == 302
    client.post("/compte/deconnexion/")
    same = client.post(
        "/compte/connexion/", {"username": "nadia", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
    )
    assert same.status_code == 429
