"""The data-quality rules of point 19: what counts as a problem in each of its four classes.

识别不准 inaccurate identification, 退出不准 inaccurate exit, 信息不准 inaccurate information and
档案不规范 non-standard file. Every rule is one set-based query over the whole district:
``rule.rows(today=...)`` is a queryset of ``(household_id, member_id, detail)`` rows, one per problem,
``member_id`` NULL for a problem of the household as a whole. ``households.services.quality`` turns the
rows into QualityProblem records keyed ``<rule code>:<household id>[:<member id>]``; the key must stay
stable, so a rule's code is never reused for a different check.

Each rule carries a plain-words explanation (shown on the rules page, translated) and a docstring
saying how the query decides. The detail of a problem is a sentence built in SQL from a translated
template, so it is stored in the language active when the check runs (the service uses the site's).

Duplicate ID numbers need no rule: the database refuses a second member with the same number.
"""

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Mod, Substr
from django.db.models.lookups import Exact, GreaterThan, In, LessThan
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.choices import (
    OUT_OF_POVERTY,
    HouseholdStatus,
    HousingGrade,
    PovertyCause,
    Relation,
    Sex,
    WaterSource,
)
from households.id_numbers import CHECK_CHARACTERS, CHECK_WEIGHTS, EARLIEST_BIRTH_YEAR, ID_NUMBER_PATTERN
from households.models import (
    Household,
    Income,
    Member,
    PovertyLine,
    ProblemClass,
    StatusEvent,
)
from households.rules import (
    COMPULSORY_SCHOOL_AGES,
    EXIT_CHECK_BY_CODE,
    EXIT_YEAR,
    REGISTER_START_YEAR,
    exit_failing_households,
    exit_failing_members,
    member_age,
)
from households.selectors.as_of import without_cadre
from organisation.money import money_text_sql

# A household identified while its per-capita income was more than this many times that year's
# poverty line was most likely not poor: the margin leaves room for income that varies within a year.
IDENTIFICATION_INCOME_FACTOR = Decimal("2")
# Compulsory education (义务教育), as the exit checklist counts it.
COMPULSORY_AGE_FROM, COMPULSORY_AGE_TO = COMPULSORY_SCHOOL_AGES[0], COMPULSORY_SCHOOL_AGES[-1]


@dataclass(frozen=True)
class Rule:
    code: str
    problem_class: ProblemClass
    label: Promise
    explanation: Promise
    rows: Callable[..., QuerySet]

    @property
    def definition(self) -> str:
        """How the query decides (the rule function's docstring)."""
        return inspect.getdoc(self.rows) or ""


RULES: list[Rule] = []


def rule(*, code: str, problem_class: ProblemClass, label: Promise, explanation: Promise):
    """Register the decorated ``rows(*, today)`` function as a rule."""

    def register(rows: Callable[..., QuerySet]) -> Callable[..., QuerySet]:
        if any(existing.code == code for existing in RULES):
            raise ValueError(f"Two data-quality rules share the code {code!r}.")
        RULES.append(Rule(code=code, problem_class=problem_class, label=label, explanation=explanation, rows=rows))
        return rows

    return register


def rule_get(code: str) -> Rule | None:
    return next((candidate for candidate in RULES if candidate.code == code), None)


# Building blocks


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def sentence(template: str, **values: Expression) -> Expression:
    """``template`` (already translated, with ``%(name)s`` placeholders) as one SQL text expression,
    each placeholder replaced by the value of the expression of that name."""
    parts: list[Expression] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(Value(template[position : match.start()].replace("%%", "%")))
        parts.append(values[match.group(1)])
        position = match.end()
    if position < len(template):
        parts.append(Value(template[position:].replace("%%", "%")))
    if len(parts) == 1:
        return Cast(parts[0], CharField())
    return Concat(*parts, output_field=CharField())


def text_case(*whens: When, default: Expression | None = None) -> Expression:
    return Case(*whens, default=default, output_field=CharField())


def choice_label(field: str, choices) -> Expression:
    """The translated label of a choice field's value (the value itself if it is not a choice)."""
    return text_case(*(When(**{field: value}, then=Value(str(label))) for value, label in choices), default=F(field))


