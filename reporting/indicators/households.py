"""Figures of the household file (points 8-13 and 19, and the register itself).

Every figure is taken as of its month's last day (``Period.as_of``) with the conditions of
``households.selectors.as_of`` and of the welfare selectors: the same conditions the household list and the
welfare lists filter on. A figure's records (``records``) are that list, filtered to the unit and taken as of the
same day (``on=``), so the list counts what the figure counts.
"""

from collections import Counter
from collections.abc import Callable

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from households.choices import OUT_OF_POVERTY, HouseholdStatus, PovertyCause
from households.models import (
    CADRE_HOUSEHOLD_LIMIT,
    HospitalStay,
    Household,
    LeftBehindChild,
    Member,
    ProblemClass,
)
from households.rules import LEFT_BEHIND_AGE_LIMIT, drinking_water_difficult, house_unsafe, member_uninsured
from households.selectors.as_of import (
    STATUS_OUT,
    added_in,
    assignments_current_on,
    exited_in,
    on_dibao,
    quality_problems_open_on,
    registered_on,
    renovated,
    returned_in,
    status_in,
    with_problems,
    with_uninsured_member,
    without_cadre,
)
from households.selectors.welfare import (
    members_at_risk_of_leaving_school,
    self_pay_over_limit,
    unsafe_without_plan,
    villages_without_care_room,
    years_before,
)
from organisation.models import Town, Village
from organisation.roles import Level
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows, grouped

Records = Callable[[Level, int, Period], str | None]


def _formatted(message, **values):
    """``message % values``, translated when shown (``message`` and the values are lazy translations)."""
    return lazy(lambda: str(message) % {key: str(value) for key, value in values.items()}, str)()


# --- Computing -----------------------------------------------------------------------------------------------------


def _registered_households(period: Period) -> QuerySet[Household]:
    return Household.objects.filter(registered_on(period.as_of))


def _members(period: Period) -> QuerySet[Member]:
    return Member.objects.filter(registered_on(period.as_of, "household__"))


def _registered(period: Period) -> Rows:
    return grouped(_registered_households(period), "village_id")


def _in_status(*statuses: str) -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        return grouped(_registered_households(period).filter(status_in(statuses, period.as_of)), "village_id")

    return compute


def _with_cause(cause: str) -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        return grouped(_registered_households(period).filter(main_cause=cause), "village_id")

    return compute


def _households_where(condition) -> Callable[[Period], Rows]:
    """Registered households for which ``condition(as_of)`` (a condition of ``households.selectors.as_of`` or of
    ``households.rules``) holds."""

    def compute(period: Period) -> Rows:
        return grouped(_registered_households(period).filter(condition(period.as_of)), "village_id")

    return compute


def _households_changed(condition) -> Callable[[Period], Rows]:
    """Households that changed so within the month (``added_in``, ``exited_in``, ``returned_in``)."""

    def compute(period: Period) -> Rows:
        return grouped(Household.objects.filter(condition(period.month)), "village_id")

    return compute


def _members_registered(period: Period) -> Rows:
    return grouped(_members(period), "household__village_id")


def _without_cadre(period: Period) -> Rows:
    return grouped(_registered_households(period).filter(without_cadre(period.as_of)), "village_id")


def _cadres_over_cap(period: Period) -> Rows:
    """Each cadre helping more than the cap on the day, counted once, in the town of the household they have helped
    longest among those (a cadre may help in several towns)."""
    current = assignments_current_on(period.as_of)
    over = (
        current.order_by()
        .values("cadre_id")
        .annotate(helped=Count("pk"))
        .filter(helped__gt=CADRE_HOUSEHOLD_LIMIT)
        .values("cadre_id")
    )
    first_towns = (
        current.filter(cadre_id__in=over)
        .order_by("cadre_id", "starts_on", "id")
        .distinct("cadre_id")
        .values_list("household__village__town_id", flat=True)
    )
    return Counter(first_towns).items()


def _problems_open(problem_class: str = "") -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        problems = quality_problems_open_on(period.as_of)
        if problem_class:
            problems = problems.filter(problem_class=problem_class)
        return grouped(problems, "town_id")

    return compute


def _towns_with_zero_errors(period: Period) -> Rows:
    open_here = quality_problems_open_on(period.as_of).filter(town=OuterRef("pk"))
    return [(town_id, 1) for town_id in Town.objects.exclude(Exists(open_here)).values_list("pk", flat=True)]


