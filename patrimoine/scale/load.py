"""The load test: `python -m patrimoine.scale.load --size commune` (`make bench-load`).

1. Copies the generated dataset's database (`patrimoine_bench_<size>`, made by `generate_dataset`)
   with `CREATE DATABASE … TEMPLATE`: the dataset itself stays untouched (signing in writes
   sessions, the API needs a token, Open311 needs published services — all of that goes to the copy,
   which is dropped at the end).
2. Starts gunicorn with several workers on a loopback port (with deploy/gunicorn.conf.py when the
   repository has one, the worker count given on the command line), cache and rate limits in Redis.
3. Signs the dataset's people in through the real sign-in form and lists what each may open.
4. Runs Locust headless (bench/locustfile.py) for the given time, sampling every gunicorn worker's
   resident memory meanwhile.
5. Writes bench/results/load-<size>.json: throughput, p50/p95/p99 and failures per page and overall,
   peak RSS per worker, the machine's load average before and after (the machine may be shared).
"""

import argparse
import csv
import json
import os
import re
import secrets
import subprocess  # noqa: S404 — Locust and gunicorn are separate programs
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RESULTS = BASE_DIR / "bench" / "results"
LOCUSTFILE = BASE_DIR / "bench" / "locustfile.py"
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"
PEOPLE = {  # how many of each the load plays (signed in once each, before the measurement)
    "chef": 6,
    "technicien": 10,
    "gestionnaire": 2,
}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def copy_database(source_url: str, copy_name: str) -> str:
    """`CREATE DATABASE copy TEMPLATE source` (a file copy; nobody may be connected to the source)."""
    from psycopg import sql

    source = urlsplit(source_url).path.lstrip("/")
    with _admin(source_url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy_name)))
        for attempt in range(30):
            try:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy_name), sql.Identifier(source))
                )
                break
            except Exception as error:  # noqa: BLE001 — « source database is being accessed by other users »
                if "being accessed" not in str(error) or attempt == 29:
                    raise
                time.sleep(2)
    return _with_database(source_url, copy_name)


def drop_database(url: str) -> None:
    from psycopg import sql

    with _admin(url) as admin:
        name = urlsplit(url).path.lstrip("/")
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- What the people may open (read in this process, on the copy) ---------------------------------


def prepare() -> dict:
    """The people to sign in and, for each, the orders and buildings they may open; an API token
    and the Open311 services (written to the copy only)."""
    from django_scopes import scope, scopes_disabled

    from patrimoine.accounts.models import User
    from patrimoine.assets.selectors import buildings_visible_to
    from patrimoine.organisations.access import access_for_user
    from patrimoine.organisations.models import Membership
    from patrimoine.scale.dataset import PASSWORD, PREFIX
    from patrimoine.scale.machine_access import machine_access
    from patrimoine.workorders.selectors import work_orders_visible_to

    Role = Membership.Role
    roles = {"chef": Role.TEAM_LEAD, "technicien": Role.TECHNICIAN, "gestionnaire": Role.MANAGER}
    people: dict[str, list] = {}
    with scopes_disabled():
        for label, role in roles.items():
            users = list(
                User.objects.filter(username__startswith=PREFIX, memberships__role=role, is_active=True)
                .order_by("username")
                .distinct()[: PEOPLE[label] * 3]
            )
            people[label] = []
            for user in users:
                access = access_for_user(user)
                with scope(organisation=sorted(access.read_org_ids)):
                    orders = list(
                        work_orders_visible_to(access).order_by("-created_at").values_list("pk", flat=True)[:200]
                    )
                    buildings = list(buildings_visible_to(access).order_by("code").values_list("pk", flat=True)[:200])
                if orders and (buildings or label == "technicien"):
                    people[label].append(
                        {
                            "username": user.username,
                            "orders": [str(pk) for pk in orders],
                            "buildings": [str(pk) for pk in buildings] or [],
                        }
                    )
                if len(people[label]) == PEOPLE[label]:
                    break
            if not people[label]:
                raise SystemExit(f"Aucun « {label} » dans le jeu de données : lancez generate_dataset.")
        manager = User.objects.get(username=people["gestionnaire"][0]["username"])
        machines = machine_access(manager, "bench-load")
    return {"people": people, "password": PASSWORD, **machines}


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the real form; the Cookie header of the session."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/compte/connexion/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/compte/connexion/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"Connexion impossible pour {username} (HTTP {answer.status_code}).")
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


