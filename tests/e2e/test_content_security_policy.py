"""Under the Content-Security-Policy the site's scripts still work in a browser: htmx (the logged ID reveal),
Bootstrap (the household page's tabs), our static/js (a form's added row, a filter that sends itself) and ECharts
(the dashboard). The ``page`` fixture fails any browser test on a refused script or style."""

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import IdNumberReveal
from organisation.roles import Role
from reporting.services.summary import summary_build
from tests.factories.households import MemberFactory
from tests.factories.organisation import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_sites_scripts_work_under_the_policy(live_server, page, make_user, village):
    # given a member, this month's figures, and the district office, whose home page is the dashboard
    member = MemberFactory(household__village=village)
    summary_build(month=timezone.localdate().replace(day=1))
    make_user(Role.DISTRICT_OFFICE, username="office")
    make_user(Role.DISTRICT_FINANCE, username="caizheng")

    # when the office logs in: the page says the policy, and ECharts draws the dashboard's charts
    response = page.goto(f"{live_server.url}/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, live_server, "office")
    page.wait_for_function("() => document.querySelectorAll('[data-chart] svg path, [data-chart] canvas').length > 0")

    # when it opens the household page, its Members tab (Bootstrap) and reveals the number (htmx)
    page.goto(live_server.url + member.household.get_absolute_url())
    page.get_by_role("tab", name="家庭成员").click()
    page.get_by_role("button", name="显示").click()

    # then the full number is shown in place, and the reveal is logged
    assert page.get_by_test_id("id-revealed").inner_text() == member.id_number
    assert IdNumberReveal.objects.filter(member=member).count() == 1

    # when the finance bureau adds a row to a new allocation (static/js instead of the inline script it had)
    page.context.clear_cookies()
    log_in(page, live_server, "caizheng")
    page.goto(live_server.url + reverse("funds:allocation_create"))
    rows = page.locator("#share-rows tr")
    before = rows.count()
    page.get_by_test_id("add-share").click()

    # then the row is there
    assert rows.count() == before + 1

    # when the language is chosen in the menu (a select that sends its form)
    page.locator("select[name=language]").select_option("en")

    # then the page comes back in English
    page.wait_for_function("() => document.documentElement.lang === 'en'")
