"""Dated records of the household file, for tests that read the file as of a day (the figures of
``reporting.indicators.households``): when a household was entered, its status changes, cadres, dibao, hospital
stays, renovations, data-quality problems, care rooms."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from households.choices import HouseholdStatus, ReturnCause
from households.models import (
    Cadre,
    CadreAssignment,
    CareRoom,
    DibaoEnrolment,
    HospitalStay,
    Household,
    LeftBehindChild,
    Member,
    ProblemClass,
    QualityProblem,
    RenovationPlan,
    StatusEvent,
)

_serial = itertools.count(1)


def noon(day: dt.date) -> dt.datetime:
    """Noon of ``day`` in the district's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def entered_on(household: Household, day: dt.date) -> Household:
    """The household as if it had been entered in the register on ``day``."""
    Household.objects.filter(pk=household.pk).update(created_at=noon(day))
    household.refresh_from_db()
    return household


def status_changes(household: Household, *changes: tuple[str, dt.date]) -> Household:
    """Record each (status, effective on) change in order; the household's status is the last one's."""
    for status, day in changes:
        cause = ReturnCause.ILLNESS if status == HouseholdStatus.RETURNED else ""
        StatusEvent.objects.create(household=household, status=status, effective_on=day, return_cause=cause)
    status, day = changes[-1]
    Household.objects.filter(pk=household.pk).update(status=status, status_since=day)
    household.refresh_from_db()
    return household


def cadre_made() -> Cadre:
    serial = next(_serial)
    return Cadre.objects.create(name=f"干部{serial}", work_unit="区财政局", phone=f"1380000{serial:04d}")


def cadre_helping(
    cadre: Cadre, household: Household, starts_on: dt.date, released_on: dt.date | None = None
) -> CadreAssignment:
    return CadreAssignment.objects.create(
        household=household, cadre=cadre, starts_on=starts_on, released_on=released_on
    )


def dibao_enrolled(household: Household, starts_on: dt.date, ends_on: dt.date | None = None) -> DibaoEnrolment:
    return DibaoEnrolment.objects.create(
        household=household, monthly_amount=Decimal("300.00"), persons=1, starts_on=starts_on, ends_on=ends_on
    )


def hospital_stay(
    member: Member, *, total_cost: str, self_paid: str, admitted_on: dt.date, designated: bool = True
) -> HospitalStay:
    return HospitalStay.objects.create(
        member=member,
        hospital="兰山区人民医院",
        designated=designated,
        admitted_on=admitted_on,
        total_cost=Decimal(total_cost),
        self_paid=Decimal(self_paid),
    )


def renovation(household: Household, *, completed_on: dt.date | None = None) -> RenovationPlan:
    return RenovationPlan.objects.create(
        household=household,
        planned_start=dt.date(2018, 6, 1),
        planned_completion=dt.date(2018, 12, 31),
        completed_on=completed_on,
    )


def quality_problem(
    household: Household,
    problem_class: ProblemClass,
    *,
    found_at: dt.datetime,
    resolved_at: dt.datetime | None = None,
) -> QualityProblem:
    serial = next(_serial)
    return QualityProblem.objects.create(
        key=f"test_rule:{household.pk}:{serial}",
        rule="test_rule",
        problem_class=problem_class,
        town_id=household.village.town_id,
        household=household,
        detail="测试问题",
        first_found_at=found_at,
        last_found_at=found_at,
        resolved_at=resolved_at,
    )


def left_behind(member: Member) -> LeftBehindChild:
    return LeftBehindChild.objects.create(
        member=member, guardian_name="王秀英", guardian_relation="祖母", guardian_phone="0539-8123456"
    )


def care_room(village, opened_on: dt.date) -> CareRoom:
    return CareRoom.objects.create(village=village, name=f"{village.name}留守儿童关爱室", opened_on=opened_on)
