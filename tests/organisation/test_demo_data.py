import io

import pytest
from django.core.management import call_command

from history.models import Seal
from organisation.models import StaffPost, Town, TownKind, Village
from organisation.roles import Role
from organisation.scoping import villages_scope

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo_data", stdout=io.StringIO())


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
