from pathlib import Path

import pytest

from organisation.roles import Role
from tests.factories.organisation import PASSWORD, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_staff_logs_in_in_chinese_and_sees_only_their_town(live_server, page, make_user, town, other_town):
    # given villages in two towns and a town-staff user of 汪沟镇
    VillageFactory(town=town, name="王家庄村")
    VillageFactory(town=other_town, name="外镇李庄村")
    make_user(Role.TOWN_STAFF, town=town, username="wanggou")

    # when they log in through the Chinese login page
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录兰山区扶贫工作管理系统"
    page.get_by_label("用户名").fill("wanggou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # then they land on their town's dashboard, which names their post, and their town's village only is listed
    assert "镇扶贫工作人员 · 汪沟镇" in page.get_by_test_id("current-post").inner_text()
    assert "汪沟镇" in page.locator("h1").inner_text()
    page.get_by_role("link", name="村（社区）", exact=True).click()
    table = page.get_by_test_id("village-table").inner_text()
    assert "王家庄村" in table
    assert "外镇李庄村" not in table
    Path("var").mkdir(exist_ok=True)
    page.screenshot(path="var/e2e-town-staff-villages.png", full_page=True)


def test_wrong_password_is_told_in_chinese(live_server, page, make_user, town):
    make_user(Role.TOWN_STAFF, town=town, username="wanggou")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("wanggou")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()
