"""The rectification ledger's whole cycle in the browser: an overdue transfer becomes an item, the daily scan orders
it, the town replies, proves it fixed and asks for the close-off, the district office closes it off, and the
look-back finds it rebounded and reopens it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.choices import ItemStatus, Source
from audits.models import LookBack, RectificationItem, SupervisionOrder
from audits.services.scan import ledger_scan
from funds.models import Hop, Transfer
from funds.services.overdue import overdue_scan
from organisation.roles import Role
from tests.factories.audits import PDF_BYTES
from tests.factories.funds import allocation_for
from tests.factories.organisation import PASSWORD, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def submit_step(page, live_server, done_url: str, **fields):
    """Fill the open step's form (text, selects and radio buttons by name) and save it; back on ``done_url``."""
    form = page.get_by_test_id("step-form")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        kind = field.first.evaluate("element => element.tagName + ':' + (element.type || '')")
        if kind.startswith("SELECT"):
            field.select_option(value)
        elif kind.endswith(":radio"):
            form.locator(f"[name={name}][value={value}]").check()
        elif kind.endswith(":file"):
            field.set_input_files(value)
        else:
            field.fill(value)
    page.get_by_test_id("step-submit").click()
    page.wait_for_url(f"{live_server.url}{done_url}")
    assert page.locator(".alert-danger, .invalid-feedback").count() == 0, page.content()


def test_an_overdue_transfer_goes_round_the_whole_ledger_cycle(live_server, page, make_user, town, clock):
    # given the town's share of an allocation the district finance bureau did not send in time, flagged by the
    # funds scan, and the people of the cycle
    VillageFactory(town=town, name="王家庄村")
    finance = make_user(Role.DISTRICT_FINANCE, username="caizheng")
    staff = make_user(Role.TOWN_STAFF, town=town, username="wanggou")
    office = make_user(Role.DISTRICT_OFFICE, username="fupinban")
    allocation = allocation_for(finance, [(town, Decimal("1000"))], received_on=clock.ago(40))
    transfer = Transfer.objects.get(allocation=allocation, hop=Hop.TO_TOWN)
    overdue_scan(now=timezone.now())

    # when the daily ledger scan runs, the transfer becomes an item of the town
    ledger_scan()
    item = RectificationItem.objects.get(transfer=transfer)
    assert (item.source, item.town, item.status) == (Source.OVERDUE_TRANSFER, town, ItemStatus.OPEN)
    log_in(page, live_server, "wanggou")
    page.goto(f"{live_server.url}/audits/ledger/")
    page.get_by_role("link", name=item.number).click()
    page.get_by_test_id("item-description").wait_for()

    # and once the item is past its deadline, the scan issues a supervision order to the town
    clock.set(item.due_date + dt.timedelta(days=1))
    ledger_scan()
    order = SupervisionOrder.objects.get(items=item)
    assert order.automatic and order.town == town

    # when the town replies to the order, uploads its evidence and asks for the close-off
    page.goto(f"{live_server.url}/audits/orders/{order.pk}/")
    page.get_by_test_id("order-reply").click()
    submit_step(page, live_server, f"/audits/orders/{order.pk}/", reply="已补拨到位，并完善拨付台账。")
    assert "已补拨到位" in page.get_by_test_id("order-reply-text").inner_text()
    item_url = f"/audits/ledger/{item.pk}/"
    page.goto(f"{live_server.url}{item_url}")
    page.get_by_test_id("evidence-upload").click()
    pdf = {"name": "拨付凭证.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    submit_step(page, live_server, item_url, upload=pdf)
    assert "拨付凭证.pdf" in page.get_by_test_id("evidence-table").inner_text()
    page.get_by_test_id("close-off-request").click()
    submit_step(page, live_server, item_url, note="资金已拨付，凭证已上传。")
    item.refresh_from_db()
    assert (item.status, item.close_requested_by) == (ItemStatus.CLOSE_OFF_REQUESTED, staff)
    # (the town may not close off its own request)
    assert page.get_by_test_id("close-off-verify").count() == 0

    # when a different user, the district office, verifies it
    log_in(page, live_server, "fupinban")
    page.goto(f"{live_server.url}{item_url}")
    page.get_by_test_id("close-off-verify").click()
    submit_step(page, live_server, item_url, decision="approve", note="凭证齐全，同意销号。")

    # then the item is closed off by the office, and its look-back is scheduled
    item.refresh_from_db()
    assert (item.status, item.closed_by, item.close_requested_by) == (ItemStatus.CLOSED, office, staff)
    look_back = LookBack.objects.get(item=item, outcome="")
    assert look_back.due_date > clock.today

    # when the look-back comes due, the scan reminds it, and the office finds the problem back
    clock.set(look_back.due_date)
    ledger_scan()
    look_back.refresh_from_db()
    assert look_back.reminded_at is not None
    page.goto(f"{live_server.url}{item_url}")
    page.get_by_test_id("look-back-record").click()
    submit_step(
        page, live_server, item_url, outcome="rebound", note="回访发现拨付再次滞后。", time_limit_working_days="10"
    )

    # then the item is open again, reopened once, with the look-back's outcome in its history
    item.refresh_from_db()
    assert (item.status, item.reopened_count) == (ItemStatus.OPEN, 1)
    assert LookBack.objects.get(pk=look_back.pk).outcome == "rebound"
    assert "回访发现拨付再次滞后" in page.get_by_test_id("look-back-table").inner_text()