def _members_uninsured(period: Period) -> Rows:
    return grouped(_members(period).filter(member_uninsured(period.as_of)), "household__village_id")


def _stays_self_pay_over_limit(period: Period) -> Rows:
    stays = HospitalStay.objects.filter(admitted_on__lte=period.as_of).filter(self_pay_over_limit())
    return grouped(stays, "member__household__village_id")


def _unsafe_without_plan(period: Period) -> Rows:
    return grouped(_registered_households(period).filter(unsafe_without_plan(period.as_of)), "village_id")


def _members_school_at_risk(period: Period) -> Rows:
    members = members_at_risk_of_leaving_school(_members(period), period.as_of)
    return grouped(members, "household__village_id")


def _left_behind_children(period: Period) -> Rows:
    children = LeftBehindChild.objects.filter(
        registered_on(period.as_of, "member__household__"),
        member__birth_date__gt=years_before(period.as_of, LEFT_BEHIND_AGE_LIMIT),
    )
    return grouped(children, "member__household__village_id")


def _villages_without_care_room(period: Period) -> Rows:
    villages = Village.objects.filter(villages_without_care_room(period.as_of)).values_list("pk", flat=True)
    return [(village_id, 1) for village_id in villages]


# --- Records ------------------------------------------------------------------------------------------------------


def _unit_filters(level: Level, unit_id: int) -> dict:
    return {Level.TOWN: {"town": unit_id}, Level.VILLAGE: {"village": unit_id}}.get(level, {})


def _household_list(level: Level, unit_id: int, period: Period, **filters) -> str:
    return f"{reverse('households:household_list')}?{urlencode({**_unit_filters(level, unit_id), **filters})}"


def _households_as_of(**filters) -> Records:
    """The household list as of the month's last day, with ``filters``."""
    return lambda level, unit_id, period: _household_list(level, unit_id, period, on=period.as_of, **filters)


def _households_changed_in(change: str) -> Records:
    return lambda level, unit_id, period: _household_list(
        level, unit_id, period, change=change, month=f"{period.month:%Y-%m}"
    )


def _welfare_list(name: str) -> Records:
    """A welfare list (town and village filters, taken as of the month's last day)."""

    def records(level: Level, unit_id: int, period: Period) -> str:
        query = urlencode({**_unit_filters(level, unit_id), "on": period.as_of})
        return f"{reverse(f'households:{name}')}?{query}"

    return records


def _problem_list(problem_class: str = "") -> Records:
    """The open problems (the list's default state); the list has no date, so it is the current month's."""

    def records(level: Level, unit_id: int, period: Period) -> str:
        filters: dict[str, int | str] = {"town": unit_id} if level == Level.TOWN else {}
        if problem_class:
            filters["problem_class"] = problem_class
        return f"{reverse('households:quality_problems')}?{urlencode(filters)}"

    return records


# --- The figures --------------------------------------------------------------------------------------------------


def _households(code: str, name, point: str, definition, compute, records: Records | None, **options) -> Indicator:
    return Indicator(
        code=code,
        name=name,
        unit=FigureUnit.HOUSEHOLDS,
        domain=Domain.HOUSEHOLDS,
        point=point,
        definition=definition,
        compute=compute,
        records=records,
        **options,
    )


def _people(code: str, name, point: str, definition, compute, records: Records | None = None) -> Indicator:
    return Indicator(
        code=code,
        name=name,
        unit=FigureUnit.PEOPLE,
        domain=Domain.HOUSEHOLDS,
        point=point,
        definition=definition,
        compute=compute,
        records=records,
    )