def count_of(queryset: QuerySet, *, by: str = "household") -> Expression:
    """How many rows of ``queryset`` (filtered with an OuterRef) there are, 0 for none."""
    counted = queryset.order_by().values(by).annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def poverty_line_of(year_field: str) -> Subquery:
    return Subquery(PovertyLine.objects.filter(year=OuterRef(year_field)).values("amount")[:1])


def latest_income() -> Q:
    """An Income row that is its household's latest year."""
    return ~Q(Exists(Income.objects.filter(household=OuterRef("household"), year__gt=OuterRef("year"))))


NO_MEMBER = Cast(Value(None), IntegerField())


def household_rows(households: QuerySet, detail: Expression) -> QuerySet:
    return (
        households.order_by()
        .annotate(household_id=F("pk"), member_id=NO_MEMBER, detail=detail)
        .values("household_id", "member_id", "detail")
    )


def member_rows(members: QuerySet, detail: Expression) -> QuerySet:
    return members.order_by().annotate(member_id=F("pk"), detail=detail).values("household_id", "member_id", "detail")


def income_rows(incomes: QuerySet, detail: Expression) -> QuerySet:
    return (
        incomes.order_by().annotate(member_id=NO_MEMBER, detail=detail).values("household_id", "member_id", "detail")
    )


# GB 11643 in SQL, with the reference's pattern, weights and check characters (households.id_numbers). The CASE
# evaluates its branches in order, so the digit casts of the later branches only ever see numbers that passed
# the pattern.


def id_digits(start: int, length: int) -> Expression:
    return Cast(Substr("id_number", start, length), IntegerField())


def remainder(expression: Expression, divisor: int) -> Expression:
    return Mod(expression, divisor, output_field=IntegerField())


def id_days_in_month() -> Expression:
    year, month = id_digits(7, 4), id_digits(11, 2)
    leap = Q(Exact(remainder(year, 4), 0)) & (~Q(Exact(remainder(year, 100), 0)) | Q(Exact(remainder(year, 400), 0)))
    return Case(
        When(Exact(month, 2), then=Case(When(leap, then=Value(29)), default=Value(28))),
        When(In(month, (4, 6, 9, 11)), then=Value(30)),
        default=Value(31),
        output_field=IntegerField(),
    )


def id_expected_check_character() -> Expression:
    weighted = sum((id_digits(position, 1) * weight for position, weight in enumerate(CHECK_WEIGHTS, 1)), Value(0))
    return Substr(Value(CHECK_CHARACTERS), remainder(weighted, 11) + 1, 1)


def id_number_problem(today) -> Expression:
    """The sentence saying what is wrong with the member's ID number, or NULL when it is valid."""
    month, day = id_digits(11, 2), id_digits(13, 2)
    birth = Substr("id_number", 7, 8)
    name = F("name")
    return text_case(
        When(
            ~Q(id_number__regex=f"^{ID_NUMBER_PATTERN}$"),
            then=sentence(gettext("%(name)s: the ID number is not 17 digits followed by a digit or X."), name=name),
        ),
        When(
            LessThan(month, 1) | GreaterThan(month, 12) | LessThan(day, 1) | GreaterThan(day, id_days_in_month()),
            then=sentence(gettext("%(name)s: the birth date in the ID number is not a real date."), name=name),
        ),
        When(
            LessThan(id_digits(7, 4), EARLIEST_BIRTH_YEAR) | GreaterThan(birth, Value(today.strftime("%Y%m%d"))),
            then=sentence(
                gettext("%(name)s: the birth date in the ID number is before %(year)s or in the future."),
                name=name,
                year=Value(str(EARLIEST_BIRTH_YEAR)),
            ),
        ),
        When(
            ~Q(Exact(Substr("id_number", 18, 1), id_expected_check_character())),
            then=sentence(
                gettext("%(name)s: the check digit of the ID number is %(actual)s but should be %(expected)s."),
                name=name,
                actual=Substr("id_number", 18, 1),
                expected=id_expected_check_character(),
            ),
        ),
        default=None,
    )


# 识别不准: inaccurate identification


