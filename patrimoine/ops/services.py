"""Writes of the ops app."""

from datetime import datetime
from pathlib import Path

from patrimoine.ops.models import BackupRecord


def backup_record(*, folder: Path | str, manifest: dict, seconds: float, using: str = "default") -> BackupRecord:
    """Remember a completed backup (called by `patrimoine.trust.backup.backup`). Written after the
    dump, so the backup does not contain its own record; a restore brings back the older records."""
    return BackupRecord.objects.using(using).create(
        created_at=datetime.fromisoformat(manifest["created_at"]),
        folder=str(folder)[:500],
        engine=manifest["engine"],
        encrypted=manifest["encrypted"],
        size_bytes=sum(f["bytes"] for f in manifest["files"].values()),
        seconds=round(seconds, 3),
    )