REGISTER_INDICATORS = (
    _households(
        "households_registered",
        _("Registered households"),
        "",
        _("Households in the register at the end of the month, whatever their status."),
        _registered,
        _households_as_of(),
    ),
    _households(
        "households_not_out",
        _("Households not yet out of poverty"),
        "12",
        _("Registered households whose status at the end of the month is “not yet out of poverty”."),
        _in_status(HouseholdStatus.NOT_OUT),
        _households_as_of(status=HouseholdStatus.NOT_OUT),
    ),
    _households(
        "households_out",
        _("Households out of poverty"),
        "12",
        _(
            "Registered households whose status at the end of the month is out of poverty, whether their policies "
            "continue or ended."
        ),
        _in_status(*OUT_OF_POVERTY),
        _households_as_of(status=STATUS_OUT),
    ),
    _households(
        "households_returned",
        _("Households returned to poverty"),
        "12",
        _("Registered households whose status at the end of the month is “returned to poverty”."),
        _in_status(HouseholdStatus.RETURNED),
        _households_as_of(status=HouseholdStatus.RETURNED),
    ),
    _households(
        "households_marginal",
        _("Marginal households"),
        "12",
        _("Registered households whose status at the end of the month is “marginal household”."),
        _in_status(HouseholdStatus.MARGINAL),
        _households_as_of(status=HouseholdStatus.MARGINAL),
    ),
    *(
        _households(
            f"households_cause_{cause.value}",
            _formatted(_("Households whose main poverty cause is: %(cause)s"), cause=cause.label),
            "",
            _("Registered households at the end of the month with this main poverty cause, whatever their status."),
            _with_cause(cause.value),
            _households_as_of(cause=cause.value),
        )
        for cause in PovertyCause
    ),
    _people(
        "members_registered",
        _("Registered members"),
        "",
        _("Members of the households in the register at the end of the month (members have no date of their own)."),
        _members_registered,
    ),
)

CHANGE_INDICATORS = (
    _households(
        "households_added_in_month",
        _("Households registered in the month"),
        "12",
        _("Households entered in the register within the month."),
        _households_changed(added_in),
        _households_changed_in("added"),
    ),
    _households(
        "households_exited_in_month",
        _("Households out of poverty in the month"),
        "12",
        _(
            "Households with a status change effective within the month from a status not out of poverty to one "
            "out of poverty (a change between the two statuses out of poverty is not counted)."
        ),
        _households_changed(exited_in),
        _households_changed_in("exited"),
    ),
    _households(
        "households_returned_in_month",
        _("Households returned to poverty in the month"),
        "12",
        _("Households with a status change to “returned to poverty” effective within the month."),
        _households_changed(returned_in),
        _households_changed_in("returned"),
    ),
)

CADRE_INDICATORS = (
    _households(
        "households_without_cadre",
        _("Households without a cadre"),
        "13",
        _(
            "Registered households that need a responsible cadre at the end of the month (not yet out of poverty, "
            "returned, or out with policies continuing) and that no cadre helps on that day."
        ),
        _without_cadre,
        _households_as_of(without_cadre=1),
        should_be_zero=True,
    ),
    Indicator(
        code="cadres_over_cap",
        name=_formatted(_("Cadres helping more than %(limit)s households"), limit=CADRE_HOUSEHOLD_LIMIT),
        unit=FigureUnit.PEOPLE,
        domain=Domain.HOUSEHOLDS,
        point="13",
        definition=_formatted(
            _(
                "Cadres who help more than %(limit)s households at the end of the month (point 13: at most %(limit)s "
                "each); a cadre is counted once, in the town of the household they have helped longest."
            ),
            limit=CADRE_HOUSEHOLD_LIMIT,
        ),
        compute=_cadres_over_cap,
        finest=Level.TOWN,
        should_be_zero=True,
    ),
)

QUALITY_INDICATORS = (
    Indicator(
        code="quality_problems_open",
        name=_("Data-quality problems open"),
        unit=FigureUnit.ITEMS,
        domain=Domain.HOUSEHOLDS,
        point="19",
        definition=_(
            "Problems of the register found by the data-quality check and not resolved at the end of the month, "
            "of the four classes."
        ),
        compute=_problems_open(),
        finest=Level.TOWN,
        records=_problem_list(),
        should_be_zero=True,
    ),
    *(
        Indicator(
            code=f"quality_problems_open_{problem_class.value}",
            name=_formatted(_("Data-quality problems open: %(class)s"), **{"class": problem_class.label}),
            unit=FigureUnit.ITEMS,
            domain=Domain.HOUSEHOLDS,
            point="19",
            definition=_("Data-quality problems of this class not resolved at the end of the month."),
            compute=_problems_open(problem_class.value),
            finest=Level.TOWN,
            records=_problem_list(problem_class.value),
            should_be_zero=True,
        )
        for problem_class in ProblemClass
    ),
    Indicator(
        code="towns_with_zero_errors",
        name=_("Towns with zero errors"),
        unit=FigureUnit.TOWNS,
        domain=Domain.HOUSEHOLDS,
        point="19",
        definition=_("Towns and streets with no data-quality problem open at the end of the month (零差错)."),
        compute=_towns_with_zero_errors,
        finest=Level.TOWN,
    ),
    _households(
        "households_with_problems",
        _("Households with data-quality problems"),
        "19",
        _("Registered households with at least one data-quality problem open at the end of the month."),
        _households_where(with_problems),
        _households_as_of(with_problems=1),
    ),
    Indicator(
        code="quality_error_rate",
        name=_("Data-quality error rate"),
        unit=FigureUnit.PERCENT,
        domain=Domain.HOUSEHOLDS,
        point="19",
        definition=_("Households with data-quality problems per hundred registered households."),
        aggregation=Aggregation.RATIO,
        ratio_of=("households_with_problems", "households_registered"),
    ),
)

