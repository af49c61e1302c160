"""Budgets of the field app, measured on loopback in real Chromium: `python -m patrimoine.field.bench`.

It builds the demo agglomeration in a scratch SQLite database (never the configured one, unless
`--database-url` says so), serves the project on 127.0.0.1 through a meter that counts every byte of
every response (the page's and the service worker's), signs Ahmed in and prints JSON:

- `first_load`: everything `/terrain/` costs on a first visit until it is ready offline (page, CSS,
  JS, icons, manifest, service worker, its precache, my orders and the catalogue — fetched twice, once
  before and once through the service worker). `compressed_bytes` is what goes over the wire with
  compression (the API is gzipped by the view; static files are counted gzipped, as WhiteNoise serves
  them in production); `served_bytes` is what this bench server actually sent. Budget: 150 KB.
- `repeat_visit`: a later visit with network (the shell comes from the phone; only fresh data moves).
- `day_sync`: a day recorded offline — 20 orders started and finished, 60 time and material entries,
  10 photos of ~250 KB — sent when the network returns; `seconds` until nothing waits on the phone.
- `replay`: the same 60 entries sent again (lost acknowledgement): seconds, and nothing stored twice.
"""

import argparse
import base64
import gzip
import io
import json
import os
import random
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta

BUDGET_BYTES = 150 * 1024
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
USERNAME, PASSWORD = "technicien.epci", "patrimoine"
ORDERS, TIME_ENTRIES, MATERIAL_LINES, PHOTOS = 20, 30, 30, 10


class Meter:
    """WSGI wrapper counting the bytes of each response (and of each request body)."""

    def __init__(self, app):
        self.app = app
        self.log: list[dict] = []
        self.lock = threading.Lock()

    def reset(self) -> list[dict]:
        with self.lock:
            log, self.log = self.log, []
        return log

    def __call__(self, environ, start_response):
        record = {
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""),
            "request_bytes": int(environ.get("CONTENT_LENGTH") or 0),
        }

        def counting_start_response(status, headers, exc_info=None):
            record["status"] = int(status[:3])
            record["encoding"] = dict((k.lower(), v) for k, v in headers).get("content-encoding", "")
            record["header_bytes"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        chunks = []
        try:
            for chunk in self.app(environ, counting_start_response):
                chunks.append(chunk)
                yield chunk
        finally:
            body = b"".join(chunks)
            record["body_bytes"] = len(body)
            record["compressed_body_bytes"] = (
                len(body) if record.get("encoding") or len(body) < 256 else len(gzip.compress(body, 6))
            )
            with self.lock:
                self.log.append(record)


def _summary(log: list[dict]) -> dict:
    served = sum(r["body_bytes"] + r["header_bytes"] for r in log)
    compressed = sum(r["compressed_body_bytes"] + r["header_bytes"] for r in log)
    return {
        "requests": len(log),
        "served_bytes": served,
        "compressed_bytes": compressed,
        "compressed_kb": round(compressed / 1024, 1),
        "by_resource": [
            {
                "request": f"{r['method']} {r['path']}",
                "status": r["status"],
                "compressed_bytes": r["compressed_body_bytes"] + r["header_bytes"],
            }
            for r in log
        ],
    }


def _serve(app):
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _ahmed_day(count: int) -> list[str]:
    """Make sure Ahmed is named on `count` open orders planned today (through the real services)."""
    from django.db.models import Q
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from patrimoine.accounts.models import User
    from patrimoine.assets.models import Building
    from patrimoine.organisations.access import access_for_user
    from patrimoine.organisations.models import Team, Trade
    from patrimoine.workorders.models import WorkOrder
    from patrimoine.workorders.services import work_order_create, work_order_plan

    with scopes_disabled():
        ahmed = User.objects.get(username=USERNAME)
        team = Team.objects.filter(members__user=ahmed).first()
        lead = access_for_user(team.lead)
        served = [team.organisation_id, *team.served_organisations.values_list("pk", flat=True)]
        today = timezone.localdate()
        mine = WorkOrder.objects.filter(
            technicians=ahmed, status__in=(WorkOrder.Status.PLANNED, WorkOrder.Status.IN_PROGRESS)
        )
        mine = mine.filter(Q(planned_start__date=today) | Q(status=WorkOrder.Status.IN_PROGRESS))
        ids = [str(pk) for pk in mine.values_list("pk", flat=True)][:count]
        buildings = list(Building.objects.filter(organisation_id__in=served).order_by("name")[:count])
        trade = Trade.objects.get(code="plomberie")
        start = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=7)
        index = 0
        while len(ids) < count:
            building = buildings[index % len(buildings)]
            order = work_order_create(
                access=lead,
                organisation=building.organisation,
                title=f"Intervention de la journée n° {index + 1}",
                trade=trade,
                building=building,
                checklist=["Couper l'eau", "Vérifier l'étanchéité"],
            )
            work_order_plan(
                access=lead,
                work_order=order,
                expected_version=order.version,
                team=team,
                technicians=[ahmed],
                planned_start=start + timedelta(minutes=20 * index),
            )
            ids.append(str(order.pk))
            index += 1
        return ids


