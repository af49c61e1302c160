"""Reads about the instance itself: job queue, migrations, backups, disk, database, version, usage.

Nothing here is scoped to a collectivité: these figures are for the instance's administrators
(superusers) and for monitoring (/readyz, /metrics), which reveal counts, never content.
"""

import os
import shutil
import subprocess  # noqa: S404 — `git rev-parse`, to show the deployed commit
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult, get_date_max

from patrimoine.ops.checks import QueueBacklog, disk_free, duration, queue_backlog, readiness
from patrimoine.ops.models import BackupRecord
from patrimoine.organisations.models import Organisation

ACTIVE_DAYS = 30


# --- Job queue (django-tasks-db) ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueState:
    backlog: QueueBacklog
    running: int
    scheduled: int  # delayed tasks not yet due
    failed_24h: int
    recent_failures: list[dict]


def queue_state(using: str = "default") -> QueueState:
    tasks = DBTaskResult.objects.using(using)
    since = timezone.now() - timedelta(hours=24)
    failed = tasks.failed().filter(finished_at__gte=since)
    return QueueState(
        backlog=queue_backlog(using),
        running=tasks.running().count(),
        scheduled=tasks.filter(status="READY", run_after__gt=timezone.now()).exclude(run_after=get_date_max()).count(),
        failed_24h=failed.count(),
        recent_failures=[
            {
                "task": row["task_path"].rsplit(".", 1)[-1],
                "path": row["task_path"],
                "at": row["finished_at"],
                "error": row["exception_class_path"].rsplit(".", 1)[-1],
            }
            for row in failed.order_by("-finished_at").values("task_path", "finished_at", "exception_class_path")[:5]
        ],
    )


# --- Migrations, version -------------------------------------------------------------------------------


def pending_migrations(using: str = "default") -> list[str]:
    """Migrations the code has and the database lacks, in the order `migrate` would apply them."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


@lru_cache(maxsize=1)
def version() -> dict:
    """The package version (pyproject.toml) and the deployed commit (PATRIMOINE_COMMIT, or git)."""
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as file:
        number = tomllib.load(file)["project"]["version"]
    commit = settings.PATRIMOINE_COMMIT
    if not commit and shutil.which("git"):
        try:
            done = subprocess.run(  # noqa: S603 — fixed arguments
                ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607 — git from PATH, like an operator would
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            commit = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return {"number": number, "commit": commit}


# --- Backups ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupState:
    last: BackupRecord | None
    age: timedelta | None
    max_age_hours: int

    @property
    def too_old(self) -> bool:
        return self.age is None or self.age > timedelta(hours=self.max_age_hours)


def backup_state() -> BackupState:
    last = BackupRecord.objects.order_by("-created_at").first()
    return BackupState(
        last=last,
        age=timezone.now() - last.created_at if last else None,
        max_age_hours=settings.OPS_BACKUP_MAX_AGE_HOURS,
    )


# --- Disk and database -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiskState:
    media_bytes: int
    media_files: int
    free_bytes: int
    total_bytes: int
    min_free_bytes: int

    @property
    def low(self) -> bool:
        return self.free_bytes < self.min_free_bytes


def disk_state() -> DiskState:
    """Free space where the media files live, and their total size (a walk of the folder)."""
    root = Path(settings.MEDIA_ROOT)
    size = files = 0
    if root.exists():
        for folder, _dirs, names in os.walk(root):
            for name in names:
                try:
                    size += os.stat(os.path.join(folder, name)).st_size
                    files += 1
                except OSError:
                    continue
    free, total = disk_free(root)
    return DiskState(size, files, free, total, settings.OPS_DISK_MIN_FREE_MB * 1024 * 1024)


def database_size(using: str = "default") -> int | None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])
    return None


# --- Usage -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    organisations: list  # active organisations, annotated with member_count and active_member_count
    users: int
    active_users: int
    active_days: int = ACTIVE_DAYS


def usage(now: datetime | None = None) -> Usage:
    """Active organisations with their members, and the users who signed in within 30 days."""
    since = (now or timezone.now()) - timedelta(days=ACTIVE_DAYS)
    users = get_user_model().objects.filter(is_active=True)
    organisations = list(
        Organisation.objects.filter(is_active=True)
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True),
            active_member_count=Count(
                "memberships",
                filter=Q(memberships__is_active=True, memberships__user__last_login__gte=since),
                distinct=True,
            ),
        )
        .order_by("kind", "name")
    )
    return Usage(
        organisations=organisations,
        users=users.count(),
        active_users=users.filter(last_login__gte=since).count(),
    )


# --- Everything, with the alerts ----------------------------------------------------------------------


@dataclass
class InstanceState:
    version: dict
    pending_migrations: list[str]
    queue: QueueState
    max_lag_seconds: int
    backup: BackupState
    disk: DiskState
    database_vendor: str
    database_bytes: int | None
    usage: Usage
    checks: list
    alerts: list[str] = field(default_factory=list)

    @property
    def queue_wait(self) -> str:
        return _("%(wait)s (alerte au-delà de %(limit)s)") % {
            "wait": duration(self.queue.backlog.oldest_wait_seconds),
            "limit": duration(self.max_lag_seconds),
        }

    @property
    def queue_lagging(self) -> bool:
        return any(check.name == "queue" and not check.ok for check in self.checks)


def instance_state() -> InstanceState:
    state = InstanceState(
        version=version(),
        pending_migrations=pending_migrations(),
        queue=queue_state(),
        max_lag_seconds=settings.OPS_QUEUE_MAX_LAG_SECONDS,
        backup=backup_state(),
        disk=disk_state(),
        database_vendor=connection.vendor,
        database_bytes=database_size(),
        usage=usage(),
        checks=readiness(),
    )
    alerts = state.alerts
    if state.pending_migrations:
        n = len(state.pending_migrations)
        alerts.append(
            ngettext(
                "%(n)d migration de la base est en attente : la base n'est pas au niveau du code déployé. "
                "Lancez la mise à jour (« manage.py migrate »).",
                "%(n)d migrations de la base sont en attente : la base n'est pas au niveau du code déployé. "
                "Lancez la mise à jour (« manage.py migrate »).",
                n,
            )
            % {"n": n}
        )
    if state.backup.last is None:
        alerts.append(_("Aucune sauvegarde n'a été enregistrée sur cette instance (« manage.py backup »)."))
    elif state.backup.too_old:
        alerts.append(
            _("La dernière sauvegarde a plus de %(hours)d heures : vérifiez la sauvegarde planifiée.")
            % {"hours": state.backup.max_age_hours}
        )
    for check in state.checks:
        if not check.ok:
            alerts.append(check.alert)
    if state.queue.failed_24h:
        alerts.append(
            ngettext(
                "%(n)d tâche de fond a échoué ces dernières 24 heures.",
                "%(n)d tâches de fond ont échoué ces dernières 24 heures.",
                state.queue.failed_24h,
            )
            % {"n": state.queue.failed_24h}
        )
    return state
