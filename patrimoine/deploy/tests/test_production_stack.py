"""The production stack on loopback, as deploy/README.md installs it: nginx from Debian with the site
file of deploy/nginx/, two gunicorn instances of two workers each on deploy/gunicorn.conf.py, the job
worker, PostgreSQL, production settings over HTTPS.

A fresh database at the previous schema (with data) is upgraded by `manage.py upgrade`; then a
person signs in through nginx, opens a list, creates a work order with the real form and runs a
background job, while another session keeps opening a page and the app servers are restarted one
by one: every request must be answered (no 502, no connection error).
"""

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import psycopg
import pytest
import requests
from django.db import connection, connections

from patrimoine.deploy.version import code_version
from patrimoine.testing import factories
from patrimoine.trust.backup import pg_admin_connection

from . import stack

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the production stack runs on PostgreSQL")

ANSWERED = {200, 301, 302}


@pytest.fixture
def nginx():
    """Debian's nginx, installed by `make nginx`: missing in CI is a failure, not a skip."""
    if not stack.nginx_binary():
        message = "nginx introuvable : installez le paquet Debian « nginx » (make nginx)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def fresh_database(transactional_db, django_db_blocker):
    """A new database, copied from the migrated test database when nothing else is connected to it
    (a `migrate` from nothing costs twenty seconds of CPU; the setup script migrates an empty one)."""
    with django_db_blocker.unblock():
        config = dict(connection.settings_dict)
        name = f"{config['NAME']}_stack"
        connections.close_all()
        with pg_admin_connection(config) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for _ in range(10):
                try:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{config["NAME"]}"')
                    break
                except psycopg.errors.ObjectInUse:  # a connection of an earlier test is closing
                    time.sleep(0.5)
            else:
                admin.execute(f'CREATE DATABASE "{name}"')
    user = quote(config["USER"] or "")
    password = f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
    yield f"postgres://{user}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{name}"
    with django_db_blocker.unblock(), pg_admin_connection(config) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(tmp_path, database_url: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "BACKUP_KEY", "SQLITE_TEST_NAME")
    }
    env.update(
        PATRIMOINE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        BACKUP_DIR=str(tmp_path / "sauvegardes"),
        TRUST_PROXY_HEADERS="true",
        TRUSTED_PROXY_COUNT="1",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(stack.free_port()),  # nobody listens: a message sent would fail loudly
        GUNICORN_WORKERS="2",
        LOG_LEVEL="WARNING",
    )
    return env


class Hammer(threading.Thread):
    """Keeps opening a page through nginx; notes each answer and whether a restart was under way."""

    def __init__(self, session: requests.Session, url: str):
        super().__init__(daemon=True)
        self.session, self.url = session, url
        self.restarting = ""
        self.results: list[tuple[str, object]] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            during = self.restarting
            try:
                outcome = self.session.get(self.url, allow_redirects=False, timeout=60).status_code
            except requests.RequestException as error:
                outcome = repr(error)
            self.results.append((during or self.restarting, outcome))  # a restart at its start or end
            time.sleep(0.2)


class Session(requests.Session):
    """A browser-like session on the loopback: trusts our certificate, never waits forever."""

    def __init__(self, cert):
        super().__init__()
        self.trust_env = False  # no proxy, and REQUESTS_CA_BUNDLE would replace our certificate
        self.verify = str(cert)

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", 120)
        return super().request(*args, **kwargs)


def sign_in(session: requests.Session, base: str) -> requests.Response:
    page = session.get(f"{base}/compte/connexion/")
    form = stack.Forms(page.text).posting_here()
    fields = {**form["fields"], "username": "gestionnaire.nesmy", "password": factories.PASSWORD}
    return session.post(page.url, data=fields, headers={"Referer": page.url})


