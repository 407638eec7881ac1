"""The household figures (``reporting.indicators.households``) against a small district whose every figure is counted
by hand: each figure at village, town and district level for this month and the month before; a household entered
after a month's end is not in that month; and each figure's records: the list its URL opens counts what it counts.

The district (T1, T2, T3 are towns; V1..V4 villages; "long ago" is 2018; M is the first day of this month):

    V1 (T1, key village, care room since long ago)
      h1  not out, illness; cadre A since long ago; also cadre D (over cap) until after this month; dibao since long
          ago; grade B; members: head, a child of 10 in primary school, a child of 14 in school but at risk of dropping
          out; a data-quality problem (information) found long ago, resolved today
      h2  not out until M, then out (policies continue): exit this month; disability; cadre E from M; head not
          insured; grade C, no plan
      h3  out (policies continue) long ago, out (policies ended) from M: not an exit; illness; no cadre (needed
          the month before, not since); grade D renovated long ago
    V2 (T1, key village, care room opened on M)
      h4  out long ago, returned on M; schooling; cadre B released long ago; dibao ended long ago; grade C with a
          plan under way; drinking water difficult; a problem (exit) open since long ago
      h5  marginal, entered today; no labour; head, a child of 8 not in school, not insured, with a left-behind file
    V3 (T2, not a key village)
      h6  not out, illness; cadre D; dibao from M; grade D renovated on M; head and a member not insured, a
          teenager of 16 (not counted as a child) with a left-behind file; stays: exactly 10% (long ago), 9.995%,
          45% at an undesignated hospital, 33.33% (on M); a problem (identification) found today, one (file)
          resolved long ago
      h7  not out, other cause; cadre D; drinking water difficult
      h8, h9  not out, other cause; cadre D
      h10 not out, other cause; cadre D; entered in the month before
    V4 (T3, key village, no care room, no households)
"""

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from households.choices import HouseholdStatus, HousingGrade, PovertyCause, SchoolStage
from households.models import ProblemClass, QualityProblem
from households.quality_rules import rule_get
from households.selectors.lifecycle import households_without_cadre
from households.selectors.welfare import years_before
from households.services.quality import quality_check_run, quality_run_create
from organisation.periods import previous_month
from organisation.roles import Level, Role
from reporting.choices import Aggregation, Domain
from reporting.indicators import INDICATORS, Period
from reporting.services.summary import figures_compute, ratio
from tests.factories.household_records import (
    cadre_helping,
    cadre_made,
    care_room,
    dibao_enrolled,
    entered_on,
    hospital_stay,
    left_behind,
    noon,
    quality_problem,
    renovation,
    status_changes,
)
from tests.factories.households import HouseholdFactory, MemberFactory, member_born
from tests.factories.organisation import TownFactory, VillageFactory, post_user

pytestmark = pytest.mark.django_db

THIS = Period.of(timezone.localdate())
BEFORE = Period(previous_month(THIS.month))
M = THIS.month
LONG_AGO = dt.date(2018, 1, 15)
NOT_OUT, OUT_CONTINUING, OUT_ENDED, RETURNED, MARGINAL = (
    HouseholdStatus.NOT_OUT,
    HouseholdStatus.OUT_CONTINUING,
    HouseholdStatus.OUT_ENDED,
    HouseholdStatus.RETURNED,
    HouseholdStatus.MARGINAL,
)


def born_aged(years: int) -> dt.date:
    """A birth date that makes someone ``years`` old all through this month and the month before."""
    return years_before(M, years) - dt.timedelta(days=60)


def household(village, cause=PovertyCause.OTHER, *, entered=LONG_AGO, **fields):
    made = HouseholdFactory(village=village, main_cause=cause, **fields)
    return entered_on(made, entered) if entered else made


