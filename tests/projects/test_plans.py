"""Rectification plans: fill in, start, complete, and the effect on the next year's yield."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from organisation.roles import Role
from organisation.workdays import LEGAL_TIME_ZONE
from projects.models import IncomeRecord, PlanStatus, RectificationPlan, Remedy, YieldClass
from projects.selectors.income import plan_effect
from projects.services.plans import plan_complete, plan_start, plan_update
from tests.factories.projects import operating_project

OPENED = dt.datetime(2023, 5, 1, 9, 0, tzinfo=LEGAL_TIME_ZONE)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def project(town):
    return operating_project(town=town)


@pytest.fixture
def plan(project):
    return RectificationPlan.objects.create(project=project, created_at=OPENED)


def fill(user, plan, **overrides):
    values = {
        "remedy": Remedy.ADD_INVESTMENT,
        "steps": "追加投资30万元，扩建冷库",
        "responsible_unit": "镇人民政府",
        "deadline": dt.date(2023, 12, 31),
    }
    return plan_update(user=user, plan=plan, **(values | overrides))


def pay(project, amount, received_on):
    IncomeRecord.objects.create(
        project=project,
        period_start=received_on.replace(month=1, day=1),
        period_end=received_on.replace(month=12, day=31),
        amount=Decimal(amount),
        received_on=received_on,
        payer="运营企业",
        recorded_by=project.created_by,
    )


def test_the_plan_goes_from_draft_to_completed(staff, plan):
    # given a draft plan filled in
    fill(staff, plan)
    # when it is started
    plan = plan_start(user=staff, plan=plan)
    # then it is in progress
    assert plan.status == PlanStatus.IN_PROGRESS
    # when it is completed
    plan = plan_complete(user=staff, plan=plan, completed_on=dt.date(2023, 10, 1), today=dt.date(2023, 10, 2))
    # then it is completed on that day
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (PlanStatus.COMPLETED, dt.date(2023, 10, 1))


def test_a_draft_saves_incomplete_but_does_not_start(staff, plan):
    # given a draft saved without steps, unit or deadline
    fill(staff, plan, steps="", responsible_unit="", deadline=None)
    # when it is started
    with pytest.raises(ValidationError) as refused:
        plan_start(user=staff, plan=plan)
    # then the missing fields are named, and it stays a draft
    assert set(refused.value.error_dict) == {"steps", "responsible_unit", "deadline"}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_the_database_refuses_an_incomplete_plan_in_progress(plan):
    # then the database refuses to put an empty plan in progress
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.IN_PROGRESS)


def test_a_started_plan_cannot_be_emptied(staff, plan):
    # given a plan in progress
    fill(staff, plan)
    plan_start(user=staff, plan=plan)
    # when its steps are emptied
    with pytest.raises(ValidationError) as refused:
        fill(staff, plan, steps="  ")
    # then that is refused
    assert "steps" in refused.value.error_dict


def test_pairing_names_another_project(staff, plan, project, town, other_town):
    # then a pairing without a partner cannot start
    with pytest.raises(ValidationError) as refused:
        fill(staff, plan, remedy=Remedy.PAIR)
        plan_start(user=staff, plan=plan)
    assert "paired_project" in refused.value.error_dict
    # and a project may not pair with itself
    with pytest.raises(ValidationError) as refused:
        fill(staff, plan, remedy=Remedy.PAIR, paired_project=project)
    assert "paired_project" in refused.value.error_dict
    # when it pairs with another town's project of the district, that is fine
    partner = operating_project(town=other_town)
    plan = fill(staff, plan, remedy=Remedy.PAIR, paired_project=partner)
    assert plan.paired_project == partner
    # and changing the remedy drops the pairing
    assert fill(staff, plan, paired_project=partner).paired_project is None


def test_the_deadline_is_not_before_the_plan_was_opened(staff, plan):
    # when the deadline is set before the plan was opened
    with pytest.raises(ValidationError) as refused:
        fill(staff, plan, deadline=dt.date(2023, 4, 30))
    # then it is refused
    assert "deadline" in refused.value.error_dict


@pytest.mark.parametrize("completed_on", [dt.date(2023, 4, 30), dt.date(2023, 10, 3)], ids=["before opened", "future"])
def test_completion_dates_make_sense(staff, plan, completed_on):
    # given a plan in progress
    fill(staff, plan)
    plan_start(user=staff, plan=plan)
    # when it is completed before it was opened or in the future
    with pytest.raises(ValidationError) as refused:
        plan_complete(user=staff, plan=plan, completed_on=completed_on, today=dt.date(2023, 10, 2))
    # then the date is refused
    assert "completed_on" in refused.value.error_dict


def test_only_a_plan_in_progress_is_completed(staff, plan):
    # then a draft cannot be completed
    with pytest.raises(ValidationError):
        plan_complete(user=staff, plan=plan, completed_on=dt.date(2023, 10, 1), today=dt.date(2023, 10, 2))


@pytest.mark.parametrize("role", [Role.TOWN_STATION, Role.DISTRICT_OFFICE])
def test_the_station_and_the_district_office_work_on_plans(make_user, town, plan, role):
    # then the station and the district office may fill in a plan
    user = make_user(role, town=town) if role == Role.TOWN_STATION else make_user(role)
    assert fill(user, plan).remedy == Remedy.ADD_INVESTMENT


@pytest.mark.parametrize("role", [Role.TOWN_FINANCE, Role.AUDIT, Role.DISTRICT_FINANCE])
def test_other_roles_do_not(make_user, town, plan, role):
    # given a user of another role
    user = make_user(role, town=town) if role == Role.TOWN_FINANCE else make_user(role)
    # then they may not fill in a plan
    with pytest.raises(PermissionDenied):
        fill(user, plan)


def test_another_towns_staff_is_refused(make_user, other_town, plan):
    # then another town's staff may not fill in the plan
    with pytest.raises(PermissionDenied):
        fill(make_user(Role.TOWN_STAFF, town=other_town), plan)


def test_the_effect_compares_the_year_before_with_the_year_after(staff, plan, project):
    # given 3% in 2022 (the year before the plan opened in 2023) and 8% in 2024 (the year after completion)
    pay(project, "30000.00", dt.date(2022, 12, 20))
    pay(project, "50000.00", dt.date(2023, 6, 1))
    pay(project, "80000.00", dt.date(2024, 12, 31))
    # and the plan completed in 2023
    fill(staff, plan)
    plan_start(user=staff, plan=plan)
    plan = plan_complete(user=staff, plan=plan, completed_on=dt.date(2023, 10, 1), today=dt.date(2023, 10, 2))
    # when the effect is read before 2024 has ended, it is not known
    effect = plan_effect(user=staff, plan=plan, today=dt.date(2024, 12, 31))
    assert (effect.year_before, effect.before.percent, effect.year_after, effect.known) == (2022, "3.00%", 2024, False)
    assert effect.before.classification == YieldClass.WEAK
    # when it is read once 2024 has ended, it is known: 5 points up, the floor met
    effect = plan_effect(user=staff, plan=plan, today=dt.date(2025, 1, 1))
    assert (effect.after.percent, effect.change_points, effect.floor_met_after) == ("8.00%", Decimal("5.00"), True)


def test_the_effect_of_a_plan_not_completed_is_not_known(staff, plan):
    # when the effect of a plan not completed is read
    effect = plan_effect(user=staff, plan=plan, today=dt.date(2025, 1, 1))
    # then it is not known
    assert (effect.year_after, effect.known, effect.change_points) == (None, False, None)


def test_a_completed_plan_makes_room_for_a_new_one(staff, plan, project):
    # given a plan completed
    fill(staff, plan)
    plan_start(user=staff, plan=plan)
    plan_complete(user=staff, plan=plan, completed_on=dt.date(2023, 10, 1), today=dt.date(2023, 10, 2))
    # then the project may have a new draft, but not two at once
    assert RectificationPlan.objects.create(project=project).status == PlanStatus.DRAFT
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationPlan.objects.create(project=project)
