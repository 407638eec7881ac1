"""Reads of the welfare area: safety nets (points 8, 9), housing and water (point 10), education (point 11).

Every list takes its records from ``households_scope`` (or, for villages, ``villages_for``), so a page
cannot show another town's records. The flags of the work plan each live in one function here.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from households.choices import UNSAFE_GRADES, SchoolStage
from households.models import (
    CareRoom,
    DibaoStandard,
    HospitalStay,
    Household,
    InsuranceScheme,
    Member,
    PovertyLine,
    RenovationPlan,
    WaterSample,
    WaterSupplySurvey,
)
from households.permissions import households_scope
from households.rules import (
    COMPULSORY_SCHOOL_AGES,
    INSURED_STATUSES,
    LEFT_BEHIND_AGE_LIMIT,
    SELF_PAY_LIMIT,
    SELF_PAY_SHARE_PLACES,
)
from households.selectors.as_of import registered_on
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.scoping import Access, villages_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def percentage(numerator, denominator) -> Decimal | None:
    """``numerator / denominator`` in percent, two decimals rounded half up; None (no data) for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def towns_reached(user: Actor) -> QuerySet[Town]:
    """The towns whose villages ``user`` sees: the choices of a page's town filter."""
    return Town.objects.filter(pk__in=villages_for(user, Access.VIEW).values("town")).order_by("code")


# --- Point 8: the dibao standard against the poverty line -------------------------------------------------------


@dataclass(frozen=True)
class DibaoYearCheck:
    year: int
    poverty_line: Decimal | None
    dibao_standard: Decimal | None

    @property
    def missing_standard(self) -> bool:
        return self.poverty_line is not None and self.dibao_standard is None

    @property
    def not_above_line(self) -> bool:
        return (
            self.poverty_line is not None
            and self.dibao_standard is not None
            and self.dibao_standard <= self.poverty_line
        )

    @property
    def flagged(self) -> bool:
        return self.missing_standard or self.not_above_line

    @property
    def margin(self) -> Decimal | None:
        if self.poverty_line is None or self.dibao_standard is None:
            return None
        return self.dibao_standard - self.poverty_line

    @property
    def message(self) -> str:
        if self.missing_standard:
            return _("%(year)d has a poverty line of %(line)s yuan but no rural dibao standard.") % {
                "year": self.year,
                "line": self.poverty_line,
            }
        if self.not_above_line:
            return _(
                "The rural dibao standard of %(year)d (%(standard)s yuan) is not above that year's poverty line "
                "(%(line)s yuan)."
            ) % {"year": self.year, "standard": self.dibao_standard, "line": self.poverty_line}
        return ""


class WithDibaoStandard(TypedDict):
    dibao_standard: Decimal | None


class WithPovertyLine(TypedDict):
    poverty_line: Decimal | None


def poverty_lines_with_standard(
    queryset: QuerySet[PovertyLine] | None = None,
) -> "QuerySet[WithAnnotations[PovertyLine, WithDibaoStandard]]":
    standard = DibaoStandard.objects.filter(year=OuterRef("year")).values("amount")[:1]
    queryset = PovertyLine.objects.all() if queryset is None else queryset
    return queryset.annotate(dibao_standard=Subquery(standard))


def dibao_standards_with_line(
    queryset: QuerySet[DibaoStandard] | None = None,
) -> "QuerySet[WithAnnotations[DibaoStandard, WithPovertyLine]]":
    line = PovertyLine.objects.filter(year=OuterRef("year")).values("amount")[:1]
    queryset = DibaoStandard.objects.all() if queryset is None else queryset
    return queryset.annotate(poverty_line=Subquery(line))


def dibao_year_checks() -> list[DibaoYearCheck]:
    """Every year with a poverty line or a dibao standard, newest first (point 8)."""
    checks = {
        line.year: DibaoYearCheck(year=line.year, poverty_line=line.amount, dibao_standard=line.dibao_standard)
        for line in poverty_lines_with_standard()
    }
    for standard in DibaoStandard.objects.exclude(year__in=checks.keys()):
        checks[standard.year] = DibaoYearCheck(year=standard.year, poverty_line=None, dibao_standard=standard.amount)
    return sorted(checks.values(), key=lambda check: check.year, reverse=True)


