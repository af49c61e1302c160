"""TOTP two-factor: enrolment, the code after the password, recovery codes, administrators forced."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patrimoine.accounts import services
from patrimoine.organisations.models import Membership
from patrimoine.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True


def code(device: TOTPDevice, *, later: int = 0) -> str:
    """The code the phone shows (`later` steps ahead: a code is accepted only once)."""
    return f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=later):06d}"


def sign_in(client, username):
    return client.post("/compte/connexion/", {"username": username, "password": PASSWORD})


def enrol(client, user) -> list[str]:
    page = client.get("/compte/double-authentification/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret and b"<svg" in client.get("/compte/double-authentification/qr.svg").content
    response = client.post("/compte/double-authentification/", {"code": code(device)}, follow=True)
    assert "La double authentification est activée" in response.content.decode()
    return response.context["codes"]


def test_administrator_without_device_is_sent_to_enrolment_before_anything_else(f, client):
    nesmy = f.organisation("Nesmy")
    f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    response = sign_in(client, "admin.nesmy")
    home = client.get(response["Location"])
    assert home.status_code == 302 and home["Location"].startswith("/compte/double-authentification/?next=")
    for url in ("/patrimoine/", "/demandes/", "/compte/mot-de-passe/"):
        assert client.get(url)["Location"].startswith("/compte/double-authentification/")
    assert client.post("/demandes/nouvelle/", {})["Location"] == "/compte/double-authentification/"
    page = client.get("/compte/double-authentification/")
    assert "la double authentification est obligatoire" in page.content.decode()


def test_staff_and_superusers_count_as_administrators(f):
    assert services.two_factor_requirement(f.user(is_staff=True)) == "enrol"
    assert services.two_factor_requirement(f.user(is_superuser=True)) == "enrol"
    assert services.two_factor_requirement(f.user(role=Role.TECHNICIAN, organisation=f.organisation())) == ""


def test_other_roles_sign_in_without_second_factor_unless_they_enrolled(f, client):
    f.user("technicien.nesmy", role=Role.TECHNICIAN, organisation=f.organisation("Nesmy"))
    sign_in(client, "technicien.nesmy")
    assert client.get("/").status_code == 200


def test_enrolment_then_sign_in_asks_for_the_code_computed_from_the_secret(f, client):
    nesmy = f.organisation("Nesmy")
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    sign_in(client, "admin.nesmy")
    codes = enrol(client, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200  # verified by the enrolment itself
    client.post("/compte/deconnexion/")

    response = sign_in(client, "admin.nesmy")
    assert client.get(response["Location"])["Location"] == "/compte/verification/?next=%2F"
    assert client.get("/patrimoine/").status_code == 302  # nothing before the code
    device = TOTPDevice.objects.get(user=admin, confirmed=True)
    wrong = client.post("/compte/verification/", {"code": "000000", "next": "/patrimoine/"})
    assert "Code incorrect ou expiré" in wrong.content.decode()
    time.sleep(1.1)  # django-otp throttles the device one second after a failure
    right = client.post("/compte/verification/", {"code": code(device, later=1), "next": "/patrimoine/"})
    assert right["Location"] == "/patrimoine/"
    assert client.get("/patrimoine/").status_code == 200


def test_a_code_cannot_be_replayed(f, client):
    user = f.user("chef.nesmy", role=Role.TEAM_LEAD, organisation=f.organisation("Nesmy"))
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    token = code(device)
    assert services.second_factor_match(user=user, token=token) == device
    assert services.second_factor_match(user=user, token=token) is None


def test_recovery_code_works_once(f, client):
    nesmy = f.organisation("Nesmy")
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    sign_in(client, "admin.nesmy")
    codes = enrol(client, admin)
    client.post("/compte/deconnexion/")

    sign_in(client, "admin.nesmy")
    response = client.post("/compte/verification/", {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/" and "il vous en reste 9" in response.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.post("/compte/deconnexion/")

    sign_in(client, "admin.nesmy")
    again = client.post("/compte/verification/", {"code": codes[0]})
    assert again.status_code == 200 and "Code incorrect" in again.content.decode()
    assert client.get("/").status_code == 302


def test_regenerating_recovery_codes_voids_the_old_ones(f, client):
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=f.organisation("Nesmy"))
    sign_in(client, "admin.nesmy")
    old = enrol(client, admin)
    response = client.post("/compte/double-authentification/codes/", follow=True)
    new = response.context["codes"]
    assert set(new).isdisjoint(old) and StaticToken.objects.filter(token__in=old).count() == 0


def test_wrong_enrolment_code_changes_nothing(f, client):
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=f.organisation("Nesmy"))
    sign_in(client, "admin.nesmy")
    client.get("/compte/double-authentification/")
    response = client.post("/compte/double-authentification/", {"code": "123"})
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert client.get("/")["Location"].startswith("/compte/double-authentification/")


def test_qr_code_is_only_for_an_enrolment_in_progress(f, client):
    f.user("technicien.nesmy", role=Role.TECHNICIAN, organisation=f.organisation("Nesmy"))
    sign_in(client, "technicien.nesmy")
    assert client.get("/compte/double-authentification/qr.svg").status_code == 404
