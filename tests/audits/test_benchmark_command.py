"""The ledger benchmark command at a tiny size: it measures every figure and leaves the database as it found it."""

import io
import re

import pytest
from django.core.management import call_command

from audits.models import LookBack, Measure, RectificationItem, SupervisionOrder
from organisation.models import Town


@pytest.mark.django_db
def test_the_benchmark_measures_each_figure_and_rolls_everything_back():
    # given an empty ledger
    towns = Town.objects.count()
    output = io.StringIO()
    # when the benchmark runs at two tiny sizes
    options = {"items": 60, "baseline": 30, "seed": 1, "requests": 1, "rounds": 1, "export_seconds": 0}
    call_command("benchmark_audits", **options, stdout=output)
    # then it printed the scans, the list pages and the export at both sizes
    text = output.getvalue()
    assert re.search(r"^30 items: generated .* 30 RectificationItem", text, re.MULTILINE)
    assert re.search(r"^60 items: generated .* 60 RectificationItem", text, re.MULTILINE)
    summary = text.split("\nSummary")[1]
    for label in ("scan: first", "scan: nothing new", "list: office, last page", "list: town staff, page 1"):
        assert re.search(rf"{label}\s+[\d.]+ (s|ms)\s+\d+ q\s+[\d.]+ (s|ms)\s+\d+ q", summary), label
    assert re.search(r"export: ours / plain\s+[\d.]+x\s+[\d.]+x", summary)
    # and nothing it wrote is left
    assert text.rstrip().endswith("Everything written was rolled back.")
    assert not RectificationItem.objects.exists()
    assert not (Measure.objects.exists() or LookBack.objects.exists() or SupervisionOrder.objects.exists())
    assert Town.objects.count() == towns