@rule(
    code="id_number_invalid",
    problem_class=ProblemClass.IDENTIFICATION,
    label=_("Invalid resident ID number"),
    explanation=_(
        "The member's resident ID number fails the national standard (GB 11643) when checked again: it must "
        "be 17 digits followed by a digit or X, carry a real birth date between 1900 and today, and end in "
        "the check digit its first 17 digits call for (MOD 11-2)."
    ),
)
def id_number_invalid(*, today) -> QuerySet:
    """Members whose ``id_number`` fails GB 11643 computed in SQL: the pattern ``^[0-9]{17}[0-9X]$``;
    month 1-12 and a day within that month (leap years counted); a birth year from 1900 and a birth
    date not after the day of the check; the MOD 11-2 check character ``10X98765432[sum(digit × weight)
    mod 11]``. The first failing test names the problem."""
    members = Member.objects.annotate(id_problem=id_number_problem(today)).filter(id_problem__isnull=False)
    return member_rows(members, F("id_problem"))


@rule(
    code="id_number_mismatch",
    problem_class=ProblemClass.IDENTIFICATION,
    label=_("Birth date or sex differs from the ID number"),
    explanation=_(
        "The member's recorded birth date or sex is not the one the resident ID number carries (digits 7 to "
        "14 are the birth date; the 17th digit is odd for a man and even for a woman). Either the number or "
        "the record is wrong, and the member's age, on which education and pension rules depend, is in doubt."
    ),
)
def id_number_mismatch(*, today) -> QuerySet:
    """Members with a valid ID number (see ``id_number_invalid``) whose ``birth_date`` differs from
    digits 7-14 or whose ``sex`` differs from the parity of digit 17."""
    recorded_birth = Func(F("birth_date"), Value("YYYYMMDD"), function="to_char", output_field=CharField())
    id_birth = Substr("id_number", 7, 8)
    id_male = Exact(remainder(id_digits(17, 1), 2), 1)
    id_sex = text_case(When(id_male, then=Value(Sex.MALE.value)), default=Value(Sex.FEMALE.value))
    birth_differs = ~Q(Exact(recorded_birth, id_birth))
    sex_differs = ~Q(sex=id_sex)
    id_birth_shown = Concat(
        Substr("id_number", 7, 4), Value("-"), Substr("id_number", 11, 2), Value("-"), Substr("id_number", 13, 2)
    )
    id_sex_shown = text_case(When(id_male, then=Value(str(Sex.MALE.label))), default=Value(str(Sex.FEMALE.label)))
    values = {
        "name": F("name"),
        "recorded_birth": Cast(F("birth_date"), CharField()),
        "id_birth": id_birth_shown,
        "recorded_sex": choice_label("sex", Sex.choices),
        "id_sex": id_sex_shown,
    }
    detail = text_case(
        # An invalid number is the other rule's problem; the casts below need a valid one.
        When(Q(id_problem__isnull=False), then=None),
        When(
            birth_differs & sex_differs,
            then=sentence(
                gettext(
                    "%(name)s: recorded as born %(recorded_birth)s, %(recorded_sex)s, but the ID number says "
                    "%(id_birth)s, %(id_sex)s."
                ),
                **values,
            ),
        ),
        When(
            birth_differs,
            then=sentence(
                gettext("%(name)s: recorded as born %(recorded_birth)s, but the ID number says %(id_birth)s."),
                **values,
            ),
        ),
        When(
            sex_differs,
            then=sentence(
                gettext("%(name)s: recorded as %(recorded_sex)s, but the ID number says %(id_sex)s."), **values
            ),
        ),
        default=None,
    )
    members = (
        Member.objects.annotate(id_problem=id_number_problem(today))
        .annotate(mismatch=detail)
        .filter(mismatch__isnull=False)
    )
    return member_rows(members, F("mismatch"))


@rule(
    code="income_far_above_line_when_identified",
    problem_class=ProblemClass.IDENTIFICATION,
    label=_("Income far above the poverty line in the year identified"),
    explanation=_(
        "The household's per-capita net income in the year it was identified was more than twice that "
        "year's poverty line. A household that far above the line was most likely not poor when it was "
        "registered; the margin of twice the line leaves room for income that varies within a year. Not "
        "checked while that year's income or poverty line is not entered."
    ),
)
def income_far_above_line_when_identified(*, today) -> QuerySet:
    """Income rows of the household's ``year_identified`` whose ``per_capita_net_income`` exceeds
    ``IDENTIFICATION_INCOME_FACTOR`` × the PovertyLine amount of that year."""
    incomes = (
        Income.objects.filter(year=F("household__year_identified"))
        .annotate(line=poverty_line_of("year"))
        .filter(per_capita_net_income__gt=F("line") * Value(IDENTIFICATION_INCOME_FACTOR))
    )
    detail = sentence(
        gettext(
            "Identified in %(year)s with a per-capita net income of %(income)s yuan, more than %(factor)s times "
            "that year's poverty line of %(line)s yuan."
        ),
        year=F("year"),
        income=money_text_sql(F("per_capita_net_income")),
        factor=Value(str(IDENTIFICATION_INCOME_FACTOR)),
        line=money_text_sql(F("line")),
    )
    return income_rows(incomes, detail)


