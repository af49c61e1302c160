"""« Réversibilité » page: an administrator queues the export, the worker writes it, only the
administrators of that organisation download it."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from patrimoine.organisations.models import Membership
from patrimoine.reversibility.models import TenantExport
from patrimoine.reversibility.tasks import run_tenant_export

from .world import agglomeration

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def world(f):
    return agglomeration(f)


def _finished_export(world, login, django_capture_on_commit_callbacks) -> TenantExport:
    alpha = world.communes["Alpha"]
    client = login(alpha["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reversibility:home"))
    assert response.status_code == 302
    with scopes_disabled():
        export = TenantExport.objects.get(organisation=alpha["org"])
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"export_id": str(export.pk)} and task.status == "READY"
    run_tenant_export.call(export_id=str(export.pk))  # what the worker does
    export.refresh_from_db()
    return export


def test_an_administrator_exports_and_downloads_his_organisations_archive(
    world, login, django_capture_on_commit_callbacks
):
    alpha = world.communes["Alpha"]
    client = login(alpha["admin"])
    page = client.get(reverse("reversibility:home"))
    assert page.status_code == 200 and "Lancer un export complet" in page.content.decode()

    export = _finished_export(world, login, django_capture_on_commit_callbacks)
    assert (export.status, export.percent) == (TenantExport.Status.DONE, 100)
    assert export.size > 0 and len(export.sha256) == 64 and export.rows > 50
    page = client.get(reverse("reversibility:home"), HTTP_HX_REQUEST="true").content.decode()
    assert reverse("reversibility:download", args=[export.pk]) in page and 'hx-trigger="every 2s"' not in page

    response = client.get(reverse("reversibility:download", args=[export.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="patrimoine-aubigny-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["collectivite"]["slug"] == "aubigny" and "LISEZMOI.md" in archive.namelist()
    assert not any(b"Zyxwvu" in archive.read(name) for name in archive.namelist())


def test_a_queued_export_is_polled_and_a_second_one_refused(world, login):
    client = login(world.communes["Alpha"]["admin"])
    client.post(reverse("reversibility:home"))
    page = client.get(reverse("reversibility:home"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page and "En attente" in page
    assert client.post(reverse("reversibility:home")).status_code == 400
    with scopes_disabled():
        assert TenantExport.objects.count() == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TEAM_LEAD, Role.READER, Role.TECHNICIAN])
def test_other_roles_of_the_organisation_can_neither_export_nor_download(
    world, login, f, role, django_capture_on_commit_callbacks
):
    export = _finished_export(world, login, django_capture_on_commit_callbacks)
    client = login(f.user(role=role, organisation=world.communes["Alpha"]["org"]))
    assert client.get(reverse("reversibility:home")).status_code == 403
    assert client.post(reverse("reversibility:home")).status_code == 403
    assert client.get(reverse("reversibility:download", args=[export.pk])).status_code == 404
    with scopes_disabled():
        assert TenantExport.objects.count() == 1


def test_administrators_of_other_organisations_cannot_download(world, login, django_capture_on_commit_callbacks):
    export = _finished_export(world, login, django_capture_on_commit_callbacks)
    url = reverse("reversibility:download", args=[export.pk])
    for admin in (world.communes["Zyxwvu"]["admin"], world.users["admin.epci"]):  # the EPCI's too
        assert login(admin).get(url).status_code == 404
        assert str(export.pk) not in login(admin).get(reverse("reversibility:home")).content.decode()


def test_the_archive_is_not_reachable_as_a_media_url(world, login, django_capture_on_commit_callbacks):
    export = _finished_export(world, login, django_capture_on_commit_callbacks)
    client = login(world.communes["Alpha"]["admin"])
    assert client.get(f"/media/{export.archive.name}").status_code == 404
    assert export.archive.name.startswith(f"reversibilite/org-{export.organisation_id}/")
