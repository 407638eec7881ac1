"""Data quality (point 19): run every rule and keep one problem record per rule and household or member.

A run upserts what each rule finds by the problem's stable key (``<rule>:<household>[:<member>]``), one
INSERT ... ON CONFLICT per rule, so running twice never makes a second record of the same problem. A
problem not found again is resolved; found again later, the same record reopens. A record is written
only when something about it changes (new, reopened, resolved, a different detail or town): every write
to a problem is a sealed history event, and an unchanged problem needs none. So ``last_found_at`` is when
the problem was last found new, reopened or changed; while it stays open, every later run found it too.
"""

import traceback
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from history.context import history_context
from households.models import Household, QualityProblem, QualityRun, QualityRunStatus, TownQualityScore
from households.models.quality import worker_stopped_message
from households.permissions import QUALITY_RUNNERS
from households.quality_rules import RULES, Rule
from households.selectors.quality import quality_run_unfinished
from jobs.heartbeat import stale_handler
from organisation.enqueue import enqueue, waiting_message, waiting_resender
from organisation.models import Town, Village
from organisation.validation import role_require

# pg_advisory_lock key: one run at a time (a nightly run and a "check now" would otherwise interleave).
RUN_LOCK_KEY = 19_0019
# The keys found by the running check (a temporary table of the run's own database session).
FOUND_KEYS_TABLE = "quality_found_keys"
DETAIL_MAX_CHARS = QualityProblem._meta.get_field("detail").max_length
ERROR_MAX_CHARS = 10_000
# The lease (jobs.heartbeat) the task holds while it runs.
QUALITY_RUN_LEASE = "households.quality_run"


def quality_run_create(*, requested_by: User | None = None) -> QualityRun:
    return QualityRun.objects.create(requested_by=requested_by, rules_total=len(RULES))


def quality_run_request(*, user: User) -> QualityRun:
    """The run ``user`` asked for ("check now"): one already queued or running that they can watch, or a new
    one, sent to a worker once the request's transaction commits."""
    role_require(user, QUALITY_RUNNERS)
    if run := quality_run_unfinished(user=user):
        return run
    run = quality_run_create(requested_by=user)
    _run_enqueue(run.pk)
    return run


def _run_enqueue(run_id: int) -> None:
    transaction.on_commit(lambda: _run_send(run_id))


def _run_send(run_id: int) -> bool:
    """Send the run to a worker; a broker that refuses it leaves the run queued, its ``error`` saying that it waits
    for the job service (``quality_runs_resend`` sends it again)."""
    from households.tasks import check_data_quality  # the task module imports this one

    def waiting(message: str) -> None:
        QualityRun.objects.filter(pk=run_id, status=QualityRunStatus.QUEUED).update(error=message)

    return enqueue(check_data_quality, kwargs={"run_id": run_id}, on_refused=waiting)


@waiting_resender("households.quality")
def quality_runs_resend() -> int:
    """Send again the runs the job service could not take; how many were sent."""
    waiting = QualityRun.objects.filter(status=QualityRunStatus.QUEUED, error=waiting_message())
    run_ids = list(waiting.values_list("pk", flat=True))
    QualityRun.objects.filter(pk__in=run_ids).update(error="")
    return sum(_run_send(run_id) for run_id in run_ids)


@stale_handler(QUALITY_RUN_LEASE)
def quality_run_stopped(run_id: int) -> None:
    """The worker running the check died (no heartbeat for minutes): the run is failed, so that it no longer stands
    as "under way" and "Check now" starts a new one (the run needs nothing from the user; the rules already done are
    upserts that the next run writes again or leaves as they are). The nightly run is the next night's."""
    QualityRun.objects.filter(pk=run_id, status__in=(QualityRunStatus.QUEUED, QualityRunStatus.RUNNING)).update(
        status=QualityRunStatus.FAILED, error=worker_stopped_message(), finished_at=timezone.now()
    )


def quality_check_run(*, run: QualityRun, rules: list[Rule] | None = None, today=None) -> None:
    """Run ``rules`` (default: every rule) for the whole district and record what they find.

    Each rule commits on its own and advances ``run.rules_done``, so a page can show the progress; the
    problems no rule found are resolved, and each town scored, only once every rule has run.
    """
    rules = RULES if rules is None else rules
    today = today or timezone.localdate()
    with _one_run_at_a_time(), history_context(job="data_quality", quality_run=run.pk):
        run.refresh_from_db()
        if run.status == QualityRunStatus.DONE:
            return  # a redelivered task: the run is complete
        _run_update(
            run,
            status=QualityRunStatus.RUNNING,
            started_at=timezone.now(),
            finished_at=None,
            rules_total=len(rules),
            rules_done=0,
            error="",
        )
        try:
            _found_keys_reset()
            found_at = timezone.now()
            # Details are stored text: in the site's language, whoever started the run.
            with translation.override(settings.LANGUAGE_CODE):
                for done, rule in enumerate(rules, start=1):
                    with transaction.atomic():
                        _rule_apply(rule, today=today, found_at=found_at)
                        _run_update(run, rules_done=done)
            with transaction.atomic():
                _problems_resolve(ran=[rule.code for rule in rules], resolved_at=timezone.now())
                _town_scores_write(run=run)
                _run_update(run, status=QualityRunStatus.DONE, finished_at=timezone.now())
        except Exception:
            _run_update(
                run,
                status=QualityRunStatus.FAILED,
                finished_at=timezone.now(),
                error=traceback.format_exc()[-ERROR_MAX_CHARS:],
            )
            raise
        finally:
            _found_keys_drop()


