"""An industry project's life (points 1-3): proposal, the allowed moves, and entering an existing project.

The review's own rules (opinions, publicity, objections, approval) are in test_review.py.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from organisation.roles import Role
from projects.models import (
    BlacklistEntry,
    IndustrialPark,
    IndustryProject,
    InvestmentSource,
    ProjectStatus,
    ReviewDepartment,
    StatusChange,
)
from projects.services import lifecycle, proposals
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import TownFactory, VillageFactory
from tests.factories.projects import EnterpriseFactory, ProjectFactory

S = ProjectStatus


def messages_of(error: ValidationError) -> list[str]:
    return error.messages


# --- Proposal -----------------------------------------------------------------------------------------------------


def test_town_staff_propose_a_numbered_project_with_its_villages_and_investment(people, proposed, second_village):
    # when the town staff propose a project for two villages of their town
    project = proposed(villages=[people.village, second_village])

    # then it is a proposal of the town, numbered by year and town, with its money by source
    assert project.status == S.PROPOSAL
    assert project.town == people.village.town
    assert project.code == f"XM2026-{project.town.code[-3:]}-0001"
    assert set(project.villages.all()) == {people.village, second_village}
    assert sorted(project.investments.values_list("source", "amount")) == [
        (InvestmentSource.CENTRAL, Decimal("800000.00")),
        (InvestmentSource.DISTRICT, Decimal("200000.00")),
    ]
    assert proposals.project_total_investment(project) == Decimal("1000000.00")
    assert project.created_by == people.staff
    # and its first status change is dated the day it was proposed, by whom
    change = project.status_changes.get()
    assert (change.from_status, change.to_status) == ("", S.PROPOSAL)
    assert change.changed_on == dt.date(2026, 3, 17)
    assert change.changed_by == people.staff


def test_each_proposal_of_a_town_and_year_takes_the_next_number(proposed, clock):
    # when the town proposes two projects, and a third dated early in the year
    first, second = proposed(), proposed(name="第二个项目")
    next_year = proposed(name="次年项目", proposed_on=dt.date(2026, 1, 5))
    # then they take the next numbers of the town and the year, in the order they are proposed
    prefix = f"XM2026-{first.town.code[-3:]}-"
    assert [first.code, second.code, next_year.code] == [f"{prefix}0001", f"{prefix}0002", f"{prefix}0003"]


@pytest.mark.english
def test_a_proposal_names_villages_of_its_own_town_and_a_park_of_that_town(people, proposed, other_village):
    # when a proposal names a village of another town, that is refused
    with pytest.raises(ValidationError) as error:
        proposed(villages=[other_village])
    assert error.value.message_dict == {"villages": [f"Every village must belong to {people.village.town}."]}

    # when it names no village, that is refused
    with pytest.raises(ValidationError) as error:
        proposed(villages=[])
    assert "villages" in error.value.message_dict

    # when it names a park of another town, that is refused
    park = IndustrialPark.objects.create(
        town=other_village.town, name="方城镇扶贫产业园", established_on=dt.date(2018, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        proposed(park=park)
    assert "park" in error.value.message_dict
    # then no project was written
    assert not IndustryProject.objects.exists()


def test_only_town_staff_of_the_town_propose(people, proposed, make_user, town, other_town):
    # given another town's staff and the town's other posts
    posts = [
        (Role.TOWN_STAFF, {"town": other_town}),
        (Role.TOWN_STATION, {"town": town}),
        (Role.VILLAGE_CLERK, {"village": people.village}),
        (Role.DISTRICT_OFFICE, {}),
        (Role.AUDIT, {}),
    ]
    # when each of them proposes a project, it is refused
    for role, post in posts:
        people.staff = make_user(role, **post)
        with pytest.raises(PermissionDenied):
            proposed()
    # then no project was written
    assert not IndustryProject.objects.exists()


@pytest.mark.english
def test_a_blacklisted_enterprise_is_not_named_operator_and_one_operator_at_most(people, proposed, office, clock):
    # given a blacklisted enterprise
    enterprise = EnterpriseFactory()
    BlacklistEntry.objects.create(enterprise=enterprise, reason="违约", decided_on=clock.ago(100), decided_by=office)
    # when a proposal names it operator, that is refused
    with pytest.raises(ValidationError) as error:
        proposed(operator_enterprise=enterprise)
    assert "is on the blacklist" in error.value.message_dict["operator_enterprise"][0]

    # when a proposal names an enterprise and a household, that is refused
    household = HouseholdFactory(village=people.village)
    with pytest.raises(ValidationError) as error:
        proposed(operator_enterprise=EnterpriseFactory(), operator_household=household)
    assert "operator_household" in error.value.message_dict
    # then a household alone may operate it
    assert proposed(operator_household=household).operator_household == household


@pytest.mark.english
def test_a_proposal_is_changed_only_while_it_is_a_proposal(people, proposed, walk):
    # given a proposal
    project = proposed()
    data = {
        "villages": [people.village],
        "name": "改后的名称",
        "category": "tourism",
        "content": "乡村旅游步道",
        "scale": "5公里",
        "implementing_unit": "汪沟镇人民政府",
        "planned_completion": dt.date(2027, 6, 30),
        "investments": [(InvestmentSource.CENTRAL, Decimal("500000.00"))],
    }
    # when the staff change it
    proposals.project_update(user=people.staff, project=project, **data)
    # then it is changed, its investment too
    project.refresh_from_db()
    assert (project.name, project.category, project.scale) == ("改后的名称", "tourism", "5公里")
    assert proposals.project_total_investment(project) == Decimal("500000.00")

    # when it has gone to review, a change is refused naming its state
    walk(S.REVIEW, project)
    with pytest.raises(ValidationError) as error:
        proposals.project_update(user=people.staff, project=project, **data | {"name": "再改"})
    assert messages_of(error.value) == ["Only a proposal can be changed; this project is “Under joint review”."]


# --- Submission ---------------------------------------------------------------------------------------------------


@pytest.mark.english
def test_submission_needs_an_investment_and_a_committee(people, proposed, clock):
    # given a proposal without an investment, and a committee without a member
    project = proposed(investments=[])
    ReviewDepartment.objects.update(is_member=False)
    # when it is submitted
    with pytest.raises(ValidationError) as error:
        lifecycle.project_submit_for_review(user=people.staff, project=project)
    # then both are named, and it stays a proposal
    assert messages_of(error.value) == [
        "Enter at least one investment before the project goes to the joint review.",
        "The review committee has no member department yet: the district office must configure it.",
    ]
    project.refresh_from_db()
    assert (project.status, project.review_round) == (S.PROPOSAL, 0)


def test_each_submission_opens_a_new_review_round(people, proposed, clock):
    # when a proposal is submitted
    project = lifecycle.project_submit_for_review(user=people.staff, project=proposed(), submitted_on=clock.ago(80))
    # then it is under review in its first round, the move dated and recorded
    assert (project.status, project.review_round) == (S.REVIEW, 1)
    change = project.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_on) == (S.PROPOSAL, S.REVIEW, clock.ago(80))


# --- The moves: the table, dates, who ------------------------------------------------------------------------------

MOVE_CALLS = {
    "submit": lambda user, project, on: lifecycle.project_submit_for_review(
        user=user, project=project, submitted_on=on
    ),
    "start_construction": lambda user, project, on: lifecycle.project_start_construction(
        user=user, project=project, started_on=on
    ),
    "complete": lambda user, project, on: lifecycle.project_complete(user=user, project=project, accepted_on=on),
    "start_operation": lambda user, project, on: lifecycle.project_start_operation(
        user=user, project=project, started_on=on
    ),
    "suspend": lambda user, project, on: lifecycle.project_suspend(
        user=user, project=project, suspended_on=on, reason="停产"
    ),
    "resume": lambda user, project, on: lifecycle.project_resume(user=user, project=project, resumed_on=on),
    "convert": lambda user, project, on: lifecycle.project_convert(
        user=user, project=project, converted_on=on, reason="转化"
    ),
}
WRONG_STATES = [
    (move, status)
    for move in lifecycle.LIFECYCLE_MOVES
    for status in S.values
    if status not in lifecycle.MOVES[move].sources
]


@pytest.mark.english
def test_a_move_from_a_state_it_does_not_start_from_is_refused_naming_the_state(people, town, clock):
    # given every (move, state) pair the table does not allow: one project per state, written straight to the
    # database
    projects = {
        status: ProjectFactory(town=town, villages=[people.village], status=status, three_assets_number=f"SZ-{status}")
        for status in S.values
    }
    # when each such move is tried, it is refused naming the state
    for move, status in WRONG_STATES:
        with pytest.raises(ValidationError) as error:
            MOVE_CALLS[move](people.staff, projects[status], clock.today)
        label = lifecycle.MOVES[move].label
        assert messages_of(error.value) == [f"“{label}” cannot be done on a project that is “{S(status).label}”."]
    # then no project moved and no change was recorded
    assert len(WRONG_STATES) > 40
    assert [p.status for p in IndustryProject.objects.order_by("pk")] == list(S.values)
    assert not StatusChange.objects.exists()


def test_every_move_of_the_main_path_is_dated_and_signed(people, walk, clock):
    # when a project is walked to operation
    project = walk(S.OPERATING)

    # then every move is recorded with its day and who made it, and the project keeps its dates
    changes = list(project.status_changes.values_list("from_status", "to_status", "changed_on", "changed_by"))
    staff, office = people.staff.pk, people.office.pk
    assert changes == [
        ("", S.PROPOSAL, clock.ago(90), staff),
        (S.PROPOSAL, S.REVIEW, clock.ago(80), staff),
        (S.REVIEW, S.PUBLICITY, clock.ago(70), office),
        (S.PUBLICITY, S.APPROVED, clock.ago(60), office),
        (S.APPROVED, S.CONSTRUCTION, clock.ago(50), staff),
        (S.CONSTRUCTION, S.COMPLETED, clock.ago(20), staff),
        (S.COMPLETED, S.OPERATING, clock.ago(10), staff),
    ]
    assert (project.construction_started_on, project.completed_on, project.operation_started_on) == (
        clock.ago(50),
        clock.ago(20),
        clock.ago(10),
    )


@pytest.mark.english
def test_operation_needs_the_three_assets_number(people, walk, clock):
    # given a completed project without a three-assets number
    project = walk(S.COMPLETED)
    # when it starts operating, that is refused: it stays completed
    with pytest.raises(ValidationError) as error:
        lifecycle.project_start_operation(user=people.staff, project=project, started_on=clock.today)
    assert error.value.message_dict == {
        "three_assets_number": [
            "The project is not on the three-assets platform: the economic management station must enter its "
            "three-assets platform number before it operates."
        ]
    }
    project.refresh_from_db()
    assert project.status == S.COMPLETED

    # and the database holds the rule whatever writes the row
    with pytest.raises(IntegrityError), transaction.atomic():
        IndustryProject.objects.filter(pk=project.pk).update(status=S.OPERATING)

    # when it has its number, it operates
    IndustryProject.objects.filter(pk=project.pk).update(three_assets_number="SZ-371302-0001")
    lifecycle.project_start_operation(user=people.staff, project=project, started_on=clock.today)
    project.refresh_from_db()
    assert project.status == S.OPERATING


@pytest.mark.english
def test_a_date_later_than_today_or_before_the_last_change_is_refused(people, walk, clock):
    # given an approved project
    project = walk(S.APPROVED)
    # then construction may not start tomorrow
    with pytest.raises(ValidationError) as error:
        lifecycle.project_start_construction(user=people.staff, project=project, started_on=clock.ago(-1))
    assert error.value.message_dict == {"changed_on": ["The date cannot be later than today (2026-06-15)."]}
    # nor before the approval
    with pytest.raises(ValidationError) as error:
        lifecycle.project_start_construction(user=people.staff, project=project, started_on=clock.ago(61))
    assert error.value.message_dict == {
        "changed_on": ["The date cannot be earlier than the project's last status change (2026-04-16)."]
    }


@pytest.mark.english
def test_suspension_needs_a_reason_and_resuming_goes_back_where_it_was(people, walk, clock):
    # given a project under construction
    project = walk(S.CONSTRUCTION)
    # when it is suspended without a reason, that is refused
    with pytest.raises(ValidationError) as error:
        lifecycle.project_suspend(user=people.staff, project=project, suspended_on=clock.ago(3), reason=" ")
    assert error.value.message_dict == {"note": ["Say why."]}

    # when it is suspended with a reason, and resumed
    lifecycle.project_suspend(user=people.staff, project=project, suspended_on=clock.ago(3), reason="征地纠纷")
    lifecycle.project_resume(user=people.staff, project=project, resumed_on=clock.today, note="纠纷已解决")
    # then it is under construction again, both moves recorded with their notes
    project.refresh_from_db()
    assert project.status == S.CONSTRUCTION
    assert list(project.status_changes.values_list("to_status", "note"))[-2:] == [
        (S.SUSPENDED, "征地纠纷"),
        (S.CONSTRUCTION, "纠纷已解决"),
    ]


def test_the_district_office_may_suspend_and_convert_but_not_run_construction(people, walk, clock):
    # given an operating project
    project = walk(S.OPERATING)
    # when the office suspends and converts it
    lifecycle.project_suspend(user=people.office, project=project, suspended_on=clock.ago(2), reason="巡察发现问题")
    lifecycle.project_convert(user=people.office, project=project, converted_on=clock.today, reason="转为村集体光伏")
    # then it is converted
    project.refresh_from_db()
    assert project.status == S.CONVERTED
    # and the office may not start a construction
    with pytest.raises(PermissionDenied):
        lifecycle.project_start_construction(user=people.office, project=walk(S.APPROVED), started_on=clock.today)


def test_another_town_s_staff_move_nothing(people, walk, make_user, other_town, clock):
    # given an approved project and another town's staff
    project = walk(S.APPROVED)
    stranger = make_user(Role.TOWN_STAFF, town=other_town)
    # when they start its construction, that is refused
    with pytest.raises(PermissionDenied):
        lifecycle.project_start_construction(user=stranger, project=project, started_on=clock.today)
    # then it is still approved
    project.refresh_from_db()
    assert project.status == S.APPROVED


# --- A project built before -----------------------------------------------------------------------------------------


def existing(people, **fields):
    values = {
        "town": people.village.town,
        "villages": [people.village],
        "name": "2016年光伏扶贫电站",
        "category": "other",
        "content": "村级光伏电站100千瓦",
        "scale": "100千瓦",
        "implementing_unit": "汪沟镇人民政府",
        "investments": [(InvestmentSource.CENTRAL, Decimal("720000.00"))],
        "status": S.OPERATING,
        "construction_started_on": dt.date(2016, 3, 1),
        "completed_on": dt.date(2016, 6, 30),
        "operation_started_on": dt.date(2016, 7, 1),
        "three_assets_number": "SZ-2016-001",
    }
    return proposals.project_register_existing(user=people.staff, **values | fields)


def test_a_project_built_before_is_entered_at_its_state_with_its_dates(people, clock):
    # when a project operating since 2016 is entered
    project = existing(people)
    # then it is operating with its dates, numbered in 2016, one change recorded
    assert project.entered_as_existing
    assert (project.status, project.completed_on, project.operation_started_on) == (
        S.OPERATING,
        dt.date(2016, 6, 30),
        dt.date(2016, 7, 1),
    )
    assert project.code.startswith("XM2016-")
    change = project.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_on, change.changed_by) == (
        "",
        S.OPERATING,
        dt.date(2016, 7, 1),
        people.staff,
    )

    # and a completed one is entered without an operation date
    completed = existing(people, status=S.COMPLETED, three_assets_number="", operation_started_on=None)
    assert (completed.status, completed.operation_started_on) == (S.COMPLETED, None)


@pytest.mark.english
def test_an_existing_project_entered_as_operating_needs_its_three_assets_number(people, clock):
    # then an operating project without its number is refused
    with pytest.raises(ValidationError) as error:
        existing(people, three_assets_number="")
    assert error.value.message_dict == {
        "three_assets_number": ["An operating project is on the three-assets platform: give its number."]
    }
    # and so is one entered as approved, or operating before it was completed
    with pytest.raises(ValidationError) as error:
        existing(people, status=S.APPROVED)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        existing(people, operation_started_on=dt.date(2016, 1, 1))
    assert "operation_started_on" in error.value.message_dict
    assert not IndustryProject.objects.exists()

    # when one is entered, another with its number is refused
    existing(people)
    with pytest.raises(ValidationError) as error:
        existing(people, name="另一个项目")
    assert error.value.message_dict == {
        "three_assets_number": ["Three-assets platform number SZ-2016-001 is already used by another project."]
    }


def test_the_district_office_enters_existing_projects_of_any_town_the_station_none(people, make_user, town, clock):
    # then the office enters a project of any town
    people.staff = people.office
    other = VillageFactory(town=TownFactory())
    assert existing(people, town=other.town, villages=[other]).town == other.town
    # and the station none
    people.staff = make_user(Role.TOWN_STATION, town=town)
    with pytest.raises(PermissionDenied):
        existing(people)


# --- The demo -------------------------------------------------------------------------------------------------------


def test_the_demo_has_a_project_at_every_state_made_through_the_services_once(db):
    from organisation.demo_data import demo_data_load
    from projects.demo_data import demo_projects_load

    # when the demo is loaded, and its projects twice
    demo_data_load()
    created = demo_projects_load()
    assert created == IndustryProject.objects.count() >= len(S.values)
    assert demo_projects_load() == 0
    # then there is a project at every state, and projects entered as existing (operating before the system)
    assert set(IndustryProject.objects.values_list("status", flat=True)) == set(S.values)
    assert IndustryProject.objects.filter(entered_as_existing=True).exists()
    # every project's history starts with its entry and each move is signed by a demo user
    for project in IndustryProject.objects.all():
        changes = list(project.status_changes.order_by("recorded_at", "pk"))
        assert changes[0].from_status == "" and changes[-1].to_status == project.status
        assert all(change.changed_by.username.startswith("demo_") for change in changes)
