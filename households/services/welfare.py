"""Writes of the welfare area: safety nets (points 8, 9), housing and water (point 10), education (point 11).

Each service takes the acting ``user`` and checks role and reach itself before anything else (whatever the caller
checked already): the role is one of ``HOUSEHOLD_KEEPERS``, and the household record is loaded locked through
``households_scope`` with change access, or the village is one whose records the user may change;
``PermissionDenied`` otherwise. Then it checks its rules and raises ``ValidationError`` keyed by the field at fault
(the same names as the service's arguments, so a form shows the message beside the field). The history triggers
record every write.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from households.choices import UNSAFE_GRADES, HousingGrade
from households.id_numbers import age_on
from households.models import (
    CareRoom,
    DibaoEnrolment,
    EducationAid,
    HospitalStay,
    Household,
    InsuranceEnrolment,
    InsuranceScheme,
    LeftBehindChild,
    Member,
    RenovationPlan,
    WaterSample,
    WaterSupplySurvey,
)
from households.permissions import (
    HOUSEHOLD_KEEPERS,
    HOUSEHOLD_OUT_OF_REACH,
    households_scope,
    village_change_require,
)
from households.rules import REGISTER_START_YEAR
from households.selectors.welfare import INSURED_STATUSES, LEFT_BEHIND_AGE_LIMIT, insurance_eligible_members
from organisation.locking import locked_in_reach
from organisation.models import Village
from organisation.scoping import Access
from organisation.validation import role_require

SAFE_GRADES = (HousingGrade.A, HousingGrade.B)


class Errors(dict):
    """Messages per field, raised together."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _not_in_future(errors: Errors, field: str, day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors.add(field, _("%(date)s is in the future.") % {"date": day.isoformat()})


def _year_in_range(errors: Errors, field: str, year: int) -> None:
    last = timezone.localdate().year
    if not REGISTER_START_YEAR <= year <= last:
        errors.add(
            field, _("The year must be between %(first)d and %(last)d.") % {"first": REGISTER_START_YEAR, "last": last}
        )


def _positive(errors: Errors, field: str, amount: Decimal | None) -> None:
    if amount is not None and amount <= 0:
        errors.add(field, _("The amount must be more than zero."))


def _locked_record(user: User, record):
    """``record`` (a household, a member, or a record of one), locked, once ``user``'s role keeps the household
    file and the record is within their reach."""
    role_require(user, HOUSEHOLD_KEEPERS)
    return locked_in_reach(households_scope, user, record, message=HOUSEHOLD_OUT_OF_REACH)


def _village_require(user: User, village: Village) -> None:
    role_require(user, HOUSEHOLD_KEEPERS)
    village_change_require(user, village)


# --- Point 8: dibao ---------------------------------------------------------------------------------------------


