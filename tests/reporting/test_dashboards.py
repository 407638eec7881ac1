"""The dashboards of the district, a town and a village: they show the stored figures, each number leads one level down
and finally to the filtered list behind it, a month can be picked, a page costs a constant number of queries, and a
town's user sees their own town's pages only."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import District
from organisation.periods import next_month, previous_month
from organisation.roles import Level, Role
from reporting.choices import FigureUnit
from reporting.dashboards import (
    LAYOUTS,
    card_text,
    dashboard_url,
    layout_codes,
    month_param,
)
from reporting.indicators import INDICATORS, Period
from reporting.models import FigureValue, SummaryBuild
from reporting.services.summary import summary_build
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import TownFactory, VillageFactory
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db

# Households registered per village of the fixture: (town, village) -> how many.
HOUSEHOLDS = {("汪沟镇", "王家庄村"): 3, ("汪沟镇", "李家庄村"): 1, ("方城镇", "张村"): 2}


@pytest.fixture
def district_world():
    """Two towns, three villages with households, and this month's figures built from them."""
    villages = {}
    for (town_name, village_name), count in HOUSEHOLDS.items():
        town = TownFactory(name=town_name)
        village = VillageFactory(town=town, name=village_name)
        villages[village_name] = village
        HouseholdFactory.create_batch(count, village=village)
    period = Period.of(timezone.localdate())
    summary_build(month=period.month)
    return villages, period


def stored(period: Period, level: Level, unit_id: int, code: str) -> Decimal | None:
    return FigureValue.objects.get(month=period.month, level=level, unit_id=unit_id, indicator=code).value


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def figure_links(html: str) -> dict[str, tuple[str, str]]:
    """The cards' numbers: code -> (link, text shown)."""
    found = re.findall(r'<a href="([^"]*)" data-testid="figure-(\w+)" data-value="[^"]*">([^<]*)</a>', html)
    return {code: (unescape(url), unescape(text)) for url, code, text in found}


def cards_shown(html: str) -> dict[str, str]:
    """Every card's number, linked or not: code -> text shown."""
    found = re.findall(r'data-testid="figure-(\w+)" data-value="[^"]*">([^<]*)</', html)
    return {code: unescape(text) for code, text in found}


def comparison_table(client, html: str) -> str:
    """The comparison's table view, loaded as the page loads it once opened: its placeholder's htmx request."""
    [url] = re.findall(
        r'<div hx-get="([^"]*)" hx-trigger="intersect once"[^>]*data-testid="comparison-table-loading"', html
    )
    return html_of(client.get(unescape(url), headers={"HX-Request": "true"}))


def comparison_rows(html: str) -> dict[str, str]:
    """The comparison table's units: name -> link to the unit's dashboard."""
    return {
        unescape(name): unescape(url)
        for url, name in re.findall(r'<a href="([^"]*)" data-testid="unit-link">([^<]*)</a>', html)
    }


# --- The layout ------------------------------------------------------------------------------------------------------


def test_every_code_of_the_layout_is_an_indicator():
    # given every code the dashboards name
    codes = layout_codes()
    # then each is defined in the registry
    assert codes - {indicator.code for indicator in INDICATORS} == set()


def test_a_layout_shows_an_indicator_once_per_block():
    for layout in LAYOUTS.values():
        cards = [code for group in layout.cards for code in group.codes]
        assert len(cards) == len(set(cards))
        assert len(layout.comparison) == len(set(layout.comparison))


# --- What the pages show ---------------------------------------------------------------------------------------------


