"""Server time of the key pages on a generated dataset: `manage.py bench_pages`.

Each page is requested in-process through Django's full stack (middleware, scope, templates) as the
user who would open it, after two warm-up requests. For each page: p50/p95 server time, the number
of SQL queries, and — on PostgreSQL — the time the database itself needs for those same queries
(`EXPLAIN (ANALYZE)` of each SELECT of one request: planning + execution), so that the ratio server
time / SQL time says how close the application is to what the database needs. The CPU time of the
application process is reported beside the wall time: on a busy machine the wall time measures the
neighbours too, the CPU time only our own work.
"""

import cProfile
import io
import json
import pstats
import statistics
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.assets.models import Building, Equipment
from patrimoine.core.pagination import COUNT_CAP, KeysetPaginator
from patrimoine.intake.filters import SORTS as WR_SORTS
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Trade
from patrimoine.workorders.filters import SORTS as WO_SORTS
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.views.common import PAGE_SIZE

from .dataset import PREFIX


def _users():
    names = {
        "chef": f"{PREFIX}01.chef.plomberie",
        "gestionnaire": f"{PREFIX}01.gestionnaire",
        "technicien": f"{PREFIX}epci.tech.plomberie1",
        "direction": f"{PREFIX}epci.direction",
    }
    found = {u.username: u for u in User.objects.filter(username__in=names.values())}
    missing = [n for n in names.values() if n not in found]
    if missing:
        raise ValueError(f"Jeu de données généré absent (utilisateurs {missing}) : lancez generate_dataset.")
    return {role: found[name] for role, name in names.items()}


@scopes_disabled()
def _pages(users) -> list[dict]:
    commune = users["gestionnaire"].memberships.get().organisation
    building = Building.objects.filter(organisation=commune).order_by("code").first()
    order = WorkOrder.objects.filter(organisation=commune).order_by("-created_at").first()
    tech_order = (
        WorkOrder.objects.filter(technicians=users["technicien"], status__in=WorkOrder.OPEN_STATUSES)
        .order_by("-created_at")
        .first()
    )
    orders = WorkOrder.objects.filter(organisation=commune)
    open_orders = orders.filter(status__in=WorkOrder.OPEN_STATUSES)
    requests = WorkRequest.objects.filter(organisation=commune)
    plumbing = Trade.objects.get(code="plomberie")
    last_year = date.today().year - 1
    pages = [
        ("accueil du chef d'équipe", "chef", "/"),
        ("bons de travail (liste)", "chef", "/bons/"),
        ("bons de travail ouverts, par priorité", "chef", "/bons/?statut=ouverts&tri=-priorite"),
        ("bons de travail : recherche", "chef", "/bons/?q=fuite"),
        ("bons de travail : recherche d'un numéro", "chef", f"/bons/?statut=&q={order.reference[:-2]}"),
        (
            "bons de travail ouverts : page 40 (curseur)",
            "chef",
            "/bons/?" + _deep(open_orders, WO_SORTS["-creation"][1], "-creation", 40, {"statut": "ouverts"}),
        ),
        (
            "bons de travail ouverts par priorité : page 40",
            "chef",
            "/bons/?"
            + _deep(open_orders, WO_SORTS["-priorite"][1], "-priorite", 40, {"statut": "ouverts", "tri": "-priorite"}),
        ),
        (
            "bons de travail, tous : page 2 000 (curseur)",
            "chef",
            "/bons/?" + _deep(orders, WO_SORTS["-creation"][1], "-creation", 2000, {"statut": ""}),
        ),
        ("bon de travail (détail)", "chef", f"/bons/{order.pk}/"),
        ("planning", "chef", "/bons/planning/"),
        ("demandes (liste)", "chef", "/demandes/"),
        (
            "demandes, toutes : page 1 000 (curseur)",
            "chef",
            "/demandes/?"
            + _deep(requests, WR_SORTS["-creation"][1], "-creation", 1000, {"statut": "toutes", "tri": "-creation"}),
        ),
        ("patrimoine : recherche", "gestionnaire", "/patrimoine/?q=ecole"),
        ("patrimoine : recherche, mot partiel", "gestionnaire", "/patrimoine/?q=gymn"),
        ("patrimoine : recherche d'un code", "gestionnaire", f"/patrimoine/?q={_equipment_code(commune)}"),
        ("bâtiment (fiche)", "gestionnaire", f"/patrimoine/batiments/{building.pk}/"),
        ("coûts", "gestionnaire", "/couts/"),
        ("tableau de bord (commune)", "gestionnaire", "/rapports/"),
        ("tableau de bord (EPCI, consolidé)", "direction", "/rapports/"),
        ("tableau de bord (EPCI, un corps de métier)", "direction", f"/rapports/?trade={plumbing.pk}"),
        ("rapport des coûts", "gestionnaire", "/rapports/couts/"),
        ("rapport des coûts (EPCI, consolidé)", "direction", "/rapports/couts/"),
        ("rapport annuel (commune)", "gestionnaire", f"/rapports/annuel/?organisation={commune.pk}&year={last_year}"),
        ("export des coûts par bâtiment (XLSX)", "gestionnaire", "/rapports/couts/?export=batiments&format=xlsx"),
        ("conformité réglementaire", "gestionnaire", "/maintenance/"),
        ("journée du technicien (données hors ligne)", "technicien", "/terrain/api/donnees/"),
    ]
    result = [{"name": n, "role": r, "method": "GET", "path": p} for n, r, p in pages]
    result += _machine_pages(users["gestionnaire"])
    if tech_order:
        result.append(
            {"name": "synchronisation (1 saisie de temps)", "role": "technicien", "method": "SYNC", "order": tech_order}
        )
    return result