@pytest.fixture
def district():
    towns = {name: TownFactory() for name in ("T1", "T2", "T3")}
    units = {
        "V1": VillageFactory(town=towns["T1"], is_key_village=True),
        "V2": VillageFactory(town=towns["T1"], is_key_village=True),
        "V3": VillageFactory(town=towns["T2"]),
        "V4": VillageFactory(town=towns["T3"], is_key_village=True),
    }
    units.update(towns)
    v1, v2, v3 = units["V1"], units["V2"], units["V3"]
    care_room(v1, dt.date(2018, 1, 1))
    care_room(v2, M)
    cadre_a, cadre_b, cadre_d, cadre_e = (cadre_made() for _index in range(4))

    # V1
    h1 = household(v1, PovertyCause.ILLNESS, housing_grade=HousingGrade.B)
    MemberFactory(household=h1)
    member_born(h1, born_aged(10), school_stage=SchoolStage.PRIMARY)
    member_born(h1, born_aged(14), school_stage=SchoolStage.JUNIOR, dropout_risk=True)
    cadre_helping(cadre_a, h1, dt.date(2018, 2, 1))
    # Cadre D helps h1 first, and five more households from later on: six on each day of both months.
    cadre_helping(cadre_d, h1, dt.date(2018, 1, 20), released_on=THIS.as_of + dt.timedelta(days=1))
    dibao_enrolled(h1, dt.date(2018, 3, 1))
    quality_problem(h1, ProblemClass.INFORMATION, found_at=noon(dt.date(2018, 5, 1)), resolved_at=timezone.now())

    h2 = household(v1, PovertyCause.DISABILITY, housing_grade=HousingGrade.C)
    status_changes(h2, (OUT_CONTINUING, M))
    MemberFactory(household=h2, medical_insurance=False)
    cadre_helping(cadre_e, h2, M)

    h3 = household(v1, PovertyCause.ILLNESS, housing_grade=HousingGrade.D)
    status_changes(h3, (OUT_CONTINUING, dt.date(2018, 3, 1)), (OUT_ENDED, M))
    MemberFactory(household=h3)
    renovation(h3, completed_on=dt.date(2018, 6, 1))

    # V2
    h4 = household(v2, PovertyCause.SCHOOLING, housing_grade=HousingGrade.C, drinking_water_difficult=True)
    status_changes(h4, (OUT_CONTINUING, dt.date(2018, 2, 1)), (RETURNED, M))
    MemberFactory(household=h4)
    cadre_helping(cadre_b, h4, dt.date(2018, 2, 1), released_on=dt.date(2018, 5, 1))
    dibao_enrolled(h4, dt.date(2018, 2, 1), ends_on=dt.date(2018, 6, 30))
    renovation(h4)
    quality_problem(h4, ProblemClass.EXIT, found_at=noon(dt.date(2018, 6, 1)))

    h5 = household(v2, PovertyCause.NO_LABOUR, entered=None)
    status_changes(h5, (MARGINAL, M))
    MemberFactory(household=h5)
    left_behind(member_born(h5, born_aged(8), medical_insurance=False))

    # V3
    h6 = household(v3, PovertyCause.ILLNESS, housing_grade=HousingGrade.D)
    head = MemberFactory(household=h6, medical_insurance=False)
    member = member_born(h6, medical_insurance=False)
    left_behind(member_born(h6, born_aged(16)))
    dibao_enrolled(h6, M)
    renovation(h6, completed_on=M)
    hospital_stay(head, total_cost="1000.00", self_paid="100.00", admitted_on=dt.date(2018, 6, 1))
    hospital_stay(head, total_cost="10000.00", self_paid="999.50", admitted_on=dt.date(2018, 6, 1))
    hospital_stay(member, total_cost="1000.00", self_paid="450.00", admitted_on=dt.date(2018, 6, 1), designated=False)
    hospital_stay(member, total_cost="3.00", self_paid="1.00", admitted_on=M)
    quality_problem(h6, ProblemClass.IDENTIFICATION, found_at=timezone.now())
    quality_problem(h6, ProblemClass.FILE, found_at=noon(dt.date(2018, 6, 1)), resolved_at=noon(dt.date(2018, 7, 1)))
    h7 = household(v3, drinking_water_difficult=True)
    h8, h9 = household(v3), household(v3)
    h10 = household(v3, entered=BEFORE.month + dt.timedelta(days=14))
    for helped in (h6, h7, h8, h9, h10):
        cadre_helping(cadre_d, helped, dt.date(2018, 2, 1))
    return units


