"""Each project's latest assessment on a day (``latest_assessments_on``) through ``YieldAssessment.superseded_on``,
which the table's triggers keep for every writer: checked against the definition (the assessment with the
greatest period end on or before the day) after the yield job, inserts out of order, deletions and moves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from history.selectors import event_models_of
from projects.models import YieldAssessment, YieldClass
from projects.selectors.income import latest_assessments_on
from projects.services.yields import yield_assessment_run
from tests.factories.projects import operating_project

pytestmark = pytest.mark.django_db

PERIODS = [dt.date(2024, 10, 31), dt.date(2024, 11, 30), dt.date(2024, 12, 31)]
DAYS = [
    dt.date(2024, 10, 30),
    dt.date(2024, 10, 31),
    dt.date(2024, 11, 15),
    dt.date(2024, 11, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 6, 1),
]


def assess(project, period_end, classification=YieldClass.IDLE):
    return YieldAssessment.objects.create(
        project=project,
        period_end=period_end,
        income=Decimal("0.00"),
        investment=Decimal("1000000.00"),
        yield_rate=Decimal("0"),
        classification=classification,
    )


def assessed_in_one_statement(projects, period_ends):
    YieldAssessment.objects.bulk_create(
        YieldAssessment(
            project=project,
            period_end=period_end,
            income=Decimal("0.00"),
            investment=Decimal("1000000.00"),
            classification=YieldClass.IDLE,
        )
        for project in projects
        for period_end in period_ends
    )


def latest_by_definition(day):
    """{project id: assessment id} of the assessment with the greatest period end on or before ``day``."""
    latest: dict[int, tuple[dt.date, int]] = {}
    for pk, project_id, period_end in YieldAssessment.objects.values_list("pk", "project_id", "period_end"):
        if period_end <= day and (project_id not in latest or period_end > latest[project_id][0]):
            latest[project_id] = (period_end, pk)
    return {project_id: pk for project_id, (_end, pk) in latest.items()}


def assert_latest_as_defined():
    for day in DAYS:
        found = dict(latest_assessments_on(day).values_list("project_id", "pk"))
        assert found == latest_by_definition(day), day


def superseded(project):
    return dict(YieldAssessment.objects.filter(project=project).values_list("period_end", "superseded_on"))


def test_the_yield_job_run_for_periods_out_of_order_keeps_each_days_latest(town):
    projects = [operating_project(town=town) for _ in range(3)]
    for period_end in (PERIODS[2], PERIODS[0], PERIODS[1]):  # the last period first, then the earlier ones
        yield_assessment_run(period_end=period_end)
    assert superseded(projects[0]) == {PERIODS[0]: PERIODS[1], PERIODS[1]: PERIODS[2], PERIODS[2]: None}
    assert_latest_as_defined()


def test_inserting_in_one_statement_deleting_and_moving_keep_each_days_latest(town):
    first, second = operating_project(town=town), operating_project(town=town)
    assessed_in_one_statement((first, second), list(reversed(PERIODS)))
    assert superseded(second) == {PERIODS[0]: PERIODS[1], PERIODS[1]: PERIODS[2], PERIODS[2]: None}
    assert_latest_as_defined()

    YieldAssessment.objects.filter(project=first, period_end=PERIODS[2]).delete()
    assert superseded(first) == {PERIODS[0]: PERIODS[1], PERIODS[1]: None}
    assert_latest_as_defined()

    # An assessment moved to another period, and another moved to the other project.
    YieldAssessment.objects.filter(project=second, period_end=PERIODS[0]).update(period_end=dt.date(2025, 1, 31))
    assert superseded(second) == {PERIODS[1]: PERIODS[2], PERIODS[2]: dt.date(2025, 1, 31), dt.date(2025, 1, 31): None}
    YieldAssessment.objects.filter(project=first, period_end=PERIODS[0]).update(project=second)
    assert superseded(first) == {PERIODS[1]: None}
    assert superseded(second)[PERIODS[0]] == PERIODS[1]
    assert_latest_as_defined()


def test_a_later_assessment_records_no_history_event_on_the_one_it_supersedes(town):
    project = operating_project(town=town)
    earlier = assess(project, PERIODS[0])
    (event_model,) = event_models_of(YieldAssessment)
    before = event_model.objects.filter(pgh_obj_id=earlier.pk).count()
    assess(project, PERIODS[1])
    earlier.refresh_from_db()
    assert earlier.superseded_on == PERIODS[1]
    assert event_model.objects.filter(pgh_obj_id=earlier.pk).count() == before
    assert "superseded_on" not in {field.name for field in event_model._meta.fields}


def test_the_latest_below_the_floor_are_read_through_the_index(town):
    """With two years of monthly assessments, the plan reads the latest ones through ``yield_superseded_class``,
    not by comparing each assessment with the project's others (an anti-join over the whole table)."""
    month_ends = [dt.date(2023 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1) for month in range(1, 25)]
    assessed_in_one_statement([operating_project(town=town) for _ in range(20)], month_ends)
    queryset = latest_assessments_on(month_ends[-1]).filter(classification__in=[YieldClass.IDLE])
    assert queryset.count() == 20
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {YieldAssessment._meta.db_table}")
        # A table this small is read whole however it is indexed; the test is which index the planner picks.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "yield_superseded_class" in plan
    assert "Anti Join" not in plan
