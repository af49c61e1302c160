"""`python -m patrimoine.scale.summary`: gathers bench/results/*.json into bench/results.json and prints
a readable table of the pages against their budgets."""

import json
import sys
from pathlib import Path

RESULTS = Path("bench/results")
BUDGET_MS = 25  # p95 of list, detail, search and technician pages
DASHBOARD_BUDGET_MS = 150  # p95 of dashboards and reports (/rapports/…)
BUDGET_QUERIES = 10


def main() -> int:
    merged = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    Path("bench/results.json").write_text(json.dumps(merged, indent=2, ensure_ascii=False))
    for name, result in merged.items():
        if not name.startswith("pages-"):
            continue
        print(f"\n{name} — {result['dataset']}")
        print(f"{'page':48} {'p50':>7} {'p95':>7} {'cpu p95':>8} {'SQL':>4} {'SQL ms':>7} {'ratio':>6}")
        for page in result["pages"]:
            dashboard = "tableau de bord" in page["page"] or page["path"].startswith("/rapports/")
            budget = DASHBOARD_BUDGET_MS if dashboard else BUDGET_MS
            flag = "" if page["p95_ms"] <= budget and page["sql_queries"] <= BUDGET_QUERIES else "  ← hors budget"
            print(
                f"{page['page'][:48]:48} {page['p50_ms']:7.1f} {page['p95_ms']:7.1f} {page['cpu_p95_ms']:8.1f} "
                f"{page['sql_queries']:4d} {page['sql_alone_ms'] or 0:7.1f} "
                f"{page['server_to_sql_ratio'] or 0:6.1f}{flag}"
            )
    print_load(merged)
    print("\nbench/results.json écrit.")
    return 0


LOAD_BUDGET_RPS, LOAD_BUDGET_P95_MS = 150, 50  # HTML pages/s of the mix at p95 ≤ 50 ms


def print_load(merged: dict) -> None:
    """The load tests (bench/results/load-<size>.json, written by `make bench-load`)."""
    for name, result in merged.items():
        if not name.startswith("load-"):
            continue
        server, load = result["server"], result["load"]
        print(
            f"\n{name} — {server['program']} {server['workers']} workers × {server['threads']} thread(s), "
            f"{load['users']} utilisateurs Locust, {load['seconds']} s, charge machine {result['load_average_before']}"
        )
        flag = (
            ""
            if result["throughput_rps"] >= LOAD_BUDGET_RPS and result["p95_ms"] <= LOAD_BUDGET_P95_MS
            else "  ← hors budget"
        )
        print(
            f"débit {result['throughput_rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"{result['failures']} échecs / {result['requests']}; RSS max par worker "
            f"{result['peak_rss_mib_per_worker']} Mio{flag}"
        )
        if result.get("app_cpu_ms_per_request") is not None:
            print(
                f"CPU par requête : application {result['app_cpu_ms_per_request']} ms, base "
                f"{result['database_cpu_ms_per_request']} ms → au plus {result['cpu_bound_capacity_rps']} req/s "
                f"sur {result['cpu_count']} cœurs pour l'application et la base seules"
            )
        print(f"{'page':48} {'req/s':>6} {'p50':>7} {'p95':>7} {'échecs':>6}")
        for page in result["pages"]:
            print(
                f"{page['page'][:48]:48} {page['per_second']:6.1f} {page['p50_ms'] or 0:7.0f} "
                f"{page['p95_ms'] or 0:7.0f} {page['failures']:6d}"
            )


if __name__ == "__main__":
    sys.exit(main())
