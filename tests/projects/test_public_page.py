"""The page without login: projects under publicity and operating projects' income distribution, safe to put on
the internet (read-only, no person's name or ID, no link into the application)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.choices import Relation
from projects.models import IncomeDistribution, IncomeRecord, ProjectStatus
from projects.services import review
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.organisation import VillageFactory
from tests.factories.projects import operating_project

S = ProjectStatus
URL = "/public/"


def public_html(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_page_is_at_public_and_needs_no_login(client, db):
    # when an anonymous visitor opens /public/
    assert reverse("public:public_index") == URL
    response = client.get(URL)
    # then it answers, and may be cached
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    # while every page of the application sends an anonymous visitor to log in
    for name in ("projects:project_list", "projects:review_board", "home"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))


def test_it_answers_get_only(client, db):
    # then the page refuses every method but GET
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(URL).status_code == 405


@pytest.fixture
def published(people, walk, all_agree, clock):
    """A project whose 7-day publicity runs from 2026-06-12 to 2026-06-18 (today is 2026-06-15)."""
    project = walk(S.REVIEW)
    all_agree(project)
    review.publicity_open(user=people.office, project=project, starts_on=dt.date(2026, 6, 12))
    return project


@pytest.mark.english
def test_a_project_under_publicity_shows_what_was_published_and_how_to_object(client, people, published, clock):
    # when the page is opened during the project's publicity
    html = public_html(client)
    # then it shows what was published, the period, the villages and how to object
    for text in (
        published.name,
        published.code,
        "建设高标准冬暖式蔬菜大棚20个及配套设施",
        "占地50亩，大棚20个",
        "2026-12-31",
        "1,000,000.00",
        "From 2026-06-12 to 2026-06-18",
        people.village.name,
        people.village.town.name,
        "How to object",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("today", "shown"),
    [(dt.date(2026, 6, 12), True), (dt.date(2026, 6, 18), True), (dt.date(2026, 6, 19), False)],
)
def test_a_project_is_on_the_page_during_its_period_only(client, published, clock, today, shown):
    # when the page is opened on a day of the publicity or after it
    clock.today = today
    # then the project is there during the period only
    assert (published.name in public_html(client)) is shown


def test_a_project_leaves_the_page_once_approved_or_returned_and_others_never_show(
    client, people, published, walk, clock
):
    # given a proposal and a project under review beside the published one
    proposal, under_review = walk(S.PROPOSAL, name="提案中的项目"), walk(S.REVIEW, name="评审中的项目")
    # then only the published one is on the page
    html = public_html(client)
    assert published.name in html and proposal.name not in html and under_review.name not in html

    # when it is returned, it leaves the page
    review.review_return(user=people.office, project=published, returned_on=clock.today, note="异议成立")
    assert published.name not in public_html(client)


@pytest.fixture
def distributed(people, town, village, clock):
    """An operating project whose 2025 income went to a village collective and two registered households."""
    project = operating_project(town=town, villages=[village], name="汪沟镇光伏扶贫电站")
    head = MemberFactory(household=HouseholdFactory(village=village), name="张三丰", relation=Relation.HEAD)
    other = MemberFactory(household=HouseholdFactory(village=village), name="欧阳修文", relation=Relation.HEAD)
    income = IncomeRecord.objects.create(
        project=project,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        amount=Decimal("80000.00"),
        received_on=dt.date(2025, 12, 28),
        payer="兰山某某新能源有限公司",
        recorded_by=people.office,
    )
    IncomeDistribution.objects.create(income=income, village=village, amount=Decimal("50000.00"))
    IncomeDistribution.objects.create(income=income, household=head.household, amount=Decimal("15000.00"))
    IncomeDistribution.objects.create(income=income, household=other.household, amount=Decimal("15000.00"))
    return project, [head, other]


@pytest.mark.english
def test_income_distribution_shows_villages_by_name_and_households_only_as_count_total_and_masked_names(
    client, people, distributed, village
):
    # when the page is opened
    project, members = distributed
    html = public_html(client)

    # then the income shows the village by name, and the households as a count, a total and masked names only
    assert project.name in html and "2025" in html and "80,000.00" in html
    assert f"{village.name} 50,000.00" in html
    assert "2 households, 30,000.00 yuan in all" in html
    assert "张**" in html and "欧***" in html
    for member in members:
        assert member.name not in html
        assert member.id_number not in html
        assert member.household.file_number not in html


def test_the_page_holds_no_person_s_name_no_id_and_no_link_into_the_application(
    client, people, published, distributed
):
    project, members = distributed
    # given an objection: the objector's name is kept for the answer, never published
    review.objection_record(
        user=people.office,
        publicity=published.publicities.get(),
        received_on=dt.date(2026, 6, 13),
        raised_by="张三丰",
        content="选址占用了基本农田的意见",
    )
    # when a signed-in visitor opens the page: nothing of their session may reach it
    client.force_login(people.office)
    html = public_html(client)

    # then no name, ID number, username, form or link into the application is on it
    secrets = (
        "张三丰",
        "欧阳修文",
        "王敏",
        "刘洋",
        "选址占用了基本农田",
        people.office.username,
        "csrfmiddlewaretoken",
    )
    secrets += tuple(member.id_number for member in members) + tuple(m.household.file_number for m in members)
    for secret in secrets:
        assert secret not in html, secret
    assert not re.search(r"\d{17}[\dX]", html), "an ID number is on the public page"
    assert "/admin" not in html
    links = re.findall(r'(?:href|action|src)="([^"]*)"', html)
    assert links, "the page has its stylesheets at least"
    # the public evaluation form is the one page it links to, itself public (no login, partners.public_urls)
    assert all(link.startswith(("?", "/static/", "/public/")) for link in links), links
    assert "<form" not in html
    assert f"/projects/{project.pk}" not in html


def _operating(town, count):
    for _ in range(count):
        operating_project(town=town, villages=[VillageFactory(town=town)])


def test_the_page_costs_the_same_queries_whatever_the_projects(client, people, published, distributed, town, clock):
    # given the page read once
    public_html(client)
    # when it is read, and again with six more projects
    with CaptureQueriesContext(connection) as few:
        public_html(client)
    _operating(town, 6)
    with CaptureQueriesContext(connection) as many:
        public_html(client)
    # then it costs the same queries
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)


def test_the_page_is_paginated(client, town, db):
    # given 21 operating projects
    _operating(town, 21)
    # when both pages are opened
    first = public_html(client)
    # then the first shows 20 with a link to the second, which shows one
    assert first.count('data-testid="public-income-project"') == 20
    assert "?income_page=2" in first
    second = client.get(URL, {"income_page": "2"}).content.decode()
    assert second.count('data-testid="public-income-project"') == 1
