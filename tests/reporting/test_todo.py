"""The home page's to-do list: each post sees the work waiting for its own step, counted in its reach, each entry
linking to the list it counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import RectificationItem
from organisation.roles import Role
from tests.factories.audits import item_raised
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import post_user

pytestmark = pytest.mark.django_db


def todo_page(client, user):
    client.force_login(user)
    return client.get(reverse("reporting:todo"), HTTP_HX_REQUEST="true")


def counts(response) -> dict[str, int]:
    return {todo.key: todo.count for todo in response.context["todos"]}


def test_the_home_page_loads_the_to_do_list_of_the_post(client, town):
    # given town staff
    client.force_login(post_user(Role.TOWN_STAFF, town=town))

    # when the home page opens
    home = client.get(reverse("home"))

    # then it asks for the to-do list
    assert home.status_code == 200
    assert home.context["todo_url"] == reverse("reporting:todo")
    assert 'data-testid="todo"' in home.content.decode()


def test_a_district_user_looking_at_a_towns_dashboard_gets_no_to_do_list(client, town):
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    page = client.get(reverse("reporting:dashboard_town", kwargs={"pk": town.pk}))
    assert page.context["todo_url"] == ""


def test_town_staff_see_their_towns_ledger_items_and_households_and_not_another_towns(
    client, town, other_town, village
):
    # given two items and a household without a cadre in the town, one item in another town
    office = post_user(Role.DISTRICT_OFFICE)
    item_raised(office, town)
    overdue = item_raised(office, town)
    RectificationItem.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate().replace(year=2020))
    item_raised(office, other_town)
    HouseholdFactory(village=village)

    # when the town's staff open their to-do list
    response = todo_page(client, post_user(Role.TOWN_STAFF, town=town))

    # then the counts are the town's, and each entry links to the list it counts
    found = counts(response)
    assert found["ledger_open"] == 2
    assert found["ledger_overdue"] == 1
    assert found["households_without_cadre"] == 1
    html = response.content.decode()
    for todo in response.context["todos"]:
        assert f'href="{todo.url}"'.replace("&", "&amp;") in html
    listed = client.get(next(todo.url for todo in response.context["todos"] if todo.key == "ledger_overdue"))
    assert listed.status_code == 200
    assert listed.context["paginator"].count == found["ledger_overdue"]


def test_the_audit_bureau_reads_but_has_no_work_of_the_towns_waiting(client):
    response = todo_page(client, post_user(Role.AUDIT))
    assert "households_without_cadre" not in counts(response)
    assert "plans_overdue" not in counts(response)


@pytest.mark.parametrize("role", list(Role))
def test_every_post_gets_its_to_do_list_and_every_link_opens(client, role, town, village):
    # given a user of each post
    from organisation.roles import LEVEL_OF_ROLE, Level

    level = LEVEL_OF_ROLE[role]
    user = (
        post_user(role, village=village)
        if level == Level.VILLAGE
        else post_user(role, town=town if level == Level.TOWN else None)
    )

    # when the to-do list is opened, then each of its links opens
    response = todo_page(client, user)
    assert response.status_code == 200
    for todo in response.context["todos"]:
        assert client.get(todo.url).status_code == 200, todo.key


def test_a_towns_unsent_reports_wait_on_its_list_and_submitted_ones_on_the_district_offices(client, town, other_town):
    # given two ended months' reports opened for the town, one submitted, and one opened for another town
    from funds.services.reports import monthly_report_open, monthly_report_submit
    from organisation.periods import month_start, previous_month

    finance = post_user(Role.TOWN_FINANCE, town=town)
    last = previous_month(month_start(timezone.localdate()))
    unsent = monthly_report_open(user=finance, town=town, month=previous_month(last))
    sent = monthly_report_open(user=finance, town=town, month=last)
    monthly_report_submit(user=finance, report=sent, notes="")
    monthly_report_open(user=post_user(Role.TOWN_FINANCE, town=other_town), town=other_town, month=last)

    # when the town's finance office and the district office open their to-do lists
    town_list = todo_page(client, finance)
    town_counts = counts(town_list)
    entry = next(todo for todo in town_list.context["todos"] if todo.key == "reports_to_submit")
    listed = client.get(entry.url)
    office_list = todo_page(client, post_user(Role.DISTRICT_OFFICE))

    # then the town sees its one unsent report (a month two back is past its due day: late), nothing returned,
    # and the office the one submitted report to review; each link lists what it counts
    assert town_counts["reports_to_submit"] == 1
    assert town_counts["reports_returned"] == 0
    assert entry.late is (unsent.due_date < timezone.localdate())
    assert [report.pk for report in listed.context["object_list"]] == [unsent.pk]
    assert counts(office_list)["reports_to_review"] == 1
    assert "reports_to_submit" not in counts(office_list)
