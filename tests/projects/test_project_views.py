"""The pages of industry projects and of the joint review: forms, the project's page, the list, the review board,
and who is refused where."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.roles import Role
from projects.models import (
    AssetEncumbrance,
    EncumbranceKind,
    IndustrialPark,
    IndustryProject,
    Investment,
    InvestmentSource,
    Objection,
    Opinion,
    ProjectsPolicy,
    ProjectStatus,
    ReviewDepartment,
)
from projects.services import lifecycle, review
from tests.factories.organisation import TownFactory, VillageFactory
from tests.factories.projects import ProjectFactory
from tests.permission_checks import assert_other_town_refused, history_head, stranger

S = ProjectStatus


def html_of(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    return response.content.decode()


def project_form_data(people, **fields) -> dict:
    data = {
        "villages": [people.village.pk],
        "name": "王家庄村食用菌种植基地",
        "category": "farming",
        "content": "建设食用菌大棚10个",
        "scale": "大棚10个",
        "implementing_unit": "汪沟镇人民政府",
        "planned_start": "2026-07-01",
        "planned_completion": "2026-12-31",
        "proposed_on": "2026-06-15",
        "investments-TOTAL_FORMS": "3",
        "investments-INITIAL_FORMS": "0",
        "investments-MIN_NUM_FORMS": "0",
        "investments-MAX_NUM_FORMS": "1000",
        "investments-0-source": "central",
        "investments-0-amount": "300000",
        "investments-1-source": "collective",
        "investments-1-amount": "50000.50",
    }
    return data | fields


# --- Proposal and change ------------------------------------------------------------------------------------------


def test_town_staff_propose_a_project_through_the_form(client, people, clock):
    # given the town staff on the proposal form
    client.force_login(people.staff)
    assert client.get(reverse("projects:project_create")).status_code == 200

    # when they propose a project
    response = client.post(reverse("projects:project_create"), project_form_data(people))

    # then it is a proposal of their town, with its village and investments, dated today
    project = IndustryProject.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert (project.town, project.name, project.status) == (people.village.town, "王家庄村食用菌种植基地", S.PROPOSAL)
    assert list(project.villages.all()) == [people.village]
    assert sorted(project.investments.values_list("source", "amount")) == [
        ("central", Decimal("300000.00")),
        ("collective", Decimal("50000.50")),
    ]
    assert project.status_changes.get().changed_on == clock.today


@pytest.mark.english
def test_the_form_shows_the_service_s_refusal_and_writes_nothing(client, people, clock, other_village):
    # given the town staff
    client.force_login(people.staff)
    before = history_head()
    # when they propose a project completed before it starts
    response = client.post(
        reverse("projects:project_create"), project_form_data(people, planned_completion="2026-06-01")
    )
    # then the form shows the service's reason
    assert response.status_code == 200
    assert "The planned completion cannot be before the planned start." in response.content.decode()
    # and a village of another town is not even offered
    response = client.post(reverse("projects:project_create"), project_form_data(people, villages=[other_village.pk]))
    assert response.status_code == 200 and response.context["form"].errors["villages"]
    # then nothing was written
    assert not IndustryProject.objects.exists()
    assert history_head() == before


def test_a_proposal_is_changed_through_its_form(client, people, proposed, clock):
    # given a proposal, whose form shows it
    project = proposed()
    client.force_login(people.staff)
    url = reverse("projects:project_edit", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200 and project.name in page.content.decode()

    # when the staff change its name and an investment
    data = project_form_data(people, name="改名后的项目", **{"investments-0-amount": "123456"})
    data.pop("proposed_on")
    response = client.post(url, data)

    # then both are changed
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "改名后的项目"
    assert sorted(project.investments.values_list("amount", flat=True)) == [Decimal("50000.50"), Decimal("123456.00")]


def test_the_district_office_enters_a_project_built_before(client, people, clock, town):
    # given a village of another town
    other = VillageFactory(town=TownFactory(name="义堂镇"), name="义堂村")
    client.force_login(people.office)
    data = project_form_data(
        people,
        town=other.town.pk,
        villages=[other.pk],
        status=S.OPERATING,
        construction_started_on="2015-03-01",
        completed_on="2015-09-30",
        operation_started_on="2015-10-01",
        three_assets_number="SZ-2015-09",
        note="2015年建成的扶贫车间",
    )
    # when the office enters a project operating there since 2015
    response = client.post(reverse("projects:project_register_existing"), data)
    # then it is entered at its state, with its note
    assert response.status_code == 302, response.context["form"].errors
    project = IndustryProject.objects.get()
    assert (project.town, project.status, project.entered_as_existing) == (other.town, S.OPERATING, True)
    assert project.status_changes.get().note == "2015年建成的扶贫车间"


# --- The project's page -------------------------------------------------------------------------------------------


@pytest.mark.english
def test_the_project_page_shows_its_money_its_history_its_review_and_its_publicity(client, people, walk, clock):
    # given a project returned by the review, submitted again, under publicity with an objection
    project = walk(S.REVIEW)
    finance = people.departments[0]
    review.review_opinion_record(
        user=people.office, project=project, department=finance, opinion=Opinion.DISAGREE, comments="预算偏高"
    )
    review.review_return(user=people.office, project=project, returned_on=clock.ago(75))
    project = lifecycle.project_submit_for_review(user=people.staff, project=project, submitted_on=clock.ago(74))
    walk(S.PUBLICITY, project)
    review.objection_record(
        user=people.office,
        publicity=project.publicities.get(),
        received_on=clock.ago(68),
        raised_by="张三丰",
        content="占用耕地",
    )

    # when the office opens it
    html = html_of(client, people.office, project.get_absolute_url())

    # then the page shows its money, both review rounds, the objection and its history
    assert "1,000,000.00" in html  # the total of the investments
    for text in ("预算偏高", "Round 2", "Round 1", "占用耕地", "not answered", "Under publicity", "History"):
        assert text in html, text
    # every status change, with its date and who made it
    assert html.count('data-testid="status-change"') == 5
    assert "区财政局 disagrees: 预算偏高" in html
    assert "王敏" in html and "刘洋" in html
    # the history tab holds the project's changes (its status moving along)
    assert html.count("data-event-id") >= 5
    # the district office's steps on a project under publicity
    assert 'data-testid="objection-create"' in html and 'data-testid="project-approve"' in html
    assert 'data-testid="objection-answer"' in html


def test_the_page_offers_each_user_only_the_steps_they_do(client, people, walk, make_user, town):
    # given an approved project
    project = walk(S.APPROVED)
    # then the staff are offered construction and suspension, not approval
    staff_page = html_of(client, people.staff, project.get_absolute_url())
    assert 'data-testid="move-start_construction"' in staff_page and 'data-testid="move-suspend"' in staff_page
    assert 'data-testid="project-approve"' not in staff_page
    # the office suspension only
    office_page = html_of(client, people.office, project.get_absolute_url())
    assert 'data-testid="move-start_construction"' not in office_page and 'data-testid="move-suspend"' in office_page
    # the auditors nothing
    audit_page = html_of(client, make_user(Role.AUDIT), project.get_absolute_url())
    assert 'data-testid="move-' not in audit_page


@pytest.mark.english
def test_a_lifecycle_move_is_made_through_its_page(client, people, walk, clock):
    # given an approved project, whose page offers starting construction and no approval
    project = walk(S.APPROVED)
    client.force_login(people.staff)
    url = reverse("projects:project_transition", args=[project.pk])
    assert client.get(f"{url}?move=start_construction").status_code == 200
    assert client.get(f"{url}?move=approve").status_code == 404

    # when the staff start the construction
    response = client.post(url, {"move": "start_construction", "changed_on": "2026-06-10", "note": "开工"})

    # then it is under construction since that day
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.construction_started_on) == (S.CONSTRUCTION, dt.date(2026, 6, 10))
    # when a move is refused, the form shows the service's reason
    response = client.post(url, {"move": "start_operation", "changed_on": "2026-06-12"})
    assert response.status_code == 200
    assert "cannot be done on a project that is “Under construction”" in response.content.decode()


def test_the_district_office_takes_a_project_from_review_to_approval_through_the_pages(client, people, walk, clock):
    # given a project under review
    project = walk(S.REVIEW)
    client.force_login(people.office)
    # when every department agrees, the publicity opens and an objection is answered
    for department in people.departments:
        response = client.post(
            reverse("projects:review_record", args=[project.pk]),
            {"department": department.pk, "opinion": Opinion.AGREE, "comments": ""},
        )
        assert response.status_code == 302
    response = client.post(reverse("projects:publicity_open", args=[project.pk]), {"starts_on": "2026-06-01"})
    assert response.status_code == 302
    client.post(
        reverse("projects:objection_create", args=[project.pk]),
        {"received_on": "2026-06-02", "raised_by": "村民李四", "content": "收益分配方案不清楚"},
    )
    objection = Objection.objects.get()
    client.post(
        reverse("projects:objection_answer", args=[objection.pk]),
        {"answered_on": "2026-06-04", "answer": "分配方案已张榜公布"},
    )
    # and the office approves it
    response = client.post(reverse("projects:project_approve", args=[project.pk]), {"approved_on": "2026-06-08"})

    # then it is approved
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == S.APPROVED
    assert [change.to_status for change in project.status_changes.all()][-2:] == [S.PUBLICITY, S.APPROVED]


def test_the_review_board_shows_each_department_s_opinion(client, people, walk, make_user):
    # given a project under review with the finance bureau's opinion
    project = walk(S.REVIEW)
    finance = people.departments[0]
    review.review_opinion_record(
        user=people.office, project=project, department=finance, opinion=Opinion.AGREE_WITH_CONDITIONS, comments="专账"
    )
    # when the office opens the review board
    html = html_of(client, people.office, reverse("projects:review_board"))
    # then it shows each department, and offers to record the ones missing
    assert project.code in html and "区财政局" in html and "区农业农村局" in html
    assert f"{reverse('projects:review_record', args=[project.pk])}?department={people.departments[1].pk}" in html
    # and the auditors read it; they record nothing
    html = html_of(client, make_user(Role.AUDIT), reverse("projects:review_board"))
    assert project.code in html and reverse("projects:review_record", args=[project.pk]) not in html


# --- The list -----------------------------------------------------------------------------------------------------


def encumber(project, user, status="requested"):
    return AssetEncumbrance.objects.create(
        project=project,
        kind=EncumbranceKind.MORTGAGE,
        creditor="兰山农商银行",
        amount=Decimal("100000.00"),
        purpose="流动资金",
        status=status,
        requested_on=dt.date(2026, 5, 1),
        requested_by=user,
        decided_on=None if status == "requested" else dt.date(2026, 5, 2),
        decided_by=None if status == "requested" else user,
        released_on=dt.date(2026, 5, 20) if status == "released" else None,
    )


def codes(response) -> list[str]:
    return [project.code for project in response.context["projects"]]


def test_the_list_filters_and_searches(client, people, town, second_village, office):
    # given a project in a park, an encumbered one in the second village, and one in another town
    park = IndustrialPark.objects.create(town=town, name="汪沟镇扶贫产业园", established_on=dt.date(2018, 1, 1))
    farm = ProjectFactory(town=town, villages=[people.village], name="蔬菜大棚", park=park)
    tour = ProjectFactory(
        town=town, villages=[second_village], name="乡村旅游", category="tourism", status=S.APPROVED,
        implementing_unit="兰山文旅公司",
    )  # fmt: skip
    elsewhere = ProjectFactory(town=TownFactory(), name="外镇项目")
    encumber(tour, office)
    encumber(farm, office, status="released")
    client.force_login(office)
    url = reverse("projects:project_list")

    # then the list finds each by its filters and search
    assert set(codes(client.get(url))) == {farm.code, tour.code, elsewhere.code}
    assert codes(client.get(url, {"town": town.pk, "category": "tourism"})) == [tour.code]
    assert codes(client.get(url, {"village": second_village.pk})) == [tour.code]
    assert codes(client.get(url, {"status": S.APPROVED})) == [tour.code]
    assert codes(client.get(url, {"in_park": "yes"})) == [farm.code]
    assert set(codes(client.get(url, {"in_park": "no"}))) == {tour.code, elsewhere.code}
    assert codes(client.get(url, {"encumbered": "yes"})) == [tour.code]
    assert codes(client.get(url, {"q": "文旅"})) == [tour.code]
    assert codes(client.get(url, {"q": farm.code})) == [farm.code]
    # a value that does not parse is ignored
    assert len(codes(client.get(url, {"status": "nonsense", "town": "x"}))) == 3

    # and warns of the encumbrance
    html = client.get(url).content.decode()
    assert html.count('data-testid="encumbrance-warning"') == 1


def test_another_town_s_staff_see_nothing_of_the_town_in_the_list(client, people, proposed, make_user, other_town):
    # given a proposal of the town
    project = proposed()
    # when another town's staff open the list
    html = html_of(client, make_user(Role.TOWN_STAFF, town=other_town), reverse("projects:project_list"))
    # then it is not there
    assert project.code not in html and project.name not in html


def _projects(town, village, user, count):
    for _ in range(count):
        project = ProjectFactory(town=town, villages=[village, VillageFactory(town=town)], park=None)
        Investment.objects.create(project=project, source=InvestmentSource.CENTRAL, amount=Decimal("1000.00"))
        encumber(project, user)


@pytest.mark.parametrize("who", ["office", "staff"])
def test_the_list_costs_the_same_queries_whatever_the_rows(client, people, town, village, who):
    # given the office or the staff, and two projects
    user = getattr(people, who)
    client.force_login(user)
    url = reverse("projects:project_list")
    _projects(town, village, people.office, 2)
    client.get(url)  # caches warmed

    # when the list is read with 2 projects, and with 14
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["projects"]) == 2
    _projects(town, village, people.office, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["projects"]) == 14
    # then it costs the same queries
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)


# --- Who is refused where -----------------------------------------------------------------------------------------


@pytest.fixture
def records(people, walk, proposed, clock):
    """A project at each state a page works on, and an objection to answer."""
    review_project = walk(S.REVIEW)
    publicity_project = walk(S.PUBLICITY)
    objection = review.objection_record(
        user=people.office,
        publicity=publicity_project.publicities.get(),
        received_on=clock.ago(68),
        raised_by="",
        content="异议",
    )
    return {"proposal": proposed(), "review": review_project, "publicity": publicity_project, "objection": objection}


def record_urls(records, people) -> list[tuple[str, str, dict]]:
    """(name, url, what a POST would carry) of every page about one record."""
    proposal, under_review = records["proposal"], records["review"]
    under_publicity, objection = records["publicity"], records["objection"]
    edit = project_form_data(people)
    edit.pop("proposed_on")
    return [
        ("project_detail", reverse("projects:project_detail", args=[proposal.pk]), {}),
        ("project_edit", reverse("projects:project_edit", args=[proposal.pk]), edit),
        (
            "project_transition",
            reverse("projects:project_transition", args=[proposal.pk]) + "?move=submit",
            {"move": "submit", "changed_on": "2026-06-15"},
        ),
        (
            "review_record",
            reverse("projects:review_record", args=[under_review.pk]),
            {"department": people.departments[0].pk, "opinion": "agree"},
        ),
        (
            "review_return",
            reverse("projects:review_return", args=[under_publicity.pk]),
            {"returned_on": "2026-06-15", "note": "退回"},
        ),
        ("publicity_open", reverse("projects:publicity_open", args=[under_review.pk]), {"starts_on": "2026-06-15"}),
        (
            "objection_create",
            reverse("projects:objection_create", args=[under_publicity.pk]),
            {"received_on": "2026-06-15", "content": "又一条异议"},
        ),
        (
            "objection_answer",
            reverse("projects:objection_answer", args=[objection.pk]),
            {"answered_on": "2026-06-15", "answer": "已答复"},
        ),
        (
            "project_approve",
            reverse("projects:project_approve", args=[under_publicity.pk]),
            {"approved_on": "2026-06-15"},
        ),
    ]


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_STATION, Role.VILLAGE_CLERK])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_town_is_refused_on_every_project_url(client, people, records, role, method):
    # then a user of another town is refused every page of the records, and writes nothing
    for name, url, data in record_urls(records, people):
        if name == "project_detail" and method == "post":
            # the project's page takes no POST from anyone: refused as a method, and nothing is written
            client.force_login(stranger(role))
            before = history_head()
            assert client.post(url, data).status_code == 405
            assert history_head() == before
            continue
        if method == "post":
            url = url.split("?")[0]
        assert_other_town_refused(client, url, role=role, method=method, data=data if method == "post" else None)


# Roles that reach the records (the town's, the village's or the district's) but do not do the step.
WRONG_ROLES = {
    "project_edit": [Role.DISTRICT_OFFICE, Role.TOWN_STATION, Role.AUDIT, Role.VILLAGE_CLERK],
    "project_transition": [Role.DISTRICT_OFFICE, Role.TOWN_STATION, Role.AUDIT, Role.TOWN_FINANCE],
    "review_record": [Role.TOWN_STAFF, Role.AUDIT, Role.DISTRICT_FINANCE, Role.TOWN_STATION],
    "review_return": [Role.TOWN_STAFF, Role.AUDIT],
    "publicity_open": [Role.TOWN_STAFF, Role.AUDIT],
    "objection_create": [Role.TOWN_STAFF, Role.AUDIT, Role.VILLAGE_CLERK],
    "objection_answer": [Role.TOWN_STAFF, Role.AUDIT],
    "project_approve": [Role.TOWN_STAFF, Role.AUDIT, Role.DISTRICT_FINANCE],
}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_role_that_does_not_do_the_step_gets_403_and_writes_nothing(
    client, people, records, make_user, town, method
):
    # given a user of each role that reaches the records but does not do the step
    posts = {Role.VILLAGE_CLERK: {"village": people.village}, Role.TOWN_STATION: {"town": town}}
    posts |= {Role.TOWN_STAFF: {"town": town}, Role.TOWN_FINANCE: {"town": town}}
    users = {role: make_user(role, **posts.get(role, {})) for role in {r for rs in WRONG_ROLES.values() for r in rs}}
    before = history_head()
    # when each opens or posts the step
    for name, url, data in record_urls(records, people):
        for role in WRONG_ROLES.get(name, []):
            client.force_login(users[role])
            response = client.post(url.split("?")[0], data) if method == "post" else client.get(url)
            assert response.status_code == 403, f"{role} got {response.status_code} at {method} {name}"
    # then nothing was written
    assert history_head() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_without_a_record_are_refused_to_the_roles_that_do_not_use_them(
    client, people, make_user, town, method, clock
):
    # given a user of each role that does not use the page
    forbidden = {
        "project_create": [Role.DISTRICT_OFFICE, Role.TOWN_STATION, Role.AUDIT, Role.VILLAGE_CLERK],
        "project_register_existing": [Role.TOWN_STATION, Role.AUDIT, Role.TOWN_FINANCE],
        "review_board": [Role.TOWN_STAFF, Role.VILLAGE_CLERK, Role.TOWN_STATION],
    }
    posts = {Role.VILLAGE_CLERK: {"village": people.village}}
    posts |= {role: {"town": town} for role in (Role.TOWN_STAFF, Role.TOWN_STATION, Role.TOWN_FINANCE)}
    users = {role: make_user(role, **posts.get(role, {})) for roles in forbidden.values() for role in roles}
    before = history_head()
    # when each opens or posts it, it is refused
    for name, roles in forbidden.items():
        url = reverse(f"projects:{name}")
        for role in roles:
            client.force_login(users[role])
            response = client.post(url, project_form_data(people)) if method == "post" else client.get(url)
            assert response.status_code == 403, f"{role} got {response.status_code} at {method} {name}"
    # then nothing was written
    assert not IndustryProject.objects.exists()
    assert history_head() == before


def test_another_town_s_staff_cannot_propose_for_the_town(client, people, make_user, other_town, clock):
    # when another town's staff propose a project of the town
    client.force_login(make_user(Role.TOWN_STAFF, town=other_town))
    response = client.post(reverse("projects:project_create"), project_form_data(people, town=people.village.town.pk))
    # then the form refuses it, and nothing is written
    assert response.status_code == 200
    assert not IndustryProject.objects.exists()


# --- The committee and the policy, kept by the district office in the admin ------------------------------------------


def test_the_district_office_keeps_the_committee_and_the_publicity_period(client, people, make_user, town):
    # given the office in the admin
    client.force_login(people.office)
    changelist = reverse("admin:projects_reviewdepartment_changelist")
    assert "区农业农村局" in client.get(changelist).content.decode()
    # when it adds a member department and sets the publicity to 10 days
    response = client.post(
        reverse("admin:projects_reviewdepartment_add"), {"name": "区水务局", "is_member": "on", "sort_order": 9}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:projects_projectspolicy_changelist")).status_code == 200
    response = client.post(reverse("admin:projects_projectspolicy_change", args=[1]), {"publicity_days": 10})
    assert response.status_code == 302
    # then both are kept
    assert ReviewDepartment.objects.get(name="区水务局").is_member
    assert ProjectsPolicy.current().publicity_days == 10
    # and nobody else keeps them
    client.force_login(make_user(Role.TOWN_STAFF, town=town, is_staff=True))
    assert client.get(changelist).status_code in (302, 403)