def _photo_b64(seed: int) -> str:
    """A ~250 KB JPEG, the size the phone sends after resizing."""
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 — reproducible test pictures, not security
    width, height = 1600, 1200
    image = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.frombytes("RGB", (400, 300), bytes(rng.getrandbits(8) for _ in range(400 * 300 * 3)))
    image.paste(noise.resize((width, height)), (0, 0))
    for quality in (70, 60, 50, 40, 30):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= 300 * 1024:
            break
    return base64.b64encode(buffer.getvalue()).decode()


QUEUE_A_DAY = """
async ({orders, photos, today, timeEntries, materialLines}) => {
  const T = window.Terrain;
  for (const order of orders) await T.sync.add("statut", order, { to: "en_cours" });
  for (let i = 0; i < timeEntries; i += 1) {
    await T.sync.add("temps", orders[i % orders.length], { date: today, hours: "0.25" });
  }
  const data = await (await fetch("/terrain/api/donnees/")).json();
  const catalogue = (await (await fetch("/terrain/api/catalogue/")).json()).items;
  const usable = (order) => {
    const orgs = data.orders.find((o) => o.id === order).catalogue;
    return catalogue.filter((item) => orgs.includes(item.org)).slice(0, 12);
  };
  for (let i = 0; i < materialLines; i += 1) {
    const choices = usable(orders[i % orders.length]);
    const item = choices[i % choices.length];
    const payload = { item: item.id, quantity: "2", unit: item.unit, catalogue_label: item.label };
    await T.sync.add("materiel", orders[i % orders.length], payload);
  }
  for (let i = 0; i < photos.length; i += 1) {
    const bytes = Uint8Array.from(atob(photos[i]), (c) => c.charCodeAt(0));
    const blob = new Blob([bytes], { type: "image/jpeg" });
    await T.sync.add("photo", orders[i % orders.length], { title: "Photo" }, [{ blob, name: `photo-${i}.jpg` }]);
  }
  for (const order of orders) await T.sync.add("statut", order, { to: "termine" });
  return (await T.sync.all()).filter((op) => op.state === "pending").length;
}
"""