# 退出不准: inaccurate exit. One rule for each check of the exit standard (households.rules.EXIT_CHECKS): the
# households marked out of poverty that fail it, judged on their latest recorded income (for a check of
# members, each member that makes the household fail it). The exit checklist evaluates the same conditions, so
# a household these rules pass is one the checklist lets out.


def exit_rule(
    code: str,
    *,
    label: Promise,
    explanation: Promise,
    detail: Callable[[], Expression],
    **annotations: Callable[..., Expression],
) -> None:
    """Register the rule of the exit check ``code``. ``detail()`` is its sentence, built when the rule runs (in the
    language of the run); ``annotations`` (each a function of the day of the check) are values it reads."""
    check = EXIT_CHECK_BY_CODE[code]

    def rows(*, today) -> QuerySet:
        failing = exit_failing_members(code, on=today) if check.of_members else exit_failing_households(code, on=today)
        failing = failing.annotate(**{name: value(today) for name, value in annotations.items()})
        return (member_rows if check.of_members else household_rows)(failing, detail())

    whose = (
        "Members of households with an out-of-poverty status, on the day of the check,"
        if check.of_members
        else "Households with an out-of-poverty status, judged on their latest recorded income and on the day of the "
        "check,"
    )
    rows.__name__ = rows.__qualname__ = code
    rows.__doc__ = f"{whose} that fail the exit check ``households.rules.{check.condition.__name__}``: " + (
        inspect.getdoc(check.condition) or ""
    )
    rule(code=code, problem_class=ProblemClass.EXIT, label=label, explanation=explanation)(rows)


def exit_year_income() -> Subquery:
    """The per-capita net income of the year the exit standard judges (see ``households.rules.exit_households``)."""
    income = Income.objects.filter(household=OuterRef("pk"), year=OuterRef(EXIT_YEAR))
    return Subquery(income.values("per_capita_net_income")[:1])


