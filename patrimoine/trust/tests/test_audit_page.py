"""Administrators search and export the audit trail of their own organisation(s), nobody else's."""

import pytest
from django_scopes import scopes_disabled

from patrimoine.core.models import AuditEntry
from patrimoine.core.services import audit_record
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role
URL = "/confiance/journal/"


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    users = {
        "admin.nesmy": f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy),
        "gestion.nesmy": f.user("gestion.nesmy", role=Role.MANAGER, organisation=nesmy),
        "admin.venansault": f.user("admin.venansault", role=Role.ADMIN, organisation=venansault),
        "admin.epci": f.user("admin.epci", role=Role.ADMIN, organisation=epci),
    }
    school = f.building(nesmy, "École Jules-Verne")
    hall = f.building(venansault, "Salle Zyxwvu")
    audit_record(actor=users["gestion.nesmy"], action="building.update", target=school, data={"name": ["A", "B"]})
    audit_record(actor=users["admin.venansault"], action="building.create", target=hall, message="Salle Zyxwvu")
    return users


def test_admin_sees_only_his_organisations_trail(client, world):
    client.force_login(world["admin.nesmy"])
    body = client.get(URL).content.decode()
    assert "gestion.nesmy" in body and "Zyxwvu" not in body


def test_epci_admin_sees_member_communes(client, world):
    client.force_login(world["admin.epci"])
    body = client.get(URL).content.decode()
    assert "gestion.nesmy" in body and "Zyxwvu" in body


@pytest.mark.parametrize("username", ["gestion.nesmy"])
def test_other_roles_are_refused(client, world, username):
    client.force_login(world[username])
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?format=csv").status_code == 403


def test_search_by_who_action_object_and_dates(client, world):
    client.force_login(world["admin.epci"])
    assert "Zyxwvu" not in client.get(URL + "?qui=gestion").content.decode()
    assert "Zyxwvu" in client.get(URL + "?action=building.create").content.decode()
    assert "gestion.nesmy" not in client.get(URL + "?objet=Zyxwvu").content.decode()
    assert "Zyxwvu" not in client.get(URL + "?du=2000-01-01&au=2000-01-31").content.decode()
    response = client.get(URL + "?du=pas-une-date")
    assert response.status_code == 200 and "Saisissez une date valide" in response.content.decode()


def test_csv_export_is_scoped_and_itself_audited(client, world):
    client.force_login(world["admin.nesmy"])
    response = client.get(URL + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "building.update" in body and "Zyxwvu" not in body
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="audit.export", kind=AuditEntry.Kind.READ).count() == 1


def test_a_document_download_is_recorded_as_a_sensitive_read(client, f, world, unscoped):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patrimoine.documents.models import Document

    nesmy_admin = world["admin.nesmy"]
    org = Membership.objects.get(user=nesmy_admin).organisation
    document = Document.objects.create(
        organisation=org,
        target=f.building(org, "Mairie"),
        kind=Document.Kind.DOCUMENT,
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test"),
        original_name="plan.pdf",
        mime_type="application/pdf",
        size=13,
    )
    client.force_login(nesmy_admin)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="document.download")
    assert entry.kind == AuditEntry.Kind.READ and entry.target_id == str(document.pk)
    assert entry.actor_name == "admin.nesmy"


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/couts/?format=csv", "costs.export"),
        ("/rapports/couts/?export=batiments&format=csv", "reporting.export"),
        ("/refacturation/?format=csv", "chargeback.list_export"),
    ],
)
def test_exports_are_recorded_as_sensitive_reads(client, world, url, action):
    client.force_login(world["admin.nesmy"])
    response = client.get(url, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    with scopes_disabled():
        entry = AuditEntry.objects.get(action=action)
    assert (entry.kind, entry.actor_name, entry.ip) == (AuditEntry.Kind.READ, "admin.nesmy", "192.0.2.44")
