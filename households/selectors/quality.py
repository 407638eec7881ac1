"""Reads of data quality (point 19): runs, problems and town scorecards, each scoped to the user."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet
from django.utils import timezone

from households.models import Household, QualityProblem, QualityRun, QualityRunStatus, TownQualityScore
from households.permissions import households_scope
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.scoping import Access, towns_for, villages_for

# A queued or running run older than this is taken as abandoned (its worker died): "check now" starts anew.
RUN_REUSE_WINDOW = timedelta(hours=1)
# The scorecard's trend: this many of the latest completed runs.
TREND_RUNS = 10
ONE_HUNDREDTH = Decimal("0.01")


class ProblemState:
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


# Runs


def quality_runs_visible(user: Actor) -> QuerySet[QualityRun]:
    """The runs ``user`` may watch (``households_scope``)."""
    return households_scope(user, Access.VIEW, QualityRun.objects.all())


def quality_run_latest(*, user: Actor) -> QualityRun | None:
    return quality_runs_visible(user).order_by("-queued_at", "-pk").first()


def quality_run_unfinished(*, user: Actor) -> QualityRun | None:
    """A queued or running run the user can watch, unless it has waited so long it was abandoned."""
    return (
        quality_runs_visible(user)
        .filter(
            status__in=[QualityRunStatus.QUEUED, QualityRunStatus.RUNNING],
            queued_at__gte=timezone.now() - RUN_REUSE_WINDOW,
        )
        .order_by("-queued_at", "-pk")
        .first()
    )


def quality_run_last_done() -> QualityRun | None:
    return QualityRun.objects.filter(status=QualityRunStatus.DONE).order_by("-finished_at", "-pk").first()


# Problems


def quality_problem_towns(*, user: Actor) -> QuerySet[Town]:
    """The towns in which ``user`` sees at least a village's problems (a village clerk: their village's)."""
    return Town.objects.filter(villages__in=villages_for(user)).distinct().order_by("code")


def quality_problem_list(
    *,
    user: Actor,
    town: Town | None = None,
    problem_class: str = "",
    rule: str = "",
    state: str = ProblemState.OPEN,
    file_number: str = "",
    village: Village | None = None,
) -> QuerySet[QualityProblem]:
    problems = households_scope(user, Access.VIEW, QualityProblem.objects.all())
    if town is not None:
        problems = problems.filter(town=town)
    if village is not None:
        problems = problems.filter(household__village=village)
    if problem_class:
        problems = problems.filter(problem_class=problem_class)
    if rule:
        problems = problems.filter(rule=rule)
    if state == ProblemState.OPEN:
        problems = problems.filter(resolved_at__isnull=True)
    elif state == ProblemState.RESOLVED:
        problems = problems.filter(resolved_at__isnull=False)
    if file_number := file_number.strip():
        problems = problems.filter(household__file_number__icontains=file_number)
    return problems.select_related("town", "household__village", "member").order_by(
        "town__code", "household__file_number", "rule", "member_id", "pk"
    )


def household_quality_problems(*, user: Actor, household: Household) -> QuerySet[QualityProblem]:
    """The household's open problems, as the household page shows them."""
    problems = QualityProblem.objects.filter(household=household, resolved_at__isnull=True)
    return households_scope(user, Access.VIEW, problems).select_related("member").order_by("problem_class", "rule")


def quality_open_counts_by_rule(*, user: Actor) -> dict[str, int]:
    problems = households_scope(user, Access.VIEW, QualityProblem.objects.filter(resolved_at__isnull=True))
    return dict(problems.order_by().values_list("rule").annotate(n=Count("pk")))


# Scorecards


def error_rate(households_with_problems: int, households: int) -> Decimal | None:
    """Households with problems per hundred households, to two decimals; None for a town with none."""
    if not households:
        return None
    rate = Decimal(households_with_problems) * 100 / Decimal(households)
    return rate.quantize(ONE_HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScorePoint:
    run_id: int
    checked_at: datetime | None  # the run's finished_at (a nullable column, set when a run is done)
    households: int
    households_with_problems: int
    problems: int

    @property
    def error_rate(self) -> Decimal | None:
        return error_rate(self.households_with_problems, self.households)


@dataclass(frozen=True)
class TownScorecard:
    town: Town
    points: list[ScorePoint]  # oldest run first

    @property
    def latest(self) -> ScorePoint | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> ScorePoint | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def rate_change(self) -> Decimal | None:
        """The change of the error rate since the run before the latest (negative: better)."""
        if self.latest is None or self.previous is None:
            return None
        if self.latest.error_rate is None or self.previous.error_rate is None:
            return None
        return self.latest.error_rate - self.previous.error_rate


def quality_scorecards(*, user: Actor, town: Town | None = None, runs: int = TREND_RUNS) -> list[TownScorecard]:
    """The scorecard of every town ``user`` reaches (or of ``town`` alone), over the latest ``runs``
    completed runs."""
    towns = towns_for(user).order_by("code")
    if town is not None:
        towns = towns.filter(pk=town.pk)
    recent = (
        QualityRun.objects.filter(status=QualityRunStatus.DONE).order_by("-finished_at", "-pk").values("pk")[:runs]
    )
    scores = (
        TownQualityScore.objects.filter(run__in=recent, town__in=towns)
        .select_related("run")
        .order_by("run__finished_at", "run_id")
    )
    points = defaultdict(list)
    for score in scores:
        points[score.town_id].append(
            ScorePoint(
                run_id=score.run_id,
                checked_at=score.run.finished_at,
                households=score.households,
                households_with_problems=score.households_with_problems,
                problems=score.problems,
            )
        )
    return [TownScorecard(town=each, points=points.get(each.pk, [])) for each in towns]