exit_rule(
    "exit_income_not_above_line",
    label=_("Out of poverty, but income not above the line"),
    explanation=_(
        "The household is marked out of poverty, but the per-capita net income of its latest recorded year "
        "is not above that year's poverty line (the exit checklist's income test). Not checked while that "
        "year's poverty line is not entered."
    ),
    detail=lambda: sentence(
        gettext(
            "Marked out of poverty, but the per-capita net income of %(year)s is %(income)s yuan, not above "
            "that year's poverty line of %(line)s yuan."
        ),
        year=F(EXIT_YEAR),
        income=money_text_sql(F("income")),
        line=money_text_sql(F("line")),
    ),
    income=lambda today: exit_year_income(),
    line=lambda today: poverty_line_of(EXIT_YEAR),
)
exit_rule(
    "exit_income_line_missing",
    label=_("Out of poverty, but no poverty line for the year of the income"),
    explanation=_(
        "The household is marked out of poverty, but no poverty line is entered for the year of its latest "
        "recorded income, so nothing shows that the income is above the line: the exit checklist refuses an "
        "exit until the district office enters that year's line."
    ),
    detail=lambda: sentence(
        gettext(
            "Marked out of poverty, but no poverty line is entered for %(year)s, the year of the latest income "
            "(%(income)s yuan per person)."
        ),
        year=F(EXIT_YEAR),
        income=money_text_sql(F("income")),
    ),
    income=lambda today: exit_year_income(),
)
exit_rule(
    "exit_without_income",
    label=_("Out of poverty with no income recorded"),
    explanation=_(
        "The household is marked out of poverty, but no year's income is recorded, so nothing shows that "
        "its income rose above the poverty line."
    ),
    detail=lambda: Value(gettext("Marked out of poverty, but no income is recorded.")),
)
exit_rule(
    "exit_food_and_clothing_not_secure",
    label=_("Out of poverty, but food and clothing not secure"),
    explanation=_(
        "The household is marked out of poverty, but its file does not record food and clothing as secure: "
        "no worry about food and clothing (两不愁) is one of the exit standards."
    ),
    detail=lambda: Value(gettext("Marked out of poverty, but food and clothing are not recorded as secure.")),
)
exit_rule(
    "exit_child_out_of_school",
    label=_("Out of poverty with a child out of school"),
    explanation=_(
        "The household is marked out of poverty, but a member aged 6 to 15 is not recorded in school: "
        "compulsory education is one of the exit standards. As in the exit checklist, any school stage "
        "counts (a six-year-old may still be in pre-school, a fifteen-year-old already in senior school)."
    ),
    detail=lambda: sentence(
        gettext("%(name)s, aged %(age)s, is not in school, yet the household is marked out of poverty."),
        name=F("name"),
        age=F("age"),
    ),
    age=member_age,
)
exit_rule(
    "exit_dropout_risk",
    label=_("Out of poverty with a member at risk of dropping out"),
    explanation=_(
        "The household is marked out of poverty, but a member is recorded as at risk of dropping out of "
        "school: compulsory education is one of the exit standards, and the exit checklist refuses an exit "
        "while anyone is at risk."
    ),
    detail=lambda: sentence(
        gettext("%(name)s is at risk of dropping out of school, yet the household is marked out of poverty."),
        name=F("name"),
    ),
)
exit_rule(
    "exit_member_uninsured",
    label=_("Out of poverty with a member not in medical insurance"),
    explanation=_(
        "The household is marked out of poverty, but a member is not in the rural cooperative medical "
        "insurance: basic medical cover is one of the exit standards."
    ),
    detail=lambda: sentence(
        gettext(
            "%(name)s is not in the rural cooperative medical insurance, yet the household is marked out of poverty."
        ),
        name=F("name"),
    ),
)
exit_rule(
    "exit_without_members",
    label=_("Out of poverty with no members"),
    explanation=_(
        "The household is marked out of poverty, but its file lists no members, so their medical cover (one "
        "of the exit standards) cannot be shown. A household not marked out of poverty with no members is "
        "reported as inaccurate information instead."
    ),
    detail=lambda: Value(gettext("Marked out of poverty, but no members are recorded.")),
)
exit_rule(
    "exit_unsafe_house",
    label=_("Out of poverty in an unsafe house"),
    explanation=_(
        "The household is marked out of poverty, but its house is appraised as grade C or D (dilapidated) "
        "and no renovation of it is completed: safe housing is one of the exit standards."
    ),
    detail=lambda: sentence(
        gettext("Marked out of poverty, but the house is %(grade)s and no renovation of it is completed."),
        grade=choice_label("housing_grade", HousingGrade.choices),
    ),
)
exit_rule(
    "exit_house_not_appraised",
    label=_("Out of poverty in a house not appraised"),
    explanation=_(
        "The household is marked out of poverty, but its house has no safety grade (A to D), so nothing "
        "shows that it is safe: safe housing is one of the exit standards. A house not appraised in a "
        "household not marked out of poverty is reported as a non-standard file instead."
    ),
    detail=lambda: Value(gettext("Marked out of poverty, but the house has no safety grade.")),
)
exit_rule(
    "exit_unsafe_water_source",
    label=_("Out of poverty without a safe drinking-water source"),
    explanation=_(
        "The household is marked out of poverty, but its drinking-water source is not recorded or is not a "
        "safe one (treated tap water, or a protected well or spring): safe drinking water is one of the exit "
        "standards."
    ),
    detail=lambda: text_case(
        When(
            water_source="",
            then=Value(gettext("Marked out of poverty, but the drinking-water source is not recorded.")),
        ),
        default=sentence(
            gettext("Marked out of poverty, but the drinking-water source (%(source)s) is not safe."),
            source=choice_label("water_source", WaterSource.choices),
        ),
    ),
)
exit_rule(
    "exit_drinking_water_difficult",
    label=_("Out of poverty with drinking water difficult"),
    explanation=_(
        "The household is marked out of poverty, but its drinking water is recorded as difficult to obtain: "
        "safe drinking water is one of the exit standards."
    ),
    detail=lambda: Value(gettext("Marked out of poverty, but drinking water is recorded as difficult.")),
)


