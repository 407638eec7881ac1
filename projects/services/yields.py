"""The yield job (point 4): classify every operating project against the 6% floor, flag the new ones, open a plan.

Run monthly by ``projects.tasks.assess_yields`` (jobs/schedules.py) and on demand by the district office. The
period is the twelve calendar months ending ``period_end``, by default the last day of the previous month
(Beijing time). The rule itself (what income counts, the investment, the classes) is ``projects.rules``.

Projects assessed: those operating now whose operation started on or before the period's first day. A project
that operated for part of the period only would be judged on a part-year income against its whole investment
and look weak when it is not; its first assessment comes once it has a full twelve months behind it.

The work is set-based, so its query count does not depend on the number of projects: one query reads every
project with its income in the period and its investment (correlated sums on the indexed foreign keys), the
rows are classified in Python by the one rule, and one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT``
writes them all. That statement leaves an unchanged assessment alone, so running the job again for the same
period writes nothing (and records no history event); ``bulk_create(update_conflicts=True)`` would rewrite every
row.

A project is flagged afresh when it is below the floor (weak, idle or struggling) and
- its assessment for this period has not been flagged already,
- it has no open (draft or in progress) rectification plan, and
- no plan of it was completed on or after the period's first day: the period then does not yet measure the
  remedy, and the plan's effect is judged on the next year's yield instead.
The flag is ``flagged_at`` on the assessment; a draft plan linked to it is opened (the one-open-plan constraint
ignores a concurrent duplicate) and the town's plan keepers and the district office are notified, under a key
per class, project and period, so a notice is never sent twice. Two runs at once take turns on an advisory lock.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from history.context import history_context
from notifications.services import Notice, notice_group, notices_grouped, notices_send, staff_of
from organisation.enqueue import enqueue_on_commit
from organisation.models import Town
from organisation.money import MONEY_FIELD, ZERO, money_text
from organisation.periods import is_month_end, month_end, previous_month, twelve_months_ending
from organisation.validation import role_require
from organisation.workdays import LEGAL_TIME_ZONE
from projects.models import (
    BELOW_FLOOR,
    IncomeRecord,
    IndustryProject,
    Investment,
    PlanStatus,
    ProjectStatus,
    RectificationPlan,
    YieldAssessment,
    YieldClass,
)
from projects.permissions import PLAN_WORKERS, YIELD_RUNNERS
from projects.rules import classify, yield_percent, yield_rate
from projects.selectors.income import BELOW_FLOOR_FILTER

# pg_advisory_xact_lock key: one yield run at a time.
RUN_LOCK_KEY = 4_0004


@dataclass
class YieldRunResult:
    """What one run did: the period, projects assessed by class, assessments written, flags, plans, notices."""

    period_end: dt.date
    assessed: int = 0
    written: int = 0
    flagged: int = 0
    plans_opened: int = 0
    notifications: int = 0
    by_class: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {**asdict(self), "period_end": self.period_end.isoformat()}


def default_period_end(now: dt.datetime | None = None) -> dt.date:
    """The last day of the month before ``now``'s month, Beijing time."""
    today = (now or timezone.now()).astimezone(LEGAL_TIME_ZONE).date()
    return month_end(previous_month(today))


def yield_period_check(*, period_end: dt.date, now: dt.datetime | None = None) -> None:
    """A period the job can assess: it ends on a month's last day, and that day is over."""
    today = (now or timezone.now()).astimezone(LEGAL_TIME_ZONE).date()
    if not is_month_end(period_end):
        raise ValidationError({"period_end": _("A period ends on the last day of a month.")})
    if period_end >= today:
        raise ValidationError({"period_end": _("The period has not ended yet.")})


def yield_assessment_run(*, period_end: dt.date | None = None, now: dt.datetime | None = None) -> YieldRunResult:
    """Assess every project due for the twelve months ending ``period_end``; flag, open plans and notify."""
    now = now or timezone.now()
    period_end = period_end or default_period_end(now)
    yield_period_check(period_end=period_end, now=now)
    period_start, period_end = twelve_months_ending(period_end)
    result = YieldRunResult(period_end=period_end)
    # Notices are stored text: in the site's language, whoever started the run.
    with (
        history_context(job="yield_assessment", period_end=period_end.isoformat()),
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
    ):
        with connection.cursor() as cursor:
            # JIT compiling the read costs more than it saves on every size of district (~0.6 s at 20,000 projects).
            cursor.execute("SELECT pg_advisory_xact_lock(%s), set_config('jit', 'off', true)", [RUN_LOCK_KEY])
        rows = _projects_due(period_start=period_start, period_end=period_end)
        for row in rows:
            row["rate"] = yield_rate(row["income"], row["investment"])
            row["classification"] = classify(row["income"], row["investment"], row["agreed_annual_income"])
            row["flag"] = row["classification"] in BELOW_FLOOR and not (
                row["flagged_before"] or row["plan_open"] or row["plan_completed_in_period"]
            )
        result.assessed = len(rows)
        result.by_class = dict(Counter(str(row["classification"]) for row in rows))
        written = _assessments_write(rows, period_end=period_end, now=now)
        result.written = len(written)
        # The rows this statement flagged (a concurrent run that flagged one first keeps its own timestamp).
        flagged = {project_id: assessment_id for assessment_id, project_id, flagged_at in written if flagged_at == now}
        result.flagged = len(flagged)
        if flagged:
            plans = _plans_open(flagged, now=now)
            result.plans_opened = len(plans)
            notices = _notices(
                [row for row in rows if row["pk"] in flagged],
                plans=plans,
                period_start=period_start,
                period_end=period_end,
            )
            result.notifications = notices_send(notices)
    return result


