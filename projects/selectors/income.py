"""Reads of point 4: a project's income and yield by year, the yield overview, plans and their effect, and how the
public page masks a name. Every queryset comes from ``projects_scope`` except where said.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.choices import Relation
from households.models import Member
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.money import ZERO
from organisation.scoping import Access, may_act, towns_for
from projects.models import (
    BELOW_FLOOR,
    IncomeDistribution,
    IncomeRecord,
    IndustryProject,
    Investment,
    PlanStatus,
    RectificationPlan,
    YieldAssessment,
    YieldClass,
)
from projects.permissions import ASSET_KEEPERS, may_work_on_plans, projects_scope
from projects.rules import YIELD_FLOOR, classify, yield_percent, yield_rate

# The worst first: how the overview orders a period's assessments.
SEVERITY = [YieldClass.STRUGGLING, YieldClass.IDLE, YieldClass.WEAK, YieldClass.NO_INVESTMENT, YieldClass.MEETING]
# How many periods the overview offers to choose from.
PERIOD_CHOICES = 36


@dataclass(frozen=True)
class YearYield:
    """A calendar year's income received, the investment made by its end, and the yield."""

    year: int
    income: Decimal
    investment: Decimal
    rate: Decimal | None
    classification: YieldClass

    @property
    def percent(self) -> str:
        return yield_percent(self.rate)

    @property
    def below_floor(self) -> bool:
        return self.classification in BELOW_FLOOR


@dataclass
class IncomeYear:
    year: int
    records: list[IncomeRecord] = field(default_factory=list)
    yield_: YearYield | None = None


def _year_yield(year: int, income: Decimal, investments: list[tuple[dt.date | None, Decimal]], agreed) -> YearYield:
    year_end = dt.date(year, 12, 31)
    invested = sum((amount for day, amount in investments if day is None or day <= year_end), ZERO)
    return YearYield(
        year=year,
        income=income,
        investment=invested,
        rate=yield_rate(income, invested),
        classification=classify(income, invested, agreed),
    )


