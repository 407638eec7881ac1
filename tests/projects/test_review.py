"""The joint review and the publicity (point 2): every member department's opinion, the return with reasons, the
publicity period, objections and their answers, and approval only once all of it is done."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organisation.roles import Role
from projects.models import (
    Objection,
    Opinion,
    ProjectsPolicy,
    ProjectStatus,
    Publicity,
    ReviewDepartment,
    ReviewOpinion,
)
from projects.services import lifecycle, review

S = ProjectStatus


def record(people, project, department, opinion=Opinion.AGREE, comments=""):
    return review.review_opinion_record(
        user=people.office, project=project, department=department, opinion=opinion, comments=comments
    )


def open_publicity(people, project, starts_on):
    return review.publicity_open(user=people.office, project=project, starts_on=starts_on)


def approve(people, project, on):
    return review.project_approve(user=people.office, project=project, approved_on=on)


# --- Opinions -----------------------------------------------------------------------------------------------------


@pytest.mark.english
def test_the_office_records_each_member_department_s_opinion_in_the_current_round(people, walk):
    # given a project under review
    project = walk(S.REVIEW)
    finance, audit, _agriculture = people.departments

    # when the office records two departments' opinions
    record(people, project, finance)
    record(people, project, audit, Opinion.AGREE_WITH_CONDITIONS, "资金专账核算")

    # then both are in the first round, recorded by the office
    assert list(project.review_opinions.values_list("review_round", "department__name", "opinion", "recorded_by")) == [
        (1, "区财政局", Opinion.AGREE, people.office.pk),
        (1, "区审计局", Opinion.AGREE_WITH_CONDITIONS, people.office.pk),
    ]
    # when a department's opinion is corrected while the review runs, it is changed in place
    record(people, project, finance, Opinion.DISAGREE, "选址不合理")
    assert project.review_opinions.get(department=finance).opinion == Opinion.DISAGREE
    assert project.review_opinions.count() == 2


@pytest.mark.english
def test_a_disagreement_or_condition_says_why_and_only_members_give_opinions(people, walk):
    # given a project under review
    project = walk(S.REVIEW)
    finance = people.departments[0]
    # then a disagreement or a condition without a reason is refused
    for opinion in (Opinion.DISAGREE, Opinion.AGREE_WITH_CONDITIONS):
        with pytest.raises(ValidationError) as error:
            record(people, project, finance, opinion, "  ")
        assert error.value.message_dict == {"comments": ["A disagreement or an agreement with conditions says why."]}
    # and a department not on the committee gives no opinion
    outsider = ReviewDepartment.objects.get(is_member=False)
    with pytest.raises(ValidationError) as error:
        record(people, project, outsider)
    assert error.value.message_dict == {"department": ["区发展和改革局 does not sit on the review committee."]}
    # so none was recorded
    assert not ReviewOpinion.objects.exists()


@pytest.mark.english
def test_opinions_are_recorded_only_under_review_and_only_by_the_district_office(
    people, walk, proposed, make_user, town
):
    # then no opinion is recorded on a proposal
    with pytest.raises(ValidationError) as error:
        record(people, proposed(), people.departments[0])
    assert error.value.messages == ["Opinions are recorded while the project is under joint review; it is “Proposal”."]
    # and no one but the office records one on a project under review
    project = walk(S.REVIEW)
    for role, post in [(Role.TOWN_STAFF, {"town": town}), (Role.AUDIT, {}), (Role.DISTRICT_FINANCE, {})]:
        people.office = make_user(role, **post)
        with pytest.raises(PermissionDenied):
            record(people, project, people.departments[0])
    assert not ReviewOpinion.objects.exists()


# --- Publicity ----------------------------------------------------------------------------------------------------


@pytest.mark.english
def test_publicity_opens_only_once_every_member_department_agreed(people, walk, clock):
    # given one department agreeing, one disagreeing and one silent
    project = walk(S.REVIEW)
    finance, audit, _agriculture = people.departments
    record(people, project, finance)
    record(people, project, audit, Opinion.DISAGREE, "收益测算不实")

    # when the publicity is opened
    with pytest.raises(ValidationError) as error:
        open_publicity(people, project, clock.ago(70))
    # then it is refused naming both, and the project stays under review
    assert error.value.messages == [
        "The publicity cannot open yet.",
        "No opinion recorded yet from: 区农业农村局.",
        "区审计局 disagrees: 收益测算不实",
    ]
    project.refresh_from_db()
    assert project.status == S.REVIEW
    assert not Publicity.objects.exists()


def test_every_member_agreeing_with_or_without_conditions_opens_the_publicity_a_non_member_is_not_waited_for(
    people, walk, all_agree, clock
):
    # given every member agreeing, one with a condition
    project = walk(S.REVIEW)
    all_agree(project, conditional=True)  # the non-member department never gave an opinion

    # when the publicity is opened
    publicity = open_publicity(people, project, clock.ago(70))

    # then the project is under publicity
    project.refresh_from_db()
    assert project.status == S.PUBLICITY
    # and what was published is kept as it was
    assert (publicity.content, publicity.scale, publicity.planned_completion, publicity.total_investment) == (
        project.content,
        project.scale,
        project.planned_completion,
        Decimal("1000000.00"),
    )
    assert publicity.published_by == people.office
    change = project.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_on, change.changed_by) == (
        S.REVIEW,
        S.PUBLICITY,
        clock.ago(70),
        people.office,
    )


@pytest.mark.parametrize(
    ("days", "last_day"), [(7, dt.date(2026, 6, 7)), (1, dt.date(2026, 6, 1)), (10, dt.date(2026, 6, 10))]
)
def test_a_publicity_of_n_days_includes_its_first_and_last_day(people, walk, all_agree, clock, days, last_day):
    # given a publicity of ``days`` days
    ProjectsPolicy.objects.update_or_create(pk=1, defaults={"publicity_days": days})
    project = walk(S.REVIEW)
    all_agree(project)
    # when it opens on 1 June
    publicity = open_publicity(people, project, dt.date(2026, 6, 1))
    # then it ends on its last day, counting the first
    assert (publicity.starts_on, publicity.ends_on) == (dt.date(2026, 6, 1), last_day)
    assert review.publicity_end(dt.date(2026, 6, 1), days) == last_day


@pytest.mark.english
def test_the_publicity_cannot_start_later_than_today_or_before_the_submission(people, walk, all_agree, clock):
    # given a project every member agreed to
    project = walk(S.REVIEW)
    all_agree(project)
    # then its publicity may not start tomorrow
    with pytest.raises(ValidationError) as error:
        open_publicity(people, project, clock.ago(-1))
    assert "starts_on" in error.value.message_dict
    # nor before it was submitted
    with pytest.raises(ValidationError) as error:
        open_publicity(people, project, clock.ago(81))
    assert error.value.message_dict == {
        "starts_on": ["The date cannot be earlier than the project's last status change (2026-03-27)."]
    }


# --- Return to the proposer ---------------------------------------------------------------------------------------


@pytest.mark.english
def test_a_disagreement_returns_the_project_with_every_reason_and_the_next_round_starts_afresh(
    people, walk, all_agree, clock
):
    # given a project under review
    project = walk(S.REVIEW)
    finance, audit, agriculture = people.departments
    # then it cannot be returned while no department disagrees
    with pytest.raises(ValidationError) as error:
        review.review_return(user=people.office, project=project, returned_on=clock.ago(75))
    assert error.value.messages == [
        "No member department disagrees in this round: the project is returned only on a disagreement."
    ]

    # when two departments disagree and the office returns it
    record(people, project, finance, Opinion.DISAGREE, "预算偏高")
    record(people, project, audit)
    record(people, project, agriculture, Opinion.DISAGREE, "技术方案不成熟")
    review.review_return(user=people.office, project=project, returned_on=clock.ago(75), note="请修改后重报")

    # then it is a proposal again, the change noting every reason
    project.refresh_from_db()
    assert project.status == S.PROPOSAL
    change = project.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (S.REVIEW, S.PROPOSAL, people.office)
    assert change.note == "区财政局 disagrees: 预算偏高\n区农业农村局 disagrees: 技术方案不成熟\n请修改后重报"

    # when the town corrects and submits again: round 2 waits for every department again
    lifecycle.project_submit_for_review(user=people.staff, project=project, submitted_on=clock.ago(72))
    project.refresh_from_db()
    assert project.review_round == 2
    with pytest.raises(ValidationError) as error:
        open_publicity(people, project, clock.ago(70))
    assert "No opinion recorded yet from: 区财政局、区审计局、区农业农村局." in error.value.messages
    all_agree(project)
    open_publicity(people, project, clock.ago(70))
    assert list(
        project.review_opinions.values_list("review_round", flat=True).distinct().order_by("review_round")
    ) == [
        1,
        2,
    ]


@pytest.mark.english
def test_a_project_under_publicity_is_returned_only_with_the_office_s_reason(people, walk, clock):
    # given a project under publicity
    project = walk(S.PUBLICITY)
    # then it cannot be returned without a reason
    with pytest.raises(ValidationError) as error:
        # when the office returns it with one
        review.review_return(user=people.office, project=project, returned_on=clock.ago(66))
    assert error.value.message_dict == {"note": ["Say why the project is returned."]}
    review.review_return(
        user=people.office, project=project, returned_on=clock.ago(66), note="异议成立：选址占用基本农田"
    )
    # then it is a proposal again, the change noting the reason
    project.refresh_from_db()
    assert project.status == S.PROPOSAL
    assert project.status_changes.last().note == "异议成立：选址占用基本农田"


# --- Objections ---------------------------------------------------------------------------------------------------


@pytest.mark.english
def test_objections_are_recorded_during_the_publicity_and_answered_once(people, walk, clock):
    # given a project under publicity
    project = walk(S.PUBLICITY)
    publicity = project.publicities.get()
    # then no objection is recorded before the publicity started
    with pytest.raises(ValidationError) as error:
        review.objection_record(
            user=people.office, publicity=publicity, received_on=clock.ago(71), raised_by="张三丰", content="x"
        )
    assert error.value.message_dict == {
        "received_on": ["The publicity started on 2026-04-06: no objection before it."]
    }

    # when one is received during it, it is recorded, not answered
    objection = review.objection_record(
        user=people.office, publicity=publicity, received_on=clock.ago(68), raised_by="张三丰", content="占用耕地"
    )
    assert (objection.recorded_by, objection.answered_on) == (people.office, None)

    # then it cannot be answered before it was received
    with pytest.raises(ValidationError) as error:
        # when it is answered
        review.objection_answer(user=people.office, objection=objection, answer="已核实", answered_on=clock.ago(69))
    assert "answered_on" in error.value.message_dict
    review.objection_answer(
        user=people.office, objection=objection, answer="经核实为建设用地", answered_on=clock.ago(66)
    )
    # then the answer is kept
    objection.refresh_from_db()
    assert (objection.answer, objection.answered_on, objection.answered_by) == (
        "经核实为建设用地",
        clock.ago(66),
        people.office,
    )
    # and it cannot be answered twice
    with pytest.raises(ValidationError) as error:
        review.objection_answer(user=people.office, objection=objection, answer="再答", answered_on=clock.ago(65))
    assert error.value.messages == ["This objection was answered on 2026-04-10."]


@pytest.mark.english
def test_no_objection_is_recorded_once_the_project_is_approved(people, walk, clock):
    # given an approved project
    project = walk(S.APPROVED)
    # when an objection is recorded
    with pytest.raises(ValidationError) as error:
        review.objection_record(
            user=people.office,
            publicity=project.publicities.get(),
            received_on=clock.today,
            raised_by="",
            content="迟到的异议",
        )
    # then it is refused
    assert error.value.messages == [
        "Objections are recorded and answered while the project is under publicity, until it is approved."
    ]


def test_town_staff_neither_record_nor_answer_objections(people, walk, clock):
    # given a project under publicity
    project = walk(S.PUBLICITY)
    # when the town staff record an objection, that is refused
    with pytest.raises(PermissionDenied):
        review.objection_record(
            user=people.staff, publicity=project.publicities.get(), received_on=clock.ago(68), content="x"
        )
    # then none was recorded
    assert not Objection.objects.exists()


# --- Approval -----------------------------------------------------------------------------------------------------


@pytest.fixture
def in_publicity(people, walk, all_agree, clock):
    """A project whose 7-day publicity runs from 2026-06-01 to 2026-06-07."""
    project = walk(S.REVIEW)
    all_agree(project, conditional=True)
    open_publicity(people, project, dt.date(2026, 6, 1))
    return project


@pytest.mark.english
@pytest.mark.parametrize("today", [dt.date(2026, 6, 3), dt.date(2026, 6, 7)])
def test_approval_is_refused_during_the_publicity_and_on_its_last_day(people, in_publicity, clock, today):
    # given a day of the publicity
    clock.today = today
    # when the project is approved that day
    with pytest.raises(ValidationError) as error:
        approve(people, in_publicity, today)
    # then it is refused, naming the first day it can be, and stays under publicity
    assert error.value.messages == [
        "The publicity runs until 2026-06-07: the project can be approved from 2026-06-08."
    ]
    in_publicity.refresh_from_db()
    assert in_publicity.status == S.PUBLICITY


def test_approval_is_allowed_the_day_after_the_publicity_with_the_conditions_kept(people, in_publicity, clock):
    # when the project is approved the day after its publicity
    clock.today = dt.date(2026, 6, 8)
    approve(people, in_publicity, dt.date(2026, 6, 8))
    # then it is approved, the change keeping the conditions
    in_publicity.refresh_from_db()
    assert in_publicity.status == S.APPROVED
    change = in_publicity.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_on, change.changed_by) == (
        S.PUBLICITY,
        S.APPROVED,
        dt.date(2026, 6, 8),
        people.office,
    )
    assert "资金须专账核算" in change.note and "区财政局" in change.note


@pytest.mark.english
def test_approval_dated_within_the_period_is_refused_even_once_it_is_over(people, in_publicity, clock):
    # given a day after the publicity
    clock.today = dt.date(2026, 6, 20)
    # when the approval is dated within it
    with pytest.raises(ValidationError) as error:
        approve(people, in_publicity, dt.date(2026, 6, 5))
    # then it is refused
    assert error.value.messages == [
        "The publicity runs until 2026-06-07: the project can be approved from 2026-06-08."
    ]


@pytest.mark.english
def test_an_unanswered_objection_blocks_approval_until_it_is_answered(people, in_publicity, clock):
    # given an objection received during the publicity
    clock.today = dt.date(2026, 6, 10)
    publicity = in_publicity.publicities.get()
    objection = review.objection_record(
        user=people.office,
        publicity=publicity,
        received_on=dt.date(2026, 6, 6),
        raised_by="李四",
        content="收益分配不公",
    )
    # when the project is approved, that is refused while it is not answered
    with pytest.raises(ValidationError) as error:
        approve(people, in_publicity, clock.today)
    assert error.value.messages == [
        "1 objection(s) received during the publicity are not answered yet (received on 2026-06-06)."
    ]

    # when it is answered, the approval goes through
    review.objection_answer(
        user=people.office, objection=objection, answer="已按规定公示分配方案", answered_on=clock.today
    )
    approve(people, in_publicity, clock.today)
    in_publicity.refresh_from_db()
    assert in_publicity.status == S.APPROVED


@pytest.mark.english
def test_a_refused_approval_lists_every_reason_at_once(people, in_publicity, clock):
    # given an unanswered objection on a day of the publicity
    clock.today = dt.date(2026, 6, 5)
    review.objection_record(
        user=people.office, publicity=in_publicity.publicities.get(), received_on=clock.today, content="异议"
    )
    # and a department joined the committee after the publicity opened: its opinion is needed too
    ReviewDepartment.objects.create(name="区自然资源局", sort_order=5)
    # when the project is approved
    with pytest.raises(ValidationError) as error:
        approve(people, in_publicity, clock.today)
    # then every reason is listed at once
    assert error.value.messages == [
        "The publicity runs until 2026-06-07: the project can be approved from 2026-06-08.",
        "1 objection(s) received during the publicity are not answered yet (received on 2026-06-05).",
        "No opinion recorded yet from: 区自然资源局.",
    ]


@pytest.mark.english
@pytest.mark.parametrize("status", [S.PROPOSAL, S.REVIEW])
def test_no_project_is_approved_without_its_publicity(people, walk, all_agree, clock, status):
    # given a proposal, or a project under review every member agreed to
    project = walk(status)
    if status == S.REVIEW:
        all_agree(project)
    # when it is approved
    with pytest.raises(ValidationError) as error:
        approve(people, project, clock.today)
    # then that is refused naming its state
    assert error.value.messages == [f"“Approve the project” cannot be done on a project that is “{S(status).label}”."]


def test_only_the_district_office_approves(people, in_publicity, make_user, town, clock):
    # given the day after the publicity
    clock.today = dt.date(2026, 6, 8)
    # when the town staff, the auditors or the station approve, that is refused
    for user in (people.staff, make_user(Role.AUDIT), make_user(Role.TOWN_STATION, town=town)):
        with pytest.raises(PermissionDenied):
            review.project_approve(user=user, project=in_publicity, approved_on=clock.today)
    # then the project stays under publicity
    in_publicity.refresh_from_db()
    assert in_publicity.status == S.PUBLICITY