@transaction.atomic
def dibao_enrolment_add(
    *,
    user: User,
    household: Household,
    monthly_amount: Decimal,
    persons: int,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> DibaoEnrolment:
    """Enrol ``household`` in the rural minimum living allowance; periods of one household may not overlap."""
    # One writer per household at a time, so two overlapping enrolments cannot both pass the check.
    household = _locked_record(user, household)
    errors = Errors()
    _positive(errors, "monthly_amount", monthly_amount)
    member_count = household.members.count()
    if persons <= 0:
        errors.add("persons", _("At least one person must be covered."))
    elif persons > member_count:
        errors.add(
            "persons",
            _("The household has %(count)d members recorded; the allowance cannot cover %(persons)d persons.")
            % {"count": member_count, "persons": persons},
        )
    if ends_on is not None and ends_on < starts_on:
        errors.add("ends_on", _("The end date is before the start date."))
    overlapping = household.dibao_enrolments.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if other := overlapping.order_by("starts_on").first():
        errors.add(
            "starts_on",
            _("The household is already enrolled from %(start)s until %(end)s; end that enrolment first.")
            % {"start": other.starts_on.isoformat(), "end": other.ends_on.isoformat() if other.ends_on else _("now")},
        )
    errors.raise_any()
    enrolment = DibaoEnrolment(
        household=household, monthly_amount=monthly_amount, persons=persons, starts_on=starts_on, ends_on=ends_on
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def dibao_enrolment_end(*, user: User, enrolment: DibaoEnrolment, ends_on: dt.date) -> DibaoEnrolment:
    enrolment = _locked_record(user, enrolment)
    errors = Errors()
    if enrolment.ends_on is not None:
        errors.add(
            NON_FIELD_ERRORS,
            _("This enrolment already ended on %(date)s.") % {"date": enrolment.ends_on.isoformat()},
        )
    elif ends_on < enrolment.starts_on:
        errors.add(
            "ends_on",
            _("The end date is before the start of the enrolment (%(date)s).")
            % {"date": enrolment.starts_on.isoformat()},
        )
    errors.raise_any()
    enrolment.ends_on = ends_on
    enrolment.save(update_fields=["ends_on"])
    return enrolment


# --- Point 9: special poverty insurance and hospital stays -----------------------------------------------------


@transaction.atomic
def insurance_enrol_households(*, user: User, scheme: InsuranceScheme, households: QuerySet[Household]) -> int:
    """Enrol, in one statement, every member of ``households`` whose household is not yet out of poverty
    or out with policies continuing, in ``scheme``'s year; members already enrolled are left as they are.
    Returns the number of new enrolments. Refused if any of ``households`` is beyond the user's reach."""
    role_require(user, HOUSEHOLD_KEEPERS)
    if households.exclude(pk__in=households_scope(user, Access.CHANGE).values("pk")).exists():
        raise PermissionDenied(HOUSEHOLD_OUT_OF_REACH)
    members_sql, params = insurance_eligible_members(households).values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    meta = InsuranceEnrolment._meta
    member_column, scheme_column = meta.get_field("member").column, meta.get_field("scheme").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({quote(member_column)}, {quote(scheme_column)}) "
            f"SELECT eligible.member_id, %s FROM ({members_sql}) AS eligible (member_id) "
            f"ON CONFLICT ({quote(member_column)}, {quote(scheme_column)}) DO NOTHING",
            [scheme.pk, *params],
        )
        return cursor.rowcount


@transaction.atomic
def insurance_enrol_household(*, user: User, household: Household, scheme: InsuranceScheme) -> int:
    household = _locked_record(user, household)
    if household.status not in INSURED_STATUSES:
        raise ValidationError(
            _(
                "The household's status is “%(status)s”: the special poverty insurance covers households not yet "
                "out of poverty and those out whose policies continue."
            )
            % {"status": household.get_status_display()}
        )
    return insurance_enrol_households(user=user, scheme=scheme, households=Household.objects.filter(pk=household.pk))


@transaction.atomic
def hospital_stay_add(
    *,
    user: User,
    member: Member,
    hospital: str,
    designated: bool,
    admitted_on: dt.date,
    discharged_on: dt.date | None,
    total_cost: Decimal,
    self_paid: Decimal,
) -> HospitalStay:
    member = _locked_record(user, member)
    errors = Errors()
    if not hospital.strip():
        errors.add("hospital", _("Name the hospital."))
    _not_in_future(errors, "admitted_on", admitted_on)
    _not_in_future(errors, "discharged_on", discharged_on)
    if discharged_on is not None and discharged_on < admitted_on:
        errors.add("discharged_on", _("The discharge date is before the admission date."))
    _positive(errors, "total_cost", total_cost)
    if self_paid < 0:
        errors.add("self_paid", _("The self-paid amount cannot be negative."))
    elif total_cost > 0 and self_paid > total_cost:
        errors.add(
            "self_paid",
            _("The self-paid amount (%(paid)s yuan) is more than the total cost (%(total)s yuan).")
            % {"paid": self_paid, "total": total_cost},
        )
    errors.raise_any()
    stay = HospitalStay(
        member=member,
        hospital=hospital.strip(),
        designated=designated,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        total_cost=total_cost,
        self_paid=self_paid,
    )
    stay.full_clean()
    stay.save()
    return stay


# --- Point 10: housing ------------------------------------------------------------------------------------------


@transaction.atomic
def housing_grade_set(
    *, user: User, household: Household, housing_grade: str, housing_appraised_on: dt.date
) -> Household:
    """Record the housing safety appraisal of ``household``."""
    household = _locked_record(user, household)
    errors = Errors()
    if housing_grade not in HousingGrade.values:
        errors.add("housing_grade", _("Choose a housing safety grade from A to D."))
    _not_in_future(errors, "housing_appraised_on", housing_appraised_on)
    errors.raise_any()
    household.housing_grade, household.housing_appraised_on = housing_grade, housing_appraised_on
    household.save(update_fields=["housing_grade", "housing_appraised_on", "updated_at"])
    return household


def _renovation_dates_check(errors: Errors, *, planned_start: dt.date, planned_completion: dt.date) -> None:
    if planned_completion < planned_start:
        errors.add("planned_completion", _("The planned completion is before the planned start."))


@transaction.atomic
def renovation_plan_add(
    *,
    user: User,
    household: Household,
    planned_start: dt.date,
    planned_completion: dt.date,
    subsidy: Decimal | None = None,
    note: str = "",
) -> RenovationPlan:
    """A renovation plan for a dilapidated (grade C or D) house; one plan under way at a time."""
    household = _locked_record(user, household)
    errors = Errors()
    if household.housing_grade not in UNSAFE_GRADES:
        errors.add(
            NON_FIELD_ERRORS,
            _("Only a house appraised grade C or D gets a renovation plan; this house is “%(grade)s”.")
            % {"grade": household.get_housing_grade_display() or _("not appraised")},
        )
    elif household.renovation_plans.filter(completed_on__isnull=True).exists():
        errors.add(NON_FIELD_ERRORS, _("The household already has a renovation plan under way."))
    _renovation_dates_check(errors, planned_start=planned_start, planned_completion=planned_completion)
    if subsidy is not None and subsidy < 0:
        errors.add("subsidy", _("The subsidy cannot be negative."))
    errors.raise_any()
    plan = RenovationPlan(
        household=household,
        planned_start=planned_start,
        planned_completion=planned_completion,
        subsidy=subsidy,
        note=note.strip(),
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def renovation_plan_update(
    *,
    user: User,
    plan: RenovationPlan,
    planned_start: dt.date,
    planned_completion: dt.date,
    subsidy: Decimal | None,
    completed_on: dt.date | None,
    accepted_grade: str,
    note: str = "",
) -> RenovationPlan:
    """Change a plan or record its completion; a completed renovation re-appraises the house with the grade
    accepted after it."""
    plan = _locked_record(user, plan)
    errors = Errors()
    _renovation_dates_check(errors, planned_start=planned_start, planned_completion=planned_completion)
    if subsidy is not None and subsidy < 0:
        errors.add("subsidy", _("The subsidy cannot be negative."))
    if completed_on is None:
        if plan.completed_on is not None:
            errors.add("completed_on", _("A completed renovation cannot be reopened; record a new plan instead."))
        if accepted_grade:
            errors.add("completed_on", _("Give the completion date together with the grade after renovation."))
    else:
        _not_in_future(errors, "completed_on", completed_on)
        if completed_on < planned_start:
            errors.add("completed_on", _("The completion date is before the planned start."))
        if accepted_grade not in SAFE_GRADES:
            errors.add(
                "accepted_grade",
                _("A completed renovation must leave a safe house: grade A or B after renovation."),
            )
    errors.raise_any()
    # The day this update completes the renovation, if it does.
    completed_now = completed_on if plan.completed_on is None else None
    plan.planned_start, plan.planned_completion, plan.subsidy = planned_start, planned_completion, subsidy
    plan.completed_on, plan.accepted_grade, plan.note = completed_on, accepted_grade, note.strip()
    plan.full_clean()
    plan.save()
    if completed_now is not None:
        housing_grade_set(
            user=user, household=plan.household, housing_grade=accepted_grade, housing_appraised_on=completed_now
        )
    return plan


# --- Point 10: drinking water -----------------------------------------------------------------------------------

SURVEY_COUNTS = ("centralised_households", "tap_households", "guaranteed_households")


@transaction.atomic
def water_survey_record(
    *,
    user: User,
    village: Village,
    year: int,
    households: int,
    centralised_households: int,
    tap_households: int,
    guaranteed_households: int,
    survey: WaterSupplySurvey | None = None,
) -> WaterSupplySurvey:
    """Record (``survey`` None) or correct a village's drinking-water supply survey of a year."""
    _village_require(user, village)
    if survey is not None:
        survey = _locked_record(user, survey)
    errors = Errors()
    _year_in_range(errors, "year", year)
    counts = {
        "households": households,
        "centralised_households": centralised_households,
        "tap_households": tap_households,
        "guaranteed_households": guaranteed_households,
    }
    for field, count in counts.items():
        if count < 0:
            errors.add(field, _("A number of households cannot be negative."))
    for field in SURVEY_COUNTS:
        if counts[field] > households:
            errors.add(
                field,
                _("%(count)d is more than the %(households)d households of the village.")
                % {"count": counts[field], "households": households},
            )
    same_year = WaterSupplySurvey.objects.filter(village=village, year=year)
    if survey is not None:
        same_year = same_year.exclude(pk=survey.pk)
    if same_year.exists():
        errors.add(
            "year",
            _("%(village)s already has a survey of %(year)d; correct that one.")
            % {
                "village": village.name,
                "year": year,
            },
        )
    errors.raise_any()
    if survey is None:
        survey = WaterSupplySurvey(village=village)
    survey.year = year
    for field, count in counts.items():
        setattr(survey, field, count)
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:  # the same survey entered at the same moment by someone else
        raise ValidationError(
            {"year": _("%(village)s already has a survey of %(year)d.") % {"village": village.name, "year": year}}
        ) from None
    return survey


@transaction.atomic
def water_sample_record(
    *, user: User, village: Village, sampled_on: dt.date, sampling_point: str, passed: bool, note: str = ""
) -> WaterSample:
    _village_require(user, village)
    errors = Errors()
    _not_in_future(errors, "sampled_on", sampled_on)
    if sampled_on.year < REGISTER_START_YEAR:
        errors.add("sampled_on", _("Samples are recorded from %(year)d on.") % {"year": REGISTER_START_YEAR})
    if not sampling_point.strip():
        errors.add("sampling_point", _("Say where the sample was taken."))
    errors.raise_any()
    sample = WaterSample(
        village=village, sampled_on=sampled_on, sampling_point=sampling_point.strip(), passed=passed, note=note.strip()
    )
    sample.full_clean()
    sample.save()
    return sample


# --- Point 11: education ----------------------------------------------------------------------------------------


@transaction.atomic
def education_aid_add(*, user: User, member: Member, year: int, kind: str, amount: Decimal) -> EducationAid:
    member = _locked_record(user, member)
    errors = Errors()
    if not member.school_stage:
        errors.add(
            NON_FIELD_ERRORS,
            _("%(name)s is not recorded as a student; record the school stage first.") % {"name": member.name},
        )
    _year_in_range(errors, "year", year)
    if not kind.strip():
        errors.add("kind", _("Say what kind of aid this is."))
    _positive(errors, "amount", amount)
    errors.raise_any()
    aid = EducationAid(member=member, year=year, kind=kind.strip(), amount=amount)
    aid.full_clean()
    aid.save()
    return aid


@transaction.atomic
def dropout_risk_set(*, user: User, member: Member, dropout_risk: bool) -> Member:
    member = _locked_record(user, member)
    member.dropout_risk = dropout_risk
    member.save(update_fields=["dropout_risk"])
    return member


@transaction.atomic
def left_behind_child_save(
    *,
    user: User,
    member: Member,
    guardian_name: str,
    guardian_relation: str,
    guardian_phone: str,
    parents_working_in: str = "",
    contact_card_number: str = "",
    contact_card_issued_on: dt.date | None = None,
    note: str = "",
) -> LeftBehindChild:
    """Open or update the personal file and contact card of a left-behind child."""
    member = _locked_record(user, member)
    errors = Errors()
    age = age_on(member.birth_date, timezone.localdate())
    if age >= LEFT_BEHIND_AGE_LIMIT:
        errors.add(
            NON_FIELD_ERRORS,
            _("%(name)s is %(age)d years old; a left-behind child is under %(limit)d.")
            % {"name": member.name, "age": age, "limit": LEFT_BEHIND_AGE_LIMIT},
        )
    for field, value in (
        ("guardian_name", guardian_name),
        ("guardian_relation", guardian_relation),
        ("guardian_phone", guardian_phone),
    ):
        if not value.strip():
            errors.add(field, _("This is needed on the contact card."))
    phone = guardian_phone.strip()
    if phone and not phone.replace("-", "").replace(" ", "").isdigit():
        errors.add("guardian_phone", _("A phone number may hold digits, spaces and dashes only."))
    _not_in_future(errors, "contact_card_issued_on", contact_card_issued_on)
    errors.raise_any()
    child = LeftBehindChild.objects.select_for_update().filter(member=member).first() or LeftBehindChild(member=member)
    child.guardian_name, child.guardian_relation, child.guardian_phone = (
        guardian_name.strip(),
        guardian_relation.strip(),
        phone,
    )
    child.parents_working_in, child.contact_card_number = parents_working_in.strip(), contact_card_number.strip()
    child.contact_card_issued_on, child.note = contact_card_issued_on, note.strip()
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def care_room_record(
    *, user: User, village: Village, name: str, opened_on: dt.date, address: str = "", keeper: str = ""
) -> CareRoom:
    """Record the left-behind children's care room of ``village`` (point 11: one in every key village)."""
    _village_require(user, village)
    errors = Errors()
    if CareRoom.objects.filter(village=village).exists():
        errors.add(NON_FIELD_ERRORS, _("%(village)s already has a care room.") % {"village": village.name})
    if not name.strip():
        errors.add("name", _("Give the care room a name."))
    _not_in_future(errors, "opened_on", opened_on)
    errors.raise_any()
    room = CareRoom(
        village=village, name=name.strip(), opened_on=opened_on, address=address.strip(), keeper=keeper.strip()
    )
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:  # recorded by someone else at the same moment
        raise ValidationError(_("%(village)s already has a care room.") % {"village": village.name}) from None
    return room