SAFETY_NET_INDICATORS = (
    _households(
        "households_dibao",
        _("Households on dibao"),
        "8",
        _("Registered households with a rural minimum living allowance (dibao) enrolment running at the month's end."),
        _households_where(on_dibao),
        _households_as_of(dibao=1),
    ),
    _people(
        "members_uninsured",
        _("Members without medical insurance"),
        "9",
        _("Members of registered households not in the rural cooperative medical insurance."),
        _members_uninsured,
    ),
    _households(
        "households_uninsured_member",
        _("Households with a member without medical insurance"),
        "9",
        _("Registered households with at least one member not in the rural cooperative medical insurance."),
        _households_where(with_uninsured_member),
        _households_as_of(uninsured=1),
    ),
    Indicator(
        code="hospital_stays_self_pay",
        name=_("Hospital stays with a self-paid share of 10% or more"),
        unit=FigureUnit.ITEMS,
        domain=Domain.HOUSEHOLDS,
        point="9",
        definition=_(
            "Stays at designated hospitals admitted by the end of the month whose self-paid share is not under "
            "10% (self-paid x 100 compared with 10 x the total cost, exactly)."
        ),
        compute=_stays_self_pay_over_limit,
        records=_welfare_list("hospital_stays_flagged"),
        should_be_zero=True,
    ),
)

LIVING_INDICATORS = (
    _households(
        "houses_unsafe",
        _("Households in a dilapidated house"),
        "10",
        _("Registered households whose house is grade C or D and not renovated by the end of the month."),
        _households_where(house_unsafe),
        _households_as_of(unsafe_house=1),
    ),
    _households(
        "houses_unsafe_without_plan",
        _("Dilapidated houses without a renovation plan"),
        "10",
        _("Registered households whose house is grade C or D with no renovation plan under way at the month's end."),
        _unsafe_without_plan,
        _welfare_list("unsafe_houses"),
        should_be_zero=True,
    ),
    _households(
        "houses_renovated",
        _("Households whose house renovation is completed"),
        "10",
        _("Registered households with a dilapidated-house renovation completed by the end of the month."),
        _households_where(renovated),
        _households_as_of(renovated=1),
    ),
    _households(
        "households_water_difficult",
        _("Households with difficult drinking water"),
        "10",
        _("Registered households whose drinking water is recorded as difficult."),
        _households_where(drinking_water_difficult),
        _households_as_of(water_difficult=1),
    ),
    _people(
        "members_school_at_risk",
        _("Children out of school or at risk of dropping out"),
        "11",
        _(
            "Members of registered households aged 6 to 15 at the end of the month who are not in school or are "
            "at risk of dropping out (控辍保学)."
        ),
        _members_school_at_risk,
        _welfare_list("school_age_at_risk"),
    ),
    _people(
        "left_behind_children",
        _("Left-behind children"),
        "11",
        _("Children with a left-behind child's file who are under 16 at the end of the month."),
        _left_behind_children,
    ),
    Indicator(
        code="villages_without_care_room",
        name=_("Key villages without a care room"),
        unit=FigureUnit.VILLAGES,
        domain=Domain.HOUSEHOLDS,
        point="11",
        definition=_("Key villages with no left-behind children's care room opened by the end of the month."),
        compute=_villages_without_care_room,
        records=_welfare_list("care_rooms_missing"),
        should_be_zero=True,
    ),
)

HOUSEHOLDS_INDICATORS: tuple[Indicator, ...] = (
    *REGISTER_INDICATORS,
    *CHANGE_INDICATORS,
    *CADRE_INDICATORS,
    *QUALITY_INDICATORS,
    *SAFETY_NET_INDICATORS,
    *LIVING_INDICATORS,
)