# The figures counted by hand at their finest level (villages V1..V4, or towns T1..T3 for the figures of towns):
# {code: (this month, the month before)}; a unit not named is 0. Ratios are made from their parts.
EXPECTED = {
    "households_registered": ({"V1": 3, "V2": 2, "V3": 5}, {"V1": 3, "V2": 1, "V3": 5}),
    "households_not_out": ({"V1": 1, "V3": 5}, {"V1": 2, "V3": 5}),
    "households_out": ({"V1": 2}, {"V1": 1, "V2": 1}),
    "households_returned": ({"V2": 1}, {}),
    "households_marginal": ({"V2": 1}, {}),
    "households_cause_illness": ({"V1": 2, "V3": 1}, {"V1": 2, "V3": 1}),
    "households_cause_disability": ({"V1": 1}, {"V1": 1}),
    "households_cause_schooling": ({"V2": 1}, {"V2": 1}),
    "households_cause_disaster": ({}, {}),
    "households_cause_no_land": ({}, {}),
    "households_cause_no_water": ({}, {}),
    "households_cause_no_skills": ({}, {}),
    "households_cause_no_labour": ({"V2": 1}, {}),
    "households_cause_no_funds": ({}, {}),
    "households_cause_poor_transport": ({}, {}),
    "households_cause_lack_of_drive": ({}, {}),
    "households_cause_other": ({"V3": 4}, {"V3": 4}),
    "members_registered": ({"V1": 5, "V2": 3, "V3": 3}, {"V1": 5, "V2": 1, "V3": 3}),
    "households_added_in_month": ({"V2": 1}, {"V3": 1}),
    "households_exited_in_month": ({"V1": 1}, {}),
    "households_returned_in_month": ({"V2": 1}, {}),
    "households_without_cadre": ({"V2": 1}, {"V1": 2, "V2": 1}),
    "cadres_over_cap": ({"T1": 1}, {"T1": 1}),
    "quality_problems_open": ({"T1": 1, "T2": 1}, {"T1": 2}),
    "quality_problems_open_identification": ({"T2": 1}, {}),
    "quality_problems_open_exit": ({"T1": 1}, {"T1": 1}),
    "quality_problems_open_information": ({}, {"T1": 1}),
    "quality_problems_open_file": ({}, {}),
    "towns_with_zero_errors": ({"T3": 1}, {"T2": 1, "T3": 1}),
    "households_with_problems": ({"V2": 1, "V3": 1}, {"V1": 1, "V2": 1}),
    "households_dibao": ({"V1": 1, "V3": 1}, {"V1": 1}),
    "members_uninsured": ({"V1": 1, "V2": 1, "V3": 2}, {"V1": 1, "V3": 2}),
    "households_uninsured_member": ({"V1": 1, "V2": 1, "V3": 1}, {"V1": 1, "V3": 1}),
    "hospital_stays_self_pay": ({"V3": 2}, {"V3": 1}),
    "houses_unsafe": ({"V1": 1, "V2": 1}, {"V1": 1, "V2": 1, "V3": 1}),
    "houses_unsafe_without_plan": ({"V1": 2, "V3": 1}, {"V1": 2}),
    "houses_renovated": ({"V1": 1, "V3": 1}, {"V1": 1}),
    "households_water_difficult": ({"V2": 1, "V3": 1}, {"V2": 1, "V3": 1}),
    "members_school_at_risk": ({"V1": 1, "V2": 1}, {"V1": 1}),
    "left_behind_children": ({"V2": 1}, {}),
    "villages_without_care_room": ({"V4": 1}, {"V2": 1, "V4": 1}),
}
HOUSEHOLD_FIGURES = INDICATORS.of_domain(Domain.HOUSEHOLDS)


def expected_levels(units, period: Period) -> dict[tuple[Level, int, str], Decimal | None]:
    """Every household figure of ``period`` at every level where it is shown: the hand counts at the finest level,
    their sums above it, and each ratio from its parts."""
    which = 0 if period == THIS else 1
    villages = {name: unit for name, unit in units.items() if name.startswith("V")}
    towns = {name: unit for name, unit in units.items() if name.startswith("T")}
    district_id = units["T1"].district_id
    result: dict[tuple[Level, int, str], Decimal | None] = {}
    for indicator in HOUSEHOLD_FIGURES:
        if indicator.aggregation == Aggregation.RATIO:
            continue
        counts = EXPECTED[indicator.code][which]
        if indicator.finest == Level.VILLAGE:
            for name, village in villages.items():
                result[Level.VILLAGE, village.pk, indicator.code] = Decimal(counts.get(name, 0))
            town_counts = {
                name: sum(counts.get(v, 0) for v, village in villages.items() if village.town_id == town.pk)
                for name, town in towns.items()
            }
        else:
            town_counts = {name: counts.get(name, 0) for name in towns}
        for name, town in towns.items():
            result[Level.TOWN, town.pk, indicator.code] = Decimal(town_counts[name])
        result[Level.DISTRICT, district_id, indicator.code] = Decimal(sum(town_counts.values()))
    for indicator in HOUSEHOLD_FIGURES:
        if indicator.aggregation == Aggregation.RATIO:
            numerator, denominator = indicator.ratio_of
            for level, unit_id, _code in [key for key in result if key[2] == numerator]:
                if indicator.at(level):
                    result[level, unit_id, indicator.code] = ratio(
                        result[level, unit_id, numerator], result[level, unit_id, denominator]
                    )
    return result