def project_year_yields(*, user: Actor, project: IndustryProject, years: list[int]) -> dict[int, YearYield]:
    """The yield of each of ``years`` (calendar years, income by the day received): two queries."""
    incomes = dict(
        projects_scope(user, queryset=IncomeRecord.objects.filter(project=project, received_on__year__in=years))
        .annotate(year=ExtractYear("received_on"))
        .order_by()
        .values("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    investments = list(
        projects_scope(user, queryset=Investment.objects.filter(project=project)).values_list("invested_on", "amount")
    )
    return {
        year: _year_yield(year, incomes.get(year, ZERO), investments, project.agreed_annual_income) for year in years
    }


def project_income_section(*, user: Actor, project: IndustryProject) -> dict:
    """What the project page's income section shows: income by year with the year's yield, the latest assessment,
    the open plan and whether the user may record income. A fixed number of queries."""
    records = list(
        projects_scope(user, queryset=IncomeRecord.objects.filter(project=project))
        .annotate(
            distributed=Count("distributions"),
            paid=Count("distributions", filter=Q(distributions__paid_on__isnull=False)),
        )
        .order_by("-received_on", "-pk")
    )
    investments = list(
        projects_scope(user, queryset=Investment.objects.filter(project=project)).values_list("invested_on", "amount")
    )
    years: dict[int, IncomeYear] = {}
    for record in records:
        years.setdefault(record.received_on.year, IncomeYear(year=record.received_on.year)).records.append(record)
    for income_year in years.values():
        total = sum((record.amount for record in income_year.records), ZERO)
        income_year.yield_ = _year_yield(income_year.year, total, investments, project.agreed_annual_income)
    assessment = (
        projects_scope(user, queryset=YieldAssessment.objects.filter(project=project)).order_by("-period_end").first()
    )
    open_plan = (
        projects_scope(user, queryset=RectificationPlan.objects.filter(project=project))
        .exclude(status=PlanStatus.COMPLETED)
        .first()
    )
    return {
        "income_years": sorted(years.values(), key=lambda item: item.year, reverse=True),
        "has_investment": bool(investments),
        "latest_assessment": assessment,
        "latest_assessment_percent": yield_percent(assessment.yield_rate) if assessment else "",
        "open_plan": open_plan,
        "may_record_income": may_record_income(user, project),
    }


def may_record_income(user: Actor, project: IndustryProject) -> bool:
    return may_act(user, ASSET_KEEPERS) and projects_scope(user, Access.CHANGE).filter(pk=project.pk).exists()


def income_distributions(*, user: Actor, income: IncomeRecord) -> list[IncomeDistribution]:
    """The parts of one income, with the beneficiary village or household (and the household's head)."""
    return list(
        projects_scope(user, queryset=IncomeDistribution.objects.filter(income=income))
        .select_related("village__town", "household__village")
        .annotate(head_name=_head_name())
        .order_by("pk")
    )


def _head_name():
    heads = Member.objects.filter(household=OuterRef("household"), relation=Relation.HEAD).order_by("pk")
    return Subquery(heads.values("name")[:1], output_field=CharField())


# --- Yield overview ------------------------------------------------------------------------------------------------


# The classification filter's value for "weak, idle or struggling" (``BELOW_FLOOR``).
BELOW_FLOOR_FILTER = "below_floor"
# The top of the middle yield band: a band of the figures, not a rule of the work plan.
YIELD_BAND_TOP = Decimal("0.10")


class YieldBand(models.TextChoices):
    """Bands of an assessment's yield, for the figures' yield distribution and the overview's filter."""

    NONE = "none", _("No investment: no yield")
    ZERO = "zero", _("Yield 0: no income")
    BELOW_FLOOR = "0_6", _("Yield above 0, below 6%")
    FLOOR_TO_TEN = "6_10", _("Yield from 6% to below 10%")
    TEN_PLUS = "10_plus", _("Yield of 10% or more")


def yield_band_condition(band: str) -> Q:
    """The assessments of ``band``. The floor is compared as ``projects.rules.classify`` compares it, exactly, on
    the assessment's income against its investment x ``YIELD_FLOOR`` (never on the rounded rate), so the bands
    below 6% hold exactly the assessments whose yield the rule puts below the floor; the test of the figures checks
    the two against each other. A struggling project (in arrears) is in the band of its yield."""
    invested = Q(investment__gt=0)
    at_floor = Q(income__gte=F("investment") * Value(YIELD_FLOOR))
    at_top = Q(income__gte=F("investment") * Value(YIELD_BAND_TOP))
    return {
        YieldBand.NONE: ~invested,
        YieldBand.ZERO: invested & Q(income__lte=0),
        YieldBand.BELOW_FLOOR: invested & Q(income__gt=0) & ~at_floor,
        YieldBand.FLOOR_TO_TEN: invested & at_floor & ~at_top,
        YieldBand.TEN_PLUS: invested & at_top,
    }[YieldBand(band)]


def classification_condition(classification: str) -> Q:
    """The assessments of a classification, or of all three below the floor (``BELOW_FLOOR_FILTER``)."""
    if classification == BELOW_FLOOR_FILTER:
        return Q(classification__in=BELOW_FLOOR)
    return Q(classification=classification)


def latest_assessments_on(
    day: dt.date, queryset: QuerySet[YieldAssessment] | None = None
) -> QuerySet[YieldAssessment]:
    """Each project's latest assessment of a period ending on or before ``day`` (one per project assessed): the one
    not yet superseded on ``day`` by a later one (``YieldAssessment.superseded_on``, kept by its triggers), read
    through the index on it rather than by comparing each assessment with the project's others."""
    assessments = YieldAssessment.objects.all() if queryset is None else queryset
    return assessments.filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=day), period_end__lte=day)


@dataclass(frozen=True)
class YieldFilters:
    period_end: dt.date | None = None
    town: Town | None = None
    classification: str = ""
    query: str = ""
    # Each project's latest assessment on or before this day instead of one period's assessments.
    as_of: dt.date | None = None
    band: str = ""

    @property
    def shown(self) -> bool:
        """There is something to show: a period assessed, or a day to take each project's latest assessment on."""
        return self.period_end is not None or self.as_of is not None


