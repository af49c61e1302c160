"""Backups and restore of one instance: the database, the media files and a manifest of checksums.

A backup is a folder:
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite's online
  backup API, consistent while the application writes);
- `media.tar` (every uploaded file, read through Django's storage API: a media folder or an
  S3-compatible bucket alike);
- `manifest.json`: the SHA-256 and size of each file, and for each table its row count and a hash
  of its ordered rows, so that a restore proves it brought everything back.

With a key (a Fernet key from `BACKUP_KEY` or a key file kept outside the instance) each file is
encrypted in 8 MiB authenticated chunks (`*.enc`); the manifest then lists the encrypted files and
carries a MAC made with the key, so a changed manifest is refused too.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 — pg_dump/pg_restore are the tools made for this job
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.files import walk
from patrimoine.ops.services import backup_record

FORMAT_VERSION = 1
CHUNK = 8 * 1024 * 1024
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or a restore was refused; the message says why, in French."""


# --- Keys and encryption -------------------------------------------------------------------------


def load_key(key_file: str | None = None) -> bytes | None:
    """The Fernet key from `key_file` or the BACKUP_KEY variable; None when there is none."""
    raw = Path(key_file).read_text().strip() if key_file else os.environ.get("BACKUP_KEY", "").strip()
    if not raw:
        return None
    try:
        Fernet(raw.encode())
    except (ValueError, TypeError) as error:
        raise BackupError(_("La clé de chiffrement n'est pas une clé Fernet valide.")) from error
    return raw.encode()


def key_fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"patrimoine-backup-key:" + key).hexdigest()[:16]


def _encrypt_file(src: Path, dst: Path, key: bytes) -> None:
    fernet = Fernet(key)
    with src.open("rb") as reader, dst.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            token = fernet.encrypt(chunk)
            writer.write(len(token).to_bytes(4, "big"))
            writer.write(token)


def _decrypt_file(src: Path, dst: Path, key: bytes) -> None:
    fernet = Fernet(key)
    with src.open("rb") as reader, dst.open("wb") as writer:
        while header := reader.read(4):
            token = reader.read(int.from_bytes(header, "big"))
            try:
                writer.write(fernet.decrypt(token))
            except InvalidToken as error:
                raise BackupError(_("Déchiffrement impossible : mauvaise clé ou fichier altéré.")) from error


# --- Checksums --------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _value(value) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    return repr(value)


def table_checksums(using: str = "default") -> dict[str, dict]:
    """Per table: row count and SHA-256 of its rows ordered by every column."""
    conn = connections[using]
    result = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1=0")  # noqa: S608 — names from introspection
            width = len(cursor.description)
            order = ", ".join(str(i) for i in range(1, width + 1))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(("\x1f".join(_value(v) for v in row) + "\x1e").encode())
                    rows += 1
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _stream_sha256(reader) -> str:
    digest = hashlib.sha256()
    while chunk := reader.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def media_checksums() -> dict[str, str]:
    """SHA-256 of every media file, read through the storage API (a folder or an S3 bucket)."""
    result = {}
    for name in sorted(walk(default_storage)):
        with default_storage.open(name, "rb") as reader:
            result[name] = _stream_sha256(reader)
    return result


# --- Database engines ---------------------------------------------------------------------------------


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(tool)s a échoué : %(error)s") % {"tool": command[0], "error": done.stderr.strip()})


def _dump_database(db: dict, vendor: str, folder: Path) -> Path:
    if vendor == "postgresql":
        target = folder / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", *_pg_args(db), "--file", str(target), db["NAME"]], _pg_env(db)
        )
        return target
    if vendor == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    raise BackupError(_("Moteur de base de données non pris en charge : %(vendor)s") % {"vendor": vendor})


def pg_admin_connection(db: dict):
    """An autocommit connection to the server's `postgres` database (to create or drop `db`)."""
    import psycopg

    params = {"dbname": "postgres", "autocommit": True}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            params[name] = str(db[key])
    return psycopg.connect(**params)


def pg_database_exists(db: dict) -> bool:
    with pg_admin_connection(db) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is not None


def pg_create_database(db: dict) -> None:
    from psycopg import sql

    with pg_admin_connection(db) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def _restore_database(db: dict, vendor: str, dump: Path) -> None:
    connections.close_all()
    if vendor == "postgresql":
        if not pg_database_exists(db):
            pg_create_database(db)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *_pg_args(db),
                "--dbname",
                db["NAME"],
                str(dump),
            ],
            _pg_env(db),
        )
        return
    target = Path(db["NAME"])
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(dump)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


# --- Media -------------------------------------------------------------------------------------------


def _archive_media(folder: Path) -> Path:
    """Every media file into `media.tar`, read through the storage API: the same code backs up a
    media folder and an S3-compatible bucket."""
    target = folder / "media.tar"
    with tarfile.open(target, "w") as archive:
        for name in sorted(walk(default_storage)):
            info = tarfile.TarInfo(name)
            info.size = default_storage.size(name)
            info.mtime = int(time.time())
            with default_storage.open(name, "rb") as reader:
                archive.addfile(info, reader)
    return target


