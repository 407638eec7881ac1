"""A project from proposal through the joint review and the publicity to approval, in the browser: the town staff
propose it, the district office records each department's opinion, publishes it, records and answers an objection,
and approves it once the publicity has run its course; the public page shows it while it is published."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from organisation.roles import Role
from projects.models import IndustryProject, Objection, ProjectStatus, Publicity, ReviewDepartment
from tests.factories.organisation import PASSWORD, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "王家庄村食用菌种植大棚"


@pytest.fixture
def new_page(browser):
    """new_page() -> a page of its own browser context (its own session), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def signed_in(new_page, live_server, username):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def status_of(page) -> str:
    return page.get_by_test_id("record-title").get_by_test_id("status-badge").get_attribute("data-status")


def test_a_project_goes_from_proposal_through_review_and_publicity_to_approval(live_server, new_page, make_user, town):
    # given the town's staff, the district office and a review committee of three departments
    village = VillageFactory(town=town, name="王家庄村")
    VillageFactory(town=town, name="李家岭村")
    make_user(Role.TOWN_STAFF, town=town, username="wanggou", first_name="刘洋")
    make_user(Role.DISTRICT_OFFICE, username="office", first_name="王敏")
    departments = [
        ReviewDepartment.objects.create(name=name, sort_order=order)
        for order, name in enumerate(["区财政局", "区审计局", "区农业农村局"], start=1)
    ]
    Path("var").mkdir(exist_ok=True)

    # when the town staff propose the project through the form and submit it for the joint review
    staff = signed_in(new_page, live_server, "wanggou")
    staff.goto(f"{live_server.url}/projects/new/")
    form = staff.get_by_test_id("project-form")
    form.locator(f"input[name=villages][value='{village.pk}']").check()
    form.locator("#id_name").fill(NAME)
    form.locator("#id_category").select_option("farming")
    form.locator("#id_content").fill("新建食用菌出菇大棚12个及冷库1座")
    form.locator("#id_scale").fill("大棚12个，冷库200立方米")
    form.locator("#id_implementing_unit").fill("汪沟镇人民政府")
    form.locator("#id_planned_completion").fill("2027-06-30")
    form.locator("#id_investments-0-source").select_option("central")
    form.locator("#id_investments-0-amount").fill("600000")
    form.locator("#id_investments-1-source").select_option("collective")
    form.locator("#id_investments-1-amount").fill("50000")
    staff.get_by_test_id("project-submit").click()
    staff.wait_for_url(re.compile(r"/projects/\d+/$"))
    assert NAME in staff.get_by_test_id("record-title").inner_text()
    assert "650000.00" in staff.get_by_test_id("total-investment").inner_text().replace(",", "")
    staff.get_by_test_id("move-submit").click()
    staff.get_by_test_id("step-submit").click()
    staff.wait_for_url(re.compile(r"/projects/\d+/$"))
    assert status_of(staff) == ProjectStatus.REVIEW
    project = IndustryProject.objects.get(name=NAME)

    # and the district office records every department's opinion from the review board
    office = signed_in(new_page, live_server, "office")
    office.goto(f"{live_server.url}/projects/review/")
    row = office.get_by_test_id("review-board-row").filter(has_text=project.code)
    assert row.count() == 1
    row.locator(f"td[data-department='{departments[0].name}'] a").click()
    for department in departments:
        step = office.get_by_test_id("step-form")
        step.locator("#id_department").select_option(str(department.pk))
        if department == departments[1]:
            step.locator("input[name=opinion][value=conditional]").check()
            step.locator("#id_comments").fill("资金须专账核算")
        else:
            step.locator("input[name=opinion][value=agree]").check()
        office.get_by_test_id("step-submit").click()
        office.wait_for_load_state()
    office.wait_for_url(re.compile(rf"/projects/{project.pk}/$"))
    assert office.locator("[data-testid=review-opinion]").count() == 3

    # and opens the publicity, starting today
    office.get_by_test_id("publicity-open").click()
    office.get_by_test_id("step-submit").click()
    office.wait_for_url(re.compile(rf"/projects/{project.pk}/$"))
    assert status_of(office) == ProjectStatus.PUBLICITY

    # then anyone sees it on the public page, without logging in
    public = new_page()
    public.goto(f"{live_server.url}/public/")
    notice = public.get_by_test_id("public-notice").filter(has_text=NAME)
    assert notice.count() == 1
    assert "大棚12个" in notice.inner_text()
    public.screenshot(path="var/e2e-project-public-notice.png", full_page=True)

    # when an objection comes in and is answered
    office.get_by_test_id("objection-create").click()
    office.locator("#id_raised_by").fill("张三丰")
    office.locator("#id_content").fill("希望优先吸纳本村贫困劳动力")
    office.get_by_test_id("step-submit").click()
    office.wait_for_url(re.compile(rf"/projects/{project.pk}/$"))
    office.get_by_test_id("objection-answer").click()
    office.locator("#id_answer").fill("已写入实施方案")
    office.get_by_test_id("step-submit").click()
    office.wait_for_url(re.compile(rf"/projects/{project.pk}/$"))
    assert office.get_by_test_id("objection").get_attribute("data-answered") == "yes"

    # then the approval is refused while the publicity runs
    ends_on = Publicity.objects.get(project=project).ends_on
    office.get_by_test_id("project-approve").click()
    office.get_by_test_id("step-submit").click()
    assert ends_on.isoformat() in office.get_by_test_id("form-errors").inner_text()
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICITY

    # when the publicity has run its course (its seven days moved back to end yesterday, as if time had passed)
    today = timezone.localdate()
    Publicity.objects.filter(project=project).update(
        starts_on=today - dt.timedelta(days=7), ends_on=today - dt.timedelta(days=1)
    )
    Objection.objects.filter(publicity__project=project).update(received_on=today - dt.timedelta(days=6))
    office.goto(f"{live_server.url}/projects/{project.pk}/")
    office.get_by_test_id("project-approve").click()
    office.get_by_test_id("step-submit").click()
    office.wait_for_url(re.compile(rf"/projects/{project.pk}/$"))

    # then the project is approved, with its history
    assert status_of(office) == ProjectStatus.APPROVED
    assert office.locator("[data-testid=status-change]").count() == 4
    office.screenshot(path="var/e2e-project-approved.png", full_page=True)
    # and it has left the public page (asked afresh: the browser may keep the page a few minutes), where no
    # objector's name ever showed
    public.goto(f"{live_server.url}/public/?publicity_page=1")
    assert NAME not in public.content()
    assert "张三丰" not in public.content()
