"""A data-quality run: problems upserted by their stable key, resolved and reopened, towns scored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from households.choices import HousingGrade
from households.models import (
    Household,
    Member,
    PovertyLine,
    QualityProblem,
    QualityRun,
    QualityRunStatus,
    TownQualityScore,
)
from households.quality_rules import RULES, Rule, rule_get
from households.selectors.quality import error_rate, quality_scorecards
from households.services.quality import quality_check_run, quality_run_create
from households.tasks import check_data_quality
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory
from tests.households.test_quality_rules import clean_household, member_add
from tests.permission_checks import history_head

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 6, 1)


@pytest.fixture(autouse=True)
def poverty_lines():
    for year, amount in {2016: "3000", 2017: "3300", 2018: "3500"}.items():
        PovertyLine.objects.create(year=year, amount=Decimal(amount))


def run_check(**kwargs) -> QualityRun:
    run = quality_run_create()
    quality_check_run(run=run, today=TODAY, **kwargs)
    run.refresh_from_db()
    return run


def open_keys() -> set[str]:
    return set(QualityProblem.objects.filter(resolved_at__isnull=True).values_list("key", flat=True))


def test_a_run_records_each_problem_under_its_stable_key(village):
    # given a clean household and one with no cadre and no house appraisal
    clean_household(village)
    household = clean_household(village, housing_grade="")
    household.cadre_assignments.all().delete()
    # when the check runs
    run = run_check()
    # then
    assert (run.status, run.rules_done, run.rules_total, run.error) == (
        QualityRunStatus.DONE,
        len(RULES),
        len(RULES),
        "",
    )
    assert run.started_at <= run.finished_at
    assert open_keys() == {f"cadre_missing:{household.pk}", f"housing_not_appraised:{household.pk}"}
    problem = QualityProblem.objects.get(key=f"cadre_missing:{household.pk}")
    assert (problem.rule, problem.problem_class, problem.town_id, problem.member_id) == (
        "cadre_missing",
        "file",
        village.town_id,
        None,
    )
    assert problem.first_found_at == problem.last_found_at


def test_a_member_problem_key_names_the_member(village):
    household = clean_household(village)
    child = member_add(household, relation="son", born=dt.date(2011, 1, 1))
    Member.objects.filter(pk=child.pk).update(school_stage="")
    run_check()
    problem = QualityProblem.objects.get(rule="school_age_without_stage")
    assert (problem.key, problem.member_id) == (f"school_age_without_stage:{household.pk}:{child.pk}", child.pk)


def test_running_twice_changes_nothing_and_writes_no_history(village):
    # given a first run that found problems
    household = clean_household(village, housing_grade="")
    household.cadre_assignments.all().delete()
    run_check()
    before = list(QualityProblem.objects.order_by("key").values())
    head = history_head()
    # when the check runs again over the same data
    run_check()
    # then the same records stand, untouched, and no history event was sealed for them
    assert list(QualityProblem.objects.order_by("key").values()) == before
    assert history_head() == head
    assert TownQualityScore.objects.filter(town=village.town).count() == 2


def test_a_fixed_problem_is_resolved_and_reopens_in_the_same_record(village):
    household = clean_household(village, housing_grade="")
    run_check()
    problem = QualityProblem.objects.get(key=f"housing_not_appraised:{household.pk}")
    # when the house is appraised and the check runs, the problem is resolved
    Household.objects.filter(pk=household.pk).update(housing_grade=HousingGrade.A)
    run_check()
    problem.refresh_from_db()
    assert problem.resolved_at is not None
    assert open_keys() == set()
    # when the grade is lost again, the same record reopens; when it was first found stays
    Household.objects.filter(pk=household.pk).update(housing_grade="")
    run_check()
    reopened = QualityProblem.objects.get(key=f"housing_not_appraised:{household.pk}")
    assert (reopened.pk, reopened.resolved_at, reopened.first_found_at) == (problem.pk, None, problem.first_found_at)
    assert reopened.last_found_at > problem.last_found_at
    assert QualityProblem.objects.count() == 1


def test_a_changed_detail_is_refreshed(village):
    household = clean_household(village)
    member_add(household, relation="spouse", born=dt.date(1971, 1, 1), female=True)
    member_add(household, relation="spouse", born=dt.date(1972, 1, 1), female=True)
    run_check()
    before = QualityProblem.objects.get(rule="spouse_more_than_one")
    member_add(household, relation="spouse", born=dt.date(1973, 1, 1), female=True)
    run_check()
    after = QualityProblem.objects.get(rule="spouse_more_than_one")
    assert (after.pk, after.resolved_at, after.first_found_at) == (before.pk, None, before.first_found_at)
    assert "2" in before.detail and "3" in after.detail
    assert after.last_found_at > before.last_found_at


def test_the_run_names_itself_in_the_history_of_what_it_wrote(village):
    household = clean_household(village, housing_grade="")
    run = run_check()
    event_model = apps.get_model("households", "QualityProblemEvent")
    event = event_model.objects.get(pgh_obj_id=QualityProblem.objects.get(household=household).pk)
    assert event.pgh_context["job"] == "data_quality"
    assert event.pgh_context["quality_run"] == run.pk


def test_a_run_of_some_rules_resolves_only_their_problems(village):
    household = clean_household(village, housing_grade="")
    household.cadre_assignments.all().delete()
    run_check()
    Household.objects.filter(pk=household.pk).update(housing_grade=HousingGrade.A)
    run_check(rules=[rule_get("cadre_missing")])
    # the housing problem was not checked this time, so it stays open
    assert open_keys() == {f"cadre_missing:{household.pk}", f"housing_not_appraised:{household.pk}"}


def test_a_failing_rule_fails_the_run_and_keeps_what_earlier_rules_found(village):
    household = clean_household(village, housing_grade="")

    def broken(*, today):
        raise RuntimeError("the archive room flooded")

    rules = [rule_get("housing_not_appraised"), Rule("broken", "file", "Broken", "Broken", broken)]
    run = quality_run_create()
    with pytest.raises(RuntimeError):
        quality_check_run(run=run, rules=rules, today=TODAY)
    run.refresh_from_db()
    assert (run.status, run.rules_done) == (QualityRunStatus.FAILED, 1)
    assert "the archive room flooded" in run.error
    assert open_keys() == {f"housing_not_appraised:{household.pk}"}
    assert not TownQualityScore.objects.filter(run=run).exists()


def test_a_completed_run_is_not_run_again(village):
    clean_household(village, housing_grade="")
    run = run_check()
    finished_at = run.finished_at
    quality_check_run(run=run, today=TODAY)
    run.refresh_from_db()
    assert run.finished_at == finished_at


def test_every_town_is_scored_with_its_error_count_and_rate(town, other_town, village, other_village, make_user):
    # given 4 households in town: 1 with two problems, 1 with one; other_town: 1 clean household
    second_village = VillageFactory(town=town)
    two_problems = clean_household(village, housing_grade="")
    two_problems.cadre_assignments.all().delete()
    one_problem = clean_household(second_village, housing_grade="")
    clean_household(village)
    clean_household(second_village)
    clean_household(other_village)
    # when the check runs
    run = run_check()
    # then
    score = TownQualityScore.objects.get(run=run, town=town)
    assert (score.households, score.households_with_problems, score.problems) == (4, 2, 3)
    other = TownQualityScore.objects.get(run=run, town=other_town)
    assert (other.households, other.households_with_problems, other.problems) == (1, 0, 0)
    assert one_problem.pk
    card = next(c for c in quality_scorecards(user=make_user(Role.DISTRICT_OFFICE)) if c.town == town)
    assert card.latest.error_rate == Decimal("50.00")
    assert card.latest.problems == 3


def test_the_scorecard_trend_follows_the_runs(town, village, make_user):
    households = [clean_household(village, housing_grade="") for _ in range(3)]
    run_check()
    Household.objects.filter(pk=households[0].pk).update(housing_grade=HousingGrade.A)
    run_check()
    card = quality_scorecards(user=make_user(Role.TOWN_STAFF, town=town))[0]
    assert [point.error_rate for point in card.points] == [Decimal("100.00"), Decimal("66.67")]
    assert card.rate_change == Decimal("-33.33")


@pytest.mark.parametrize(
    ("with_problems", "households", "rate"),
    [
        (0, 0, None),
        (0, 7, Decimal("0.00")),
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),
        (1, 8, Decimal("12.50")),
    ],
)
def test_error_rate_is_a_percentage_to_two_decimals(with_problems, households, rate):
    assert error_rate(with_problems, households) == rate


def test_the_task_body_runs_a_given_run_or_a_new_nightly_one(village):
    household = HouseholdFactory(village=village)
    run = quality_run_create()
    assert check_data_quality.apply(kwargs={"run_id": run.pk}).get() == run.pk
    nightly_id = check_data_quality.apply().get()
    nightly = QualityRun.objects.get(pk=nightly_id)
    assert (nightly.status, nightly.requested_by) == (QualityRunStatus.DONE, None)
    assert QualityProblem.objects.filter(household=household, resolved_at__isnull=True).exists()


def test_the_check_is_scheduled_every_night_at_half_past_two_shanghai_time():
    task = PeriodicTask.objects.get(task="households.tasks.check_data_quality")
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("30", "2", "Asia/Shanghai")
    assert task.enabled