# 信息不准: inaccurate information


@rule(
    code="school_age_without_stage",
    problem_class=ProblemClass.INFORMATION,
    label=_("Child of school age with no school stage"),
    explanation=_(
        "A member aged 6 to 15 has no school stage recorded. Either the stage is missing from the file or "
        "the child is out of school, which the dropout-prevention work must know. In a household marked "
        "out of poverty the same fact is reported as an inaccurate exit instead, so it is counted once."
    ),
)
def school_age_without_stage(*, today) -> QuerySet:
    """Members aged 6-15 on the day of the check with an empty ``school_stage``, in households not
    marked out of poverty (those are ``exit_child_out_of_school``)."""
    members = (
        Member.objects.exclude(household__status__in=OUT_OF_POVERTY)
        .annotate(age=member_age(today))
        .filter(age__range=(COMPULSORY_AGE_FROM, COMPULSORY_AGE_TO), school_stage="")
    )
    detail = sentence(gettext("%(name)s, aged %(age)s, has no school stage recorded."), name=F("name"), age=F("age"))
    return member_rows(members, detail)


@rule(
    code="head_missing",
    problem_class=ProblemClass.INFORMATION,
    label=_("No head of household"),
    explanation=_(
        "The household has members but none of them is recorded as its head; every relation on the form is "
        "a relation to the head. (A second head cannot be saved at all.)"
    ),
)
def head_missing(*, today) -> QuerySet:
    """Households with at least one Member and no Member whose ``relation`` is head."""
    households = Household.objects.filter(Exists(Member.objects.filter(household=OuterRef("pk")))).exclude(
        Exists(Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD))
    )
    return household_rows(households, Value(gettext("No member is recorded as the head of the household.")))


@rule(
    code="spouse_more_than_one",
    problem_class=ProblemClass.INFORMATION,
    label=_("More than one spouse of the head"),
    explanation=_(
        "More than one member is recorded as the spouse of the head of household: the relations to the "
        "head are inconsistent."
    ),
)
def spouse_more_than_one(*, today) -> QuerySet:
    """Households with two or more Members whose ``relation`` is spouse."""
    spouses = count_of(Member.objects.filter(household=OuterRef("pk"), relation=Relation.SPOUSE))
    households = Household.objects.annotate(spouses=spouses).filter(spouses__gt=1)
    detail = sentence(
        gettext("%(count)s members are recorded as the spouse of the head of household."), count=F("spouses")
    )
    return household_rows(households, detail)


@rule(
    code="member_count_differs_from_income",
    problem_class=ProblemClass.INFORMATION,
    label=_("Members differ from the latest income's household size"),
    explanation=_(
        "The number of members in the file differs from the number of people the household's latest income "
        "was divided by, so either the member list or the per-capita income is wrong."
    ),
)
def member_count_differs_from_income(*, today) -> QuerySet:
    """Latest Income rows whose ``household_size`` differs from the household's count of Members."""
    incomes = (
        Income.objects.filter(latest_income())
        .annotate(members=count_of(Member.objects.filter(household=OuterRef("household"))))
        .exclude(household_size=F("members"))
    )
    detail = sentence(
        gettext("%(members)s members are recorded, but the income of %(year)s is counted for %(size)s."),
        members=F("members"),
        year=F("year"),
        size=F("household_size"),
    )
    return income_rows(incomes, detail)


@rule(
    code="main_cause_missing",
    problem_class=ProblemClass.INFORMATION,
    label=_("Main poverty cause missing"),
    explanation=_("The household's main poverty cause (A3a) is empty or not one of the causes on the register form."),
)
def main_cause_missing(*, today) -> QuerySet:
    """Households whose ``main_cause`` is not a PovertyCause value (empty included)."""
    households = Household.objects.exclude(main_cause__in=PovertyCause.values)
    detail = text_case(
        When(main_cause="", then=Value(gettext("The main poverty cause is missing."))),
        default=sentence(
            gettext("The main poverty cause “%(cause)s” is not a cause on the register form."), cause=F("main_cause")
        ),
    )
    return household_rows(households, detail)


