"""The summary tables hold what the raw tables say: every figure of generated data, at every level, equals a fresh
computation; the levels add up; the refresh follows the records; and a month's rows are replaced, never doubled."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from households.choices import HouseholdStatus, PovertyCause
from organisation.models import Village
from organisation.periods import previous_month
from organisation.roles import Level, Role
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators import INDICATORS, Indicator, Period
from reporting.indicators.base import Registry
from reporting.models import FigureValue, SummaryBuild
from reporting.services.summary import figures_compute, ratio, summary_build, summary_nightly, summary_refresh
from tests.factories.audits import item_raised, signals_of_each_kind
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.organisation import TownFactory, VillageFactory, post_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    """Three towns of two villages with seeded-random households, members, and every kind of signal (transfers,
    reports, quality problems, project plans, loans) and ledger items in some of them."""
    rng = random.Random(20181017)
    office = post_user(Role.DISTRICT_OFFICE)
    towns = [TownFactory() for _index in range(3)]
    villages = [VillageFactory(town=town) for town in towns for _index in range(2)]
    for village in villages:
        for _index in range(rng.randint(1, 6)):
            household = HouseholdFactory(
                village=village,
                status=rng.choice(list(HouseholdStatus)),
                main_cause=rng.choice(list(PovertyCause)),
            )
            MemberFactory(household=household)
    for index, town in enumerate(towns[:2]):
        signals_of_each_kind(town, villages[index * 2], office, rng.randint(1, 3), month_offset=index * 12)
        for _index in range(rng.randint(1, 3)):
            item_raised(office, town, village=villages[index * 2 + 1])
    return towns, villages


def stored(month: dt.date) -> dict[tuple[str, int, str], Decimal | None]:
    return {(row.level, row.unit_id, row.indicator): row.value for row in FigureValue.objects.filter(month=month)}


def computed(period: Period) -> dict[tuple[str, int, str], Decimal | None]:
    return {
        (str(level), unit_id, code): value for level, unit_id, _parent, code, value in figures_compute(period).rows()
    }


def test_the_summary_equals_a_fresh_computation_from_the_raw_tables(generated):
    # given
    period = Period.of(timezone.localdate())

    # when
    build = summary_build(month=period.month)

    # then
    expected = computed(period)
    assert stored(period.month) == expected
    assert build.rows == len(expected)
    codes = {code for _level, _unit, code in expected}
    assert codes == {indicator.code for indicator in INDICATORS}


def test_every_level_adds_up_from_the_level_below(generated):
    # given
    towns, villages = generated
    period = Period.of(timezone.localdate())
    summary_build(month=period.month)
    figures = stored(period.month)
    district_id = towns[0].district_id

    # then: a sum is the sum of the units below, a ratio the ratio of their sums, a largest-of their largest
    for indicator in INDICATORS:
        for town in towns:
            if indicator.at(Level.VILLAGE):
                below = [
                    figures[("village", village.pk, indicator.code)] for village in villages if village.town == town
                ]
                assert figures[("town", town.pk, indicator.code)] == combined(
                    indicator, below, figures, "town", town.pk
                )
        below = [figures[("town", town.pk, indicator.code)] for town in towns]
        assert figures[("district", district_id, indicator.code)] == combined(
            indicator, below, figures, "district", district_id
        ), indicator.code


def combined(indicator: Indicator, below, figures, level, unit_id):
    if indicator.aggregation == Aggregation.SUM:
        return sum(below, Decimal(0))
    if indicator.aggregation == Aggregation.MAX:
        values = [value for value in below if value is not None]
        return max(values) if values else None
    numerator, denominator = indicator.ratio_of
    return ratio(figures[(level, unit_id, numerator)], figures[(level, unit_id, denominator)])


def test_the_refresh_rebuilds_only_when_records_changed(generated):
    # given: figures built, then nothing changes
    towns, villages = generated
    today = timezone.localdate()
    period = Period.of(today)
    summary_build(month=period.month)
    assert summary_refresh(today=today) is None

    # when: a household is registered and a ledger item raised
    HouseholdFactory(village=villages[0], status=HouseholdStatus.NOT_OUT)
    item_raised(post_user(Role.DISTRICT_OFFICE), towns[2])
    stale = stored(period.month)

    # then: the stored figures lag until the refresh, which brings them level with the records again
    assert stale != computed(period)
    assert summary_refresh(today=today) is not None
    assert stored(period.month) == computed(period)
    district = towns[0].district_id
    assert (
        stored(period.month)[("district", district, "households_registered")]
        == stale[("district", district, "households_registered")] + 1
    )


def test_a_second_build_replaces_the_month_and_leaves_other_months(generated):
    # given
    today = timezone.localdate()
    summary_nightly(today=today)
    before = FigureValue.objects.count()

    # when
    summary_build(month=today.replace(day=1))

    # then
    assert FigureValue.objects.count() == before
    assert set(SummaryBuild.objects.values_list("month", flat=True)) == {today.replace(day=1), previous_month(today)}


def test_a_month_counts_only_what_existed_by_its_last_day(generated):
    # given: the households of the fixture were registered today; the month before had none
    period = Period.of(previous_month(timezone.localdate()))

    # when
    figures = computed(period)

    # then
    assert all(value == 0 for (level, _unit, code), value in figures.items() if code == "households_registered"), (
        "a household registered this month counted for last month"
    )


def test_units_without_records_show_zero_not_nothing(generated):
    # given: a village with no records at all
    empty = VillageFactory(town=generated[0][0])
    period = Period.of(timezone.localdate())

    # when
    figures = computed(period)

    # then
    sums = [
        indicator
        for indicator in INDICATORS
        if indicator.aggregation == Aggregation.SUM and indicator.at(Level.VILLAGE)
    ]
    assert sums
    for indicator in sums:
        assert figures[("village", empty.pk, indicator.code)] == 0


def test_the_registry_refuses_a_code_twice_and_a_ratio_of_unknown_or_mixed_parts():
    def count(code, finest=Level.VILLAGE):
        return Indicator(
            code=code,
            name=code,
            unit=FigureUnit.ITEMS,
            domain=Domain.AUDITS,
            point="",
            definition="",
            compute=lambda period: [],
            finest=finest,
        )

    def share(code, parts):
        return Indicator(
            code=code,
            name=code,
            unit=FigureUnit.PERCENT,
            domain=Domain.AUDITS,
            point="",
            definition="",
            aggregation=Aggregation.RATIO,
            ratio_of=parts,
        )

    registry = Registry()
    registry.add(count("a"), count("b"), count("t", finest=Level.TOWN))
    with pytest.raises(ValueError, match="twice"):
        registry.add(count("a"))
    with pytest.raises(ValueError, match="defined before"):
        registry.add(share("r", ("a", "z")))
    with pytest.raises(ValueError, match="finest"):
        registry.add(share("r", ("a", "t")))
    with pytest.raises(ValueError, match="compute"):
        Indicator(code="x", name="x", unit=FigureUnit.ITEMS, domain=Domain.AUDITS, point="", definition="")


def test_a_ratio_is_rounded_only_once_and_has_no_value_over_nothing():
    assert ratio(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert ratio(Decimal(2), Decimal(3)) == Decimal("66.67")
    assert ratio(Decimal(5), Decimal(0)) is None
    assert ratio(None, Decimal(3)) is None


def test_every_indicator_is_defined_for_the_user():
    for indicator in INDICATORS:
        assert str(indicator.name) and str(indicator.definition), indicator.code
        assert indicator.levels, indicator.code


def test_villages_of_the_tree_are_all_in_the_figures(generated):
    period = Period.of(timezone.localdate())
    figures = computed(period)
    villages = {unit for level, unit, _code in figures if level == "village"}
    assert villages == set(Village.objects.values_list("pk", flat=True))


def test_on_a_generated_province_every_stored_figure_equals_the_raw_tables(clock):
    # given a small province from the benchmark's generator (every domain: households, the funds chain, loans,
    # projects with income and yields, ledger items), dated up to its "today"
    today = clock.set("2026-11-20")
    call_command(
        "generate_province",
        seed=11,
        today=today,
        towns=3,
        villages_per_town=3,
        households=40,
        members=100,
        projects=12,
        transfers=60,
        loans=8,
        ledger_items=10,
        stdout=io.StringIO(),
    )

    for month in (today.replace(day=1), previous_month(today)):
        # when the month's figures are stored
        summary_build(month=month)

        # then each equals a fresh computation from the raw tables, and most are not zero
        expected = computed(Period(month))
        assert stored(month) == expected
    nonzero = {code for (_level, _unit, code), value in expected.items() if value}
    assert len(nonzero) > len(INDICATORS) // 3, sorted(nonzero)