# --- Memory of the workers ------------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """Every 0.5 s: the resident memory of each gunicorn worker (children of the master), and the CPU
    time used by the workers and by the PostgreSQL backends serving `database` — on a shared machine
    the CPU time per request says what the page costs, whatever the neighbours do."""

    def __init__(self, master_pid: int, database: str):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.database = database
        self.peaks: dict[int, int] = {}
        self.master_peak = 0
        self.cpu_start: dict[int, float] = {}
        self.cpu_now: dict[int, float] = {}
        self.db_start: dict[int, float] = {}
        self.db_now: dict[int, float] = {}
        self.running = True
        self._sample()  # the baseline, before the load starts

    def _sample(self) -> None:
        import psutil

        try:
            master = psutil.Process(self.master_pid)
            self.master_peak = max(self.master_peak, master.memory_info().rss)
            for child in master.children():
                with child.oneshot():
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), child.memory_info().rss)
                    times = child.cpu_times()
                self.cpu_start.setdefault(child.pid, times.user + times.system)
                self.cpu_now[child.pid] = times.user + times.system
        except psutil.Error:
            pass
        marker = f" {self.database} "
        for process in psutil.process_iter(["name", "cmdline"]):
            try:
                if process.info["name"] != "postgres" or marker not in " ".join(process.info["cmdline"] or []) + " ":
                    continue
                times = process.cpu_times()
            except psutil.Error:
                continue
            self.db_start.setdefault(process.pid, times.user + times.system)
            self.db_now[process.pid] = times.user + times.system

    def run(self) -> None:
        while self.running:
            time.sleep(0.5)
            self._sample()

    def stop(self) -> dict:
        self.running = False
        self.join(5)
        self._sample()
        mib = 1024 * 1024
        return {
            "peak_rss_mib_per_worker": [round(v / mib, 1) for _pid, v in sorted(self.peaks.items())],
            "peak_rss_mib_master": round(self.master_peak / mib, 1),
            "workers_cpu_s": round(sum(self.cpu_now[p] - self.cpu_start[p] for p in self.cpu_now), 2),
            "database_cpu_s": round(sum(self.db_now[p] - self.db_start[p] for p in self.db_now), 2),
        }


# --- Locust and its results ----------------------------------------------------------------------------


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_stats(prefix: Path) -> dict:
    pages, total = [], {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entry = {
                "page": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": round(_number(row["Requests/s"]) or 0, 1),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "mean_ms": round(_number(row["Average Response Time"]) or 0, 1),
                "mean_bytes": round(_number(row["Average Content Size"]) or 0),
            }
            if row["Name"] == "Aggregated":
                total = entry
            else:
                pages.append(entry)
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as handle:
            failures = [
                {"page": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])} for r in csv.DictReader(handle)
            ]
    return {"pages": sorted(pages, key=lambda p: -p["requests"]), "total": total, "failures": failures}


def run(args) -> dict:
    source = args.database_url or os.environ.get(
        "BENCH_DATASET_DB", f"postgres://postgres@127.0.0.1:5432/patrimoine_bench_{args.size}"
    )
    copy_url = copy_database(source, f"{urlsplit(source).path.lstrip('/')}_load")
    os.environ["DATABASE_URL"] = copy_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patrimoine.settings")
    import django

    django.setup()
    from patrimoine.scale.processes import App, app_environment

    app = None
    try:
        plan = prepare()
        env = app_environment(
            copy_url,
            SECRET_KEY=secrets.token_urlsafe(40),  # one key for the run: the servers' sessions are signed with it
            REDIS_URL=args.redis_url,
            CACHE_KEY_PREFIX=f"bench-load-{os.getpid()}",
            MEDIA_ROOT=tempfile.mkdtemp(prefix="patrimoine-load-media-"),
        )
        app = App(env)
        extra = ("--config", str(GUNICORN_CONF)) if GUNICORN_CONF.exists() else ()
        _port, master = app.start_server(workers=args.workers, threads=args.threads, extra_args=extra)
        app.wait_ready(seconds=180)
        base = app.url(0)
        for people in plan["people"].values():
            for person in people:
                person["cookie"] = sign_in(base, person["username"], plan["password"])
        plan_file = Path(tempfile.mkstemp(prefix="patrimoine-load-", suffix=".json")[1])
        plan_file.write_text(json.dumps(plan))
        _warm_up(base, plan)

        users = args.users or sum(len(p) for p in plan["people"].values()) + 2
        prefix = Path(tempfile.mkdtemp(prefix="patrimoine-locust-")) / "load"
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
        command += ["--host", base, "-u", str(users), "-r", str(users), "-t", f"{args.seconds}s"]
        command += ["--csv", str(prefix), "--loglevel", "WARNING", "--stop-timeout", "5"]
        load_before = os.getloadavg()
        sampler = RssSampler(master.pid, urlsplit(copy_url).path.lstrip("/"))
        sampler.start()
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603
            command,
            env={**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_WAIT_MAX": str(args.wait_max)},
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.monotonic() - started
        memory = sampler.stop()
        load_after = os.getloadavg()
        if not Path(f"{prefix}_stats.csv").exists():
            raise SystemExit(f"Locust n'a rien mesuré :\n{done.stderr[-3000:]}")
        stats = read_stats(prefix)
        plan_file.unlink(missing_ok=True)
    finally:
        if app is not None:
            app.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep_copy:
            drop_database(copy_url)
    return {
        "size": args.size,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "server": {
            "program": "gunicorn",
            "config": str(GUNICORN_CONF.relative_to(BASE_DIR)) if GUNICORN_CONF.exists() else "command-line flags",
            "workers": args.workers,
            "threads": args.threads,
            "cache": "redis",
            "debug": False,
        },
        "load": {
            "tool": "locust (FastHttpUser), headless, on the same machine",
            "users": users,
            "think_time_s": f"0–{args.wait_max}",
            "seconds": args.seconds,
            "elapsed_s": round(elapsed, 1),
        },
        "throughput_rps": stats["total"].get("per_second"),
        "requests": stats["total"].get("requests"),
        "failures": stats["total"].get("failures"),
        "p50_ms": stats["total"].get("p50_ms"),
        "p95_ms": stats["total"].get("p95_ms"),
        "p99_ms": stats["total"].get("p99_ms"),
        "pages": stats["pages"],
        "failure_details": stats["failures"],
        **memory,
        **_cpu_per_request(memory, stats["total"].get("requests") or 0),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "cpu_count": os.cpu_count(),
    }


def _cpu_per_request(memory: dict, requests: int) -> dict:
    """CPU milliseconds per request (workers, database) and the request rate the machine's cores
    would give if the application and the database had them to themselves (Locust's share aside)."""
    if not requests:
        return {}
    app_ms = 1000 * memory["workers_cpu_s"] / requests
    db_ms = 1000 * memory["database_cpu_s"] / requests
    return {
        "app_cpu_ms_per_request": round(app_ms, 1),
        "database_cpu_ms_per_request": round(db_ms, 1),
        "cpu_bound_capacity_rps": round((os.cpu_count() or 1) * 1000 / (app_ms + db_ms), 1) if app_ms + db_ms else None,
    }


def _warm_up(base: str, plan: dict) -> None:
    """Each page once per kind of person, so that the measurement starts on warm caches."""
    import requests

    for label, paths in {
        "chef": ["/", "/bons/", "/bons/?statut=ouverts&tri=-priorite", "/bons/?q=fuite"],
        "technicien": ["/terrain/api/donnees/"],
        "gestionnaire": ["/patrimoine/?q=ecole"],
    }.items():
        for person in plan["people"][label]:
            headers = {"Cookie": person["cookie"]}
            for path in [*paths, f"/bons/{person['orders'][0]}/"]:
                requests.get(base + path, headers=headers, timeout=120)
    requests.get(f"{base}/api/v1/work-orders", headers={"Authorization": f"Bearer {plan['api_token']}"}, timeout=120)
    requests.get(f"{base}/open311/v2/requests.json?jurisdiction_id={plan['open311_jurisdiction']}", timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="commune", help="dataset size (its database is patrimoine_bench_<size>)")
    parser.add_argument("--database-url", default="", help="the dataset's database (default: BENCH_DATASET_DB)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=0, help="concurrent Locust users (default: one per person + 2)")
    parser.add_argument("--wait-max", type=float, default=0.0, help="think time between pages, 0 to this (s)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--keep-copy", action="store_true", help="keep the copy of the database afterwards")
    args = parser.parse_args()
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"load-{args.size}.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k not in ("pages", "failure_details")}, ensure_ascii=False))
    print(f"{target} écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