def dibao_year_flags() -> list[DibaoYearCheck]:
    return [check for check in dibao_year_checks() if check.flagged]


# --- Point 9: the special poverty insurance and hospital stays -------------------------------------------------


@dataclass(frozen=True)
class InsuranceYearCheck:
    year: int
    per_capita_funding: Decimal
    previous_year: int | None
    previous_funding: Decimal | None

    @property
    def flagged(self) -> bool:
        return self.previous_funding is not None and self.per_capita_funding < self.previous_funding

    @property
    def message(self) -> str:
        if not self.flagged:
            return ""
        return _(
            "The per-capita funding of the special poverty insurance in %(year)d (%(funding)s yuan) is below "
            "%(previous_year)d (%(previous)s yuan)."
        ) % {
            "year": self.year,
            "funding": self.per_capita_funding,
            "previous_year": self.previous_year,
            "previous": self.previous_funding,
        }


class WithPreviousScheme(TypedDict):
    previous_year: int | None
    previous_funding: Decimal | None


def insurance_schemes_with_previous(
    queryset: QuerySet[InsuranceScheme] | None = None,
) -> "QuerySet[WithAnnotations[InsuranceScheme, WithPreviousScheme]]":
    """Schemes with ``previous_year`` and ``previous_funding``: the latest earlier scheme year, if any."""
    earlier = InsuranceScheme.objects.filter(year__lt=OuterRef("year")).order_by("-year")
    queryset = InsuranceScheme.objects.all() if queryset is None else queryset
    return queryset.annotate(
        previous_year=Subquery(earlier.values("year")[:1]),
        previous_funding=Subquery(earlier.values("per_capita_funding")[:1]),
    )


def insurance_year_check(scheme: "WithAnnotations[InsuranceScheme, WithPreviousScheme]") -> InsuranceYearCheck:
    """The check of a scheme from ``insurance_schemes_with_previous``."""
    return InsuranceYearCheck(
        year=scheme.year,
        per_capita_funding=scheme.per_capita_funding,
        previous_year=scheme.previous_year,
        previous_funding=scheme.previous_funding,
    )


def insurance_year_checks() -> list[InsuranceYearCheck]:
    """Each scheme year against the latest earlier scheme year, newest first (point 9)."""
    return [insurance_year_check(scheme) for scheme in insurance_schemes_with_previous().order_by("-year")]


def insurance_year_flags() -> list[InsuranceYearCheck]:
    return [check for check in insurance_year_checks() if check.flagged]


class WithSelfPayShare(TypedDict):
    self_pay_share: Decimal
    self_pay_flagged: bool


def self_pay_over_limit() -> Q:
    """Point 9: a stay at a designated hospital whose self-paid share is not under ``SELF_PAY_LIMIT`` (10%),
    compared exactly (self-paid x 100 >= limit x total cost), never after rounding the share: 9.995% is under 10%."""
    return Q(designated=True) & Q(
        GreaterThanOrEqual(F("self_paid") * Value(HUNDRED), Value(SELF_PAY_LIMIT) * F("total_cost"))
    )


def hospital_stays_with_share(
    queryset: QuerySet[HospitalStay],
) -> "QuerySet[WithAnnotations[HospitalStay, WithSelfPayShare]]":
    """Stays with ``self_pay_share`` (what a page shows: percent rounded DOWN to two decimals, the SQL twin of
    ``households.rules.self_pay_share_shown``, so 9.9995% reads 9.99%, never 10.00%) and ``self_pay_flagged``
    (``self_pay_over_limit``, judged on the exact share)."""
    share = Func(
        F("self_paid") * Value(HUNDRED) / NullIf(F("total_cost"), Value(0)),
        Value(SELF_PAY_SHARE_PLACES),
        function="TRUNC",
        output_field=DecimalField(max_digits=20, decimal_places=SELF_PAY_SHARE_PLACES),
    )
    return queryset.annotate(
        self_pay_share=share,
        self_pay_flagged=ExpressionWrapper(self_pay_over_limit(), output_field=BooleanField()),
    )