@rule(
    code="year_identified_impossible",
    problem_class=ProblemClass.INFORMATION,
    label=_("Impossible year identified"),
    explanation=_(
        "The year the household was identified is in the future, or before 2014, when the national register "
        "of poor households began."
    ),
)
def year_identified_impossible(*, today) -> QuerySet:
    """Households whose ``year_identified`` is before ``REGISTER_START_YEAR`` or after the year of the
    day of the check."""
    households = Household.objects.filter(
        Q(year_identified__lt=REGISTER_START_YEAR) | Q(year_identified__gt=today.year)
    )
    detail = sentence(
        gettext("The year identified, %(year)s, is before %(first)s or in the future."),
        year=F("year_identified"),
        first=Value(str(REGISTER_START_YEAR)),
    )
    return household_rows(households, detail)


@rule(
    code="household_without_members",
    problem_class=ProblemClass.INFORMATION,
    label=_("No members"),
    explanation=_(
        "The household file lists no members at all. In a household marked out of poverty the same fact is "
        "reported as an inaccurate exit instead, so it is counted once."
    ),
)
def household_without_members(*, today) -> QuerySet:
    """Households with no Member, not marked out of poverty (those are ``exit_without_members``)."""
    households = Household.objects.exclude(status__in=OUT_OF_POVERTY).exclude(
        Exists(Member.objects.filter(household=OuterRef("pk")))
    )
    return household_rows(households, Value(gettext("No members are recorded.")))


# 档案不规范: non-standard file


@rule(
    code="cadre_missing",
    problem_class=ProblemClass.FILE,
    label=_("No assistance cadre"),
    explanation=_(
        "The household needs a responsible cadre (not yet out of poverty, returned, or out with policies "
        "continuing: points 12 and 13) and no cadre helps it today."
    ),
)
def cadre_missing(*, today) -> QuerySet:
    """Households without a cadre on ``today`` as ``households.selectors.as_of.without_cadre`` defines them, the
    definition the figure ``households_without_cadre``, its list and the dashboards use: a status that calls for a
    cadre and no assignment started by then and not released."""
    households = Household.objects.filter(without_cadre(today))
    return household_rows(households, Value(gettext("No assistance cadre is assigned.")))


@rule(
    code="returned_without_event",
    problem_class=ProblemClass.FILE,
    label=_("Returned to poverty with no dated record"),
    explanation=_(
        "The household is marked as returned to poverty, but its status history has no dated change to "
        "“returned to poverty” (with its cause, illness or disaster), as point 12 requires."
    ),
)
def returned_without_event(*, today) -> QuerySet:
    """Households whose ``status`` is returned and that have no StatusEvent with status returned."""
    returned = StatusEvent.objects.filter(household=OuterRef("pk"), status=HouseholdStatus.RETURNED)
    households = Household.objects.filter(status=HouseholdStatus.RETURNED).exclude(Exists(returned))
    return household_rows(
        households, Value(gettext("Marked as returned to poverty, but no dated change to that status is recorded."))
    )


@rule(
    code="status_history_missing",
    problem_class=ProblemClass.FILE,
    label=_("No status history"),
    explanation=_(
        "The household has no dated status change at all, not even the one that registered it, so when it "
        "entered (or left) poverty cannot be shown. A household returned to poverty is reported by the rule "
        "above instead."
    ),
)
def status_history_missing(*, today) -> QuerySet:
    """Households with no StatusEvent whose ``status`` is not returned (those are
    ``returned_without_event``)."""
    households = Household.objects.exclude(status=HouseholdStatus.RETURNED).exclude(
        Exists(StatusEvent.objects.filter(household=OuterRef("pk")))
    )
    return household_rows(households, Value(gettext("No dated status change is recorded.")))


@rule(
    code="housing_not_appraised",
    problem_class=ProblemClass.FILE,
    label=_("House not appraised"),
    explanation=_(
        "The household's house has no safety grade (A to D): it has not been appraised. In a household "
        "marked out of poverty the same fact is reported as an inaccurate exit instead, so it is counted once."
    ),
)
def housing_not_appraised(*, today) -> QuerySet:
    """Households with an empty ``housing_grade``, not marked out of poverty (those are
    ``exit_house_not_appraised``)."""
    households = Household.objects.exclude(status__in=OUT_OF_POVERTY).filter(housing_grade="")
    return household_rows(households, Value(gettext("The house has no safety grade.")))
