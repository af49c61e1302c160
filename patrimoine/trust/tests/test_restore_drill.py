"""The restore drill: back up, destroy the database and the media files, restore, compare everything.

It runs against the test database pytest-django created (`connection.settings_dict`), on SQLite and
on PostgreSQL, and writes how long the restore took into bench/results/restore-drill-<engine>.json.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django_scopes import scopes_disabled

from patrimoine.core.audit import verify_chain
from patrimoine.core.services import audit_record
from patrimoine.documents.models import Document
from patrimoine.organisations.models import Membership
from patrimoine.trust.backup import (
    BackupError,
    backup,
    media_checksums,
    pg_admin_connection,
    restore,
    table_checksums,
)

RESULTS = Path(settings.BASE_DIR) / "bench" / "results"


def _some_data(f):
    org = f.organisation("Nesmy")
    user = f.user("marie", role=Membership.Role.MANAGER, organisation=org)
    building = f.building(org, "École Jules-Verne")
    f.work_request(org, requested_by=user, building_obj=building, description="Fuite — cantine")
    f.work_order(org, building_obj=building)
    with scopes_disabled():
        for name, content in (("plan.pdf", b"%PDF-1.4 plan"), ("photo.png", b"\x89PNG\r\n\x1a\n fake")):
            Document.objects.create(
                organisation=org,
                target=building,
                kind=Document.Kind.DOCUMENT,
                file=SimpleUploadedFile(name, content),
                original_name=name,
                mime_type="application/pdf" if name.endswith("pdf") else "image/png",
                size=len(content),
            )
    for i in range(3):
        audit_record(actor=user, action="building.update", target=building, data={"i": i, "nom": "é€"})


def _destroy_database() -> None:
    db = connection.settings_dict
    connections.close_all()
    if connection.vendor == "postgresql":
        from psycopg import sql

        with pg_admin_connection(db) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_restore_drill_brings_back_every_table_and_file(f, tmp_path, monkeypatch, capsys):
    _some_data(f)
    tables_before, media_before = table_checksums(), media_checksums()
    assert media_before and sum(t["rows"] for t in tables_before.values()) > 10

    key = Fernet.generate_key()
    monkeypatch.setenv("BACKUP_KEY", key.decode())
    folder = tmp_path / "sauvegarde"
    call_command("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["encrypted"] and set(manifest["files"]) == {
        "database.dump.enc" if connection.vendor == "postgresql" else "database.sqlite3.enc",
        "media.tar.enc",
    }

    _destroy_database()
    shutil.rmtree(settings.MEDIA_ROOT)

    call_command("restore", str(folder), "--no-input")
    output = capsys.readouterr().out
    seconds = re.search(r"Restauration terminée en ([\d.]+) s", output)
    assert seconds, output

    assert table_checksums() == tables_before
    assert media_checksums() == media_before
    assert verify_chain()[1] is None

    # How long a restore takes, for the README's RTO (a timing is reported, never asserted).
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "engine": connection.vendor,
        "restore_seconds": float(seconds.group(1)),
        "tables": len(tables_before),
        "rows": sum(t["rows"] for t in tables_before.values()),
        "media_files": len(media_before),
        "backup_bytes": sum(v["bytes"] for v in manifest["files"].values()),
    }
    (RESULTS / f"restore-drill-{connection.vendor}.json").write_text(json.dumps(report, indent=1))
    with capsys.disabled():
        print(f"\nrestore drill ({connection.vendor}): {report}")


@pytest.mark.django_db(transaction=True)
def test_a_tampered_or_unkeyed_backup_is_refused_before_anything_changes(f, tmp_path):
    _some_data(f)
    key = Fernet.generate_key()
    folder = tmp_path / "b"
    backup(folder, key=key)
    before = table_checksums()

    with pytest.raises(BackupError, match="chiffrée"):
        restore(folder, key=None)
    with pytest.raises(BackupError, match="pas celle"):
        restore(folder, key=Fernet.generate_key())

    media = folder / "media.tar.enc"
    data = bytearray(media.read_bytes())
    data[-1] ^= 1
    media.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="Somme de contrôle incorrecte pour media.tar.enc"):
        restore(folder, key=key)

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["media.tar.enc"]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="manifeste a été modifié"):
        restore(folder, key=key)
    assert table_checksums() == before


@pytest.mark.django_db
def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").write_text("x")
    with pytest.raises(CommandError, match="pas vide"):
        call_command("backup", str(tmp_path), "--no-encrypt")