def computed_levels(period: Period) -> dict[tuple[Level, int, str], Decimal | None]:
    codes = {indicator.code for indicator in HOUSEHOLD_FIGURES}
    return {
        (level, unit_id, code): value
        for level, unit_id, _parent, code, value in figures_compute(period).rows()
        if code in codes
    }


def test_every_household_figure_has_its_hand_count():
    # given every figure of the households domain
    codes = {indicator.code for indicator in HOUSEHOLD_FIGURES if indicator.aggregation != Aggregation.RATIO}
    # then each is counted by hand here, and the codes other parts rely on are among them
    assert codes == set(EXPECTED)
    assert {
        "households_registered",
        "households_not_out",
        "households_out",
        "households_returned",
        "members_registered",
        "households_without_cadre",
        "cadres_over_cap",
        "quality_problems_open",
        "households_exited_in_month",
        "households_returned_in_month",
        "households_added_in_month",
    } <= codes
    assert INDICATORS["cadres_over_cap"].should_be_zero


@pytest.mark.parametrize("period", [THIS, BEFORE], ids=["this month", "the month before"])
def test_each_figure_at_each_level_is_the_hand_count(district, period):
    # when
    computed = computed_levels(period)
    # then
    assert computed == expected_levels(district, period)


def test_the_figures_of_a_month_leave_out_a_household_entered_after_its_end(client, district):
    # given h5, entered today in V2, and a month whose end is before today
    v2 = district["V2"]
    # when
    before, now = figures_compute(BEFORE).values, figures_compute(THIS).values
    # then it is counted this month and not in the month before, nor are its member and its child
    assert before[Level.VILLAGE][v2.pk]["households_registered"] == 1
    assert now[Level.VILLAGE][v2.pk]["households_registered"] == 2
    assert before[Level.VILLAGE][v2.pk]["members_registered"] == 1
    assert before[Level.VILLAGE][v2.pk]["left_behind_children"] == 0
    # and the list as of that month's end leaves it out too
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    url = INDICATORS["households_registered"].records(Level.VILLAGE, v2.pk, BEFORE)
    response = client.get(url)
    assert response.context["paginator"].count == 1
    # and shows h4 as it stood then: out of poverty, not yet returned
    [h4] = response.context["object_list"]
    assert h4.status == RETURNED
    assert h4.shown_status == OUT_CONTINUING.label


