"""The demo's figures: twelve months computed from the demo records, so the dashboards have trends to show."""

import datetime as dt

from django.utils import timezone

from organisation.enqueue import enqueue
from organisation.periods import month_start, previous_month
from reporting.selectors import summary_builds
from reporting.services.summary import summary_build

DEMO_MONTHS = 12
# The months the dashboards open on (this one and the last) are computed before the demo is ready; with
# ``background`` the ten before them are left to the worker.
MONTHS_FIRST = 2


def demo_months(today: dt.date | None = None) -> list[dt.date]:
    """The first days of the demo's twelve months, this one first."""
    month = month_start(today or timezone.localdate())
    months = []
    for _index in range(DEMO_MONTHS):
        months.append(month)
        month = previous_month(month)
    return months


def demo_figures_load(*, background: bool = False, months: int = DEMO_MONTHS) -> tuple[int, int]:
    """Compute the figures of the demo's months that have none yet (a second load computes nothing). With
    ``background``, only the first ``MONTHS_FIRST`` now and the others sent to the worker (computed now if the job
    service cannot be reached). ``months`` fewer than twelve: only the latest ones (the tests, which need no trend).
    Returns (figures stored now, months sent to the worker)."""
    # Imported here: the tasks module imports the services this module's callers load first.
    from reporting.tasks import build_figures_of_month

    built = summary_builds()
    rows, sent = 0, 0
    for index, month in enumerate(demo_months()[:months]):
        if month in built:
            continue
        if background and index >= MONTHS_FIRST and enqueue(build_figures_of_month, args=[month.isoformat()]):
            sent += 1
            continue
        rows += summary_build(month=month).rows
    return rows, sent
