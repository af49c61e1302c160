"""Personal data: retention job, a person's export and erasure, the registre des traitements."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.core.audit import verify_chain
from patrimoine.core.models import AuditEntry
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.trust import privacy
from patrimoine.trust.tasks import anonymise_expired_personal_data

pytestmark = pytest.mark.django_db
Role = Membership.Role
CITIZEN = {"requester_name": "Jeanne Martin", "requester_email": "jeanne@example.org", "requester_phone": "0601020304"}


def _request(f, org, *, age_days=0, status=WorkRequest.Status.ACCEPTED, **person):
    request = f.work_request(org, status=status, channel=WorkRequest.Channel.CITIZEN, **(person or CITIZEN))
    with scopes_disabled():
        WorkRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return request


def _identity(request):
    with scopes_disabled():
        r = WorkRequest.objects.get(pk=request.pk)
    return r.requester_name, r.requester_email, r.requester_phone


def test_the_daily_job_anonymises_expired_requests_and_keeps_statistics(f, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {"work_request_requester": 365}
    org = f.organisation("Nesmy")
    old = _request(f, org, age_days=400)
    recent = _request(f, org, age_days=30)
    still_open = _request(f, org, age_days=400, status=WorkRequest.Status.NEW)
    result = anonymise_expired_personal_data.call()
    assert result == {"organisations": 1, "rows": 1, "citizen_identities": 0}
    assert _identity(old) == ("", "", "")
    assert _identity(recent) == tuple(CITIZEN.values())
    assert _identity(still_open) == tuple(CITIZEN.values())  # the requester must still hear back
    with scopes_disabled():
        kept = WorkRequest.objects.get(pk=old.pk)
        assert (kept.reference, kept.channel, kept.status, kept.description) == (
            old.reference,
            WorkRequest.Channel.CITIZEN,
            WorkRequest.Status.ACCEPTED,
            old.description,
        )
        assert WorkRequest.objects.count() == 3
        assert "jeanne" not in kept.search_text and "jeanne" in WorkRequest.objects.get(pk=recent.pk).search_text
        entry = AuditEntry.objects.get(action="privacy.retention_anonymise")
    assert entry.data["rows"] == 1 and entry.organisation == org
    assert privacy.anonymise_expired_requests() == {}  # nothing left to do
    assert verify_chain()[1] is None


@pytest.fixture
def two_communes(f):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    mine = _request(f, nesmy)
    theirs = _request(f, venansault)
    return admin, mine, theirs


def test_admin_exports_a_persons_data_of_his_organisation_only(client, two_communes):
    admin, mine, theirs = two_communes
    client.force_login(admin)
    response = client.post("/confiance/donnees-personnelles/", {"email": "JEANNE@example.org", "export": "1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert [r["numero"] for r in data["demandes"]] == [mine.reference]
    assert data["demandes"][0]["telephone"] == "0601020304"
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.kind == AuditEntry.Kind.READ and "jeanne" not in json.dumps(entry.data)


def test_erasure_needs_confirmation_then_anonymises_his_organisations_requests_only(client, two_communes):
    admin, mine, theirs = two_communes
    client.force_login(admin)
    response = client.post("/confiance/donnees-personnelles/", {"email": "jeanne@example.org", "erase": "1"})
    assert response.status_code == 400 and "Cochez la case" in response.content.decode()
    assert _identity(mine) == tuple(CITIZEN.values())
    response = client.post(
        "/confiance/donnees-personnelles/", {"email": "jeanne@example.org", "erase": "1", "confirm": "on"}
    )
    assert response.status_code == 302
    assert _identity(mine) == ("", "", "")
    assert _identity(theirs) == tuple(CITIZEN.values())
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="privacy.erase", data__rows=1).exists()


def test_a_bad_address_changes_nothing(client, two_communes):
    admin, mine, _ = two_communes
    client.force_login(admin)
    response = client.post("/confiance/donnees-personnelles/", {"email": "pas une adresse", "erase": "1"})
    assert response.status_code == 400 and "adresse de courriel valide" in response.content.decode()
    assert _identity(mine) == tuple(CITIZEN.values())


@pytest.mark.parametrize("role", [Role.MANAGER, Role.READER, Role.REQUESTER])
def test_other_roles_may_not_touch_personal_data(client, f, two_communes, role):
    _, mine, _ = two_communes
    with scopes_disabled():
        org = WorkRequest.objects.get(pk=mine.pk).organisation
    client.force_login(f.user(role=role, organisation=org))
    for url in ("/confiance/donnees-personnelles/", "/confiance/registre-des-traitements/"):
        assert client.get(url).status_code == 403
    response = client.post(
        "/confiance/donnees-personnelles/", {"email": "jeanne@example.org", "erase": "1", "confirm": "on"}
    )
    assert response.status_code == 403 and _identity(mine) == tuple(CITIZEN.values())


def test_the_register_is_generated_from_the_declaration(client, two_communes, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {"work_request_requester": 1095}
    admin, _, _ = two_communes
    client.force_login(admin)
    body = client.get("/confiance/registre-des-traitements/").content.decode()
    assert "Demandes d&#x27;intervention" in body or "Demandes d'intervention" in body
    assert "courriel du demandeur" in body and "1095 jours" in body
    assert "Journal d" in body and "Comptes des agents" in body