def yield_periods(*, user: Actor) -> list[dt.date]:
    """The periods assessed, latest first."""
    assessments = projects_scope(user, queryset=YieldAssessment.objects.all())
    return list(assessments.order_by("-period_end").values_list("period_end", flat=True).distinct()[:PERIOD_CHOICES])


def yield_overview_towns(*, user: Actor) -> QuerySet[Town]:
    return towns_for(user).order_by("code")


def yield_assessment_list(*, user: Actor, filters: YieldFilters) -> QuerySet[YieldAssessment]:
    """One period's assessments the user may see, worst first, each with its project's open plan."""
    assessments = _period_assessments(user, filters)
    if filters.classification:
        assessments = assessments.filter(classification_condition(filters.classification))
    if filters.band:
        assessments = assessments.filter(yield_band_condition(filters.band))
    return _worst_first(assessments)


def yield_town_counts(*, user: Actor, filters: YieldFilters) -> list[dict]:
    """Per town, for the period (and the town and search filters): projects assessed and those weak, idle or
    struggling. One query."""
    return list(
        _period_assessments(user, filters)
        .order_by()
        .values("project__town_id", "project__town__name", "project__town__code")
        .annotate(
            total=Count("pk"),
            weak=Count("pk", filter=Q(classification=YieldClass.WEAK)),
            idle=Count("pk", filter=Q(classification=YieldClass.IDLE)),
            struggling=Count("pk", filter=Q(classification=YieldClass.STRUGGLING)),
        )
        .order_by("project__town__code")
    )


def _period_assessments(user: Actor, filters: YieldFilters) -> QuerySet[YieldAssessment]:
    if filters.as_of is not None:
        assessments = projects_scope(user, queryset=latest_assessments_on(filters.as_of))
    elif filters.period_end is None:  # no period assessed yet
        return YieldAssessment.objects.none()
    else:
        assessments = projects_scope(user, queryset=YieldAssessment.objects.filter(period_end=filters.period_end))
    if filters.town is not None:
        assessments = assessments.filter(project__town=filters.town)
    if filters.query:
        assessments = assessments.filter(
            Q(project__code__icontains=filters.query) | Q(project__name__icontains=filters.query)
        )
    return assessments


def _worst_first(assessments: QuerySet[YieldAssessment]) -> QuerySet[YieldAssessment]:
    """The assessments the worst first (struggling, idle, weak, then by yield), each with its project and town and
    its project's open plan's id."""
    open_plans = RectificationPlan.objects.filter(project=OuterRef("project")).exclude(status=PlanStatus.COMPLETED)
    severity = Case(
        *[When(classification=value, then=Value(rank)) for rank, value in enumerate(SEVERITY)],
        output_field=IntegerField(),
    )
    return (
        assessments.select_related("project__town")
        .annotate(open_plan_id=Subquery(open_plans.values("pk")[:1]), severity=severity)
        .order_by("severity", "yield_rate", "project__code")
    )


def yields_below_floor(
    *, user: Actor, as_of: dt.date, town: Town | None = None, village: Village | None = None
) -> QuerySet[YieldAssessment]:
    """The projects below the floor of 6% on ``as_of`` (each project's latest assessment on or before it is weak,
    idle or struggling) that the user sees, in a town or a village, the worst first, each with its project and
    town and its open plan's id: the dashboards' action list, and what ``projects_below_floor`` counts."""
    assessments = projects_scope(user, queryset=latest_assessments_on(as_of)).filter(classification__in=BELOW_FLOOR)
    if town is not None:
        assessments = assessments.filter(project__town=town)
    if village is not None:
        assessments = assessments.filter(project__villages=village)
    return _worst_first(assessments)


# --- Plans ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    town: Town | None = None
    status: str = ""
    remedy: str = ""
    overdue: bool = False
    query: str = ""
    # The plans open on this day (opened by then, not completed by then); "overdue" is then judged on this day.
    open_on: dt.date | None = None


