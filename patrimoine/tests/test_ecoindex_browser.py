"""Eco-design budget of every page (every role, the portal and the technician app included): bytes
transferred, requests and DOM size of a first visit in real Chromium, the EcoIndex computed from them
(PyPI `ecoindex-compute`), a page over budget fails, the figures go to bench/results/ecoindex.json.

Transferred weight: the HTML as the application sends it, static files as production serves them
(WhiteNoise's precompressed gzip; the test server sends them raw, so their gzip size is computed)."""

import asyncio
import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from ecoindex.compute import compute_ecoindex

from patrimoine.tests.pages import ANONYMOUS, build_world, html_pages, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_KB = 100
MAX_REQUESTS = 15
MAX_NODES = 800
REPORT = Path(settings.BASE_DIR) / "bench" / "results" / "ecoindex.json"
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json", "application/manifest")


def _weight(response, static_sizes: dict) -> int:
    url = response.url
    if "/static/" in url and url in static_sizes:
        return static_sizes[url]
    try:
        body = response.body()
    except Exception:  # noqa: BLE001 — a redirect or an aborted request has no body
        return 0
    size = len(body)
    if "/static/" in url:
        kind = response.headers.get("content-type", "")
        if kind.startswith(COMPRESSIBLE):
            size = min(size, len(gzip.compress(body, 9)))
        static_sizes[url] = size
    return size


def _measure(tab, url: str, static_sizes: dict) -> dict:
    responses = []

    def collect(response):
        responses.append(response)

    tab.on("response", collect)
    tab.goto(url, wait_until="load")
    nodes = tab.evaluate("document.getElementsByTagName('*').length")
    tab.remove_listener("response", collect)
    size = sum(_weight(r, static_sizes) for r in responses)
    return {"url": url, "kb": round(size / 1024, 1), "requests": len(responses), "nodes": nodes}


def _ecoindex_all(rows: list[dict]) -> None:
    async def compute():
        for row in rows:
            result = await compute_ecoindex(nodes=row["nodes"], size=row["kb"], requests=row["requests"])
            row["score"], row["grade"] = result.score, str(result.grade.value)

    # ecoindex-compute is async only: run it in its own thread, away from Playwright's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, compute()).result()


def test_every_page_is_within_the_eco_design_budget(f, browser, live_server):
    objects, users = build_world(f)
    started = time.monotonic()
    pages = html_pages(objects, users)
    rows, static_sizes = [], {}
    by_role: dict[str, list] = {}
    for page in pages:
        by_role.setdefault(page.role, []).append(page)
    for role, role_pages in by_role.items():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(15000)
        if role != ANONYMOUS:
            context.add_cookies(session_cookie(live_server.url, users[role]))
        tab = context.new_page()
        context.new_cdp_session(tab).send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit
        for page in role_pages:
            rows.append({"role": role, "route": page.name, **_measure(tab, page.url, static_sizes)})
        context.close()
    _ecoindex_all(rows)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "pages": len(rows),
        "budget": {"kb": MAX_KB, "requests": MAX_REQUESTS, "nodes": MAX_NODES},
        "worst_score": min(r["score"] for r in rows),
        "median_score": sorted(r["score"] for r in rows)[len(rows) // 2],
        "grades": {g: sum(1 for r in rows if r["grade"] == g) for g in "ABCDEFG"},
        "seconds": round(time.monotonic() - started, 1),
    }
    REPORT.write_text(json.dumps({"summary": summary, "pages": rows}, ensure_ascii=False, indent=1))
    over = [
        f"{r['role']} {r['url']}: {r['kb']} KB, {r['requests']} requêtes, {r['nodes']} éléments "
        f"(EcoIndex {r['score']} {r['grade']})"
        for r in rows
        if r["kb"] > MAX_KB or r["requests"] > MAX_REQUESTS or r["nodes"] > MAX_NODES
    ]
    assert any(r["url"].startswith("/terrain/") for r in rows) and any(r["url"].startswith("/suivi/") for r in rows)
    assert over == [], f"{len(over)} pages over budget (see {REPORT}):\n" + "\n".join(over)
