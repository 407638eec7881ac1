"""The district office drills down in a browser: the district's dashboard, a town's bar in the town comparison, the
town's dashboard, one of its numbers, and the list of the records behind that number."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.roles import Role
from reporting.services.summary import summary_build
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import PASSWORD, TownFactory, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the centre of a town's bar is on the page: ECharts converts (value, category) to the chart's pixel.
BAR_CENTRE = """(name) => {
  const element = document.querySelector('[data-chart="comparison"]');
  // instant: the page scrolls smoothly otherwise, and the box below would be read mid-way.
  element.scrollIntoView({block: "center", behavior: "instant"});
  const chart = echarts.getInstanceByDom(element);
  const option = chart.getOption();
  const names = option.yAxis[0].data;
  const index = names.indexOf(name);
  const value = option.series[0].data[index].value;
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [value / 2, name]);
  const box = element.getBoundingClientRect();
  return {x: box.left + x, y: box.top + y, bars: element.querySelectorAll("svg path").length};
}"""


def test_the_office_clicks_a_towns_bar_then_a_number_and_lands_on_its_list(live_server, page, make_user):
    # given two towns with households, this month's figures, and the district office
    wanggou = TownFactory(name="汪沟镇")
    HouseholdFactory.create_batch(3, village=VillageFactory(town=wanggou, name="王家庄村"))
    HouseholdFactory.create_batch(1, village=VillageFactory(town=wanggou, name="李家庄村"))
    HouseholdFactory.create_batch(2, village=VillageFactory(town=TownFactory(name="方城镇"), name="张村"))
    summary_build(month=timezone.localdate().replace(day=1))
    make_user(Role.DISTRICT_OFFICE, username="office")

    # when the office logs in, its home page is the district's dashboard
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_function("() => echarts.getInstanceByDom(document.querySelector('[data-chart=\"comparison\"]'))")

    # and clicks 汪沟镇's bar in the town comparison (drawn as SVG elements)
    centre = page.evaluate(BAR_CENTRE, "汪沟镇")
    assert centre["bars"] >= 2
    Path("var").mkdir(exist_ok=True)
    page.screenshot(path="var/e2e-dashboard-district.png", full_page=True)
    page.mouse.click(centre["x"], centre["y"])

    # then it is on 汪沟镇's dashboard
    town_url = reverse("reporting:dashboard_town", kwargs={"pk": wanggou.pk})
    page.wait_for_url(re.compile(re.escape(town_url)))
    assert "汪沟镇" in page.locator("h1").inner_text()
    page.screenshot(path="var/e2e-dashboard-town.png", full_page=True)

    # and when it opens the comparison's table view, the villages' rows are loaded into it
    page.get_by_test_id("comparison-table-view").locator("summary").click()
    links = page.get_by_test_id("comparison-table").get_by_test_id("unit-link")
    links.first.wait_for()
    assert sorted(links.all_inner_texts()) == ["李家庄村", "王家庄村"]

    # when it clicks the number of households registered
    number = page.get_by_test_id("figure-households_registered")
    shown = int(re.match(r"[\d,]+", number.inner_text()).group().replace(",", ""))
    number.click()

    # then the list of households opens, filtered to the town, with as many rows as the number said
    page.wait_for_url(re.compile(re.escape(reverse("households:household_list")) + r"\?.*town=" + str(wanggou.pk)))
    rows = page.get_by_test_id("household-table").locator("tbody tr")
    assert rows.count() == shown == 4
