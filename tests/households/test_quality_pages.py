"""The data-quality pages: scorecard, problem list, a town's trend, rules, "check now" and its progress,
and the household page's section; each refused to another town's users."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from households.models import ProblemClass, QualityProblem, QualityRun, QualityRunStatus, TownQualityScore
from households.tasks import check_data_quality
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory
from tests.households.pages import household_page
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db

STRANGER_ROLES = [Role.TOWN_STAFF, Role.VILLAGE_CLERK]


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def town_staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def problem_make(household, *, rule="cadre_missing", problem_class=ProblemClass.FILE, resolved=False, detail=None):
    now = timezone.now()
    return QualityProblem.objects.create(
        key=f"{rule}:{household.pk}",
        rule=rule,
        problem_class=problem_class,
        town=household.village.town,
        household=household,
        detail=detail or f"No assistance cadre is assigned to {household.file_number}.",
        first_found_at=now,
        last_found_at=now,
        resolved_at=now if resolved else None,
    )


def run_done(*towns_and_scores) -> QualityRun:
    run = QualityRun.objects.create(status=QualityRunStatus.DONE, finished_at=timezone.now(), rules_total=3)
    for town, households, with_problems, problems in towns_and_scores:
        TownQualityScore.objects.create(
            run=run, town=town, households=households, households_with_problems=with_problems, problems=problems
        )
    return run


@pytest.fixture
def problems(village, other_village):
    """One open problem in each town, and a resolved one in ours."""
    here = HouseholdFactory(village=village, file_number="WG-0001")
    there = HouseholdFactory(village=other_village, file_number="FC-0001")
    resolved = HouseholdFactory(village=village, file_number="WG-0002")
    return {
        "here": problem_make(here),
        "there": problem_make(there),
        "resolved": problem_make(resolved, rule="housing_not_appraised", resolved=True),
    }


# The scorecard


def test_the_office_sees_every_towns_scorecard_with_its_rate(client, office_user, town, other_town):
    run_done((town, 8, 1, 2), (other_town, 3, 0, 0))
    run_done((town, 8, 2, 3), (other_town, 3, 0, 0))
    client.force_login(office_user)
    response = client.get(reverse("households:quality_overview"))
    assert response.status_code == 200
    rows = {row["card"].town: row for row in response.context["rows"]}
    assert rows[town]["card"].latest.error_rate == 25
    assert rows[town]["sparkline"]  # two runs draw a line
    assert rows[other_town]["card"].latest.problems == 0
    html = response.content.decode()
    assert "25.00%" in html and "+12.50" in html and "<polyline" in html


def test_town_staff_see_only_their_towns_scorecard(client, town_staff, town, other_town):
    run_done((town, 8, 1, 2), (other_town, 3, 1, 1))
    client.force_login(town_staff)
    response = client.get(reverse("households:quality_overview"))
    assert [row["card"].town for row in response.context["rows"]] == [town]
    assert other_town.name not in response.content.decode()


def test_a_towns_page_shows_its_trend(client, town_staff, town):
    run_done((town, 4, 2, 2))
    run_done((town, 4, 1, 1))
    client.force_login(town_staff)
    response = client.get(reverse("households:quality_town", args=[town.pk]))
    assert response.status_code == 200
    assert [point.error_rate for point in response.context["points_newest_first"]] == [25, 50]
    assert "25.00%" in response.content.decode()


@pytest.mark.parametrize("role", STRANGER_ROLES)
def test_a_towns_page_is_refused_to_another_town(client, town, role):
    run_done((town, 4, 2, 2))
    assert_other_town_refused(client, reverse("households:quality_town", args=[town.pk]), role=role)


# The problem list


def test_town_staff_see_only_their_towns_problems(client, town_staff, problems):
    client.force_login(town_staff)
    response = client.get(reverse("households:quality_problems"))
    assert list(response.context["object_list"]) == [problems["here"]]
    html = response.content.decode()
    assert "WG-0001" in html and "FC-0001" not in html
    assert reverse("households:household_detail", args=[problems["here"].household_id]) in html


def test_a_village_clerk_sees_only_their_villages_problems(client, make_user, village, problems):
    neighbour = HouseholdFactory(village=VillageFactory(town=village.town), file_number="WG-0100")
    problem_make(neighbour)
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    response = client.get(reverse("households:quality_problems"))
    assert list(response.context["object_list"]) == [problems["here"]]


def test_the_office_filters_problems_by_town_class_rule_state_and_file_number(
    client, office_user, other_town, problems
):
    client.force_login(office_user)
    url = reverse("households:quality_problems")

    def listed(**query):
        return set(client.get(url, query).context["object_list"])

    assert listed() == {problems["here"], problems["there"]}
    assert listed(town=other_town.pk) == {problems["there"]}
    assert listed(state="resolved") == {problems["resolved"]}
    assert listed(state="all", rule="housing_not_appraised") == {problems["resolved"]}
    assert listed(problem_class="exit") == set()
    assert listed(q="fc-00") == {problems["there"]}


def test_the_problem_list_is_paginated(client, office_user, village):
    for index in range(30):
        problem_make(HouseholdFactory(village=village, file_number=f"P-{index:03d}"))
    client.force_login(office_user)
    first = client.get(reverse("households:quality_problems"))
    second = client.get(reverse("households:quality_problems"), {"page": 2})
    assert (len(first.context["object_list"]), len(second.context["object_list"])) == (25, 5)
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("role", STRANGER_ROLES)
def test_the_problem_list_of_a_town_is_refused_to_another_town(client, town, problems, role):
    url = f"{reverse('households:quality_problems')}?town={town.pk}"
    assert_other_town_refused(client, url, role=role)


# The rules


@pytest.mark.english
def test_the_rules_page_explains_every_rule_and_counts_the_users_open_problems(client, town_staff, problems):
    client.force_login(town_staff)
    response = client.get(reverse("households:quality_rules"))
    html = response.content.decode()
    assert "id_number_invalid" in html and "GB 11643" in html and "How it is checked" in html
    counts = {entry["rule"].code: entry["open"] for group in response.context["classes"] for entry in group["rules"]}
    assert counts["cadre_missing"] == 1  # the other town's is not counted
    assert counts["housing_not_appraised"] == 0  # resolved


# Check now and its progress


def test_check_now_queues_one_run_after_commit_and_reuses_it_while_it_waits(
    client, town_staff, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(check_data_quality, "delay", lambda **kwargs: sent.append(kwargs))
    client.force_login(town_staff)
    url = reverse("households:quality_run_create")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:quality_overview")
    run = QualityRun.objects.get()
    assert (run.status, run.requested_by) == (QualityRunStatus.QUEUED, town_staff)
    assert sent == [{"run_id": run.pk}]
    # a second press while the run waits adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert QualityRun.objects.count() == 1
    assert len(sent) == 1
    # and the page shows its progress, polled every second
    html = client.get(reverse("households:quality_overview")).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert reverse("households:quality_run_progress", args=[run.pk]) in html


def test_check_now_from_a_towns_page_returns_there(client, town_staff, town, monkeypatch):
    monkeypatch.setattr(check_data_quality, "delay", lambda **kwargs: None)
    client.force_login(town_staff)
    response = client.post(reverse("households:quality_run_create"), {"town": town.pk})
    assert response["Location"] == reverse("households:quality_town", args=[town.pk])


def test_check_now_is_for_the_office_and_town_staff_only(client, make_user, village):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    assert client.post(reverse("households:quality_run_create")).status_code == 403
    assert not QualityRun.objects.exists()


@pytest.mark.parametrize("role", STRANGER_ROLES)
def test_check_now_for_another_town_is_refused(client, town, role):
    assert_other_town_refused(
        client, reverse("households:quality_run_create"), role=role, method="post", data={"town": town.pk}
    )
    assert not QualityRun.objects.exists()


def test_progress_is_polled_until_the_run_is_done(client, town_staff):
    run = QualityRun.objects.create(requested_by=town_staff, status=QualityRunStatus.RUNNING, rules_total=18)
    QualityRun.objects.filter(pk=run.pk).update(rules_done=9)
    client.force_login(town_staff)
    url = reverse("households:quality_run_progress", args=[run.pk])
    running = client.get(url, headers={"hx-request": "true"})
    html = running.content.decode()
    assert 'hx-trigger="every 1s"' in html and "rule 9 of 18" in html and "width: 50%" in html
    assert "HX-Refresh" not in running
    QualityRun.objects.filter(pk=run.pk).update(status=QualityRunStatus.DONE, finished_at=timezone.now())
    done = client.get(url, headers={"hx-request": "true"})
    assert "hx-trigger" not in done.content.decode()
    assert done["HX-Refresh"] == "true"


@pytest.mark.parametrize("role", STRANGER_ROLES)
def test_the_progress_of_a_towns_run_is_refused_to_another_town(client, town_staff, role):
    run = QualityRun.objects.create(requested_by=town_staff)
    assert_other_town_refused(client, reverse("households:quality_run_progress", args=[run.pk]), role=role)


def test_a_nightly_run_is_watched_by_every_town(client, make_user, other_town):
    run = QualityRun.objects.create(status=QualityRunStatus.RUNNING)
    client.force_login(make_user(Role.TOWN_STAFF, town=other_town))
    assert client.get(reverse("households:quality_run_progress", args=[run.pk])).status_code == 200


# The household page


def test_the_household_page_lists_its_open_problems(client, town_staff, problems):
    client.force_login(town_staff)
    html = household_page(client, problems["here"].household_id)
    assert "Data quality" in html
    assert problems["here"].detail in html
    assert f'data-key="{problems["here"].key}"' in html


def test_a_household_without_open_problems_says_so(client, town_staff, problems):
    client.force_login(town_staff)
    assert 'data-testid="household-quality-clean"' in household_page(client, problems["resolved"].household_id)


def test_a_failed_runs_error_is_shown_to_the_office_only(client, office_user, town_staff):
    run = QualityRun.objects.create(
        requested_by=town_staff, status=QualityRunStatus.FAILED, finished_at=timezone.now(), error="Traceback: boom"
    )
    url = reverse("households:quality_run_progress", args=[run.pk])
    client.force_login(town_staff)
    assert "Traceback: boom" not in client.get(url).content.decode()
    client.force_login(office_user)
    assert "Traceback: boom" in client.get(url).content.decode()
