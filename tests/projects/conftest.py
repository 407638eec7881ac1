"""Fixtures for the projects' lifecycle, review and page tests: the committee, the people, a clock, and projects
walked to each state through the real services."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from organisation.roles import Role
from projects.models import (
    Category,
    IndustryProject,
    InvestmentSource,
    Opinion,
    ProjectStatus,
    ReviewDepartment,
)
from projects.services import lifecycle, proposals, review
from tests.factories.organisation import VillageFactory

TODAY = dt.date(2026, 6, 15)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def clock_today():
    """The ``clock`` fixture (tests/fixtures/clock.py) starts on TODAY, 2026-06-15."""
    return TODAY


@pytest.fixture
def departments(db):
    """Three member departments of the review committee, and one department that does not sit on it."""
    members = [
        ReviewDepartment.objects.create(name="区财政局", sort_order=1),
        ReviewDepartment.objects.create(name="区审计局", sort_order=2),
        ReviewDepartment.objects.create(name="区农业农村局", sort_order=3),
    ]
    ReviewDepartment.objects.create(name="区发展和改革局", sort_order=4, is_member=False)
    return members


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town, first_name="刘洋")


@pytest.fixture
def office(make_user):
    return make_user(Role.DISTRICT_OFFICE, first_name="王敏")


@pytest.fixture
def people(staff, office, departments, village):
    return SimpleNamespace(staff=staff, office=office, departments=departments, village=village)


def propose(people, *, proposed_on: dt.date | None = None, villages=None, **fields) -> IndustryProject:
    village = people.village
    values = {
        "town": village.town,
        "villages": [village] if villages is None else villages,
        "name": "王家庄村高效蔬菜大棚",
        "category": Category.FARMING,
        "content": "建设高标准冬暖式蔬菜大棚20个及配套设施",
        "scale": "占地50亩，大棚20个",
        "implementing_unit": "汪沟镇人民政府",
        "planned_start": days_ago(30),
        "planned_completion": dt.date(2026, 12, 31),
        "investments": [
            (InvestmentSource.CENTRAL, Decimal("800000.00")),
            (InvestmentSource.DISTRICT, Decimal("200000.00")),
        ],
        "proposed_on": proposed_on or days_ago(90),
    }
    values.update(fields)
    return proposals.project_propose(user=people.staff, **values)


def agree_all(people, project, *, conditional: bool = False):
    for index, department in enumerate(people.departments):
        opinion = Opinion.AGREE_WITH_CONDITIONS if conditional and index == 0 else Opinion.AGREE
        comments = "资金须专账核算" if opinion != Opinion.AGREE else ""
        review.review_opinion_record(
            user=people.office, project=project, department=department, opinion=opinion, comments=comments
        )


# The day each step of ``walk_to`` happens, counted back from TODAY.
STEP_DAYS = {
    "submit": 80,
    "publicity": 70,  # a 7-day publicity: days_ago(70) to days_ago(64)
    "approve": 60,
    "start_construction": 50,
    "complete": 20,
    "start_operation": 10,
}
PATH = [
    ProjectStatus.PROPOSAL,
    ProjectStatus.REVIEW,
    ProjectStatus.PUBLICITY,
    ProjectStatus.APPROVED,
    ProjectStatus.CONSTRUCTION,
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
]


def walk_to(people, status: str, project: IndustryProject | None = None, **fields) -> IndustryProject:
    """A project proposed by the town staff and taken through the services to ``status`` (along the main path, or
    suspended from operation, or converted from it); needs the ``clock`` fixture's TODAY."""
    project = project or propose(people, **fields)
    target = ProjectStatus.OPERATING if status in (ProjectStatus.SUSPENDED, ProjectStatus.CONVERTED) else status
    for step in PATH[PATH.index(project.status) + 1 : PATH.index(target) + 1]:
        if step == ProjectStatus.REVIEW:
            project = lifecycle.project_submit_for_review(
                user=people.staff, project=project, submitted_on=days_ago(STEP_DAYS["submit"])
            )
        elif step == ProjectStatus.PUBLICITY:
            agree_all(people, project)
            review.publicity_open(user=people.office, project=project, starts_on=days_ago(STEP_DAYS["publicity"]))
        elif step == ProjectStatus.APPROVED:
            review.project_approve(user=people.office, project=project, approved_on=days_ago(STEP_DAYS["approve"]))
        elif step == ProjectStatus.CONSTRUCTION:
            lifecycle.project_start_construction(
                user=people.staff, project=project, started_on=days_ago(STEP_DAYS["start_construction"])
            )
        elif step == ProjectStatus.COMPLETED:
            lifecycle.project_complete(user=people.staff, project=project, accepted_on=days_ago(STEP_DAYS["complete"]))
        elif step == ProjectStatus.OPERATING:
            # The station's entry on the three-assets platform (projects.services.rights).
            IndustryProject.objects.filter(pk=project.pk).update(three_assets_number=f"SZ-{project.pk:06d}")
            project.refresh_from_db()
            lifecycle.project_start_operation(
                user=people.staff, project=project, started_on=days_ago(STEP_DAYS["start_operation"])
            )
        project.refresh_from_db()
    if status == ProjectStatus.SUSPENDED:
        project = lifecycle.project_suspend(
            user=people.staff, project=project, suspended_on=days_ago(5), reason="经营主体停产"
        )
    elif status == ProjectStatus.CONVERTED:
        project = lifecycle.project_convert(
            user=people.staff, project=project, converted_on=days_ago(5), reason="转为光伏项目"
        )
    project.refresh_from_db()
    return project


@pytest.fixture
def second_village(town):
    return VillageFactory(town=town, name="李家岭村")


@pytest.fixture
def proposed(people, clock):
    """proposed(**fields) -> a proposal of the town staff (``propose``)."""
    return lambda **fields: propose(people, **fields)


@pytest.fixture
def walk(people, clock):
    """walk(status, project=None, **fields) -> a project taken through the services to ``status`` (``walk_to``)."""
    return lambda status, project=None, **fields: walk_to(people, status, project, **fields)


@pytest.fixture
def all_agree(people):
    """all_agree(project, conditional=False): every member department agrees (the first with a condition)."""
    return lambda project, conditional=False: agree_all(people, project, conditional=conditional)