def _run_update(run: QualityRun, **values) -> None:
    QualityRun.objects.filter(pk=run.pk).update(**values)
    for field, value in values.items():
        setattr(run, field, value)


@contextmanager
def _one_run_at_a_time():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


def _found_keys_reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {FOUND_KEYS_TABLE} (key varchar(100) PRIMARY KEY)")
        cursor.execute(f"TRUNCATE {FOUND_KEYS_TABLE}")


def _found_keys_drop() -> None:
    if connection.needs_rollback:
        return  # the enclosing transaction is broken; the table goes with the session
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FOUND_KEYS_TABLE}")


def _rule_apply(rule: Rule, *, today, found_at) -> None:
    """One statement: key the rule's rows, note the keys as found, and insert the new problems, reopen
    the resolved ones and refresh the changed ones; problems that did not change are not written."""
    rows_sql, rows_params = rule.rows(today=today).query.sql_with_params()
    quote = connection.ops.quote_name
    problems = quote(QualityProblem._meta.db_table)
    households = quote(Household._meta.db_table)
    villages = quote(Village._meta.db_table)
    statement = f"""
        WITH found AS (
            SELECT DISTINCT ON (key) key, household_id, member_id, detail
            FROM (
                SELECT %s::text || ':' || r.household_id || COALESCE(':' || r.member_id, '') AS key,
                       r.household_id, r.member_id, left(r.detail, {DETAIL_MAX_CHARS}) AS detail
                FROM ({rows_sql}) AS r
            ) AS keyed
            ORDER BY key, detail
        ), noted AS (
            INSERT INTO {FOUND_KEYS_TABLE} (key) SELECT key FROM found ON CONFLICT DO NOTHING
        )
        INSERT INTO {problems} AS problem
            (key, rule, problem_class, town_id, household_id, member_id, detail,
             first_found_at, last_found_at, resolved_at)
        SELECT found.key, %s, %s, village.town_id, found.household_id, found.member_id, found.detail,
               %s, %s, NULL
        FROM found
        JOIN {households} AS household ON household.id = found.household_id
        JOIN {villages} AS village ON village.id = household.village_id
        ON CONFLICT (key) DO UPDATE SET
            problem_class = EXCLUDED.problem_class,
            town_id = EXCLUDED.town_id,
            detail = EXCLUDED.detail,
            last_found_at = EXCLUDED.last_found_at,
            resolved_at = NULL
        WHERE problem.resolved_at IS NOT NULL
           OR problem.detail <> EXCLUDED.detail
           OR problem.town_id <> EXCLUDED.town_id
           OR problem.problem_class <> EXCLUDED.problem_class
    """
    params = [rule.code, *rows_params, rule.code, rule.problem_class.value, found_at, found_at]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _problems_resolve(*, ran: list[str], resolved_at) -> None:
    """Resolve the open problems of the rules that ran (and of rules that no longer exist) that no rule
    found this time. NOT EXISTS, not NOT IN: an anti-join stays fast with hundreds of thousands of keys."""
    problems = connection.ops.quote_name(QualityProblem._meta.db_table)
    with connection.cursor() as cursor:
        # Autovacuum never analyses a temporary table; the planner needs its size.
        cursor.execute(f"ANALYZE {FOUND_KEYS_TABLE}")
        cursor.execute(
            f"""
            UPDATE {problems} AS problem SET resolved_at = %s
            WHERE problem.resolved_at IS NULL
              AND (problem.rule = ANY(%s) OR problem.rule <> ALL(%s))
              AND NOT EXISTS (SELECT 1 FROM {FOUND_KEYS_TABLE} AS found WHERE found.key = problem.key)
            """,
            [resolved_at, ran, [rule.code for rule in RULES]],
        )


def _town_scores_write(*, run: QualityRun) -> None:
    """Every town's households, households with open problems and open problems, as this run leaves them."""
    open_problems = QualityProblem.objects.filter(town=OuterRef("pk"), resolved_at__isnull=True).order_by()
    towns = Town.objects.annotate(
        n_households=_count(Household.objects.filter(village__town=OuterRef("pk")), "village__town"),
        n_with_problems=_count(open_problems, "town", distinct="household"),
        n_problems=_count(open_problems, "town"),
    )
    TownQualityScore.objects.bulk_create(
        [
            TownQualityScore(
                run=run,
                town=town,
                households=town.n_households,
                households_with_problems=town.n_with_problems,
                problems=town.n_problems,
            )
            for town in towns
        ],
        update_conflicts=True,
        unique_fields=["run", "town"],
        update_fields=["households", "households_with_problems", "problems"],
    )


def _count(queryset, group_by: str, *, distinct: str = "pk"):
    counted = queryset.order_by().values(group_by).annotate(n=Count(distinct, distinct=distinct != "pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
