"""The province-scale data set of the benchmark (``generate_province``) at a tiny size: the counts asked for, valid
and unique ID numbers, the same rows from the same seed, and ``benchmark_dashboards`` printing its table on it."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from audits.models import RectificationItem
from funds.choices import Hop
from funds.models import Loan, Transfer
from households.id_numbers import id_number_parse
from households.models import Household, Member
from organisation.models import Town, Village
from projects.models import IndustryProject, Investment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
TINY = {
    "towns": 2,
    "villages_per_town": 2,
    "households": 12,
    "members": 31,
    "projects": 8,
    "transfers": 40,
    "loans": 4,
    "ledger_items": 6,
}


class Rollback(Exception):
    pass


def generate(seed: int = 7, **sizes) -> str:
    out = io.StringIO()
    call_command("generate_province", seed=seed, today=TODAY, stdout=out, **{**TINY, **sizes})
    return out.getvalue()


def fingerprint() -> dict:
    """What must come out the same from the same seed (primary keys aside: sequences are not rolled back)."""
    return {
        "id_numbers": sorted(Member.objects.values_list("id_number", flat=True)),
        "file_numbers": sorted(Household.objects.values_list("file_number", flat=True)),
        "statuses": sorted(Household.objects.values_list("status", "status_since")),
        "transfers": sorted(Transfer.objects.values_list("hop", "amount", "clock_start", "sent_on", "received_on")),
        "investment": Investment.objects.aggregate(total=Sum("amount"))["total"],
        "loans": sorted(Loan.objects.values_list("amount", "status", "repaid")),
        "ledger": sorted(RectificationItem.objects.values_list("category", "status", "due_date")),
    }


def test_a_tiny_province_has_the_counts_asked_for_and_valid_id_numbers():
    # given an empty database
    # when a tiny province is generated
    output = generate()

    # then it has the towns, villages, households, members, projects, loans and ledger items asked for
    assert Town.objects.count() == TINY["towns"]
    assert Village.objects.count() == TINY["towns"] * TINY["villages_per_town"]
    assert Household.objects.count() == TINY["households"]
    assert Member.objects.count() == TINY["members"]
    assert IndustryProject.objects.count() == TINY["projects"]
    assert Loan.objects.count() == TINY["loans"]
    assert RectificationItem.objects.count() == TINY["ledger_items"]
    # every household has one head, and every ID number is valid (GB 11643), unique, and says the sex and birth date
    assert Member.objects.filter(relation="head").count() == TINY["households"]
    members = list(Member.objects.values_list("id_number", "sex", "birth_date"))
    assert len({number for number, _sex, _born in members}) == len(members)
    for number, sex, born in members:
        resident = id_number_parse(number)
        assert (resident.number, resident.sex, resident.birth_date) == (number, sex, born)
    # the chain goes hop by hop: each forwarding to a station carries what its town received
    for station in Transfer.objects.filter(hop=Hop.TO_STATION).select_related("source"):
        assert (station.source.hop, station.source.amount) == (Hop.TO_TOWN, station.amount)
        assert station.clock_start == station.source.received_on
    # what was flagged overdue is unsent and past its due day
    for transfer in Transfer.objects.exclude(overdue_flagged_at=None):
        assert transfer.sent_on is None and transfer.due_date < TODAY
    # and the command says what it made, table by table, with the time each took
    assert re.search(r"members\s+31 rows\s+[\d.]+ s", output)
    assert re.search(r"Member\s+31\n", output)


def test_the_same_seed_gives_the_same_data_set_and_another_seed_another():
    # given a tiny province generated from seed 7 and rolled back
    try:
        with transaction.atomic():
            generate(seed=7)
            first = fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Household.objects.exists()

    # when it is generated again from seed 7, and then from seed 8
    try:
        with transaction.atomic():
            generate(seed=7)
            again = fingerprint()
            raise Rollback
    except Rollback:
        pass
    generate(seed=8)
    other = fingerprint()

    # then the same seed made the same rows, and another seed other ID numbers and amounts
    assert again == first
    assert other["id_numbers"] != first["id_numbers"]
    assert other["investment"] != first["investment"]


def test_a_database_that_holds_households_is_refused_without_force():
    # given a generated province
    generate()

    # when it is generated again, then it is refused
    with pytest.raises(CommandError, match="already holds 12 households"):
        generate()
    # and with --force a second one is added next to it, under town codes of its own
    generate(force=True)
    assert Household.objects.count() == 2 * TINY["households"]
    assert Town.objects.count() == 2 * TINY["towns"]


def test_benchmark_dashboards_prints_each_page_against_the_goal(clock):
    # given a tiny province
    clock.set(TODAY)
    generate()

    # when the dashboards are measured with two requests each, on a month of figures
    out = io.StringIO()
    call_command("benchmark_dashboards", requests=2, months=1, stdout=out)
    output = out.getvalue()

    # then the month was built, and each dashboard has its line: p50, p95, queries and the verdict
    assert re.search(r"2026-11\s+[\d.]+ s\s+[\d,]+ figures", output)
    summary = output.split("Summary")[1]
    for page in (
        "district dashboard (district office)",
        "town dashboard (town staff)",
        "village dashboard (village clerk)",
    ):
        assert re.search(rf"{re.escape(page)}\s+[\d.]+\s+[\d.]+\s+\d+\s+(meets|MISSES) the goal", summary), page