def test_upgrade_then_rolling_restarts_behind_nginx_answer_every_request(nginx, fresh_database, tmp_path):
    env = production_env(tmp_path, fresh_database)
    run = {"cwd": stack.ROOT, "env": env, "capture_output": True, "text": True, "timeout": 600}

    # The previous schema, with data; an upgrade whose backup fails stops before migrating.
    setup = subprocess.run([sys.executable, "-m", "patrimoine.deploy.tests.stack_setup", env["BACKUP_DIR"]], **run)
    assert setup.returncode == 0, setup.stderr
    state = json.loads(setup.stdout.strip().splitlines()[-1])
    assert state["unapplied"]  # e.g. core.0002_audit_chain: the audit trail's trigger, dropped and made again
    assert "La sauvegarde a échoué : rien n'a été migré." in state["refused"]
    assert sorted(state["pending_after_refusal"]) == sorted(state["unapplied"])

    # The upgrade: backup, the missing migrations, static files; the report says so.
    upgrade = subprocess.run([sys.executable, "manage.py", "upgrade"], **run)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    report = upgrade.stdout
    assert f"Version : inconnue (première mise à jour) → {code_version()}" in report
    assert "Configuration (check --deploy) : aucune erreur, 0 avertissement" in report
    assert f"Migrations appliquées ({len(state['unapplied'])}) :" in report
    assert all(f"    - {name}\n" in report for name in state["unapplied"])
    assert re.search(r"Fichiers statiques : 0 modifiés, [1-9]\d* nouveaux, 0 supprimés", report), report
    backup = next((tmp_path / "sauvegardes").glob("avant-mise-a-jour-*"))
    assert (backup / "manifest.json").exists() and (backup / "database.dump").exists()

    # The stack: two app servers of two workers, the job worker, nginx in front (HTTPS). Each app
    # server's listening socket is held here, as systemd's patrimoine-web@PORT.socket holds it.
    logs = tmp_path / "logs"
    logs.mkdir()
    listeners = [stack.listening_socket(), stack.listening_socket()]
    web = [f"web-{listener.getsockname()[1]}" for listener in listeners]
    http_port, https_port = stack.free_port(), stack.free_port()
    cert, _ = stack.self_signed_certificate(tmp_path / "nginx" / "tls")
    site = stack.render_site(
        http_port=http_port,
        https_port=https_port,
        app_ports=[listener.getsockname()[1] for listener in listeners],
        static_root=tmp_path / "static",
        prefix=tmp_path / "nginx",
    )
    processes = {}

    def start(name, starter, *args):
        processes[name] = starter(*args, (logs / f"{name}.log").open("ab"))

    def restart_begins(i):
        """SIGTERM (gunicorn finishes the requests it holds), then the new one starts booting."""
        hammer.restarting = web[i]
        assert stack.stop(processes[web[i]]) == 0
        start(web[i], stack.start_gunicorn, listeners[i], env, tmp_path / web[i])

    def restart_ends(i):
        stack.wait_healthy(listeners[i].getsockname()[1], processes[web[i]])
        hammer.restarting = ""

    try:
        start("nginx", stack.start_nginx, tmp_path / "nginx", site)
        for name, listener in zip(web, listeners, strict=True):
            start(name, stack.start_gunicorn, listener, env, tmp_path / name)
        start("worker", stack.start_worker, env)
        for name, listener in zip(web, listeners, strict=True):
            stack.wait_healthy(listener.getsockname()[1], processes[name])

        base = f"https://127.0.0.1:{https_port}"
        statuses = []
        person = Session(cert)
        person.hooks["response"].append(lambda answer, **kwargs: statuses.append((answer.url, answer.status_code)))
        watcher = Session(cert)
        assert sign_in(watcher, base).status_code == 200
        hammer = Hammer(watcher, f"{base}/bons/")
        hammer.start()

        # While the first app server restarts: sign in, the list shows the order made before the upgrade.
        restart_begins(0)
        assert sign_in(person, base).url == f"{base}/"
        listing = person.get(f"{base}/bons/")
        assert "Fuite sous l&#x27;évier de la cantine" in listing.text
        restart_ends(0)

        # While the second restarts: a work order through the real form.
        restart_begins(1)
        page = person.get(f"{base}/bons/nouveau/")
        form = stack.Forms(page.text).posting_here()
        trade = next(option["value"] for option in form["options"]["trade"] if option["value"])
        fields = {
            **form["fields"],
            "title": "Remplacer le robinet du réfectoire",
            "trade": trade,
            "building": stack.Forms.option(form, "building", "École Jules Ferry"),
        }
        created = person.post(page.url, data=fields, headers={"Referer": page.url})
        assert re.fullmatch(rf"{base}/bons/[0-9a-f-]{{36}}/", created.url), created.url
        assert "Remplacer le robinet du réfectoire" in created.text
        restart_ends(1)

        # A background job: the preventive generation, run by the worker process.
        page = person.get(f"{base}/maintenance/generation/")
        form = stack.Forms(page.text).posting_here()
        queued = person.post(page.url, data=form["fields"], headers={"Referer": page.url})
        assert "La génération est en file" in queued.text
        deadline = time.monotonic() + 120
        while "badge--ok" not in (runs := person.get(page.url, headers={"HX-Request": "true"}).text):
            assert "badge--urgent" not in runs and time.monotonic() < deadline, runs
            time.sleep(0.5)
        assert "Vérification des extincteurs — École Jules Ferry" in person.get(f"{base}/bons/").text

        hammer.done.set()
        hammer.join(60)
        failures = [(during, outcome) for during, outcome in hammer.results if outcome not in ANSWERED]
        assert failures == []
        for name in web:  # the page was requested while each server restarted
            assert any(during == name for during, _ in hammer.results), hammer.results
        assert [(url, code) for url, code in statuses if code not in ANSWERED] == []

        # Static files from nginx: hashed names cached a year, gzip copies, Django's security headers.
        css = re.search(r'href="(/static/css/patrimoine\.[0-9a-f]{12}\.css)"', listing.text).group(1)
        asset = person.get(f"{base}{css}", headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200 and "body" in asset.text
        assert asset.headers["Content-Encoding"] == "gzip"
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=31536000" in asset.headers["Strict-Transport-Security"]
        assert asset.headers["X-Frame-Options"] == "DENY"
        # HTTP goes to HTTPS; the media folder is never public; each request has its id in the log.
        plain = Session(cert).get(f"http://127.0.0.1:{http_port}/bons/", allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        assert person.get(f"{base}/media/x.pdf").status_code == 404
        # The request id nginx makes reaches Django (its logs, its answer) and is in nginx's log line.
        rid = listing.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert f" rid={rid} " in (tmp_path / "nginx" / "patrimoine.access.log").read_text()
        # Metrics: never through the site; on each instance, summed over its workers.
        assert person.get(f"{base}/metrics").status_code == 404
        port = listeners[0].getsockname()[1]
        metrics = Session(cert).get(f"http://127.0.0.1:{port}/metrics").text
        assert "django_http_requests_latency_seconds_by_view_method_bucket" in metrics
    finally:
        for process in processes.values():
            stack.stop(process)
        for listener in listeners:
            listener.close()
