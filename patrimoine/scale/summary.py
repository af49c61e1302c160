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
    print("\nbench/results.json écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
