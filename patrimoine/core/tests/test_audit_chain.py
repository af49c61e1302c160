"""The audit trail is append-only and hash-chained; `audit_verify` finds a changed or removed row."""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from patrimoine.core.audit import verify_chain
from patrimoine.core.models import AuditEntry, AuditTrailImmutable
from patrimoine.core.services import audit_record

pytestmark = pytest.mark.django_db


def _entries(f, n=5):
    org = f.organisation("Nesmy")
    user = f.user("marie")
    building = f.building(org, "École")
    for i in range(n):
        audit_record(
            actor=user,
            action="building.update",
            target=building,
            data={"name": [f"avant {i}", f"après {i}"], "cost": Decimal("12.50"), "i": i},
        )
    with scopes_disabled():
        return list(AuditEntry.objects.order_by("id"))


def _raw(sql, params=()):
    """Change the table behind the application's back (as someone with database access would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser switches triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_each_entry_hashes_the_previous_one_and_the_chain_verifies(f, capsys):
    entries = _entries(f)
    assert entries[0].prev_hash == ""
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert entries[0].actor_name == "marie"
    assert entries[0].data["cost"] == "12.50"
    call_command("audit_verify")
    assert "5 entrées vérifiées" in capsys.readouterr().out


def test_changing_one_row_with_raw_sql_is_detected(f):
    entries = _entries(f)
    target = entries[2]
    _raw("UPDATE core_auditentry SET message = %s WHERE id = %s", ["falsifié", target.pk])
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    assert f"n° {target.pk}" in str(error.value) and "contenu modifié" in str(error.value)


def test_a_deleted_row_is_detected(f):
    entries = _entries(f)
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    checked, broken = verify_chain()
    assert broken is not None and broken.entry_id == entries[2].pk and "lien rompu" in broken.reason
    assert checked == 1


def test_a_deleted_last_row_is_detected(f):
    entries = _entries(f)
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError, match="fin de chaîne"):
        call_command("audit_verify")


def test_the_command_exits_non_zero_from_the_command_line(f):
    from django.core.management import ManagementUtility

    entries = _entries(f, 2)
    _raw("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entries[0].pk])
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exited.value.code == 1


def test_the_orm_refuses_to_update_or_delete_an_entry(f):
    entry = _entries(f, 1)[0]
    entry.message = "autre"
    with pytest.raises(AuditTrailImmutable):
        entry.save()
    with pytest.raises(AuditTrailImmutable):
        entry.delete()
    with scopes_disabled(), pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(message="autre")
    with scopes_disabled(), pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert verify_chain()[1] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_raw_updates_and_deletes_on_postgresql(f):
    entry = _entries(f, 1)[0]
    for sql in ("UPDATE core_auditentry SET message = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])


def test_deleting_a_user_keeps_the_chain_valid(f):
    entry = _entries(f, 2)[0]
    with scopes_disabled():
        from patrimoine.accounts.models import User

        User.objects.filter(username="marie").delete()
        entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_id is None and entry.actor_name == "marie"
    assert verify_chain()[1] is None


def test_the_request_records_ip_and_user_agent(f, client):
    from patrimoine.organisations.models import Membership

    org = f.organisation("Nesmy")
    user = f.user("gestion", role=Membership.Role.MANAGER, organisation=org)
    client.force_login(user)
    response = client.post(
        "/patrimoine/sites/nouveau/",
        {"name": "Stade", "code": "ST1", "status": "en_service"},
        HTTP_USER_AGENT="Navigateur de test",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code in (200, 302)
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="site.create").first()
    assert entry is not None, response.content.decode()[:2000]
    assert (entry.ip, entry.user_agent, entry.actor_name) == ("192.0.2.7", "Navigateur de test", "gestion")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_concurrent_writers_do_not_fork_the_chain(f):
    org = f.organisation("Nesmy")
    user = f.user("marie")
    building = f.building(org, "École")
    errors = []

    def write(n):
        try:
            for i in range(n):
                with transaction.atomic():
                    audit_record(actor=user, action="building.update", target=building, data={"i": i})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = verify_chain()
    assert broken is None and checked == 40


def test_creates_and_deletes_carry_the_objects_values_without_personal_data(f):
    org = f.organisation("Nesmy")
    user = f.user("marie")
    building = f.building(org, "École")
    request = f.work_request(org, requester_name="Jeanne Martin", requester_email="jeanne@example.org")
    audit_record(actor=user, action="building.create", target=building, message="École")
    audit_record(actor=user, action="work_request.create", target=request, data={"channel": "citoyen"})
    audit_record(actor=user, action="building.delete", target=building)
    with scopes_disabled():
        created, filed, deleted = AuditEntry.objects.order_by("id")
    assert created.data["after"]["name"] == "École" and created.data["after"]["organisation"] == org.pk
    assert deleted.data["before"]["name"] == "École"
    assert filed.data["channel"] == "citoyen" and "requester_email" not in filed.data["after"]
    assert "jeanne" not in str(filed.data).lower()
    assert verify_chain()[1] is None