def yield_assessment_request(
    *,
    user: User,
    period_end: dt.date | None = None,
    on_sent: Callable[[], None] | None = None,
    on_refused: Callable[[str], None] | None = None,
) -> None:
    """ "Run the yield job now": check the period, then queue the job once the request's transaction commits."""
    role_require(user, YIELD_RUNNERS)
    if period_end is not None:
        yield_period_check(period_end=period_end)
    # Imported here: the task module imports this one.
    from projects.tasks import assess_yields

    argument = period_end.isoformat() if period_end else None
    enqueue_on_commit(assess_yields, kwargs={"period_end": argument}, on_sent=on_sent, on_refused=on_refused)


def _projects_due(*, period_start: dt.date, period_end: dt.date) -> list[dict]:
    """One query: each project due, with its income in the period, its investment and its plans' state."""
    income = (
        IncomeRecord.objects.filter(project=OuterRef("pk"), received_on__range=(period_start, period_end))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    investment = (
        Investment.objects.filter(project=OuterRef("pk"))
        .filter(Q(invested_on__isnull=True) | Q(invested_on__lte=period_end))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    plans = RectificationPlan.objects.filter(project=OuterRef("pk"))
    projects = IndustryProject.objects.filter(
        status=ProjectStatus.OPERATING, operation_started_on__lte=period_start
    ).annotate(
        income=Coalesce(Subquery(income, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD),
        investment=Subquery(investment, output_field=MONEY_FIELD),
        plan_open=Exists(plans.exclude(status=PlanStatus.COMPLETED)),
        plan_completed_in_period=Exists(plans.filter(status=PlanStatus.COMPLETED, completed_on__gte=period_start)),
        flagged_before=Exists(
            YieldAssessment.objects.filter(project=OuterRef("pk"), period_end=period_end, flagged_at__isnull=False)
        ),
    )
    return list(
        projects.order_by("pk").values(
            "pk",
            "code",
            "name",
            "town_id",
            "agreed_annual_income",
            "income",
            "investment",
            "plan_open",
            "plan_completed_in_period",
            "flagged_before",
        )
    )


def _assessments_write(rows: list[dict], *, period_end: dt.date, now: dt.datetime) -> list[tuple]:
    """Insert or update every row in one statement; an unchanged assessment is not touched. Returns the rows
    written as ``(assessment id, project id, flagged_at)``."""
    if not rows:
        return []
    table = connection.ops.quote_name(YieldAssessment._meta.db_table)
    statement = f"""
        INSERT INTO {table} AS assessment
            (project_id, period_end, income, investment, yield_rate, classification, assessed_at, flagged_at)
        SELECT row.project_id, %(period_end)s, row.income, row.investment, row.yield_rate, row.classification,
               %(now)s, row.flagged_at
        FROM unnest(%(projects)s::bigint[], %(incomes)s::numeric[], %(investments)s::numeric[],
                    %(rates)s::numeric[], %(classes)s::varchar[], %(flags)s::timestamptz[])
             AS row(project_id, income, investment, yield_rate, classification, flagged_at)
        ON CONFLICT (project_id, period_end) DO UPDATE SET
            income = EXCLUDED.income,
            investment = EXCLUDED.investment,
            yield_rate = EXCLUDED.yield_rate,
            classification = EXCLUDED.classification,
            assessed_at = EXCLUDED.assessed_at,
            flagged_at = COALESCE(assessment.flagged_at, EXCLUDED.flagged_at)
        WHERE (assessment.income, assessment.investment, assessment.yield_rate, assessment.classification)
              IS DISTINCT FROM (EXCLUDED.income, EXCLUDED.investment, EXCLUDED.yield_rate, EXCLUDED.classification)
           OR (assessment.flagged_at IS NULL AND EXCLUDED.flagged_at IS NOT NULL)
        RETURNING assessment.id, assessment.project_id, assessment.flagged_at
    """
    params: dict[str, dt.date | list] = {
        "period_end": period_end,
        "now": now,
        "projects": [row["pk"] for row in rows],
        "incomes": [row["income"] for row in rows],
        "investments": [row["investment"] or ZERO for row in rows],
        "rates": [row["rate"] for row in rows],
        "classes": [str(row["classification"]) for row in rows],
        "flags": [now if row["flag"] else None for row in rows],
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _plans_open(flagged: dict[int, int], *, now: dt.datetime) -> dict[int, int]:
    """A draft plan for each flagged project (``{project id: assessment id}``), in one statement; returns
    ``{project id: plan id}`` of the plans it opened. A plan opened meanwhile by someone else is kept, not doubled
    (the one-open-plan constraint), and the project's notice then links to the overview."""
    table = connection.ops.quote_name(RectificationPlan._meta.db_table)
    statement = f"""
        INSERT INTO {table}
            (project_id, assessment_id, remedy, steps, responsible_unit, status, created_at)
        SELECT row.project_id, row.assessment_id, '', '', '', %(status)s, %(now)s
        FROM unnest(%(projects)s::bigint[], %(assessments)s::bigint[]) AS row(project_id, assessment_id)
        ON CONFLICT DO NOTHING
        RETURNING project_id, id
    """
    params: dict[str, str | dt.datetime | list] = {
        "status": PlanStatus.DRAFT.value,
        "now": now,
        "projects": list(flagged),
        "assessments": list(flagged.values()),
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return dict(cursor.fetchall())


class NoticeText:
    """The notice's words, translated once per run (a run may flag thousands of projects)."""

    def __init__(self):
        self.opening = _("The yield job put an industry project below the floor of 6%.")
        self.project = _("Project: %(code)s %(name)s (%(town)s)")
        self.income = _("Income received from %(start)s to %(end)s: %(income)s yuan")
        self.investment = _("Total investment: %(investment)s yuan; yield %(yield)s")
        self.agreed = _("The operator agreed to pay %(agreed)s yuan a year.")
        self.plan = _(
            "A draft rectification plan is open: name the remedy, the steps, the responsible unit and the deadline, "
            "then start it."
        )
        self.subject = _("%(class)s: %(code)s %(name)s, %(town)s")
        self.labels = {value: str(value.label) for value in YieldClass}
        self.no_investment = yield_percent(None)
        # One reverse() per run: the plan's address with its id put in.
        marker = 999_999_999
        self.plan_url = reverse("projects:plan_detail", args=[marker]).replace(str(marker), "{}")
        self.overview_url = reverse("projects:yield_overview") + "?q="
        self.group_opening = _("These projects were assessed below the floor for %(start)s to %(end)s.")
        self.group_line = _("%(code)s %(name)s, %(town)s: %(class)s, yield %(yield)s")
        self.group_plans = _("Draft rectification plans are open for them: name the remedies and start them.")


def _notices(rows: list[dict], *, plans: dict[int, int], period_start: dt.date, period_end: dt.date) -> list[Notice]:
    """The run's notices, grouped per person (``notices_grouped``): a town's staff hear of its projects below the
    floor, the district office of every town's, each in one notice linked to the filtered assessments."""
    staff = staff_of(roles=PLAN_WORKERS, town_ids={row["town_id"] for row in rows})
    towns = dict(Town.objects.filter(pk__in={row["town_id"] for row in rows}).values_list("pk", "name"))
    office = staff.get(None, set())
    text = NoticeText()

    def values(row: dict) -> dict:
        return {
            "class": text.labels[YieldClass(row["classification"])],
            "code": row["code"],
            "name": row["name"],
            "town": towns.get(row["town_id"], ""),
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
            "income": money_text(row["income"]),
            "investment": money_text(row["investment"] or ZERO),
            "yield": yield_percent(row["rate"]) if row["rate"] is not None else text.no_investment,
        }

    def single(row: dict, recipients: frozenset[int]) -> Notice:
        classification = YieldClass(row["classification"])
        plan_id = plans.get(row["pk"])
        filled = values(row)
        lines = [
            f"{text.opening} {filled['class']}",
            text.project % filled,
            text.income % filled,
            text.investment % filled,
        ]
        if classification == YieldClass.STRUGGLING:
            lines.append(text.agreed % {"agreed": money_text(row["agreed_annual_income"])})
        if plan_id:
            lines.append(text.plan)
        return Notice(
            key=f"projects.yield.{classification.value}:{row['pk']}:{period_end.isoformat()}",
            subject=text.subject % filled,
            body="\n".join(lines),
            url=text.plan_url.format(plan_id) if plan_id else text.overview_url + quote(row["code"]),
            recipient_ids=recipients,
        )

    def url(group: list[dict]) -> str:
        query = {"period": period_end.isoformat(), "classification": BELOW_FLOOR_FILTER}
        town_ids = {row["town_id"] for row in group}
        if len(town_ids) == 1:
            query["town"] = str(next(iter(town_ids)))
        return f"{text.overview_url[: -len('?q=')]}?{urlencode(query)}"

    intro = text.group_opening % {"start": period_start.isoformat(), "end": period_end.isoformat()}
    grouped: Callable[[list[dict], frozenset[int]], Notice] = notice_group(
        kind=f"projects.yields.{period_end.isoformat()}",
        subject=lambda count: ngettext(
            "%(count)s project's yield is below the floor", "%(count)s projects' yields are below the floor", count
        ),
        intro=f"{intro} {text.group_plans}" if plans else intro,
        line=lambda row: text.group_line % values(row),
        url=url,
        record=lambda row: row["pk"],
    )

    return notices_grouped(
        rows, recipients=lambda row: staff.get(row["town_id"], set()) | office, single=single, grouped=grouped
    )
