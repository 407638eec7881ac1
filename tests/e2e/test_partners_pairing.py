"""A department's pairing with a poor village, in the browser: the town's staff record the pairing from the village's
page and a money donation of the department; the village's partners page shows it, and the public page shows the
department's money, its plan progress and an approved commendation, without login."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from organisation.roles import Role
from partners.models import Commendation, Department, PairingSupport
from partners.services import honours, sectors
from tests.factories.organisation import PASSWORD, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pairing_with_a_donation_shows_on_the_village_page_and_the_public_page(
    live_server, browser, make_user, town
):
    # given a key village of the town, its staff, and a department whose 2019 target is half done
    village = VillageFactory(town=town, name="王家庄村", is_key_village=True)
    make_user(Role.TOWN_STAFF, town=town, username="wanggou", first_name="刘洋")
    office = make_user(Role.DISTRICT_OFFICE, username="office")
    department = Department.objects.create(name="区交通运输局")
    target = sectors.plan_target_add(
        user=office, department=department, year=2019, measure="硬化通村道路", unit="公里", target=Decimal("40")
    )
    sectors.target_progress_record(user=office, target=target, quarter=1, achieved=Decimal("20"))
    commendation = honours.commendation_nominate(
        user=office, year=2019, nominee_kind="enterprise", nominee="临沂沂蒙物流有限公司", reason="连续三年捐资助学",
        nominated_by="汪沟镇人民政府",
    )  # fmt: skip
    honours.commendation_decide(user=office, commendation=commendation, approve=True)
    given_on = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill("wanggou")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    # when they open the village's page, follow it to its partners and record a pairing with the department
    page.goto(f"{live_server.url}{village.get_absolute_url()}")
    page.get_by_test_id("village-partners-link").click()
    page.get_by_test_id("village-pairings").get_by_role("link", name="登记结对共建").click()
    form = page.get_by_test_id("partners-form")
    form.locator("#id_department").select_option(str(department.pk))
    assert form.locator("#id_village").input_value() == str(village.pk)
    form.locator("#id_starts_on").fill("2019-03-01")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/partners/pairings/\d+/$"))

    # and record the department's donation of money on the pairing
    page.get_by_role("link", name="登记帮扶内容").click()
    step = page.get_by_test_id("step-form")
    step.locator("#id_kind").select_option("money")
    step.locator("#id_given_on").fill(given_on)
    step.locator("#id_amount").fill("25000")
    page.get_by_test_id("step-submit").click()
    page.wait_for_url(re.compile(r"/partners/pairings/\d+/$"))

    # then the village's partners page shows the pairing and the money, with separators
    page.goto(f"{live_server.url}{village.get_absolute_url()}")
    page.get_by_test_id("village-partners-link").click()
    pairing = page.get_by_test_id("village-pairing")
    assert "区交通运输局" in pairing.inner_text()
    assert "25,000.00" in pairing.get_by_test_id("support-item").inner_text()
    assert PairingSupport.objects.get().amount == Decimal("25000")

    # and the public page, without login, shows the department's money, its progress and the commendation
    public = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    public.goto(f"{live_server.url}/public/")
    sector = public.get_by_test_id("public-department")
    assert "区交通运输局" in sector.inner_text() and "25,000.00" in sector.inner_text()
    assert "50.0" in sector.get_by_test_id("public-target").inner_text()
    assert "临沂沂蒙物流有限公司" in public.get_by_test_id("public-commendations").inner_text()
    assert "刘洋" not in public.content()
    assert Commendation.objects.get().status == "approved"
    public.context.close()
    context.close()