def run(database_url: str | None = None) -> dict:
    tmp = tempfile.mkdtemp(prefix="patrimoine-field-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patrimoine.settings")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django_scopes import scopes_disabled
    from playwright.sync_api import expect, sync_playwright

    from patrimoine.costs.models import MaterialLine, TimeEntry
    from patrimoine.demo.seed import seed_demo
    from patrimoine.documents.models import Document
    from patrimoine.field.models import SyncOperation

    call_command("migrate", verbosity=0)
    seed_demo()
    order_ids = _ahmed_day(ORDERS)
    photos = [_photo_b64(seed) for seed in range(PHOTOS)]
    meter = Meter(StaticFilesHandler(WSGIHandler()))
    server = _serve(meter)
    base = f"http://127.0.0.1:{server.server_port}"
    result: dict = {"server": base, "chromium": "/usr/bin/chromium", "budget_kb": BUDGET_BYTES // 1024}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, locale="fr-FR")
        page = context.new_page()
        page.goto("/compte/connexion/")
        page.get_by_label("Identifiant").fill(USERNAME)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

        meter.reset()
        started = time.monotonic()
        page.goto("/terrain/")
        expect(page.locator("html")).to_have_attribute("data-offline", "ready", timeout=60000)
        ready = time.monotonic() - started
        page.wait_for_timeout(1500)  # the service worker's last copies (photos of today's orders)
        log = meter.reset()
        shell = [r for r in log if not r["path"].startswith("/documents/")]
        first = _summary(shell)
        first.update(
            {
                "seconds_until_ready_offline": round(ready, 2),
                "within_budget": first["compressed_bytes"] <= BUDGET_BYTES,
                "photos_prefetched_bytes": sum(r["body_bytes"] for r in log if r["path"].startswith("/documents/")),
            }
        )
        result["first_load"] = first

        page.reload()
        expect(page.locator("html")).to_have_attribute("data-ready", "true", timeout=60000)
        page.wait_for_timeout(1500)
        repeat = _summary(meter.reset())
        repeat.pop("by_resource")
        result["repeat_visit"] = repeat

        context.set_offline(True)
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-ready", "true", timeout=60000)
        queued = page.evaluate(
            QUEUE_A_DAY,
            {
                "orders": order_ids,
                "photos": photos,
                "today": datetime.now().date().isoformat(),
                "timeEntries": TIME_ENTRIES,
                "materialLines": MATERIAL_LINES,
            },
        )
        wire = page.evaluate(
            "Terrain.sync.all().then((ops) => ops.filter((op) => op.type === 'temps' || op.type === 'materiel')"
            ".map((op) => Object.assign({ id: op.id, type: op.type, order: op.order }, op.payload)))"
        )
        meter.reset()
        started = time.monotonic()
        context.set_offline(False)
        expect(page.locator("#fa-status")).to_contain_text("0 action en attente d'envoi", timeout=300000)
        sent = time.monotonic() - started
        expect(page.locator("html")).to_have_attribute("data-sync", "idle", timeout=300000)
        refreshed = time.monotonic() - started
        log = meter.reset()
        result["day_sync"] = {
            "orders": ORDERS,
            "time_and_material_entries": TIME_ENTRIES + MATERIAL_LINES,
            "photos": PHOTOS,
            "operations_queued": queued,
            "seconds_until_nothing_waits": round(sent, 2),
            "seconds_including_fresh_copy": round(refreshed, 2),
            "http_requests": len(log),
            "uploaded_bytes": sum(r["request_bytes"] for r in log),
            "downloaded_compressed_bytes": sum(r["compressed_body_bytes"] + r["header_bytes"] for r in log),
        }

        with scopes_disabled():
            stored = (TimeEntry.objects.count(), MaterialLine.objects.count(), Document.objects.count())
        started = time.monotonic()
        answers = page.evaluate(
            """async (operations) => {
                const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
                const response = await fetch('/terrain/api/sync/', {method: 'POST', credentials: 'same-origin',
                  headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                  body: JSON.stringify({operations})});
                return (await response.json()).results.map((r) => r.status);
            }""",
            wire,
        )
        replay = time.monotonic() - started
        with scopes_disabled():
            again = (TimeEntry.objects.count(), MaterialLine.objects.count(), Document.objects.count())
            first = dict(SyncOperation.objects.filter(pk__in=[op["id"] for op in wire]).values_list("pk", "outcome"))
        result["day_sync"]["entries_kept_as_conflicts"] = sum(1 for outcome in first.values() if outcome == "conflit")
        result["replay"] = {
            "operations": len(wire),
            "seconds": round(replay, 3),
            "same_answers_as_the_first_time": answers == [first[uuid.UUID(op["id"])] for op in wire],
            "nothing_stored_twice": stored == again,
        }
        browser.close()
    server.shutdown()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="use this database instead of a scratch SQLite file")
    parser.add_argument("--full", action="store_true", help="list every resource of the first load")
    args = parser.parse_args(argv)
    result = run(args.database_url)
    if not args.full:
        result["first_load"]["by_resource"] = [
            f"{r['request']} {r['compressed_bytes']}" for r in result["first_load"]["by_resource"]
        ]
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