def test_the_district_page_shows_the_stored_figures_and_links_each_to_its_list(client, office_user, district_world):
    # given
    _villages, period = district_world
    district = District.objects.get()
    # when
    client.force_login(office_user)
    html = html_of(client.get(reverse("reporting:dashboard")))
    # then every card shows its stored figure, with its unit, and links to the district's list
    shown = cards_shown(html)
    links = figure_links(html)
    assert "households_registered" in shown
    for code, text in shown.items():
        indicator = INDICATORS[code]
        assert text == card_text(indicator, stored(period, Level.DISTRICT, district.pk, code))
        if indicator.records:
            assert links[code][0] == indicator.records(Level.DISTRICT, district.pk, period)
    # and the figure is the households registered by hand
    assert stored(period, Level.DISTRICT, district.pk, "households_registered") == sum(HOUSEHOLDS.values())
    assert shown["households_registered"] == f"{sum(HOUSEHOLDS.values())} {FigureUnit.HOUSEHOLDS.label}"


def test_the_district_compares_its_towns_and_each_leads_to_its_dashboard(client, office_user, district_world):
    # given
    villages, period = district_world
    towns = {village.town.name: village.town for village in villages.values()}
    # when
    client.force_login(office_user)
    response = client.get(reverse("reporting:dashboard"))
    html = html_of(response)
    # then the comparison names every town, linked to its dashboard of the month
    table = comparison_table(client, html)
    rows = comparison_rows(table)
    assert set(rows) == set(towns)
    for name, town in towns.items():
        assert rows[name].startswith(reverse("reporting:dashboard_town", kwargs={"pk": town.pk}))
        assert f"month={month_param(period.month)}" in rows[name]
    # and each number of the table leads to the town's dashboard showing that figure
    assert f'<a href="{rows["汪沟镇"]}&amp;indicator=households_registered">' in table
    # and the chart carries each town's figure of the indicator chosen
    chart = response.context["page"].comparison.chart_data()
    assert chart["selected"] == "households_registered"
    by_town: Counter = Counter()
    for (town_name, _village), count in HOUSEHOLDS.items():
        by_town[town_name] += count
    assert {unit["name"]: unit["values"]["households_registered"] for unit in chart["units"]} == by_town


def test_the_comparison_table_is_loaded_when_opened_and_shown_in_the_page_without_javascript(
    client, office_user, district_world, django_assert_max_num_queries
):
    # given
    _villages, period = district_world
    client.force_login(office_user)
    # when the district's page is opened
    html = html_of(client.get(reverse("reporting:dashboard")))
    # then its table view holds no row yet, only what loads it, with a link for a browser without JavaScript
    assert 'data-testid="unit-link"' not in html
    [link] = re.findall(r'<a href="([^"]*)#comparison">显示表格</a>', html)
    url = unescape(link)
    assert url.startswith(reverse("reporting:dashboard") + "?")
    assert f"month={month_param(period.month)}" in url and "table=1" in url
    # and htmx's request for it gets the table alone, in a few queries
    with django_assert_max_num_queries(8):
        part = html_of(client.get(url, headers={"HX-Request": "true"}))
    assert part.lstrip().startswith('<div class="table-responsive" data-testid="comparison-table-part">')
    assert "<html" not in part and len(comparison_rows(part)) == 2
    # and the link opened without JavaScript is the page with the table open in it
    page = html_of(client.get(url))
    assert '<details class="chart-table" data-testid="comparison-table-view" open>' in page
    assert comparison_rows(page) == comparison_rows(part)
    assert 'data-testid="figure-households_registered"' in page


def test_a_towns_page_shows_its_figures_and_compares_its_villages(client, office_user, district_world):
    # given
    villages, period = district_world
    town = villages["王家庄村"].town
    # when
    client.force_login(office_user)
    response = client.get(reverse("reporting:dashboard_town", kwargs={"pk": town.pk}))
    html = html_of(response)
    # then its cards are the town's stored figures, each linked to the town's filtered list
    shown = cards_shown(html)
    links = figure_links(html)
    for code, text in shown.items():
        indicator = INDICATORS[code]
        assert text == card_text(indicator, stored(period, Level.TOWN, town.pk, code))
        if indicator.records and indicator.records(Level.TOWN, town.pk, period):
            assert links[code][0] == indicator.records(Level.TOWN, town.pk, period)
    assert shown["households_registered"] == card_text(INDICATORS["households_registered"], Decimal(4))
    # and its villages are compared, each linked to its own dashboard, the other town's not among them
    rows = comparison_rows(comparison_table(client, html))
    assert set(rows) == {"王家庄村", "李家庄村"}
    assert rows["李家庄村"].startswith(reverse("reporting:dashboard_village", kwargs={"pk": villages["李家庄村"].pk}))
    # and it names the district above it, linked to the district's page
    assert f'<a href="{dashboard_url(Level.DISTRICT, 0, period.month)}">{town.district.name}</a>' in html


