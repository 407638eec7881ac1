"""Each of the seven posts logs in through the browser: its home page is its level's dashboard with its to-do list,
which counts the work really waiting for it (a share to send, money to confirm, a request to review, a ledger item
near its deadline, a data-quality problem); then every link of its menu answers, none with 403, 404 or 500.

One live server and one browser for the module; the menu's pages are fetched with the browser's own session."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.choices import ItemStatus
from funds.services import chain
from households.models import ProblemClass
from organisation.roles import Role
from tests.factories.audits import item_raised
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_station, to_town_transfer
from tests.factories.household_records import quality_problem
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import PASSWORD, post_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The to-do entry each post must see counting at least one piece of work.
EXPECTED_TODO = {
    Role.DISTRICT_OFFICE: "quality_problems",
    Role.DISTRICT_FINANCE: "to_town_unsent",
    # the audit bureau verifies the ledger's close-offs
    Role.AUDIT: "ledger_open",
    Role.TOWN_STAFF: "ledger_open",
    Role.TOWN_FINANCE: "to_town_to_confirm",
    Role.TOWN_STATION: "requests_to_review",
    Role.VILLAGE_CLERK: "quality_problems",
}
# The dashboard's heading names the post's unit.
UNIT_OF_LEVEL = {"district": "兰山区", "town": "汪沟镇", "village": "王家庄村"}


def work_waiting(town, village):
    """One real piece of work for each post of the chain, the ledger and the register; the users, by role."""
    people = ChainPeople.for_town(town, village)
    office = post_user(Role.DISTRICT_OFFICE)
    # a share the district finance bureau has yet to send
    allocation_for(people.district_finance, [(town, Decimal("50000.00"))])
    # a share sent to the town, for its finance office to confirm
    sent = allocation_for(people.district_finance, [(town, Decimal("80000.00"))])
    chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(sent, town), sent_on=timezone.localdate()
    )
    # money the station holds, and the village's payment request for it to review
    held = allocation_for(people.district_finance, [(town, Decimal("100000.00"))])
    to_station(people, held, town)
    request_for(people, held, village, Decimal("20000.00"))
    # a ledger item due in two working days, and an open data-quality problem in the village
    item = item_raised(office, town, village=village, days=2)
    assert item.status != ItemStatus.CLOSED
    quality_problem(
        HouseholdFactory(village=village), ProblemClass.INFORMATION, found_at=timezone.now() - dt.timedelta(days=1)
    )
    return {
        Role.DISTRICT_OFFICE: office,
        Role.DISTRICT_FINANCE: people.district_finance,
        Role.AUDIT: post_user(Role.AUDIT),
        Role.TOWN_STAFF: people.town_staff,
        Role.TOWN_FINANCE: people.town_finance,
        Role.TOWN_STATION: people.station,
        Role.VILLAGE_CLERK: people.clerk,
    }


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def menu_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav.navbar a[href]", "links => links.map(link => link.getAttribute('href'))")
    return sorted({href for href in hrefs if href.startswith("/") and href != "/"})


@pytest.mark.parametrize("role", list(EXPECTED_TODO), ids=[role.value for role in EXPECTED_TODO])
def test_each_post_s_home_shows_its_work_and_every_menu_link_opens(live_server, page, town, village, role):
    # given work waiting at every step, in 汪沟镇's 王家庄村
    town.name, village.name = "汪沟镇", "王家庄村"
    town.save()
    village.save()
    user = work_waiting(town, village)[role]

    # when the post logs in
    log_in(page, live_server, user)

    # then its home page is its level's dashboard, with its to-do list (loaded once the page is shown)
    level = (
        "district"
        if role in (Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT)
        else ("village" if role == Role.VILLAGE_CLERK else "town")
    )
    assert UNIT_OF_LEVEL[level] in page.locator("h1").first.inner_text()
    todo = page.get_by_test_id("todo")
    todo.get_by_role("heading", name="我的待办").wait_for()
    entry = todo.get_by_test_id(f"todo-{EXPECTED_TODO[role]}")
    assert int(entry.get_by_test_id("todo-count").inner_text().replace(",", "")) >= 1

    # and every page of its menu opens for it
    links = menu_links(page)
    assert links, "the menu shows no page"
    answers = {href: page.request.get(f"{live_server.url}{href}").status for href in links}
    refused = {href: status for href, status in answers.items() if status in (403, 404) or status >= 500}
    assert not refused, f"{role.value}'s menu links that do not open: {refused}"
