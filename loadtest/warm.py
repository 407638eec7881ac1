"""Warm every gunicorn process before the timed run (``bin/loadtest``): each GET page of the plan is opened ``rounds``
times, a few at once, with its role's session, so that every process has compiled the page's templates, loaded its
translations and opened its database connection before locust starts timing. Otherwise a 90-second run times each
process's first visit of each of the 34 pages, and those cold requests (several times slower) make the p95.

    python loadtest/warm.py var/loadtest/plan.json http://127.0.0.1:8765 10
"""

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def main(plan_path: str, host: str, rounds: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    requests = []
    for entry in plan["roles"].values():
        cookie = f"sessionid={entry['session']}"
        for page in entry["pages"]:
            if page["method"] == "GET":
                headers = {**page["headers"], "Cookie": cookie}
                requests += [(host + url, headers) for url in page["urls"][:1]] * int(rounds)

    def get(request):
        url, headers = request
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            response.read()
            return response.status

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(get, requests))
    failed = sum(status != 200 for status in statuses)
    print(f"[loadtest] Warmed: {len(statuses)} requests in {time.perf_counter() - started:.1f} s, {failed} not 200.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
