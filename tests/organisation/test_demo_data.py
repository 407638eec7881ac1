import io

import pytest
from django.core.management import call_command

from history.models import Seal
from organisation.models import StaffPost, Town, TownKind, Village
from organisation.roles import Role
from organisation.scoping import villages_scope

pytestmark = pytest.mark.django_db


def load():
    # One month of figures: no test here reads a trend, and each month costs seconds.
    call_command("load_demo_data", "--figure-months", "1", stdout=io.StringIO())


def test_demo_data_loads_every_town_with_villages_and_one_user_per_role():
    load()
    assert Town.objects.count() == 15
    assert set(Town.objects.values_list("kind", flat=True)) == set(TownKind.values)
    for town in Town.objects.all():
        assert town.villages.filter(is_demo=True).count() >= 18, town.name
    assert sorted(StaffPost.objects.filter(is_demo=True).values_list("role", flat=True)) == sorted(Role.values)


def test_demo_data_twice_changes_nothing():
    load()
    counts = (Town.objects.count(), Village.objects.count(), StaffPost.objects.count(), Seal.objects.count())
    load()
    assert (Town.objects.count(), Village.objects.count(), StaffPost.objects.count(), Seal.objects.count()) == counts


def test_demo_town_staff_reaches_only_wanggou():
    load()
    user = StaffPost.objects.get(user__username="demo_town").user
    assert set(villages_scope(user).values_list("town__name", flat=True)) == {"汪沟镇"}


def test_district_office_may_edit_reference_data_in_the_admin(client):
    load()
    office = StaffPost.objects.get(user__username="demo_office").user
    assert office.is_staff
    assert office.has_perm("organisation.change_village")
    assert not StaffPost.objects.get(user__username="demo_town").user.is_staff
    client.force_login(office)
    assert client.get("/admin/organisation/village/").status_code == 200


def test_the_demo_has_run_its_jobs_once():
    # given the demo loaded
    load()

    # then the data-quality check, the yield job and the scans have run, so the pages show what they found
    from audits.models import RectificationItem
    from households.models import QualityRun
    from projects.models import YieldAssessment

    assert QualityRun.objects.filter(status="done").count() == 1
    assert YieldAssessment.objects.exists()
    assert RectificationItem.objects.exists()


def test_the_demo_tells_a_true_story():
    # given the demo loaded (its jobs run once)
    load()

    from audits.models import RectificationItem
    from funds.models import Loan
    from households.models import Household, QualityProblem
    from organisation.periods import twelve_months_ending
    from projects.models import IncomeRecord, IndustryProject, ProjectStatus, YieldAssessment, YieldClass
    from projects.services.yields import default_period_end

    # then a few percent of the households have a data-quality problem to fix, not a third of them
    households = Household.objects.count()
    with_problems = QualityProblem.objects.filter(resolved_at__isnull=True).values("household").distinct().count()
    assert 0.01 * households <= with_problems <= 0.08 * households, (with_problems, households)

    # and every project operating since before the assessed twelve months is assessed, most above the 6% floor on
    # the income they recorded, a few below it
    period_start, period_end = twelve_months_ending(default_period_end())
    due = IndustryProject.objects.filter(status=ProjectStatus.OPERATING, operation_started_on__lte=period_start)
    assessed = YieldAssessment.objects.filter(period_end=period_end)
    assert due.count() >= 8
    assert set(assessed.values_list("project", flat=True)) == set(due.values_list("pk", flat=True))
    meeting = assessed.filter(classification=YieldClass.MEETING).count()
    assert meeting >= 0.7 * due.count(), (meeting, due.count())
    assert 1 <= due.count() - meeting <= 3
    assert IncomeRecord.objects.filter(project__in=due).values("project").distinct().count() == due.count()

    # and the loan book has loans at every stage, one of them late enough for the risk warning
    statuses = set(Loan.objects.values_list("status", flat=True))
    assert statuses >= {"applied", "approved", "rejected", "disbursed", "settled"}
    assert Loan.objects.filter(risk_band__gt=0).exists()

    # and the ledger holds the problems the scans found
    assert RectificationItem.objects.exists()

    # and a share of its items was fixed and closed off in the past through each step, so the dashboard's
    # rectification rate (computed by the demo load) is neither 0% nor everything
    from django.utils import timezone

    from audits.choices import ItemStatus
    from organisation.roles import Level
    from reporting.models import FigureValue

    today = timezone.localdate()
    closed = RectificationItem.objects.filter(status=ItemStatus.CLOSED)
    assert closed.count() >= 5
    for item in closed.prefetch_related("measures", "evidence"):
        assert item.raised_at.date() <= item.close_requested_at.date() <= item.closed_on < today, item.description
        assert item.evidence.exists() and all(measure.done_on for measure in item.measures.all())
        assert item.closed_by_id not in (item.responsible_user_id, item.close_requested_by_id)
    rate = FigureValue.objects.get(
        month=today.replace(day=1), level=Level.DISTRICT, indicator="ledger_rectification_rate"
    ).value
    assert 20 <= rate <= 60, rate


def test_no_demo_project_is_listed_under_a_village_it_does_not_name():
    # given the demo loaded
    load()

    # then a project whose name names a village of its town is listed under that village, and every village it is
    # listed under is in its town
    from projects.models import IndustryProject

    for project in IndustryProject.objects.prefetch_related("villages").select_related("town"):
        listed = set(project.villages.all())
        assert {village.town_id for village in listed} == {project.town_id}, project.name
        named = {village for village in Village.objects.filter(town=project.town) if village.name in project.name}
        assert named <= listed, (project.name, [village.name for village in listed])


def test_the_demo_load_run_twice_writes_nothing():
    # given the demo loaded once
    load()
    from django.db import connection

    from reporting.models import SummaryBuild

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_xact_user_tables")
            writes = cursor.fetchone()[0]
        return writes, Seal.objects.count(), list(SummaryBuild.objects.values_list("month", "built_at"))

    before = snapshot()

    # when it is loaded again
    load()

    # then no row was inserted, updated or deleted: no history sealed, no figure recomputed
    assert snapshot() == before