class FilterBar(HTMLParser):
    """The values a page's filter controls are set to, by name: a text, date or month input's value, a checked
    box's value, a select's selected option."""

    def __init__(self):
        super().__init__()
        self.shown: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
            self.shown.setdefault(self._select, set())
        elif tag == "option" and self._select and "selected" in attrs:
            self.shown[self._select].add(attrs.get("value", ""))
        elif tag == "input" and attrs.get("name"):
            values = self.shown.setdefault(attrs["name"], set())
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                values.add(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def assert_filter_bar_shows(response, url: str) -> None:
    """Each filter a figure's link sets is one of the list's own, shown set in its filter bar."""
    bar = FilterBar()
    bar.feed(response.content.decode())
    for name, value in parse_qsl(urlsplit(url).query):
        assert value in bar.shown.get(name, set()), (url, name, bar.shown.get(name))


def figure_units(indicator, units):
    """(level, unit id) of every unit at which ``indicator`` is shown."""
    for level, prefix in ((Level.VILLAGE, "V"), (Level.TOWN, "T")):
        if indicator.at(level):
            yield from ((level, unit.pk) for name, unit in units.items() if name.startswith(prefix))
    yield Level.DISTRICT, units["T1"].district_id


def test_each_figures_records_list_counts_the_figure_this_month(client, district):
    # given the district office, and this month's figures
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    figures = figures_compute(THIS).values
    with_records = [indicator for indicator in HOUSEHOLD_FIGURES if indicator.records is not None]
    assert len(with_records) >= len(HOUSEHOLD_FIGURES) - 6
    for indicator in with_records:
        for level, unit_id in figure_units(indicator, district):
            # when the figure's records are opened
            url = indicator.records(level, unit_id, THIS)
            response = client.get(url)
            # then the list counts the figure
            assert response.status_code == 200, url
            assert response.context["paginator"].count == figures[level][unit_id][indicator.code], (
                indicator.code,
                level,
                url,
            )
            # and its filter bar shows each filter the link set
            assert_filter_bar_shows(response, url)


def test_the_households_without_a_cadre_are_the_figures_households(district):
    # given the district office
    office = post_user(Role.DISTRICT_OFFICE)
    for period in (THIS, BEFORE):
        figures = figures_compute(period).values
        for name in ("V1", "V2", "V3", "V4"):
            village = district[name]
            # when the selector lists a village's households without a cadre on the month's end
            listed = households_without_cadre(user=office, village_id=village.pk, on=period.as_of)
            # then they are as many as the figure counts
            assert listed.count() == figures[Level.VILLAGE][village.pk]["households_without_cadre"]
        town = district["T1"]
        listed = households_without_cadre(user=office, town_id=town.pk, on=period.as_of)
        assert listed.count() == figures[Level.TOWN][town.pk]["households_without_cadre"]


def test_the_households_without_a_cadre_today_are_those_of_this_month(district):
    # given the district office and a town's staff
    office = post_user(Role.DISTRICT_OFFICE)
    staff = post_user(Role.TOWN_STAFF, town=district["T2"])
    # when they list the households without a cadre now
    # then the office sees h4 (returned, its cadre released), the town's staff none of it
    assert [household.village_id for household in households_without_cadre(user=office)] == [district["V2"].pk]
    assert not households_without_cadre(user=staff).exists()


def test_the_household_list_shows_its_new_filters(client, district):
    # given the district office
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    # when the list is asked for one cause, households with no cadre, a town, as of a day
    response = client.get(
        reverse("households:household_list"),
        {"town": district["T1"].pk, "cause": PovertyCause.SCHOOLING, "without_cadre": "1", "on": THIS.as_of},
    )
    # then its filter bar shows them, with the town's villages to choose from
    content = response.content.decode()
    assert response.context["paginator"].count == 1
    assert f'<option value="{PovertyCause.SCHOOLING}" selected>' in content
    assert 'name="without_cadre" value="1" checked' in content
    assert f'name="on" value="{THIS.as_of.isoformat()}"' in content
    assert set(response.context["villages"]) == {district["V1"], district["V2"]}


def test_a_town_user_cannot_name_another_towns_village_on_a_welfare_list(client, district):
    # given a town's staff
    client.force_login(post_user(Role.TOWN_STAFF, town=district["T1"]))
    for name in ("hospital_stays_flagged", "unsafe_houses", "school_age_at_risk", "care_rooms_missing"):
        url = reverse(f"households:{name}")
        # when a list is filtered to a village of the town, or of another town
        own = client.get(url, {"village": district["V1"].pk})
        other = client.get(url, {"village": district["V3"].pk})
        # then the first is shown, the other is not there
        assert own.status_code == 200
        assert other.status_code == 404


def test_the_figure_its_list_and_the_quality_check_count_the_same_households_without_a_cadre(client, district):
    # given the district, where the quality check once counted h3 (out, policies ended, needs no cadre) and h5
    # (marginal, needs none) besides h4 (returned, its cadre released long ago), while the figure counted h4 alone;
    # every assignment's term ended in 2020 and none was released for it, so each still helps
    office = post_user(Role.DISTRICT_OFFICE)
    today = timezone.localdate()
    # when the figure is computed, the dashboard's list and the household list it opens are read, and the check runs
    figure = figures_compute(THIS).values[Level.DISTRICT][district["T1"].district_id]["households_without_cadre"]
    listed = set(households_without_cadre(user=office))
    client.force_login(office)
    opened = client.get(reverse("households:household_list"), {"without_cadre": "1", "on": THIS.as_of})
    run = quality_run_create()
    quality_check_run(run=run, rules=[rule_get("cadre_missing")], today=today)
    checked = QualityProblem.objects.filter(rule="cadre_missing", resolved_at__isnull=True)
    # then all four are the same one household
    assert figure == len(listed) == opened.context["paginator"].count == checked.count() == 1
    assert {problem.household_id for problem in checked} == {household.pk for household in listed}
    assert set(opened.context["page_obj"].object_list) == listed
