"""The demo's figures: twelve months computed from the demo records, so the dashboards have trends to show."""

from django.utils import timezone

from organisation.periods import month_start, previous_month
from reporting.services.summary import summary_build

DEMO_MONTHS = 12


def demo_figures_load() -> int:
    """Compute the figures of the last twelve months (this one included); the number of figures stored."""
    month = month_start(timezone.localdate())
    rows = 0
    for _index in range(DEMO_MONTHS):
        rows += summary_build(month=month).rows
        month = previous_month(month)
    return rows