def test_a_villages_page_shows_its_figures_linked_to_its_lists(client, make_user, district_world):
    # given the clerk of 王家庄村
    villages, period = district_world
    village = villages["王家庄村"]
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    # when
    client.force_login(clerk)
    html = html_of(client.get(reverse("reporting:dashboard_village", kwargs={"pk": village.pk})))
    # then the village's figures are shown (those that make sense for a village only), with links to its lists
    shown = cards_shown(html)
    indicator = INDICATORS["households_registered"]
    assert shown["households_registered"] == card_text(indicator, Decimal(3))
    assert figure_links(html)["households_registered"][0] == indicator.records(Level.VILLAGE, village.pk, period)
    assert all(INDICATORS[code].at(Level.VILLAGE) for code in shown)
    # and no comparison, and no link up to a town or district the clerk may not open
    assert 'data-testid="comparison"' not in html
    assert 'data-testid="breadcrumbs"' not in html


def test_a_number_leads_to_a_list_of_as_many_records(client, office_user, district_world):
    # given the town page of 汪沟镇
    villages, period = district_world
    town = villages["王家庄村"].town
    client.force_login(office_user)
    html = html_of(client.get(reverse("reporting:dashboard_town", kwargs={"pk": town.pk})))
    # when the number of households registered is followed
    url, _text = figure_links(html)["households_registered"]
    listing = html_of(client.get(url))
    # then the list holds as many households as the number said
    rows = re.search(r'data-testid="household-table">.*?<tbody>(.*?)</tbody>', listing, re.S).group(1)
    assert rows.count("<tr") == stored(period, Level.TOWN, town.pk, "households_registered") == 4


def test_every_card_link_opens_a_list(client, office_user, district_world):
    # given the district page
    client.force_login(office_user)
    html = html_of(client.get(reverse("reporting:dashboard")))
    # then every number's link opens a page
    for code, (url, _text) in figure_links(html).items():
        assert client.get(url).status_code == 200, f"{code}: {url}"


def test_a_figure_that_should_be_zero_is_a_warning_when_it_is_not(client, office_user, district_world):
    # given a stored figure that should be zero and is not
    _villages, period = district_world
    district = District.objects.get()
    code = "cadres_over_cap"
    assert INDICATORS[code].should_be_zero
    FigureValue.objects.filter(month=period.month, level=Level.DISTRICT, unit_id=district.pk, indicator=code).update(
        value=Decimal(2)
    )
    # when
    client.force_login(office_user)
    html = html_of(client.get(reverse("reporting:dashboard")))
    # then its card is marked as a warning
    card = re.search(rf'<div class="card h-100 kpi-card([^"]*)" data-code="{code}"', html)
    assert "border-danger" in card.group(1)


# --- The month picked ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_months(district_world):
    """The households of 张村 registered last month, the others this month; both months' figures built."""
    villages, period = district_world
    last = Period(previous_month(period.month))
    HouseholdFactory._meta.model.objects.filter(village=villages["张村"]).update(
        created_at=timezone.make_aware(dt.datetime.combine(last.month, dt.time(9)))
    )
    summary_build(month=last.month)
    summary_build(month=period.month)
    return villages, period, last


