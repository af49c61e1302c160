"""The real app server (`manage.py runserver`, another process) against its own PostgreSQL cluster:
/readyz answers 503 naming the database while PostgreSQL is stopped, and 200 again once it is back,
without restarting the app server (the broken connection is dropped, the next request reconnects)."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from patrimoine.testing.postgres import free_port


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 — our own server on loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_served(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the app server stopped:\n{server.stdout.read()}")
        try:
            get(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("the app server did not answer")


@pytest.fixture
def app_server(request, tmp_path):
    """(address of the app server, its PostgreSQL cluster)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL stopped and restarted: run once, by the PostgreSQL suite")
    throwaway_postgres = request.getfixturevalue("throwaway_postgres")  # made only when needed
    environment = {
        **os.environ,
        "DATABASE_URL": throwaway_postgres.create_database("patrimoine_readyz"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),  # as under gunicorn (patrimoine/ops/metrics.py)
        "OPS_DISK_MIN_FREE_MB": "1",
        "LOG_LEVEL": "WARNING",
    }
    (tmp_path / "metrics").mkdir()
    manage = [sys.executable, "manage.py"]
    # The job queue's tables are all /readyz reads (a full migrate costs ~50 s on this machine).
    migrate = [*manage, "migrate", "django_tasks_database", "--skip-checks", "--no-input", "-v0"]
    subprocess.run(migrate, cwd=settings.BASE_DIR, env=environment, check=True, timeout=300)  # noqa: S603
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 — our own manage.py
        # One thread, like a gunicorn sync worker: its database connection lives across requests.
        [*manage, "runserver", "--noreload", "--nothreading", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(f"{base}/healthz", server)
        yield base, throwaway_postgres
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not throwaway_postgres.running:
            throwaway_postgres.start()


def test_readyz_turns_unhealthy_when_postgresql_stops_and_healthy_when_it_returns(app_server):
    app_server, throwaway_postgres = app_server
    status, body = get(f"{app_server}/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"]["database"]["ok"] is True

    throwaway_postgres.stop()
    status, body = get(f"{app_server}/readyz")
    assert status == 503
    answer = json.loads(body)
    assert answer["status"] == "error"
    assert answer["checks"]["database"] == {"ok": False, "detail": "injoignable"}
    assert answer["checks"]["cache"]["ok"] is True  # the other checks still answer
    assert get(f"{app_server}/healthz")[0] == 503

    throwaway_postgres.start()
    status, body = get(f"{app_server}/readyz")
    assert status == 200, body
    assert all(check["ok"] for check in json.loads(body)["checks"].values())

    # PostgreSQL restarted between two requests: the app server's connection is dead, /readyz
    # replaces it rather than calling the database down.
    throwaway_postgres.stop()
    throwaway_postgres.start()
    assert get(f"{app_server}/readyz")[0] == 200

    # Metrics in multiprocess mode (gunicorn's): this server's requests are there, by view and status.
    status, body = get(f"{app_server}/metrics")
    assert status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    responses = "django_http_responses_total_by_status_view_method_total"
    assert samples[(responses, (("method", "GET"), ("status", "503"), ("view", "ops:readyz")))] == 1
    assert samples[(responses, (("method", "GET"), ("status", "200"), ("view", "ops:readyz")))] == 3
    assert samples[("patrimoine_jobs_queue_depth", ())] == 0