def _machine_pages(manager) -> list[dict]:
    """The lists that other software reads: the REST API with a personal token (created for the
    bench, replacing the previous one) and the public Open311 list of the manager's commune."""
    from .machine_access import machine_access

    found = machine_access(manager, "bench-pages")
    secret = found["api_token"]
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    open311 = f"/open311/v2/requests.json?jurisdiction_id={found['open311_jurisdiction']}"
    return [
        {"name": "API : bons de travail (liste JSON)", "role": "anonyme", "method": "GET",
         "path": "/api/v1/work-orders?limit=50", "headers": api},
        {"name": "API : demandes (liste JSON)", "role": "anonyme", "method": "GET",
         "path": "/api/v1/work-requests?limit=50", "headers": api},
        {"name": "Open311 : demandes (liste publique, vide : le jeu généré n'en a pas)", "role": "anonyme",
         "method": "GET", "path": open311},
    ]  # fmt: skip


def _deep(queryset, ordering, name, depth, params) -> str:
    """The query string of page `depth` of a keyset list: the « Suivant » cursor a user holds after
    walking depth - 1 pages (made by the same paginator as the view, carrying the capped count the
    first page counted), so the benchmark reaches page 2 000 without requesting the 1 999 before."""
    paginator = KeysetPaginator(queryset, ordering, PAGE_SIZE, name=name)
    paginator._count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    rows = queryset.order_by().count()
    depth = min(depth, (rows - 1) // PAGE_SIZE + 1)  # a small dataset has fewer pages: its last one
    if depth <= 1:
        return urlencode(params)
    row = paginator.ordered()[(depth - 1) * PAGE_SIZE - 1]
    return urlencode({**params, "page": paginator.cursor_for(row, backwards=False)})


def _equipment_code(commune) -> str:
    equipment = Equipment.objects.filter(organisation=commune).order_by("code").first()
    return equipment.code if equipment else "eq"


def _request(client, page):
    if page["method"] == "GET":
        return client.get(page["path"], HTTP_HOST="127.0.0.1", **page.get("headers", {}))
    operation = {
        "id": str(uuid.uuid4()),
        "type": "temps",
        "order": str(page["order"].pk),
        "date": date.today().isoformat(),
        "hours": "0.25",
    }
    return client.post(
        "/terrain/api/sync/",
        data=json.dumps({"operations": [operation]}),
        content_type="application/json",
        HTTP_HOST="127.0.0.1",
    )


def _sql_floor(queries) -> float | None:
    """Milliseconds PostgreSQL needs for these queries alone (EXPLAIN ANALYZE of the SELECTs)."""
    if connection.vendor != "postgresql":
        return None
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if sql.startswith("DECLARE "):  # a server-side cursor (a form's choices): its SELECT
                sql = sql.split(" CURSOR WITH HOLD FOR ", 1)[-1]
            if not sql.lstrip(" (").upper().startswith("SELECT"):  # "(SELECT … UNION …" counts too
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            total += plan["Planning Time"] + plan["Execution Time"]
    return round(total, 2)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def profile(client, page, directory: Path, repeat: int) -> None:
    """Where the application's time goes on `page`: cProfile over `repeat` requests, the functions
    that take the most time of their own and the most in all, as text in `directory`."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        _request(client, page)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    slug = "".join(c if c.isalnum() else "-" for c in page["name"].lower())[:60]
    (directory / f"{slug}.txt").write_text(out.getvalue())


def run(repeat: int = 20, warmup: int = 2, only: str = "", profile_dir: str = "") -> dict:
    users = _users()
    clients = {}
    for role, user in users.items():
        clients[role] = Client(enforce_csrf_checks=False)
        clients[role].force_login(user)
    clients["anonyme"] = Client(enforce_csrf_checks=False)  # the API's token, Open311's public list
    results = []
    for page in _pages(users):
        if only and only not in page["name"]:
            continue
        client = clients[page["role"]]
        for _ in range(warmup):
            _request(client, page)
        if profile_dir:
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
            profile(client, page, Path(profile_dir), repeat)
        timings, cpu, statuses, sizes = [], [], set(), []
        queries = 0
        for i in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = _request(client, page)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            statuses.add(response.status_code)
            sizes.append(len(response.content))
            queries = len(captured.captured_queries)
            if i == repeat - 1:
                floor = _sql_floor(captured.captured_queries)
        p50, p95 = statistics.median(timings), percentile(timings, 95)
        results.append(
            {
                "page": page["name"],
                "role": page["role"],
                "path": page.get("path", "/terrain/api/sync/"),
                "status": sorted(statuses),
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "cpu_p95_ms": round(percentile(cpu, 95), 1),
                "sql_queries": queries,
                "sql_alone_ms": floor,
                "server_to_sql_ratio": round(p50 / floor, 1) if floor else None,
                "bytes": int(statistics.median(sizes)),
            }
        )
    with scopes_disabled():
        counts = {
            "work_orders": WorkOrder.objects.count(),
            "buildings": Building.objects.count(),
        }
    return {"database": connection.vendor, "repeat": repeat, "dataset": counts, "pages": results}
