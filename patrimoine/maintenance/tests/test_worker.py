"""The real worker process (`manage.py db_worker`, not an in-process shortcut) runs the generation
task queued in the test database and the work order appears."""

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from patrimoine.maintenance.models import Occurrence
from patrimoine.maintenance.tasks import generate_maintenance_work_orders
from patrimoine.workorders.models import WorkOrder

from .conftest import at, make_plan


def _database_url(tmp_path) -> str:
    """PostgreSQL: the test database itself. SQLite: the in-memory test database copied to a file
    (the worker is another process), copied back once it has run."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(config["USER"] or "")
        password = f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
        return f"postgres://{user}{password}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{config['NAME']}"
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def _copy_back(tmp_path) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(tmp_path / "worker.sqlite3")
        source.backup(connection.connection)
        source.close()


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_runs_the_queued_generation(f, tmp_path):
    org = f.organisation("Nesmy")
    building = f.building(org, "École Jules Ferry")
    due = timezone.localdate() + timedelta(days=5)
    plan = make_plan(org, building=building, name="Vérification des extincteurs", dtstart=at(due))
    result = generate_maintenance_work_orders.enqueue()
    with scopes_disabled():
        assert not WorkOrder.objects.exists()

    environment = {**os.environ, "DATABASE_URL": _database_url(tmp_path), "LOG_LEVEL": "WARNING"}
    worker = subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert worker.returncode == 0, worker.stderr
    _copy_back(tmp_path)

    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "SUCCESSFUL", task.traceback
    assert task.return_value["orders_created"] == 1
    with scopes_disabled():
        order = WorkOrder.objects.get()
        assert (order.title, order.due_date, order.kind) == (
            "Vérification des extincteurs — École Jules Ferry",
            due,
            WorkOrder.Kind.PREVENTIVE,
        )
        assert Occurrence.objects.get(work_order=order).plan_id == plan.pk
