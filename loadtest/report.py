"""The load test's table (``bin/loadtest`` prints it): per page and role, locust's requests, failures, p50 and p95
(from its ``<prefix>_stats.csv``) beside the SQL queries the plan counted (two pages or two records: "n" when both
made the same number, "n / m" when not) and the time the page took alone (the plan's, through the test client), and
whether the page meets the goal (p95 < 200 ms, no failure).

    python loadtest/report.py var/loadtest/plan.json var/loadtest/run_stats.csv
"""

import csv
import json
import sys
from pathlib import Path

GOAL_P95_MS = 200


def main(plan_path: str, stats_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    with open(stats_path, newline="") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    print("| page (role) | requests | failures | p50 ms | p95 ms | SQL queries | alone ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    missed = []
    for role, entry in plan["roles"].items():
        for page in entry["pages"]:
            name = f"{page['name']} ({role})"
            row = stats.get(name)
            first, second = page["queries"]
            queries = str(first) if first == second else f"{first} / {second}"
            alone = page.get("alone_ms", "-")
            if row is None:
                missed.append(name)
                print(f"| {name} | 0 | 0 | - | - | {queries} | {alone} |")
                continue
            requests, failures = int(row["Request Count"]), int(row["Failure Count"])
            p95 = float(row["95%"])
            if failures or p95 >= GOAL_P95_MS:
                missed.append(name)
            p95_cell = f"**{row['95%']}**" if p95 >= GOAL_P95_MS else row["95%"]
            print(f"| {name} | {requests:,} | {failures:,} | {row['50%']} | {p95_cell} | {queries} | {alone} |")
    total = stats.get("Aggregated")
    if total is not None:
        print(
            f"| all pages | {int(total['Request Count']):,} | {int(total['Failure Count']):,} | {total['50%']} | "
            f"{total['95%']} | | |"
        )
        print(f"\n{float(total['Requests/s']):.1f} requests/s.", end=" ")
    if missed:
        print(f"{len(missed)} pages miss the goal (p95 < {GOAL_P95_MS} ms, no failure): {', '.join(missed)}.")
    else:
        print(f"Every page meets the goal (p95 < {GOAL_P95_MS} ms, no failure).")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