def test_the_month_picker_shows_a_past_months_figures(client, office_user, two_months):
    # given
    _villages, period, last = two_months
    district = District.objects.get()
    client.force_login(office_user)
    # when last month is picked
    response = client.get(reverse("reporting:dashboard"), {"month": month_param(last.month)})
    html = html_of(response)
    # then the page shows last month's figures, and when they were computed
    assert response.context["period"] == last
    assert cards_shown(html)["households_registered"] == card_text(
        INDICATORS["households_registered"], stored(last, Level.DISTRICT, district.pk, "households_registered")
    )
    assert stored(last, Level.DISTRICT, district.pk, "households_registered") == HOUSEHOLDS[("方城镇", "张村")]
    build = SummaryBuild.objects.get(month=last.month)
    assert timezone.localtime(build.built_at).strftime("%Y-%m-%d %H:%M") in html
    # and the picker offers both months, the one shown selected
    assert f'<option value="{month_param(last.month)}" selected>' in html
    assert f'<option value="{month_param(period.month)}">' in html
    # and a town's link keeps the month
    assert f"month={month_param(last.month)}" in comparison_rows(comparison_table(client, html))["方城镇"]
    # and the trend of the households ends with the month picked, each month with its stored figures
    trend = {trend.key: trend for trend in response.context["page"].trends}["households"].chart_data()
    assert trend["months"][-1] == month_param(last.month)
    for series in trend["series"]:
        assert series["values"][-1] == float(stored(last, Level.DISTRICT, district.pk, series["code"]))
        assert series["values"][-2] is None  # no figures were built for the month before
    assert trend["urls"][-1] == dashboard_url(Level.DISTRICT, 0, last.month)


def test_a_month_without_figures_says_so_and_the_office_may_have_them_computed(client, office_user, make_user, db):
    # given no figures at all
    client.force_login(office_user)
    # when the district page is opened
    html = html_of(client.get(reverse("reporting:dashboard")))
    # then it says there are none, and offers the office to compute them
    assert 'data-testid="no-figures"' in html
    assert 'data-testid="compute-now"' in html
    # while a reader of the district who is not the office is not offered it
    client.force_login(make_user(Role.AUDIT))
    html = html_of(client.get(reverse("reporting:dashboard")))
    assert 'data-testid="no-figures"' in html
    assert 'data-testid="compute-now"' not in html


def test_computing_now_queues_the_months_build(client, office_user, db, django_capture_on_commit_callbacks):
    # given
    client.force_login(office_user)
    month = timezone.localdate().replace(day=1)
    # when the office asks for this month's figures
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("reporting:dashboard_build"), {"month": month_param(month)})
    # then the build is queued and the office is back on the month's page
    assert len(queued) == 1
    assert response["Location"] == dashboard_url(Level.DISTRICT, 0, month)


def test_a_month_to_come_is_not_computed(client, office_user, db, django_capture_on_commit_callbacks):
    # given
    client.force_login(office_user)
    to_come = month_param(next_month(timezone.localdate()))
    # when the office asks for the figures of a month to come
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("reporting:dashboard_build"), {"month": to_come}, follow=True)
    # then nothing is queued and the office is told why
    assert not queued
    assert [message.level_tag for message in response.context["messages"]] == ["error"]


def test_a_town_user_may_not_have_figures_computed(client, make_user, town, db, django_capture_on_commit_callbacks):
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("reporting:dashboard_build"), {"month": month_param(timezone.localdate())})
    assert response.status_code == 403
    assert not queued


def test_a_month_to_come_falls_back_to_this_month(client, office_user, district_world):
    # given
    _villages, period = district_world
    client.force_login(office_user)
    # when a month to come, or no month at all, is asked for
    for month in ("2999-01", "soon", ""):
        response = client.get(reverse("reporting:dashboard"), {"month": month})
        # then this month is shown
        assert response.context["period"] == period


# --- What needs action now -------------------------------------------------------------------------------------------


