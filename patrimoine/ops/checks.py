"""Readiness checks (/readyz, the instance page): can this app server do its work right now?

Each check answers ok or not with a short detail that reveals no secret (no host name, no path,
no error text from a driver). None of them raises: a database that is down gives a failed check,
and the broken connection is closed so that the next request reconnects once it is back.
"""

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult, get_date_max

LABELS = {
    "database": gettext_lazy("Base de données"),
    "cache": gettext_lazy("Cache"),
    "queue": gettext_lazy("File des tâches de fond"),
    "disk": gettext_lazy("Disque des fichiers"),
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    alert: str = ""  # the sentence the instance page shows when the check fails

    @property
    def label(self) -> str:
        return str(LABELS[self.name])


@dataclass(frozen=True)
class QueueBacklog:
    depth: int  # tasks ready to run now, waiting for a worker
    oldest_wait_seconds: float  # how long the oldest of them has waited (0 when none)


def queue_backlog(using: str = "default") -> QueueBacklog:
    """What waits for the worker: one aggregate on the queue's index of ready tasks."""
    never = get_date_max()
    row = (
        DBTaskResult.objects.using(using)
        .ready()
        .aggregate(
            depth=Count("id"),
            # A task without a delay waits from its enqueueing, a delayed one from its due time.
            oldest_now=Min("enqueued_at", filter=Q(run_after=never)),
            oldest_due=Min("run_after", filter=~Q(run_after=never)),
        )
    )
    since = [t for t in (row["oldest_now"], row["oldest_due"]) if t is not None]
    wait = (timezone.now() - min(since)).total_seconds() if since else 0.0
    return QueueBacklog(depth=row["depth"], oldest_wait_seconds=max(wait, 0.0))


def existing_parent(path: Path) -> Path:
    """`path`, or its nearest parent that exists (MEDIA_ROOT is created by the first upload)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_free(path: Path) -> tuple[int, int]:
    """Free and total bytes of the file system holding `path`."""
    usage = shutil.disk_usage(existing_parent(path))
    return usage.free, usage.total


def duration(seconds: float) -> str:
    """« 42 s », « 25 min », « 3 h 05 »."""
    seconds = int(seconds)
    if seconds < 120:
        return _("%(n)d s") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)d min") % {"n": seconds // 60}
    return _("%(h)d h %(m)02d") % {"h": seconds // 3600, "m": seconds % 3600 // 60}


def close_broken_connection() -> None:
    try:
        connection.close()
    except DatabaseError:
        pass


def check_database() -> Check:
    """SELECT 1, twice at most: a persistent connection (CONN_MAX_AGE) that PostgreSQL dropped when it
    restarted fails once; it is closed and a new one tried before the database is called down."""
    for _attempt in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            close_broken_connection()
            continue
        return Check("database", True, _("répond"))
    return Check("database", False, _("injoignable"), _("La base de données ne répond pas."))


def check_cache() -> Check:
    key, value = f"ops:readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception:  # noqa: BLE001 — whatever the backend raises, the cache is not usable
        ok = False
    if not ok:
        return Check("cache", False, _("injoignable"), _("Le cache ne répond pas (Redis ?)."))
    return Check("cache", True, _("répond"))


def check_queue(database_ok: bool = True) -> Check:
    if not database_ok:
        return Check("queue", False, _("non vérifiée : base injoignable"), _("La file des tâches n'est pas lisible."))
    try:
        backlog = queue_backlog()
    except DatabaseError:
        close_broken_connection()
        return Check("queue", False, _("illisible"), _("La file des tâches n'est pas lisible."))
    limit = settings.OPS_QUEUE_MAX_LAG_SECONDS
    detail = _("%(depth)d en attente, la plus ancienne depuis %(wait)s (au plus %(limit)s)") % {
        "depth": backlog.depth,
        "wait": duration(backlog.oldest_wait_seconds),
        "limit": duration(limit),
    }
    if limit and backlog.oldest_wait_seconds > limit:
        return Check(
            "queue",
            False,
            detail,
            _(
                "Des tâches attendent le service de tâches depuis plus de %(minutes)d min : "
                "vérifiez que « manage.py db_worker » tourne."
            )
            % {"minutes": limit // 60},
        )
    return Check("queue", True, detail)


def check_disk() -> Check:
    try:
        free, _total = disk_free(Path(settings.MEDIA_ROOT))
    except OSError:
        return Check("disk", False, _("illisible"), _("L'espace disque des fichiers n'est pas lisible."))
    minimum = settings.OPS_DISK_MIN_FREE_MB * 1024 * 1024
    sizes = {"free": filesizeformat(free), "minimum": filesizeformat(minimum)}
    detail = _("%(free)s libres pour les fichiers (au moins %(minimum)s)") % sizes
    if free < minimum:
        return Check(
            "disk",
            False,
            detail,
            _("Espace disque faible pour les fichiers : %(free)s libres, %(minimum)s au moins attendus.") % sizes,
        )
    return Check("disk", True, detail)


def readiness() -> list[Check]:
    database = check_database()
    return [database, check_cache(), check_queue(database.ok), check_disk()]