def _restore_media(archive_path: Path) -> None:
    """Replace every media file by those of the archive, through the storage API."""
    for name in list(walk(default_storage)):
        default_storage.delete(name)
    with tarfile.open(archive_path) as archive:
        for member in archive:
            member = tarfile.data_filter(member, "")  # refuses absolute paths, links and `..`
            if not member.isfile():
                continue
            with archive.extractfile(member) as reader:
                saved = default_storage.save(member.name, File(reader, name=member.name))
            if saved != member.name:
                raise BackupError(
                    _("Le fichier %(name)s n'a pas pu être restauré sous son nom.") % {"name": member.name}
                )


# --- Backup and restore ----------------------------------------------------------------------------


def _mac(manifest: dict, key: bytes) -> str:
    body = json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True).encode()
    return hmac.new(base64.urlsafe_b64decode(key), body, hashlib.sha256).hexdigest()


@dataclass
class Result:
    folder: Path
    seconds: float
    manifest: dict
    mismatches: list[str] = field(default_factory=list)


def backup(folder: Path | str, *, key: bytes | None = None, using: str = "default") -> Result:
    """Write a backup of the database `using` and of the media files into `folder` (new or empty)."""
    started = time.perf_counter()
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(_("Le dossier %(folder)s n'est pas vide.") % {"folder": folder})
    folder.mkdir(parents=True, exist_ok=True)
    conn = connections[using]
    db, vendor = conn.settings_dict, conn.vendor
    tables = table_checksums(using)
    media = media_checksums()
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        plain = [_dump_database(db, vendor, Path(scratch)), _archive_media(Path(scratch))]
        files = {}
        for path in plain:
            stored = folder / (path.name + (".enc" if key else ""))
            if key:
                _encrypt_file(path, stored, key)
            else:
                shutil.move(path, stored)
            files[stored.name] = {"sha256": file_sha256(stored), "bytes": stored.stat().st_size}
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": vendor,
        "database": str(db["NAME"]),
        "encrypted": bool(key),
        "key_fingerprint": key_fingerprint(key) if key else "",
        "files": files,
        "tables": tables,
        "media": media,
    }
    if key:
        manifest["mac"] = _mac(manifest, key)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    seconds = time.perf_counter() - started
    # The instance page (« État de l'instance ») shows the last backup and its age.
    backup_record(folder=folder.resolve(), manifest=manifest, seconds=seconds, using=using)
    return Result(folder, seconds, manifest)


def read_manifest(folder: Path, key: bytes | None) -> dict:
    """The manifest, after checking every file's checksum (and its MAC when encrypted)."""
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(_("Aucun manifeste dans %(folder)s : ce n'est pas une sauvegarde.") % {"folder": folder})
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_("Format de sauvegarde inconnu."))
    if manifest["encrypted"]:
        if not key:
            raise BackupError(_("Cette sauvegarde est chiffrée : donnez la clé (BACKUP_KEY ou --key-file)."))
        if key_fingerprint(key) != manifest["key_fingerprint"]:
            raise BackupError(_("Cette clé n'est pas celle qui a chiffré la sauvegarde."))
        if not hmac.compare_digest(manifest.get("mac", ""), _mac(manifest, key)):
            raise BackupError(_("Le manifeste a été modifié depuis la sauvegarde."))
    for name, expected in manifest["files"].items():
        stored = folder / name
        if not stored.exists():
            raise BackupError(_("Fichier manquant dans la sauvegarde : %(name)s") % {"name": name})
        if file_sha256(stored) != expected["sha256"]:
            raise BackupError(_("Somme de contrôle incorrecte pour %(name)s : fichier altéré.") % {"name": name})
    return manifest


def restore(folder: Path | str, *, key: bytes | None = None, using: str = "default") -> Result:
    """Replace the database `using` and the media files by the backup in `folder`, then compare."""
    started = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder, key)
    conn = connections[using]
    db, vendor = conn.settings_dict, conn.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            _("Sauvegarde %(saved)s, base %(current)s : restaurez dans le même moteur.")
            % {"saved": manifest["engine"], "current": vendor}
        )
    with tempfile.TemporaryDirectory() as scratch:
        plain = {}
        for name in manifest["files"]:
            path = folder / name
            if manifest["encrypted"]:
                target = Path(scratch) / name.removesuffix(".enc")
                _decrypt_file(path, target, key)
                path = target
            plain[path.name] = path
        dump = plain.get("database.dump") or plain["database.sqlite3"]
        _restore_database(db, vendor, dump)
        _restore_media(plain["media.tar"])
    seconds = time.perf_counter() - started
    connection.close()
    mismatches = compare(manifest, table_checksums(using), media_checksums())
    return Result(folder, seconds, manifest, mismatches)


def compare(manifest: dict, tables: dict, media: dict) -> list[str]:
    """What differs between the backup's checksums and what is there now (empty: nothing lost)."""
    problems = []
    for table, expected in manifest["tables"].items():
        got = tables.get(table)
        if got is None:
            problems.append(_("table %(t)s absente") % {"t": table})
        elif got != expected:
            problems.append(
                _("table %(t)s : %(got)s lignes au lieu de %(rows)s ou contenu différent")
                % {"t": table, "got": got["rows"], "rows": expected["rows"]}
            )
    for name, digest in manifest["media"].items():
        if media.get(name) != digest:
            problems.append(_("fichier %(name)s manquant ou différent") % {"name": name})
    return problems