def test_the_lists_needing_action_are_the_units_own(client, office_user, district_world):
    # given an overdue ledger item in each town
    from audits.models import RectificationItem
    from tests.factories.audits import item_raised

    villages, _period = district_world
    wanggou, fangcheng = villages["王家庄村"].town, villages["张村"].town
    items = {town.name: item_raised(office_user, town) for town in (wanggou, fangcheng)}
    RectificationItem.objects.update(due_date=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(office_user)
    # when the lists of the district and of 汪沟镇 are opened (as the dashboards load them)
    district = client.get(reverse("reporting:dashboard_actions"), headers={"HX-Request": "true"})
    town = client.get(
        reverse("reporting:dashboard_town_actions", kwargs={"pk": wanggou.pk}), headers={"HX-Request": "true"}
    )
    # then the district lists both items, the town its own only, each with its full list
    ledger = {action.spec.key: action for action in district.context["actions"]}["ledger_items_overdue"]
    assert {item.pk for item in ledger.rows} == {item.pk for item in items.values()}
    ledger = {action.spec.key: action for action in town.context["actions"]}["ledger_items_overdue"]
    assert [item.pk for item in ledger.rows] == [items["汪沟镇"].pk]
    indicator = INDICATORS["ledger_items_overdue"]
    assert ledger.full_url == indicator.records(Level.TOWN, wanggou.pk, Period.of(timezone.localdate()))
    html = html_of(town)
    assert items["汪沟镇"].number in html
    assert items["方城镇"].number not in html
    assert "<html" not in html


def test_the_dashboard_loads_its_lists_and_they_are_a_page_of_their_own(client, office_user, district_world):
    # given
    villages, _period = district_world
    town = villages["王家庄村"].town
    client.force_login(office_user)
    url = reverse("reporting:dashboard_town_actions", kwargs={"pk": town.pk})
    # when the town's dashboard is opened
    html = html_of(client.get(reverse("reporting:dashboard_town", kwargs={"pk": town.pk})))
    # then it loads its lists once shown, and links to them for a browser without scripts
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">' in html
    # and the lists are a whole page when opened by that link
    page = html_of(client.get(url))
    assert "<html" in page
    assert 'data-testid="action-lists"' in page


def test_the_households_without_a_cadre_are_listed_ten_at_most(client, office_user, district_world):
    # given 6 households without a cadre in the district, and 6 more
    villages, _period = district_world
    HouseholdFactory.create_batch(6, village=villages["张村"])
    client.force_login(office_user)
    # when
    response = client.get(reverse("reporting:dashboard_actions"), headers={"HX-Request": "true"})
    # then ten are listed, with the link to all of them
    action = {action.spec.key: action for action in response.context["actions"]}["households_without_cadre"]
    assert len(action.rows) == 10
    html = html_of(response)
    assert f'href="{action.full_url}" data-testid="action-households_without_cadre-all"'.replace("&", "&amp;") in html


# --- Queries ---------------------------------------------------------------------------------------------------------


def district_of(size: int):
    """``size`` towns of ``size`` villages of ``size`` households each, with this month's and last month's figures."""
    for _town in range(size):
        town = TownFactory()
        for _village in range(size):
            HouseholdFactory.create_batch(size, village=VillageFactory(town=town))
    today = timezone.localdate()
    summary_build(month=previous_month(today))
    summary_build(month=today.replace(day=1))


def page_urls() -> list[str]:
    from organisation.models import Town, Village

    town = Town.objects.order_by("pk").first()
    village = Village.objects.filter(town=town).order_by("pk").first()
    return [
        reverse("reporting:dashboard"),
        reverse("reporting:dashboard_actions"),
        reverse("reporting:dashboard_town", kwargs={"pk": town.pk}),
        reverse("reporting:dashboard_town_actions", kwargs={"pk": town.pk}),
        reverse("reporting:dashboard_village", kwargs={"pk": village.pk}),
        reverse("reporting:dashboard_village_actions", kwargs={"pk": village.pk}),
    ]


def queries_of(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Transactional, so a request runs in its own transaction as it does in production (ATOMIC_REQUESTS), not in a
# savepoint of the test's, whose two statements would be counted as the page's.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_a_page_costs_the_same_few_queries_whatever_the_size(client, make_user, role, django_assert_max_num_queries):
    # given a small district
    district_of(2)
    from organisation.models import Town

    first_town = Town.objects.order_by("pk").first()
    first_village = first_town.villages.order_by("pk").first()
    user = {
        Role.DISTRICT_OFFICE: lambda: make_user(role),
        Role.TOWN_STAFF: lambda: make_user(role, town=first_town),
        Role.VILLAGE_CLERK: lambda: make_user(role, village=first_village),
    }[role]()
    client.force_login(user)
    # the pages the user may open: the district's, the first town's, its first village's
    urls = page_urls()[{Role.DISTRICT_OFFICE: 0, Role.TOWN_STAFF: 2, Role.VILLAGE_CLERK: 4}[role] :]
    # (each page opened once first: the content types the scope functions look up are cached for the process)
    for url in urls:
        client.get(url)
    small = [queries_of(client, url) for url in urls]
    # when it grows (more towns, villages and households)
    district_of(4)
    # then each page costs as many queries as before, and at most 15
    large = [queries_of(client, url) for url in urls]
    assert large == small
    for url in urls:
        with django_assert_max_num_queries(15):
            client.get(url)


# --- Who sees which page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.VILLAGE_CLERK])
def test_another_towns_user_is_refused_every_dashboard(client, role, district_world):
    # given 汪沟镇 and its village
    villages, _period = district_world
    village = villages["王家庄村"]
    # then a user of another town opens neither the town's page, nor its village's, nor the district's
    for url in (
        reverse("reporting:dashboard_town", kwargs={"pk": village.town.pk}),
        reverse("reporting:dashboard_town_actions", kwargs={"pk": village.town.pk}),
        reverse("reporting:dashboard_village", kwargs={"pk": village.pk}),
        reverse("reporting:dashboard_village_actions", kwargs={"pk": village.pk}),
        reverse("reporting:dashboard"),
        reverse("reporting:dashboard_actions"),
    ):
        assert_other_town_refused(client, url, role=role)


def test_a_village_clerk_may_not_open_the_town_page(client, make_user, district_world):
    villages, _period = district_world
    village = villages["王家庄村"]
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    assert client.get(reverse("reporting:dashboard_town", kwargs={"pk": village.town.pk})).status_code == 404
    assert (
        client.get(reverse("reporting:dashboard_village", kwargs={"pk": villages["李家庄村"].pk})).status_code == 404
    )


def test_a_town_user_opens_the_villages_of_their_town(client, make_user, district_world):
    villages, _period = district_world
    client.force_login(make_user(Role.TOWN_STAFF, town=villages["王家庄村"].town))
    for name in ("王家庄村", "李家庄村"):
        assert client.get(reverse("reporting:dashboard_village", kwargs={"pk": villages[name].pk})).status_code == 200
    assert client.get(reverse("reporting:dashboard_village", kwargs={"pk": villages["张村"].pk})).status_code == 404


# --- Where each user lands -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT])
def test_the_districts_readers_land_on_the_districts_dashboard(client, make_user, role):
    client.force_login(make_user(role))
    home = client.get(reverse("home"))
    assert (home.status_code, home.context["level"]) == (200, Level.DISTRICT)


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION])
def test_a_towns_user_lands_on_their_towns_dashboard(client, make_user, town, role):
    client.force_login(make_user(role, town=town))
    home = client.get(reverse("home"))
    assert (home.status_code, home.context["level"], home.context["unit"]) == (200, Level.TOWN, town)


def test_a_village_clerk_lands_on_their_villages_dashboard(client, make_user, village):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    home = client.get(reverse("home"))
    assert (home.status_code, home.context["level"], home.context["unit"]) == (200, Level.VILLAGE, village)


def test_a_user_without_a_post_sees_the_home_page(client, db):
    from tests.factories.organisation import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "organisation/home_local.html" in [template.name for template in response.templates]
