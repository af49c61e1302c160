"""The steps of `manage.py upgrade`: what each one found or changed, for the report."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.db import connection

from patrimoine.deploy.models import Upgrade
from patrimoine.ops.selectors import pending_migrations  # noqa: F401 — the command's step, shared with the instance page


def configuration_issues(*, production: bool) -> tuple[list, list]:
    """`check --deploy`: (errors, warnings), silenced ones left out. Outside production (a developer's
    `upgrade --no-backup`) the deployment checks' errors (console e-mail, DEBUG…) are only warnings."""
    issues = [i for i in checks.run_checks(include_deployment_checks=True) if not i.is_silenced()]
    blocking = {(i.id, i.msg) for i in (issues if production else checks.run_checks()) if i.level >= checks.ERROR}
    errors = [i for i in issues if (i.id, i.msg) in blocking]
    return errors, [i for i in issues if (i.id, i.msg) not in blocking]


def previous_version() -> str:
    """The version the last upgrade installed; "" before the first one (or before this table existed)."""
    if Upgrade._meta.db_table not in connection.introspection.table_names():
        return ""
    last = Upgrade.objects.order_by("-finished_at").first()
    return last.version if last else ""


def backup_folder(parent: Path, now: datetime) -> Path:
    return Path(parent) / f"avant-mise-a-jour-{now:%Y-%m-%d-%H%M%S}"


@dataclass
class StaticChanges:
    added: int = 0
    changed: int = 0
    removed: int = 0
    total: int = 0
    hashed: bool = False  # False: a storage without manifest (demo), nothing to compare

    @property
    def count(self) -> int:
        return self.added + self.changed + self.removed


def static_manifest() -> dict[str, str] | None:
    """Name → hashed name of the collected static files (None without a manifest storage)."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    path = Path(staticfiles_storage.path(staticfiles_storage.manifest_name))
    if not path.exists():
        return {}
    return json.loads(path.read_text()).get("paths", {})


def static_changes(before: dict | None, after: dict | None) -> StaticChanges:
    if after is None:
        return StaticChanges()
    before = before or {}
    return StaticChanges(
        added=len(after.keys() - before.keys()),
        changed=sum(1 for name in after.keys() & before.keys() if after[name] != before[name]),
        removed=len(before.keys() - after.keys()),
        total=len(after),
        hashed=True,
    )


@dataclass
class Report:
    previous_version: str
    version: str
    warnings: list = field(default_factory=list)
    backup: Path | None = None
    migrations: list[str] = field(default_factory=list)
    static: StaticChanges = field(default_factory=StaticChanges)
