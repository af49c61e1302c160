"""« État de l'instance »: the instance's administrators (superusers) see version, migrations, job
queue, last backup, disk, organisations and users, with an alert (role="alert", in words) for what
is off; nobody else opens it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from patrimoine.ops.models import BackupRecord
from patrimoine.ops.selectors import pending_migrations, version
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
URL = "/exploitation/"
Role = Membership.Role


@pytest.fixture
def dsi(f):
    return f.user("dsi", is_staff=True, is_superuser=True)


def alerts(response) -> list[str]:
    html = response.content.decode()
    if 'role="alert"' not in html:
        return []
    block = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    return [part.split("</p>", 1)[0] for part in block.split("<strong>Alerte :</strong>")[1:]]


def test_the_instance_page_shows_the_state_of_the_instance(client, dsi, f):
    nesmy = f.organisation("Nesmy")
    recent = f.user("agent.nesmy", role=Role.TECHNICIAN, organisation=nesmy)
    f.user("ancien.nesmy", role=Role.TECHNICIAN, organisation=nesmy)
    recent.last_login = timezone.now() - timedelta(days=2)
    recent.save()
    client.force_login(dsi)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>État de l'instance</h1>" in html.replace("&#x27;", "'")
    assert version()["number"] in html
    for heading in ("Version et migrations", "Tâches de fond", "Sauvegarde", "Disque et base de données"):
        assert heading in html
    assert "Nesmy" in html
    state = response.context["state"]
    assert state.pending_migrations == []
    assert state.usage.active_users == 2  # agent.nesmy, and the DSI who just signed in
    row = next(o for o in state.usage.organisations if o.name == "Nesmy")
    assert (row.member_count, row.active_member_count) == (2, 1)


def test_a_pending_migration_raises_an_alert(client, dsi):
    """The database lacks a migration the code has (as after deploying new code before `migrate`)."""
    MigrationRecorder(connection).record_unapplied("ops", "0001_initial")
    assert pending_migrations() == ["ops.0001_initial"]
    client.force_login(dsi)
    response = client.get(URL)
    found = alerts(response)
    assert any("1 migration de la base est en attente" in alert for alert in found), found
    assert "<code>ops.0001_initial</code>" in response.content.decode()


def test_no_backup_or_an_old_backup_raises_an_alert_and_a_fresh_one_clears_it(client, dsi, tmp_path, settings):
    client.force_login(dsi)
    assert any("Aucune sauvegarde" in alert for alert in alerts(client.get(URL)))

    BackupRecord.objects.create(created_at=timezone.now() - timedelta(hours=30), folder="/srv/b1", engine="x")
    assert any("plus de 26 heures" in alert for alert in alerts(client.get(URL)))

    call_command("backup", str(tmp_path / "sauvegarde"), "--no-encrypt", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.get(URL)
    assert not any("sauvegarde" in alert.lower() for alert in alerts(response))
    last = response.context["state"].backup.last
    assert last.folder == str((tmp_path / "sauvegarde").resolve()) and last.size_bytes > 0


def test_a_lagging_queue_and_a_full_disk_raise_alerts(client, dsi, settings):
    from django_tasks_db.models import DBTaskResult

    from patrimoine.trust.tasks import anonymise_expired_personal_data

    settings.OPS_QUEUE_MAX_LAG_SECONDS = 600
    settings.OPS_DISK_MIN_FREE_MB = 10**12
    result = anonymise_expired_personal_data.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(hours=1))
    client.force_login(dsi)
    found = alerts(client.get(URL))
    assert any("depuis plus de 10 min" in alert and "db_worker" in alert for alert in found), found
    assert any("Espace disque faible" in alert for alert in found), found


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.READER])
def test_organisation_roles_cannot_open_the_instance_page(client, f, role):
    client.force_login(f.user(role=role, organisation=f.organisation("Nesmy")))
    assert client.get(URL).status_code == 403


def test_staff_without_superuser_status_cannot_open_it(client, f):
    client.force_login(f.user("support", is_staff=True))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_superusers_find_the_page_in_the_navigation_and_the_django_admin(client, dsi, f):
    client.force_login(dsi)
    assert f'href="{URL}"' in client.get("/admin/").content.decode()
    assert f'href="{URL}"' in client.get("/").content.decode()  # no organisation: the « aucun accès » page
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=f.organisation("Nesmy"))
    client.force_login(admin)
    assert f'href="{URL}"' not in client.get("/").content.decode()
