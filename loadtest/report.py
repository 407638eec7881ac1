"""The load test's table (``bin/loadtest`` prints it): per page and role, locust's requests, failures, p50 and p95
(from its ``<prefix>_stats.csv``) beside the SQL queries the plan counted (two pages or two records: "n" when both
made the same number, "n / m" when not) and the time the page took alone (the plan's, through the test client), and
whether the page meets the goal (p95 < 200 ms, no failure).

    python loadtest/report.py var/loadtest/plan.json var/loadtest/run_stats.csv
    python loadtest/report.py var/loadtest/plan.json var/loadtest/run1_stats.csv var/loadtest/run2_stats.csv ...

Given several runs (``RUNS=5 bin/loadtest``), the table is the last run's, followed by a line per run: whether a
page's p95 stays under the goal is decided by its few slowest requests, so one run says little about the next.
"""

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

GOAL_P95_MS = 200


@dataclass
class Run:
    rows: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    total: dict | None = None


def run_read(plan: dict, stats_path: str) -> Run:
    with open(stats_path, newline="") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    run = Run(total=stats.get("Aggregated"))
    for role, entry in plan["roles"].items():
        for page in entry["pages"]:
            name = f"{page['name']} ({role})"
            row = stats.get(name)
            first, second = page["queries"]
            queries = str(first) if first == second else f"{first} / {second}"
            alone = page.get("alone_ms", "-")
            if row is None:
                run.missed.append(name)
                run.rows.append(f"| {name} | 0 | 0 | - | - | {queries} | {alone} |")
                continue
            requests, failures = int(row["Request Count"]), int(row["Failure Count"])
            p95 = float(row["95%"])
            run.slowest = max(run.slowest, (p95, name))
            if failures or p95 >= GOAL_P95_MS:
                run.missed.append(name)
            p95_cell = f"**{row['95%']}**" if p95 >= GOAL_P95_MS else row["95%"]
            cells = [name, f"{requests:,}", f"{failures:,}", row["50%"], p95_cell, queries, alone]
            run.rows.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return run


def main(plan_path: str, *stats_paths: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    runs = [run_read(plan, path) for path in stats_paths]
    last = runs[-1]
    print("| page (role) | requests | failures | p50 ms | p95 ms | SQL queries | alone ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(last.rows))
    total = last.total
    if total is not None:
        print(
            f"| all pages | {int(total['Request Count']):,} | {int(total['Failure Count']):,} | {total['50%']} | "
            f"{total['95%']} | | |"
        )
        print(f"\n{float(total['Requests/s']):.1f} requests/s.", end=" ")
    if last.missed:
        missed = ", ".join(last.missed)
        print(f"{len(last.missed)} pages miss the goal (p95 < {GOAL_P95_MS} ms, no failure): {missed}.")
    else:
        print(f"Every page meets the goal (p95 < {GOAL_P95_MS} ms, no failure).")
    if len(runs) > 1:
        print("\n| run | requests/s | p50 / p95 ms, all pages | slowest page's p95 ms | pages missing the goal |")
        print("|---:|---:|---|---|---|")
        for number, run in enumerate(runs, start=1):
            rate = f"{float(run.total['Requests/s']):.1f}" if run.total else "-"
            overall = f"{run.total['50%']} / {run.total['95%']}" if run.total else "-"
            p95, name = run.slowest
            print(f"| {number} | {rate} | {overall} | {p95:.0f} ({name}) | {len(run.missed)} |")
        met = sum(1 for run in runs if not run.missed)
        print(f"\nEvery page met the goal in {met} of {len(runs)} runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
