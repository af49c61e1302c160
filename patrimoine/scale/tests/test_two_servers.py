"""Past one machine, for real: two gunicorn app servers, one job worker, one PostgreSQL primary with
a streaming replica, Redis for the cache, media in an S3 bucket — every one a separate process on a
loopback port, as behind a load balancer.

- a session opened on server A is valid on server B (sessions in the database, one SECRET_KEY);
- what A writes, B shows at once; a photo uploaded through A is downloaded through B (the servers
  have separate, empty media folders: the bucket is the only place it exists);
- an import started on A is run by the worker, its result read on B, its second step started on B;
- the rate limiter counts the requests of both servers together (Redis);
- the dashboards read the replica (a write on the primary is absent from them while the replica's
  replay is paused, and present once it resumes), with the same tenancy as on the primary.

PostgreSQL only: the primary is a throw-away cluster made for the test (with `initdb`), its replica
a hot standby made with `pg_basebackup -R`; the schema is copied from pytest's test database.
"""

import csv
import io
import json
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
import requests
from django.db import connection
from PIL import Image

from patrimoine.scale.processes import App, app_environment, dump_schema, load_schema, start_postgres_pair
from patrimoine.testing.s3 import start_s3_server, stop_s3_server

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is a PostgreSQL matter"),
    pytest.mark.django_db,  # so that pytest-django creates its test database, whose schema is copied
]

DB = "patrimoine_twoservers"
SECRET_KEY = secrets.token_urlsafe(40)  # the same on both servers, as in production
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """Everything started once for the module, stopped (by process id) and removed afterwards."""
    with django_db_blocker.unblock():
        source = dict(connection.settings_dict)
    with ThreadPoolExecutor(3) as pool:  # the slow starts side by side
        starting = [pool.submit(start_postgres_pair), pool.submit(dump_schema, source), pool.submit(start_s3_server)]
        wait(starting)
    pair, s3, app = None, None, None
    prefix = f"twoservers-{time.time_ns()}"
    try:
        pair, schema, s3 = (future.result() for future in starting)
        load_schema(schema, pair, DB)
        bucket = s3.new_bucket()
        env = app_environment(
            pair.url(DB),
            SECRET_KEY=SECRET_KEY,
            DATABASE_REPLICA_URL=pair.url(DB, replica=True),
            REDIS_URL=REDIS_URL,
            CACHE_KEY_PREFIX=prefix,
            **s3.env(bucket),
        )
        app = App(env)
        media = {name: tmp_path_factory.mktemp(f"media-{name}") for name in "AB"}
        for name in "AB":  # each server has a media folder of its own, which must stay empty
            app.start_server(workers=1, threads=2, env={"MEDIA_ROOT": str(media[name])})
        app.start_worker()
        world = json.loads(app.run_module("patrimoine.scale.tests.twoservers_world"))  # while they boot
        app.wait_ready()
        app.warm_up()
        pair.wait_replayed()
        yield {"app": app, "pair": pair, "s3": s3, "bucket": bucket, "world": world, "media": media}
    finally:
        for closing in (app, pair):
            if closing is not None:
                closing.stop()
        if s3 is not None:
            stop_s3_server(s3)
        _forget_cache_keys(prefix)


def _forget_cache_keys(prefix: str) -> None:
    import redis

    cache = redis.Redis.from_url(REDIS_URL)
    for key in cache.scan_iter(f"{prefix}:*"):
        cache.delete(key)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _post(session, url, data=None, files=None, *, form_url=None):
    token = _csrf(session, form_url or url)
    data = {"csrfmiddlewaretoken": token, **(data or {})}
    return session.post(url, data=data, files=files, timeout=60, allow_redirects=False)


def _login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    response = _post(session, f"{base}/compte/connexion/", {"username": username, "password": password})
    assert response.status_code == 302, response.text[:500]
    return session


