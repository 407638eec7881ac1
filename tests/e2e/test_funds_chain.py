"""The whole disbursement chain in the browser: from the district's allocation to the village confirming the money."""

from pathlib import Path

import pytest
from django.utils import timezone

from funds.models import Hop, PaymentRequestStatus, Transfer
from organisation.roles import Role
from tests.factories.organisation import PASSWORD, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENT_NUMBER = "鲁财农指〔2018〕12号"


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def do_step(page, step: str, **fields):
    """Open a step from a record's page, fill its form (dates default to today) and save it."""
    page.get_by_test_id(f"step-{step}").click()
    form = page.get_by_test_id("step-form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    page.get_by_test_id("step-submit").click()
    page.get_by_test_id("record-title").wait_for()
    assert page.locator(".alert-success").count() == 1, page.content()


def open_from_queue(page, live_server, queue: str):
    page.goto(f"{live_server.url}/funds/")
    page.get_by_test_id(f"queue-{queue}").get_by_role("link", name=DOCUMENT_NUMBER).first.click()
    page.get_by_test_id("record-title").wait_for()


def screenshot(page, name: str):
    Path("var").mkdir(exist_ok=True)
    page.screenshot(path=f"var/e2e-funds-chain-{name}.png", full_page=True)


def test_money_goes_from_the_district_to_the_village_through_every_hop(live_server, page, make_user, town):
    # given the people of the chain for 汪沟镇 and its village 王家庄村
    village = VillageFactory(town=town, name="王家庄村")
    make_user(Role.DISTRICT_FINANCE, username="caizheng")
    make_user(Role.TOWN_FINANCE, town=town, username="wanggou-caizheng")
    make_user(Role.TOWN_STATION, town=town, username="wanggou-jingguan")
    make_user(Role.VILLAGE_CLERK, village=village, username="wangjiazhuang")

    # when the district finance bureau records an allocation with a share for the town
    log_in(page, live_server, "caizheng")
    page.goto(f"{live_server.url}/funds/allocations/new/")
    form = page.get_by_test_id("allocation-form")
    form.locator("#id_document_number").fill(DOCUMENT_NUMBER)
    form.locator("#id_title").fill("2018年省级财政专项扶贫资金")
    form.locator("#id_issued_by").fill("山东省财政厅")
    form.locator("#id_amount").fill("500000.00")
    form.locator("#id_shares-0-town").select_option(label="汪沟镇")
    form.locator("#id_shares-0-amount").fill("300000.00")
    page.get_by_test_id("allocation-submit").click()
    page.get_by_test_id("allocation-chain").wait_for()
    assert DOCUMENT_NUMBER in page.get_by_test_id("record-title").inner_text()
    screenshot(page, "allocation")

    # and sends the town's share
    page.get_by_test_id("allocation-chain").get_by_test_id("transfer-link").click()
    do_step(page, "send", voucher_number="财拨〔2018〕88号")

    # then the town finance office finds it waiting, confirms it and forwards it to the station
    log_in(page, live_server, "wanggou-caizheng")
    open_from_queue(page, live_server, "to_town_to_confirm")
    do_step(page, "receive")
    assert page.get_by_test_id("step-send").count() == 1  # the forwarding, due in 5 working days
    do_step(page, "send")

    # and the station confirms the money arrived
    log_in(page, live_server, "wanggou-jingguan")
    open_from_queue(page, live_server, "to_station_to_confirm")
    do_step(page, "receive")

    # when the village clerk asks for money for a project
    log_in(page, live_server, "wangjiazhuang")
    page.goto(f"{live_server.url}/funds/requests/new/")
    form = page.get_by_test_id("request-form")
    assert form.locator("#id_village").input_value() == str(village.pk)
    form.locator("#id_allocation").select_option(index=1)
    form.locator("#id_project_name").fill("王家庄村光伏电站")
    form.locator("#id_purpose").fill("光伏组件及安装费")
    form.locator("#id_amount").fill("120000.00")
    page.get_by_test_id("request-submit").click()
    page.get_by_test_id("request-status").wait_for()

    # then the station approves it and pays the village
    log_in(page, live_server, "wanggou-jingguan")
    page.goto(f"{live_server.url}/funds/")
    screenshot(page, "station-overview")
    page.get_by_test_id("queue-requests_to_review").get_by_role("link", name="王家庄村光伏电站").click()
    do_step(page, "approve")
    page.get_by_test_id("request-transfer").get_by_test_id("transfer-link").click()
    page.get_by_test_id("record-title").wait_for()
    do_step(page, "send", voucher_number="经管拨〔2018〕3号")

    # and the village confirms that the money arrived
    log_in(page, live_server, "wangjiazhuang")
    open_from_queue(page, live_server, "to_village_to_confirm")
    do_step(page, "receive")
    today = timezone.localdate()
    assert today.isoformat() in page.get_by_test_id("received-on").inner_text()
    screenshot(page, "village-received")

    # and the village's transfer shows as received, at the end of a chain in which every hop was received
    transfer = Transfer.objects.select_related("payment_request").get(hop=Hop.TO_VILLAGE)
    assert (transfer.village, transfer.received_on) == (village, today)
    assert transfer.payment_request.status == PaymentRequestStatus.APPROVED
    assert not Transfer.objects.filter(received_on__isnull=True).exists()
    page.goto(f"{live_server.url}/funds/transfers/?hop=to_village")
    assert today.isoformat() in page.get_by_test_id("transfer-table").inner_text()
    log_in(page, live_server, "caizheng")
    page.goto(f"{live_server.url}/funds/transfers/")
    screenshot(page, "transfer-list")