def plan_list(*, user: Actor, filters: PlanFilters, today: dt.date | None = None) -> QuerySet[RectificationPlan]:
    """Plans the user may see: open ones first, the earliest deadline first."""
    today = today or timezone.localdate()
    plans = projects_scope(user, queryset=RectificationPlan.objects.all())
    if filters.town is not None:
        plans = plans.filter(project__town=filters.town)
    if filters.status:
        plans = plans.filter(status=filters.status)
    if filters.remedy:
        plans = plans.filter(remedy=filters.remedy)
    if filters.open_on is not None:
        plans = plans.filter(plan_open_condition(filters.open_on))
    if filters.overdue:
        plans = plans.filter(
            plan_overdue_condition(today) if filters.open_on is None else plan_overdue_on(filters.open_on)
        )
    if filters.query:
        plans = plans.filter(Q(project__code__icontains=filters.query) | Q(project__name__icontains=filters.query))
    closed = Case(When(status=PlanStatus.COMPLETED, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        plans.select_related("project__town", "assessment")
        .annotate(closed=closed)
        .order_by("closed", "deadline", "-created_at", "-pk")
    )


def plan_overdue_condition(today: dt.date) -> Q:
    """A plan not completed whose deadline has passed."""
    return Q(deadline__lt=today) & ~Q(status=PlanStatus.COMPLETED)


def plan_open_condition(day: dt.date) -> Q:
    """A plan open on ``day``: opened on or before it, and not completed on or before it."""
    completed_by_then = Q(status=PlanStatus.COMPLETED, completed_on__lte=day)
    return Q(created_at__date__lte=day) & ~completed_by_then


def plan_overdue_on(day: dt.date) -> Q:
    """A plan open on ``day`` whose deadline had passed by then."""
    return Q(deadline__lt=day) & plan_open_condition(day)


def plan_is_overdue(plan: RectificationPlan, today: dt.date) -> bool:
    return plan.status != PlanStatus.COMPLETED and plan.deadline is not None and plan.deadline < today


def may_change_plan(user: Actor, plan: RectificationPlan) -> bool:
    return (
        may_work_on_plans(user)
        and plan.status != PlanStatus.COMPLETED
        and projects_scope(user, Access.CHANGE, RectificationPlan.objects.filter(pk=plan.pk)).exists()
    )


@dataclass(frozen=True)
class PlanEffect:
    """The project's yield in the calendar year before the plan was opened against the year after it was completed
    (``after`` is None while that year has not ended, or the plan is not completed)."""

    year_before: int
    before: YearYield
    year_after: int | None
    after: YearYield | None

    @property
    def known(self) -> bool:
        return self.after is not None

    @property
    def change_points(self) -> Decimal | None:
        """The change of the yield in percentage points, two decimals (None unless both rates are known)."""
        if self.after is None or self.after.rate is None or self.before.rate is None:
            return None
        return ((self.after.rate - self.before.rate) * 100).quantize(Decimal("0.01"))

    @property
    def floor_met_after(self) -> bool | None:
        return None if self.after is None else not self.after.below_floor


def plan_effect(*, user: Actor, plan: RectificationPlan, today: dt.date | None = None) -> PlanEffect:
    """The plan's effect on the yield: the year before it against the year after its completion."""
    today = today or timezone.localdate()
    year_before = timezone.localdate(plan.created_at).year - 1
    year_after = plan.completed_on.year + 1 if plan.completed_on else None
    # The year after the completion is judged once it has ended.
    judged_after = year_after if year_after is not None and today > dt.date(year_after, 12, 31) else None
    years = [year_before] if judged_after is None else [year_before, judged_after]
    yields = project_year_yields(user=user, project=plan.project, years=years)
    return PlanEffect(
        year_before=year_before,
        before=yields[year_before],
        year_after=year_after,
        after=None if judged_after is None else yields[judged_after],
    )


def project_for_pairing(*, code: str) -> IndustryProject | None:
    """The project of the district with project number ``code``, whatever its town: a plan may pair with another
    town's project, and only its number and name are shown. Not scoped, on purpose."""
    return IndustryProject.objects.select_related("town").filter(code=code.strip()).first()


# --- The public page (收益公示) -----------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """A person's name as the public page shows it: the surname, the rest as asterisks (王**)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
