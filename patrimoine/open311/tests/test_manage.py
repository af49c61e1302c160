"""The management page: keys shown once and revoked, services published, for admins and managers only."""

import pytest
from django_scopes import scopes_disabled

from patrimoine.core.models import AuditEntry
from patrimoine.open311.models import ApiKey, Service
from patrimoine.open311.tests.conftest import json_errors, post
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_manager_creates_a_key_shown_once_which_then_files_requests(client, login, world, f):
    manager = f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=world.venansault)
    login(manager)
    response = client.post("/open311/cles/nouvelle/", {"name": "Signalements Vendée"})
    assert response.status_code == 200
    raw = response.context["new_key"]
    assert len(raw) >= 40 and raw in response.content.decode()
    with scopes_disabled():
        api_key = ApiKey.objects.get(name="Signalements Vendée")
        assert api_key.organisation == world.venansault and api_key.created_by == manager
        assert raw not in (api_key.key_hash, api_key.prefix) and api_key.prefix == raw[:8]
    page = client.get("/open311/").content.decode()
    assert raw not in page and "Signalements Vendée" in page and api_key.prefix in page
    data = {"api_key": raw, "jurisdiction_id": "venansault", "service_code": "autre", "address_string": "Rue X"}
    assert post(client, "json", data).status_code == 200


def test_key_name_is_required_and_unique(client, login, world):
    login(world.admin_venansault)
    assert client.post("/open311/cles/nouvelle/", {"name": ""}).status_code == 400
    response = client.post("/open311/cles/nouvelle/", {"name": "Appli citoyenne"})
    assert response.status_code == 400 and "déjà ce nom" in response.content.decode()
    with scopes_disabled():
        assert ApiKey.objects.filter(organisation=world.venansault).count() == 1


def test_revoked_key_no_longer_files(client, login, world):
    login(world.admin_venansault)
    with scopes_disabled():
        api_key = ApiKey.objects.get(organisation=world.venansault)
    response = client.post(f"/open311/cles/{api_key.pk}/revoquer/")
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert not api_key.is_active and api_key.revoked_at is not None
    data = {
        "api_key": world.key_venansault,
        "jurisdiction_id": "venansault",
        "service_code": "autre",
        "lat": "46",
        "long": "-1",
    }
    json_errors(post(client, "json", data), 403)
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="open311.key_revoke").count() == 1


def test_another_communes_admin_cannot_revoke_nor_see_a_key(client, login, world):
    login(world.admin_nesmy)
    with scopes_disabled():
        api_key = ApiKey.objects.get(organisation=world.venansault)
        service = Service.objects.get(organisation=world.venansault, code="voirie")
    assert client.post(f"/open311/cles/{api_key.pk}/revoquer/").status_code == 404
    assert client.post(f"/open311/services/{service.pk}/publication/").status_code == 404
    api_key.refresh_from_db()
    service.refresh_from_db()
    assert api_key.is_active and service.is_active
    page = client.get("/open311/").content.decode()
    assert api_key.prefix not in page


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.TECHNICIAN, Role.REQUESTER, Role.READER, Role.CONTRACTOR])
def test_other_roles_cannot_manage(client, login, world, f, role):
    login(f.user(role=role, organisation=world.venansault))
    assert client.get("/open311/").status_code == 403
    assert client.post("/open311/cles/nouvelle/", {"name": "Pirate"}).status_code == 403
    with scopes_disabled():
        assert not ApiKey.objects.filter(name="Pirate").exists()


def test_publish_defaults_and_withdraw_a_service(client, login, f):
    org = f.organisation("La Chaize")
    admin = f.user(role=Role.ADMIN, organisation=org)
    login(admin)
    page = client.get("/open311/").content.decode()
    assert "Publier les services par défaut" in page
    assert client.post("/open311/services/par-defaut/").status_code == 302
    with scopes_disabled():
        assert Service.objects.filter(organisation=org, is_active=True).count() == 14
        lighting = Service.objects.get(organisation=org, code="eclairage")
        assert lighting.trade.code == "electricite"
    assert client.post("/open311/services/par-defaut/").status_code == 302  # idempotent
    assert client.post(f"/open311/services/{lighting.pk}/publication/").status_code == 302
    lighting.refresh_from_db()
    assert not lighting.is_active
    codes = [s["service_code"] for s in client.get("/open311/v2/services.json?jurisdiction_id=la-chaize").json()]
    assert "eclairage" not in codes and len(codes) == 13
    with scopes_disabled():
        assert Service.objects.filter(organisation=org).count() == 14


def test_manager_adds_and_changes_a_service(client, login, world, f):
    login(f.user(role=Role.MANAGER, organisation=world.venansault))
    assert client.get("/open311/services/nouveau/").status_code == 200
    data = {"code": "banc", "name": "Banc abîmé", "group": "Mobilier", "type": "realtime", "position": "20"}
    data.update({"description": "", "keywords": "banc", "notice": "Réparé sous huit jours.", "trade": ""})
    assert client.post("/open311/services/nouveau/", data).status_code == 302
    with scopes_disabled():
        bench = Service.objects.get(organisation=world.venansault, code="banc")
    assert client.post("/open311/services/nouveau/", data).status_code == 400  # the code is taken
    data.update({"name": "Banc ou table abîmé", "trade": f.trade("menuiserie").pk})
    assert client.post(f"/open311/services/{bench.pk}/", data).status_code == 302
    bench.refresh_from_db()
    assert bench.name == "Banc ou table abîmé" and bench.trade.code == "menuiserie"
    [service] = [
        s
        for s in client.get("/open311/v2/services.json?jurisdiction_id=venansault").json()
        if s["service_code"] == "banc"
    ]
    assert service["service_name"] == "Banc ou table abîmé" and service["group"] == "Mobilier"
    report = {
        "api_key": world.key_venansault,
        "jurisdiction_id": "venansault",
        "service_code": "banc",
        "address_string": "Parc",
    }
    assert post(client, "json", report).json()[0]["service_notice"] == "Réparé sous huit jours."
    with scopes_disabled():
        other = Service.objects.get(organisation=world.nesmy, code="voirie")
    assert client.post(f"/open311/services/{other.pk}/", data).status_code == 404


@pytest.mark.parametrize("path", ["/admin/open311/service/", "/admin/open311/apikey/"])
def test_platform_superuser_sees_services_and_keys_in_the_admin(client, world, f, path):
    client.force_login(f.user("root", is_staff=True, is_superuser=True))
    response = client.get(path)
    assert response.status_code == 200 and "Venansault" in response.content.decode()
    with scopes_disabled():
        api_key = ApiKey.objects.filter(organisation=world.venansault).first()
    page = client.get(f"/admin/open311/apikey/{api_key.pk}/change/").content.decode()
    assert api_key.key_hash not in page
