"""The household rules of the work plan (兰扶办发〔2018〕1号) and of the register, each in one place.

The constants are the work plan's figures; ``EXIT_STANDARDS`` is the exit standard (两不愁三保障 and safe
drinking water), each of its checks one condition that the exit checklist
(``households.selectors.lifecycle.household_exit_checklist``) evaluates for one household and the ``exit_*``
data-quality rules (``households.quality_rules``) evaluate for the whole district, so the two cannot disagree
(``tests/households/test_exit_standards.py`` proves it).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.lookups import Range
from django.utils.translation import gettext_lazy as _

from households.choices import (
    OUT_OF_POVERTY,
    UNSAFE_GRADES,
    HouseholdStatus,
    HousingGrade,
    Relation,
    SchoolStage,
    Sex,
    WaterSource,
)
from households.models import (
    CADRE_HOUSEHOLD_LIMIT,
    DEFAULT_TERM_END,
    Household,
    Income,
    Member,
    PovertyLine,
    RenovationPlan,
)

# The national register of poor households (建档立卡) began in 2014: no household was identified earlier, no
# record of the register (a safety net, a sample, a survey) is older. Point 3 of the work plan takes the same
# year for the projects ("2014年以来建成的项目").
REGISTER_START_YEAR = 2014
# Identification in 2014 looked at the income of 2013; no earlier income belongs in the file.
FIRST_INCOME_YEAR = REGISTER_START_YEAR - 1

# Point 12: a household may return to poverty (因病因灾) only from a status in which it was not counted as poor.
MAY_RETURN_FROM = (*OUT_OF_POVERTY, HouseholdStatus.MARGINAL)

# Point 9: "实现贫困群众在定点医疗机构住院自付费用低于10%": at a designated hospital the self-paid share must
# stay *under* 10%, so a share of 10.00% is flagged.
SELF_PAY_LIMIT = Decimal("10.00")
# The self-paid share is shown with two decimals rounded DOWN (9.9995% reads "9.99%"), so a share shown as 10.00%
# is never under the limit and a flagged one never reads below it.
SELF_PAY_SHARE_PLACES = 2


def self_pay_share_shown(self_paid: Decimal, total_cost: Decimal) -> Decimal | None:
    """Point 9's self-paid share as shown: percent, ``SELF_PAY_SHARE_PLACES`` decimals rounded down (never up to
    the 10% limit); None for a stay without a cost. The flag compares the exact share (``self_pay_over_limit``)."""
    if not total_cost:
        return None
    cent = Decimal(1).scaleb(-SELF_PAY_SHARE_PLACES)
    return (Decimal(self_paid) * 100 / Decimal(total_cost)).quantize(cent, rounding=ROUND_DOWN)


# Point 9: "继续为未脱贫和脱贫仍享受政策的贫困人口购买扶贫特惠保": the insurance is bought for people not yet out
# of poverty and for those out whose policies continue.
INSURED_STATUSES = (HouseholdStatus.NOT_OUT, HouseholdStatus.OUT_CONTINUING)

# Points 12 and 13: "脱贫不脱帮扶" and "调整优化贫困户稳定脱贫帮扶责任人": a responsible cadre (帮扶责任人) helps
# every household still poor (not yet out, or returned) and every household out whose policies continue; a household
# out with policies ended, or a marginal household (not registered as poor), needs none.
CADRE_HELPED_STATUSES = (HouseholdStatus.NOT_OUT, HouseholdStatus.RETURNED, HouseholdStatus.OUT_CONTINUING)


# The register form's A5 (sex, read from the A6 ID number) and A7 (relation to the head): a son, son-in-law or
# grandson is male, a daughter, daughter-in-law or granddaughter female, and a spouse is of the head's other sex.
RELATION_SEX = {
    Relation.SON: Sex.MALE,
    Relation.SON_IN_LAW: Sex.MALE,
    Relation.GRANDSON: Sex.MALE,
    Relation.DAUGHTER: Sex.FEMALE,
    Relation.DAUGHTER_IN_LAW: Sex.FEMALE,
    Relation.GRANDDAUGHTER: Sex.FEMALE,
}


def relation_sex_conflict(relation: str | None, sex: str | None, *, head_sex: str | None = None) -> str | None:
    """A7 against A5: the message refusing a member whose relation to the head (``RELATION_SEX``; a spouse is of
    the head's other sex, when the head's sex is known) contradicts the sex read from the ID number; None when they
    agree or the relation carries no sex. The member form and the import both refuse with it."""
    if not relation or not sex:
        return None
    if relation == Relation.SPOUSE:
        required = None if head_sex is None else (Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE)
    else:
        required = RELATION_SEX.get(Relation(relation)) if relation in Relation.values else None
    if required is None or required == sex:
        return None
    return str(
        _("The relation to the head “%(relation)s” is for a %(sex)s member, but the ID number says %(id_sex)s.")
        % {"relation": Relation(relation).label, "sex": Sex(required).label, "id_sex": Sex(sex).label}
    )


def cadre_term_end(starts_on: dt.date) -> dt.date:
    """Point 13: "帮扶责任人 ... 帮扶期限到 2020 年": an assignment's term ends on 31 December 2020
    (``DEFAULT_TERM_END``); one that starts later (the plan's term renewed) runs to the end of the year it starts,
    so a term never ends before it starts."""
    return max(DEFAULT_TERM_END, dt.date(starts_on.year, 12, 31))


def cadre_is_full(households_helped: int) -> bool:
    """Point 13: "每人帮扶不超过 5 户": a cadre who helps ``CADRE_HOUSEHOLD_LIMIT`` households takes no more (the
    database's trigger holds the same limit)."""
    return households_helped >= CADRE_HOUSEHOLD_LIMIT


# Point 11: a left-behind child (留守儿童) is under 16.
LEFT_BEHIND_AGE_LIMIT = 16

# The exit standard's figures.
# Compulsory education (义务教育): a child aged 6 to 15 counts as in school at any stage, since a six-year-old
# may still be in pre-school and a fifteen-year-old already in senior secondary school. The dropout-prevention
# list of point 11 (控辍保学) watches the same ages.
COMPULSORY_SCHOOL_AGES = range(6, 16)
COMPULSORY_STAGES = tuple(stage for stage in SchoolStage if stage != SchoolStage.NOT_IN_SCHOOL)
# Safe housing: an appraised house that is not dilapidated (危房: grades C and D, point 10) is safe.
SAFE_GRADES = tuple(grade for grade in HousingGrade if grade not in UNSAFE_GRADES)
# Safe drinking water: treated tap water or a protected well or spring.
SAFE_WATER_SOURCES = (WaterSource.TAP, WaterSource.PROTECTED_WELL)


# The exit standard (脱贫标准): 两不愁三保障 (no worry about food and clothing; compulsory education, basic
# medical cover and safe housing guaranteed), income above the year's poverty line, and safe drinking water.
# The standards in the checklist's order, each with its label.
EXIT_STANDARDS = {
    "income": _("Income above the poverty line"),
    "food_and_clothing": _("No worry about food and clothing"),
    "compulsory_education": _("Compulsory education"),
    "medical_cover": _("Basic medical cover"),
    "safe_housing": _("Safe housing"),
    "safe_water": _("Safe drinking water"),
}

# The income test judges one year's income. The checklist takes the year it is asked for; the data-quality
# rules each household's latest recorded year. The conditions read the year from this annotation.
EXIT_YEAR = "exit_year"


def exit_households(households: QuerySet[Household], *, year: int | None = None) -> QuerySet[Household]:
    """``households`` with the year whose income the exit standard judges: ``year``, or when None each
    household's latest recorded year (NULL for a household with no income recorded)."""
    latest = Income.objects.filter(household=OuterRef("pk")).order_by("-year").values("year")[:1]
    judged = Value(year) if year is not None else Subquery(latest)
    return households.annotate(**{EXIT_YEAR: ExpressionWrapper(judged, output_field=IntegerField())})


def member_age(on: dt.date) -> Func:
    """A member's full years on ``on``, from the recorded birth date (PostgreSQL's ``age``)."""
    return Func(
        Value(on),
        F("birth_date"),
        template="date_part('year', age(%(expressions)s))::integer",
        output_field=IntegerField(),
    )


def income_above_line(per_capita_net_income: Decimal, line: Decimal) -> bool:
    """The income test: per-capita net income strictly above the poverty line (at the line is not above it).
    ``income_not_above_line`` is the same test in SQL."""
    return per_capita_net_income > line


def _income_of_exit_year() -> QuerySet[Income]:
    return Income.objects.filter(household=OuterRef("pk"), year=OuterRef(EXIT_YEAR))


def income_missing(on: dt.date) -> Q:
    """No Income row of the judged year (with the latest year judged: no income recorded at all)."""
    return ~Q(Exists(_income_of_exit_year()))


def poverty_line_missing(on: dt.date) -> Q:
    """The judged year's income is recorded, but no PovertyLine of that year is entered."""
    return Q(Exists(_income_of_exit_year())) & ~Q(Exists(PovertyLine.objects.filter(year=OuterRef(EXIT_YEAR))))


def income_not_above_line(on: dt.date) -> Q:
    """The judged year's ``per_capita_net_income`` is at or below that year's PovertyLine amount."""
    line = PovertyLine.objects.filter(year=OuterRef("year")).values("amount")[:1]
    return Q(Exists(_income_of_exit_year().filter(per_capita_net_income__lte=Subquery(line))))


def food_and_clothing_not_secure(on: dt.date) -> Q:
    """``food_and_clothing_secure`` is not set."""
    return Q(food_and_clothing_secure=False)


def child_out_of_school(on: dt.date) -> Q:
    """A member aged 6 to 15 on the day (from ``birth_date``) whose ``school_stage`` is none of
    ``COMPULSORY_STAGES`` (that is, not in school)."""
    ages = (COMPULSORY_SCHOOL_AGES.start, COMPULSORY_SCHOOL_AGES.stop - 1)
    return Q(Range(member_age(on), ages)) & ~Q(school_stage__in=COMPULSORY_STAGES)


def dropout_risk(on: dt.date) -> Q:
    """A member flagged ``dropout_risk`` (at risk of dropping out of school), whatever the age."""
    return Q(dropout_risk=True)


def without_members(on: dt.date) -> Q:
    """No Member at all: nobody's medical cover can be shown."""
    return ~Q(Exists(Member.objects.filter(household=OuterRef("pk"))))


def member_uninsured(on: dt.date) -> Q:
    """A member not in the rural cooperative medical insurance (``medical_insurance`` not set)."""
    return Q(medical_insurance=False)


def house_not_appraised(on: dt.date) -> Q:
    """An empty ``housing_grade``: the house has not been appraised."""
    return Q(housing_grade="")


def house_unsafe(on: dt.date) -> Q:
    """A ``housing_grade`` other than A or B (C or D, dilapidated) and no RenovationPlan with ``completed_on``
    on or before the day."""
    renovated = RenovationPlan.objects.filter(household=OuterRef("pk"), completed_on__lte=on)
    return ~Q(housing_grade="") & ~Q(housing_grade__in=SAFE_GRADES) & ~Q(Exists(renovated))


def water_source_unsafe(on: dt.date) -> Q:
    """A ``water_source`` that is empty (not recorded) or none of ``SAFE_WATER_SOURCES``."""
    return ~Q(water_source__in=SAFE_WATER_SOURCES)


def drinking_water_difficult(on: dt.date) -> Q:
    """``drinking_water_difficult`` is set."""
    return Q(drinking_water_difficult=True)


@dataclass(frozen=True)
class ExitCheck:
    """One way of failing an exit standard. ``condition(on)`` holds for a Household (annotated by
    ``exit_households``) that fails it, or with ``of_members`` for each Member that makes the household fail
    it; ``on`` is the day members' ages and completed renovations are taken. The data-quality rule ``code``
    reports it."""

    standard: str
    code: str
    condition: Callable[[dt.date], Q]
    of_members: bool = False


# Every check of every standard, in the order the checklist states its reasons.
EXIT_CHECKS = (
    ExitCheck("income", "exit_without_income", income_missing),
    ExitCheck("income", "exit_income_line_missing", poverty_line_missing),
    ExitCheck("income", "exit_income_not_above_line", income_not_above_line),
    ExitCheck("food_and_clothing", "exit_food_and_clothing_not_secure", food_and_clothing_not_secure),
    ExitCheck("compulsory_education", "exit_child_out_of_school", child_out_of_school, of_members=True),
    ExitCheck("compulsory_education", "exit_dropout_risk", dropout_risk, of_members=True),
    ExitCheck("medical_cover", "exit_without_members", without_members),
    ExitCheck("medical_cover", "exit_member_uninsured", member_uninsured, of_members=True),
    ExitCheck("safe_housing", "exit_house_not_appraised", house_not_appraised),
    ExitCheck("safe_housing", "exit_unsafe_house", house_unsafe),
    ExitCheck("safe_water", "exit_unsafe_water_source", water_source_unsafe),
    ExitCheck("safe_water", "exit_drinking_water_difficult", drinking_water_difficult),
)
EXIT_CHECK_BY_CODE = {check.code: check for check in EXIT_CHECKS}


def exit_check_flags(queryset: QuerySet, checks, on: dt.date) -> QuerySet:
    """``queryset`` with a boolean annotation per check (named by its code): whether the row fails it."""
    return queryset.annotate(
        **{check.code: ExpressionWrapper(check.condition(on), output_field=BooleanField()) for check in checks}
    )


def exit_failing_households(code: str, *, on: dt.date) -> QuerySet[Household]:
    """The households marked out of poverty that fail the check ``code``, judged on their latest income."""
    check = EXIT_CHECK_BY_CODE[code]
    if check.of_members:
        raise ValueError(f"{code} is a check of members")
    return exit_households(Household.objects.filter(status__in=OUT_OF_POVERTY)).filter(check.condition(on))


def exit_failing_members(code: str, *, on: dt.date) -> QuerySet[Member]:
    """The members, in households marked out of poverty, that make their household fail the check ``code``."""
    check = EXIT_CHECK_BY_CODE[code]
    if not check.of_members:
        raise ValueError(f"{code} is a check of the household")
    return Member.objects.filter(household__status__in=OUT_OF_POVERTY).filter(check.condition(on))
