"""The REST API v1: tokens, tenancy, pagination, filters, ETag/If-Match and error format."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.api.models import ApiToken
from patrimoine.api.services import token_digest
from patrimoine.api.tests.helpers import bearer, token_for
from patrimoine.assets.models import Building
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder

pytestmark = pytest.mark.django_db
Role = Membership.Role
JSON = "application/json"


@pytest.fixture
def two_communes(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    return {"epci": epci, "nesmy": nesmy, "venansault": venansault}


# --- Tokens -------------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_shown_once(f, login, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    client = login(user, nesmy)
    response = client.post(
        "/api/jetons/", {"name": "SIG", "scope": "read", "expires_on": (timezone.localdate() + dt.timedelta(days=30))}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("pat_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash == token_digest(secret) and secret not in (token.key_hash, token.prefix)
    assert secret not in client.get("/api/jetons/").content.decode()  # never shown again
    assert client.get("/api/v1/me", **bearer(secret)).json()["token_scope"] == "read"


def test_expired_revoked_and_unknown_tokens_are_refused(f, login, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    expired, revoked = token_for(user, nesmy), token_for(user, nesmy)
    ApiToken.objects.filter(key_hash=token_digest(expired)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    token = ApiToken.objects.get(key_hash=token_digest(revoked))
    login(user, nesmy).post(f"/api/jetons/{token.pk}/revoquer/")
    from django.test import Client

    anonymous = Client()
    for secret, words in ((expired, "expiré"), (revoked, "révoqué"), ("pat_inconnu", "invalide")):
        response = anonymous.get("/api/v1/buildings", **bearer(secret))
        assert response.status_code == 401 and words in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    response = anonymous.get("/api/v1/buildings")
    assert response.status_code == 401 and "Authorization" in response.json()["detail"]


def test_nobody_revokes_another_users_token(f, login, two_communes):
    nesmy = two_communes["nesmy"]
    owner, other = f.user(role=Role.MANAGER, organisation=nesmy), f.user(role=Role.ADMIN, organisation=nesmy)
    secret = token_for(owner, nesmy)
    token = ApiToken.objects.get()
    assert login(other, nesmy).post(f"/api/jetons/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert login(other, nesmy).get("/api/jetons/").context["tokens"].count() == 0
    assert secret


def test_read_token_cannot_write(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    site = f.site(nesmy)
    secret = token_for(user, nesmy, scope_name=ApiToken.Scope.READ)
    body = {"site_id": str(site.pk), "name": "Gymnase", "code": "GYM"}
    response = client.post("/api/v1/buildings", json.dumps(body), content_type=JSON, **bearer(secret))
    assert response.status_code == 403 and "lecture seule" in response.json()["detail"]
    with scopes_disabled():
        assert not Building.objects.filter(code="GYM").exists()


def test_token_stops_when_membership_ends(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    secret = token_for(user, nesmy)
    Membership.objects.filter(user=user).update(is_active=False)
    assert client.get("/api/v1/buildings", **bearer(secret)).status_code == 401


def test_token_page_is_linked_from_the_header(f, login, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.REQUESTER, organisation=nesmy)
    assert 'href="/api/jetons/"' in login(user, nesmy).get("/").content.decode()


# --- Tenancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.TECHNICIAN, Role.READER])
def test_another_communes_objects_are_absent_and_404(f, client, two_communes, role):
    nesmy, venansault = two_communes["nesmy"], two_communes["venansault"]
    user = f.user(role=role, organisation=nesmy)
    mine = f.building(nesmy, "École de Nesmy")
    theirs = f.building(venansault, "Mairie Zyxwvu")
    equipment = f.equipment(theirs, "Chaudière Zyxwvu")
    order = f.work_order(venansault, title="Réparer Zyxwvu", building_obj=theirs)
    request = f.work_request(venansault, building_obj=theirs, description="Fuite Zyxwvu")
    secret = token_for(user, nesmy)
    for url in ("/api/v1/buildings", "/api/v1/equipment", "/api/v1/work-orders", "/api/v1/work-requests"):
        response = client.get(url, **bearer(secret))
        assert response.status_code == 200 and "Zyxwvu" not in response.content.decode(), url
    for url in (
        f"/api/v1/buildings/{theirs.pk}",
        f"/api/v1/equipment/{equipment.pk}",
        f"/api/v1/work-orders/{order.pk}",
        f"/api/v1/work-orders/{order.pk}/time-entries",
        f"/api/v1/work-requests/{request.pk}",
        f"/api/v1/organisations/{venansault.pk}",
    ):
        response = client.get(url, **bearer(secret))
        assert response.status_code == 404 and response.json() == {"detail": "Ressource introuvable."}, url
    response = client.patch(
        f"/api/v1/work-orders/{order.pk}",
        json.dumps({"title": "x"}),
        content_type=JSON,
        HTTP_IF_MATCH="*",
        **bearer(secret),
    )
    assert response.status_code == 404
    body = json.dumps({"to_status": "annule", "reason": "x"})
    response = client.post(f"/api/v1/work-orders/{order.pk}/transitions", body, content_type=JSON, **bearer(secret))
    assert response.status_code == 404
    with scopes_disabled():
        assert WorkOrder.objects.get(pk=order.pk).status == WorkOrder.Status.TO_PLAN
    if role in (Role.ADMIN, Role.MANAGER, Role.READER, Role.TEAM_LEAD):
        names = [row["name"] for row in client.get("/api/v1/buildings", **bearer(secret)).json()["items"]]
        assert names == ["École de Nesmy"]
    assert mine


def test_epci_reader_reads_member_communes_but_cannot_write_there(f, client, two_communes):
    epci, venansault = two_communes["epci"], two_communes["venansault"]
    admin = f.user(role=Role.ADMIN, organisation=epci)
    building = f.building(venansault, "Mairie de Venansault")
    secret = token_for(admin, epci)
    response = client.get(f"/api/v1/buildings/{building.pk}", **bearer(secret))
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/buildings/{building.pk}",
        json.dumps({"name": "Piraté"}),
        content_type=JSON,
        HTTP_IF_MATCH=response["ETag"],
        **bearer(secret),
    )
    assert response.status_code == 403
    building.refresh_from_db()
    assert building.name == "Mairie de Venansault"


# --- Pagination, ordering, filters ---------------------------------------------------------------


def test_keyset_pagination_walks_every_row_once_in_order(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    site = f.site(nesmy)
    names = [f"Bâtiment {i:02d}" for i in range(7)] + ["Bâtiment 03"]  # a tie, broken by id
    for name in names:
        f.building(nesmy, name, site_obj=site)
    secret = token_for(user, nesmy)
    seen, cursor = [], None
    for _page in range(10):
        url = "/api/v1/buildings?limit=3&ordering=-name" + (f"&cursor={cursor}" if cursor else "")
        data = client.get(url, **bearer(secret)).json()
        seen += [row["name"] for row in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(names, reverse=True)
    response = client.get(f"/api/v1/buildings?limit=3&ordering=name&cursor={cursor or 'x'}", **bearer(secret))
    assert response.status_code == 400 and "curseur" in response.json()["detail"].lower()


def test_filters_and_unknown_parameters(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    building = f.building(nesmy, "École Jules Ferry")
    f.work_order(nesmy, building_obj=building, priority=WorkOrder.Priority.URGENT)
    f.work_order(nesmy, title="Autre")
    secret = token_for(user, nesmy)
    data = client.get("/api/v1/work-orders?priority=4_urgente", **bearer(secret)).json()
    assert [row["building_id"] for row in data["items"]] == [str(building.pk)]
    assert len(client.get(f"/api/v1/work-orders?building_id={building.pk}", **bearer(secret)).json()["items"]) == 1
    assert [b["name"] for b in client.get("/api/v1/buildings?q=ecole ferry", **bearer(secret)).json()["items"]] == [
        "École Jules Ferry"
    ]
    response = client.get("/api/v1/work-orders?priorite=4_urgente", **bearer(secret))
    assert response.status_code == 400 and "priorite" in response.json()["detail"]
    response = client.get("/api/v1/work-orders?priority=bidon", **bearer(secret))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "priority"


# --- ETag and If-Match ----------------------------------------------------------------------------


def test_update_needs_the_current_etag(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    building = f.building(nesmy, "Salle des fêtes")
    secret = token_for(user, nesmy)
    url = f"/api/v1/buildings/{building.pk}"
    etag = client.get(url, **bearer(secret))["ETag"]
    patch = json.dumps({"name": "Salle polyvalente"})
    response = client.patch(url, patch, content_type=JSON, **bearer(secret))
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    response = client.patch(url, patch, content_type=JSON, HTTP_IF_MATCH='"perime"', **bearer(secret))
    assert response.status_code == 412
    building.refresh_from_db()
    assert building.name == "Salle des fêtes" and building.version == 1
    response = client.patch(url, patch, content_type=JSON, HTTP_IF_MATCH=etag, **bearer(secret))
    assert response.status_code == 200 and response.json()["name"] == "Salle polyvalente"
    assert response["ETag"] != etag and response["ETag"] == client.get(url, **bearer(secret))["ETag"]
    response = client.patch(
        url, json.dumps({"name": "Encore"}), content_type=JSON, HTTP_IF_MATCH=etag, **bearer(secret)
    )
    assert response.status_code == 412


def test_work_order_moves_through_the_workflow_service(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    lead = f.user(role=Role.TEAM_LEAD, organisation=nesmy)
    order = f.work_order(nesmy)
    secret = token_for(lead, nesmy)
    url = f"/api/v1/work-orders/{order.pk}/transitions"
    response = client.post(url, json.dumps({"to_status": "termine"}), content_type=JSON, **bearer(secret))
    assert response.status_code == 400 and "Impossible" in response.json()["detail"]
    response = client.post(
        url, json.dumps({"to_status": "annule", "reason": "Doublon"}), content_type=JSON, **bearer(secret)
    )
    assert response.status_code == 200 and response.json()["status"] == "annule"
    history = client.get(url, **bearer(secret)).json()
    assert history[-1]["to_status"] == "annule" and history[-1]["reason"] == "Doublon"


def test_intervention_report_and_checklist_are_read_with_the_order(f, client, two_communes):
    nesmy, venansault = two_communes["nesmy"], two_communes["venansault"]
    manager = f.user(role=Role.MANAGER, organisation=nesmy)
    order = f.work_order(nesmy, status=WorkOrder.Status.DONE)
    with scopes_disabled():
        InterventionReport.objects.create(
            organisation=nesmy, work_order=order, notes="Joint changé, fuite arrêtée", signed_by_name="M. Durand"
        )
        ChecklistItem.objects.create(organisation=nesmy, work_order=order, label="Couper l'eau", done=True)
    secret = token_for(manager, nesmy)
    report = client.get(f"/api/v1/work-orders/{order.pk}/report", **bearer(secret)).json()
    assert report["notes"] == "Joint changé, fuite arrêtée" and report["signed_by_name"] == "M. Durand"
    assert report["signed"] is False and report["checklist"][0] == {
        "label": "Couper l'eau",
        "position": 0,
        "done": True,
        "done_at": None,
    }
    elsewhere = f.work_order(venansault)
    assert client.get(f"/api/v1/work-orders/{elsewhere.pk}/report", **bearer(secret)).status_code == 404


# --- Errors and hostile input ---------------------------------------------------------------------


def test_errors_are_french_json_and_change_nothing(f, client, two_communes):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    site = f.site(nesmy)
    secret = token_for(user, nesmy)
    cases = [
        ("{pas du json", 400),
        (json.dumps({"site_id": str(site.pk), "name": "a\x00b", "code": "X"}), 422),
        (json.dumps({"site_id": str(site.pk), "name": "x" * 151, "code": "X"}), 422),
        (json.dumps({"site_id": str(site.pk), "name": "Gymnase", "code": "G", "surface_m2": "1e999"}), 422),
        (json.dumps({"site_id": "00000000-0000-0000-0000-000000000000", "name": "Gymnase", "code": "G"}), 400),
        (json.dumps([1, 2, 3]), 422),
        ("x" * (300 * 1024), 413),
    ]
    for body, status in cases:
        response = client.post("/api/v1/buildings", body, content_type=JSON, **bearer(secret))
        assert response.status_code == status, (body[:80], response.content)
        assert response["Content-Type"] == "application/json" and response.json()["detail"]
    assert client.get("/api/v1/nimporte/quoi", **bearer(secret)).json() == {"detail": "Ressource introuvable."}
    assert client.get("/api/v1/buildings/pas-un-uuid", **bearer(secret)).status_code == 404
    assert client.patch("/api/v1/buildings/%C2%A4%0A", "{}", content_type=JSON, **bearer(secret)).json()["detail"]
    with scopes_disabled():
        assert Building.objects.count() == 0


def test_building_created_through_the_service_is_audited(f, client, two_communes):
    from patrimoine.core.models import AuditEntry

    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    site = f.site(nesmy)
    secret = token_for(user, nesmy)
    body = {"site_id": str(site.pk), "name": "Gymnase", "code": "GYM", "surface_m2": 1250.5, "is_erp": True}
    response = client.post("/api/v1/buildings", json.dumps(body), content_type=JSON, **bearer(secret))
    assert response.status_code == 400 and "ERP" in response.json()["detail"]  # the service's own rule
    body.update(erp_type="X", erp_category=3)
    response = client.post("/api/v1/buildings", json.dumps(body), content_type=JSON, **bearer(secret))
    assert response.status_code == 201 and response.json()["surface_m2"] == "1250.50" and response["ETag"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="building.create", actor=user).count() == 1


def test_openapi_and_docs_page_are_public_and_csp_clean(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/work-orders/{pk}/transitions" in schema["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page and "<script>" not in page and "cdn" not in page.lower()


def test_list_query_count_does_not_grow_with_the_page(f, client, two_communes, django_assert_max_num_queries):
    nesmy = two_communes["nesmy"]
    user = f.user(role=Role.MANAGER, organisation=nesmy)
    building = f.building(nesmy)
    for _i in range(30):
        f.work_order(nesmy, building_obj=building)
    secret = token_for(user, nesmy)
    # Token, access (memberships, teams), the page, its technicians: the same for 5 rows or 30.
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/work-orders?limit=30", **bearer(secret)).json()["items"]) == 30