def _with_cookies_of(session: requests.Session) -> requests.Session:
    """A new client (another browser tab behind the load balancer) holding the same cookies."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def _until(predicate, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return buffer.getvalue()


def _waiting_requests(session, base) -> int:
    """« Demandes à trier » of the activity dashboard, from its CSV download."""
    response = session.get(f"{base}/rapports/?export=indicateurs&format=csv", timeout=30)
    assert response.status_code == 200, response.status_code
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    value = next(row[1] for row in rows if row[0] == "Demandes à trier")  # « 1,00 »
    return int(float(value.replace(",", ".")))


def test_two_app_servers_share_sessions_writes_files_jobs_and_rate_limits(stack):
    app, world = stack["app"], stack["world"]
    a, b = app.url(0), app.url(1)

    # Signed in on A, the same cookie is a valid session on B.
    on_a = _login(a, "claire", world["password"])
    on_b = _with_cookies_of(on_a)
    home = on_b.get(f"{b}/", timeout=30)
    assert home.status_code == 200 and "Nesmy" in home.text

    # A write on A (a request filed with a photo) is seen on B; the photo comes back through B.
    filed = _post(
        on_a,
        f"{a}/demandes/nouvelle/",
        {"building": world["school"], "description": "Fuite au plafond du préau", "urgency": "normale"},
        files={"photos": ("fuite.png", _png(), "image/png")},
    )
    assert filed.status_code == 302, filed.text[:500]
    detail = on_b.get(b + filed.headers["Location"], timeout=30)
    assert detail.status_code == 200 and "Fuite au plafond du préau" in detail.text
    photo_url = re.search(r'href="(/documents/[0-9a-f-]+/)"', detail.text).group(1)
    photo = on_b.get(b + photo_url, timeout=30)
    assert photo.status_code == 200 and photo.content == _png()
    assert len(stack["s3"].keys(stack["bucket"])) == 1
    assert not any(p.is_file() for folder in stack["media"].values() for p in folder.rglob("*"))
    victor = _login(b, "victor", world["password"])
    assert victor.get(a + photo_url, timeout=30).status_code == 404  # another commune, either server

    # An import uploaded on A is checked by the worker; B shows the result and launches the import,
    # which the worker runs; A lists the new buildings.
    text = "Code;Libellé;Surface\nG1;Gymnase des Tilleuls;1200\nG2;Salle des fêtes;450\n"
    uploaded = _post(
        on_a,
        f"{a}/reprise/",
        {"kind": "buildings"},
        files={"file": ("batiments.csv", text.encode(), "text/csv")},
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    mapping_url = uploaded.headers["Location"]
    checked = _post(on_b, b + mapping_url, {"col_0": "code", "col_1": "name", "col_2": "surface_m2"})
    assert checked.status_code == 302, checked.text[:500]
    job_url = checked.headers["Location"]
    _until(lambda: "aucune erreur" in on_b.get(b + job_url, timeout=30).text)
    commit_url = job_url.rstrip("/") + "/lancer/"
    assert _post(on_b, b + commit_url, form_url=b + job_url).status_code == 302
    _until(lambda: "Import terminé" in on_a.get(a + job_url, timeout=30).text)
    listing = on_a.get(f"{a}/patrimoine/?q=Gymnase", timeout=30).text
    assert "Gymnase des Tilleuls" in listing

    # The calendar feeds allow 60 requests a minute per address: counted across both servers.
    remaining = 60 - time.time() % 60
    if remaining < 15:  # fixed one-minute windows: don't straddle two of them
        time.sleep(remaining + 0.5)
    feed = "/maintenance/ical/jeton-invalide/batiments/00000000-0000-0000-0000-000000000000.ics"
    anonymous = requests.Session()
    answers = [anonymous.get((a, b)[i % 2] + feed, timeout=30).status_code for i in range(60)]
    assert set(answers) == {404}  # 30 on each server, all counted
    assert anonymous.get(a + feed, timeout=30).status_code == 429
    assert anonymous.get(b + feed, timeout=30).status_code == 429


def test_dashboards_read_the_streaming_replica_with_the_same_tenancy(stack):
    app, pair, world = stack["app"], stack["pair"], stack["world"]
    a, b = app.url(0), app.url(1)
    claire = _login(a, "claire", world["password"])
    victor = _login(b, "victor", world["password"])
    pair.wait_replayed()
    before = _waiting_requests(claire, b)
    assert _waiting_requests(victor, a) == 0

    pair.psql("SELECT pg_wal_replay_pause()", replica=True)
    try:
        filed = _post(
            claire,
            f"{a}/demandes/nouvelle/",
            {"building": world["school"], "description": "Radiateur froid en salle 3", "urgency": "normale"},
        )
        assert filed.status_code == 302
        # The request list reads the primary: the new request is there…
        assert "Radiateur froid en salle 3" in claire.get(f"{b}/demandes/", timeout=30).text
        # …the dashboard reads the paused replica: not yet.
        assert _waiting_requests(claire, b) == before
    finally:
        pair.psql("SELECT pg_wal_replay_resume()", replica=True)
    pair.wait_replayed()
    assert _waiting_requests(claire, a) == before + 1
    assert _waiting_requests(victor, b) == 0  # Venansault's dashboard never counts Nesmy's requests