def hospital_stays_flagged(
    *, user: Actor, town: Town | None = None, village: Village | None = None, on: dt.date | None = None
) -> QuerySet[HospitalStay]:
    """The flagged stays (``self_pay_over_limit``) the user may see; with ``on``, those admitted by then."""
    stays = hospital_stays_with_share(households_scope(user, Access.VIEW, HospitalStay.objects.all()))
    if town is not None:
        stays = stays.filter(member__household__village__town=town)
    if village is not None:
        stays = stays.filter(member__household__village=village)
    if on is not None:
        stays = stays.filter(admitted_on__lte=on)
    return (
        stays.filter(self_pay_flagged=True)
        .select_related("member__household__village__town")
        .order_by("member__household__village__town__code", "-admitted_on", "pk")
    )


def insurance_eligible_members(households: QuerySet[Household]) -> QuerySet[Member]:
    return Member.objects.filter(household__in=households.filter(status__in=INSURED_STATUSES))


# --- Point 10: housing ------------------------------------------------------------------------------------------


def open_plans(on: dt.date | None = None) -> QuerySet[RenovationPlan]:
    """Plans not completed (with ``on``: not completed by the end of that day)."""
    if on is None:
        return RenovationPlan.objects.filter(completed_on__isnull=True)
    return RenovationPlan.objects.filter(Q(completed_on__isnull=True) | Q(completed_on__gt=on))


def unsafe_without_plan(on: dt.date | None = None) -> Q:
    """Point 10 ("对新识别危房户逐一建立改造计划"): a grade C or D house with no renovation plan under way
    (``open_plans``); the list below and the figure ``houses_unsafe_without_plan``."""
    return Q(housing_grade__in=UNSAFE_GRADES) & ~Q(Exists(open_plans(on).filter(household=OuterRef("pk"))))


def unsafe_houses_without_plan(
    *, user: Actor, town: Town | None = None, village: Village | None = None, on: dt.date | None = None
) -> QuerySet[Household]:
    """Grade C or D houses with no renovation plan under way (a finished plan does not count: the house
    was appraised unsafe again, or the grade was never updated). With ``on``: the households registered by then,
    and a plan under way on that day."""
    households = households_scope(user, Access.VIEW).filter(unsafe_without_plan(on))
    if town is not None:
        households = households.filter(village__town=town)
    if village is not None:
        households = households.filter(village=village)
    if on is not None:
        households = households.filter(registered_on(on))
    return households.select_related("village__town").order_by("village__town__code", "village__code", "file_number")


def renovation_plans_overdue(*, user: Actor, town: Town | None = None, today: dt.date | None = None):
    """Plans whose planned completion has passed without completion."""
    today = today or timezone.localdate()
    plans = households_scope(user, Access.VIEW, open_plans()).filter(planned_completion__lt=today)
    if town is not None:
        plans = plans.filter(household__village__town=town)
    return plans.select_related("household__village__town").order_by("planned_completion", "pk")


def renovation_plan_is_overdue(plan: RenovationPlan, today: dt.date | None = None) -> bool:
    return plan.completed_on is None and plan.planned_completion < (today or timezone.localdate())


# --- Point 10: drinking water -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterRates:
    """The four rates of point 10 for a village and year, in percent; None where there is no data."""

    centralised_supply: Decimal | None
    tap_water_coverage: Decimal | None
    supply_guarantee: Decimal | None
    quality_pass: Decimal | None


def water_rates(
    *, households: int | None, centralised: int | None, tap: int | None, guaranteed: int | None, samples, passed
) -> WaterRates:
    return WaterRates(
        centralised_supply=percentage(centralised or 0, households),
        tap_water_coverage=percentage(tap or 0, households),
        supply_guarantee=percentage(guaranteed or 0, households),
        quality_pass=percentage(passed, samples),
    )


