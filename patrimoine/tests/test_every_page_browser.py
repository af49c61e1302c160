"""Every page of the project, for every role (the portal, the tracking page, the counter and the
technician app included), visited once in real Chromium as a first visit, and judged twice:

- accessibility: axe-core's WCAG 2.1 A/AA rules (the basis of the RGAA) find zero violation. axe only
  finds part of what the RGAA asks; what it finds must be zero;
- eco-design: bytes transferred, requests and DOM size within budget, the EcoIndex computed from them
  (PyPI `ecoindex-compute`), the figures written to bench/results/ecoindex.json.

One walk for both: the catalogue of pages and the visits are the slow part, the two audits are not.
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

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_RUN = (
    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})).violations"
    ".map(v => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0,2).map(n => n.target).join(' | ')}`)"
)
MAX_KB = 100
MAX_REQUESTS = 15
MAX_NODES = 800
REPORT = Path(settings.BASE_DIR) / "bench" / "results" / "ecoindex.json"
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json", "application/manifest")
MUST_BE_WALKED = (
    "/terrain/",
    "/accueil/",
    "/accessibilite/",
    "/accueil/a-rappeler/",
    "/signaler/mes-signalements/",
    "/signaler/deconnexion/",
)


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


def _visit(tab, url: str, static_sizes: dict) -> tuple[dict, list[str]]:
    """A first visit of `url`: its weight, requests and DOM size, then axe's violations."""
    responses = []

    def collect(response):  # Playwright takes Python functions only as listeners
        responses.append(response)

    tab.on("response", collect)
    tab.goto(url, wait_until="load")
    nodes = tab.evaluate("document.getElementsByTagName('*').length")  # before axe adds anything
    tab.remove_listener("response", collect)
    size = sum(_weight(r, static_sizes) for r in responses)
    figures = {"url": url, "kb": round(size / 1024, 1), "requests": len(responses), "nodes": nodes}
    return figures, tab.evaluate(AXE_RUN)


def _ecoindex_all(rows: list[dict]) -> None:
    async def compute():
        for row in rows:
            result = await compute_ecoindex(nodes=row["nodes"], size=row["kb"], requests=row["requests"])
            row["score"], row["grade"] = result.score, str(result.grade.value)

    # ecoindex-compute is async only: run it in its own thread, away from Playwright's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, compute()).result()


def _write_report(rows: list[dict], started: float) -> None:
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


def _over_budget(rows: list[dict]) -> list[str]:
    return [
        f"{r['role']} {r['url']}: {r['kb']} KB, {r['requests']} requêtes, {r['nodes']} éléments "
        f"(EcoIndex {r['score']} {r['grade']})"
        for r in rows
        if r["kb"] > MAX_KB or r["requests"] > MAX_REQUESTS or r["nodes"] > MAX_NODES
    ]


def test_every_page_for_every_role_is_accessible_and_within_the_eco_design_budget(f, browser, live_server):
    objects, users = build_world(f)
    started = time.monotonic()
    pages = html_pages(objects, users)
    print(f"catalogue: {len(pages)} pages in {time.monotonic() - started:.1f} s")
    visited = {page.url.split("?")[0] for page in pages}
    for must in (*MUST_BE_WALKED, f"/signaler/{objects['venansault'].slug}/"):
        assert must in visited, f"{must} is not walked"
    assert any(url.startswith("/suivi/") for url in visited)
    assert any(p.role == "citoyen" and p.url == "/signaler/mes-signalements/" for p in pages)  # signed in
    rows, violations, static_sizes = [], [], {}
    by_role: dict[str, list] = {}
    for page in pages:
        by_role.setdefault(page.role, []).append(page)
    for role, role_pages in by_role.items():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(15000)
        context.add_init_script(script=AXE)  # in every document, CSP or not: no request, no element
        if role != ANONYMOUS:
            context.add_cookies(session_cookie(live_server.url, users[role]))
        tab = context.new_page()
        context.new_cdp_session(tab).send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit
        for page in role_pages:
            figures, found = _visit(tab, page.url, static_sizes)
            rows.append({"role": role, "route": page.name, **figures})
            violations += [f"{role} {page.url} — {v}" for v in found]
        context.close()
        print(f"{role}: {len(role_pages)} pages, {time.monotonic() - started:.1f} s")
    _ecoindex_all(rows)
    _write_report(rows, started)
    over = _over_budget(rows)
    assert any(r["url"].startswith("/terrain/") for r in rows)
    assert violations == [], f"{len(pages)} pages audited by axe; violations:\n" + "\n".join(violations)
    assert over == [], f"{len(over)} pages over the eco-design budget (see {REPORT}):\n" + "\n".join(over)