class WithWaterCounts(TypedDict):
    survey_id: int | None
    survey_households: int | None
    survey_centralised: int | None
    survey_tap: int | None
    survey_guaranteed: int | None
    sample_count: int
    sample_passed: int


def villages_with_water_counts(
    *, villages: QuerySet[Village], year: int
) -> "QuerySet[WithAnnotations[Village, WithWaterCounts]]":
    """Villages with their survey counts (``survey_*``, None without a survey) and samples of ``year``."""
    samples = WaterSample.objects.filter(village=OuterRef("pk"), sampled_on__year=year).order_by().values("village")
    return villages.annotate(
        survey_of_year=FilteredRelation("water_surveys", condition=Q(water_surveys__year=year)),
        survey_id=F("survey_of_year__pk"),
        survey_households=F("survey_of_year__households"),
        survey_centralised=F("survey_of_year__centralised_households"),
        survey_tap=F("survey_of_year__tap_households"),
        survey_guaranteed=F("survey_of_year__guaranteed_households"),
        sample_count=Coalesce(Subquery(samples.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0),
        sample_passed=Coalesce(
            Subquery(samples.annotate(n=Count("pk", filter=Q(passed=True))).values("n"), output_field=IntegerField()),
            0,
        ),
    )


def village_water_rates(village: "WithAnnotations[Village, WithWaterCounts]") -> WaterRates:
    """The rates of a village from ``villages_with_water_counts``."""
    return water_rates(
        households=village.survey_households,
        centralised=village.survey_centralised,
        tap=village.survey_tap,
        guaranteed=village.survey_guaranteed,
        samples=village.sample_count,
        passed=village.sample_passed,
    )


def water_table(*, user: Actor, year: int, town: Town | None = None, query: str = "") -> QuerySet[Village]:
    villages = villages_for(user, Access.VIEW)
    if town is not None:
        villages = villages.filter(town=town)
    if query:
        villages = villages.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return villages_with_water_counts(villages=villages.select_related("town"), year=year).order_by(
        "town__code", "code"
    )


def water_latest_year(*, villages: QuerySet[Village]) -> int | None:
    """The latest year with a survey or a sample among ``villages``."""
    survey_year = WaterSupplySurvey.objects.filter(village__in=villages).aggregate(latest=Max("year"))["latest"]
    sampled_on = WaterSample.objects.filter(village__in=villages).aggregate(latest=Max("sampled_on"))["latest"]
    years = [year for year in (survey_year, sampled_on and sampled_on.year) if year]
    return max(years, default=None)


# --- Point 11: education ----------------------------------------------------------------------------------------


def members_of_school_age(queryset: QuerySet[Member], today: dt.date | None = None) -> QuerySet[Member]:
    today = today or timezone.localdate()
    return queryset.filter(
        birth_date__lte=years_before(today, COMPULSORY_SCHOOL_AGES.start),
        birth_date__gt=years_before(today, COMPULSORY_SCHOOL_AGES.stop),
    )


def members_at_risk_of_leaving_school(members: QuerySet[Member], on: dt.date | None = None) -> QuerySet[Member]:
    """``members`` aged 6 to 15 on ``on`` (default today) who are not in school or are at risk of dropping out
    (控辍保学): the list below and the figure ``members_school_at_risk``."""
    return members_of_school_age(members, on).filter(Q(school_stage=SchoolStage.NOT_IN_SCHOOL) | Q(dropout_risk=True))


def school_age_at_risk(
    *,
    user: Actor,
    town: Town | None = None,
    village: Village | None = None,
    today: dt.date | None = None,
    on: dt.date | None = None,
) -> QuerySet[Member]:
    """Members aged 6 to 15 who are not in school or are at risk of dropping out (控辍保学), aged on ``today``; with
    ``on``, aged on that day, of the households registered by then."""
    members = households_scope(user, Access.VIEW, Member.objects.all())
    if town is not None:
        members = members.filter(household__village__town=town)
    if village is not None:
        members = members.filter(household__village=village)
    if on is not None:
        members = members.filter(registered_on(on, "household__"))
    return (
        members_at_risk_of_leaving_school(members, on or today)
        .select_related("household__village__town")
        .order_by("household__village__town__code", "household__file_number", "pk")
    )


def villages_without_care_room(on: dt.date | None = None) -> Q:
    """Point 11: a key village (重点村) with no left-behind children's care room (with ``on``: none opened by then)."""
    if on is None:
        return Q(is_key_village=True, care_room__isnull=True)
    return Q(is_key_village=True) & ~Q(Exists(CareRoom.objects.filter(village=OuterRef("pk"), opened_on__lte=on)))


def key_villages_without_care_room(
    *,
    user: Actor,
    town: Town | None = None,
    village: Village | None = None,
    query: str = "",
    on: dt.date | None = None,
) -> QuerySet[Village]:
    villages = villages_for(user, Access.VIEW).filter(villages_without_care_room(on))
    if town is not None:
        villages = villages.filter(town=town)
    if village is not None:
        villages = villages.filter(pk=village.pk)
    if query:
        villages = villages.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return villages.select_related("town").order_by("town__code", "code")


# --- The sections of the household page -------------------------------------------------------------------------


def household_safety_nets(*, household: Household) -> dict:
    members = list(household.members.all())
    stays = hospital_stays_with_share(HospitalStay.objects.filter(member__household=household)).select_related(
        "member"
    )
    enrolments = (
        household.members.filter(insurance_enrolments__isnull=False)
        .values_list("insurance_enrolments__scheme__year", "name")
        .order_by("-insurance_enrolments__scheme__year", "pk")
    )
    insured_by_year: dict[int, list[str]] = {}
    for year, name in enrolments:
        insured_by_year.setdefault(year, []).append(name)
    return {
        "dibao_enrolments": list(household.dibao_enrolments.order_by("-starts_on")),
        "members": members,
        "insured_by_year": sorted(insured_by_year.items(), reverse=True),
        "insurance_eligible": household.status in INSURED_STATUSES,
        "hospital_stays": list(stays.order_by("-admitted_on", "pk")),
        "dibao_flags": dibao_year_flags(),
        "insurance_flags": insurance_year_flags(),
    }


def household_housing_and_water(*, household: Household, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    plans = list(household.renovation_plans.order_by("-planned_start", "-pk"))
    village = Village.objects.filter(pk=household.village_id)
    year = water_latest_year(villages=village)
    water_village = villages_with_water_counts(villages=village, year=year).get() if year else None
    return {
        "renovation_plans": [(plan, renovation_plan_is_overdue(plan, today)) for plan in plans],
        "is_unsafe": household.housing_grade in UNSAFE_GRADES,
        "has_open_plan": any(plan.completed_on is None for plan in plans),
        "water_year": year,
        "water_rates": village_water_rates(water_village) if water_village else None,
    }


def household_education(*, household: Household, today: dt.date | None = None) -> dict:
    members = household.members.select_related("left_behind_file").prefetch_related("education_aid")
    at_risk = set(
        members_of_school_age(members, today)
        .filter(Q(school_stage=SchoolStage.NOT_IN_SCHOOL) | Q(dropout_risk=True))
        .values_list("pk", flat=True)
    )
    children = set(
        members.filter(birth_date__gt=years_before(today or timezone.localdate(), LEFT_BEHIND_AGE_LIMIT)).values_list(
            "pk", flat=True
        )
    )
    village = household.village
    return {
        "students": [member for member in members if member.school_stage],
        "education_members": [
            (member, member.pk in at_risk, member.pk in children, getattr(member, "left_behind_file", None))
            for member in members
        ],
        "key_village_without_care_room": village.is_key_village and not hasattr(village, "care_room"),
        "care_room": getattr(village, "care_room", None),
    }
