"""The people-and-partners pages: each opens for who may use it, shows money with its separators, masks contacts,
and refuses another town's user on every record of a town or village."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from organisation.roles import Role
from partners.models import Department, PairingSupport, PlanTarget, SocialForce
from partners.services import forces, sectors, training
from tests.permission_checks import assert_other_town_refused

TODAY_LISTS = [
    "partners:department_list",
    "partners:pairing_list",
    "partners:secretary_list",
    "partners:villages_without_secretary",
    "partners:force_list",
    "partners:contribution_list",
    "partners:activity_list",
    "partners:commendation_list",
    "partners:responsibility_list",
    "partners:training_list",
    "partners:untrained",
    "partners:evaluation_list",
]
FORMS = [
    "partners:department_add",
    "partners:pairing_add",
    "partners:secretary_add",
    "partners:force_add",
    "partners:contribution_add",
    "partners:activity_add",
    "partners:commendation_add",
    "partners:rules_add",
    "partners:responsibility_add",
    "partners:training_add",
]


@pytest.fixture
def world(make_user, village):
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    department = Department.objects.create(name="区交通运输局")
    pairing = sectors.pairing_add(user=staff, department=department, village=village, starts_on=dt.date(2019, 1, 1))
    sectors.pairing_support_add(
        user=staff, pairing=pairing, kind="money", given_on=dt.date(2019, 2, 1), amount=Decimal("1234567.5")
    )
    force = forces.social_force_add(user=staff, name="临沂爱心志愿者协会", kind="organisation", phone="13905391234")
    contribution = forces.contribution_record(
        user=staff, force=force, kind="hours", given_on=dt.date(2019, 3, 1), town=village.town, village=village,
        hours=Decimal("12.5"),
    )  # fmt: skip
    session = training.training_record(
        user=staff, level="town", town=village.town, topic="policy", title="扶贫政策培训",
        held_on=dt.date(2019, 4, 1), staff=[staff],
    )  # fmt: skip
    return {"staff": staff, "pairing": pairing, "force": force, "contribution": contribution, "session": session}


@pytest.mark.django_db
@pytest.mark.parametrize("name", TODAY_LISTS + FORMS)
def test_every_list_and_form_opens_for_the_district_office(client, make_user, world, name):
    client.force_login(make_user(Role.DISTRICT_OFFICE))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", TODAY_LISTS)
def test_every_list_searches_sorts_and_ignores_an_unknown_sort(client, office_user, world, name):
    client.force_login(office_user)
    for params in ({"q": "区"}, {"sort": "-nonsense"}, {"sort": "name"}, {"sort": "-starts_on"}, {"page": "1"}):
        assert client.get(reverse(name), params).status_code == 200, params


def test_the_pairing_shows_its_money_with_separators_and_its_village_page_lists_it(client, world, village):
    # when the town's staff open the village's partners
    client.force_login(world["staff"])
    page = client.get(reverse("partners:village_partners", args=[village.pk])).content.decode()
    # then the pairing and its money, with separators, are there
    assert "区交通运输局" in page and "1,234,567.50" in page
    # and the village's own page links to it
    village_page = client.get(village.get_absolute_url()).content.decode()
    assert reverse("partners:village_partners", args=[village.pk]) in village_page


def test_a_social_forces_phone_is_masked(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("partners:force_detail", args=[world["force"].pk])).content.decode()
    assert "139****1234" in page and "13905391234" not in page
    listing = client.get(reverse("partners:force_list")).content.decode()
    assert "139****1234" in listing and "13905391234" not in listing


def test_the_records_of_a_village_refuse_another_towns_staff(client, world):
    pairing, session = world["pairing"], world["session"]
    assert_other_town_refused(client, reverse("partners:pairing_detail", args=[pairing.pk]), role=Role.TOWN_STAFF)
    assert_other_town_refused(
        client,
        reverse("partners:support_add", args=[pairing.pk]),
        role=Role.TOWN_STAFF,
        method="post",
        data={"kind": "money", "given_on": "2019-05-01", "amount": "100"},
    )
    assert_other_town_refused(
        client,
        reverse("partners:pairing_end", args=[pairing.pk]),
        role=Role.TOWN_STAFF,
        method="post",
        data={"ends_on": "2019-06-01"},
    )
    assert_other_town_refused(client, reverse("partners:training_detail", args=[session.pk]), role=Role.TOWN_STAFF)
    attendance = session.attendance.get()
    assert_other_town_refused(
        client, reverse("partners:attendance_mark", args=[attendance.pk]), role=Role.TOWN_STAFF, method="post"
    )
    assert PairingSupport.objects.filter(pairing=pairing).count() == 1


def test_another_towns_lists_do_not_show_this_towns_records(client, make_user, world, other_town):
    client.force_login(make_user(Role.TOWN_STAFF, town=other_town))
    for name in ("partners:pairing_list", "partners:contribution_list", "partners:training_list"):
        assert list(client.get(reverse(name)).context["object_list"]) == [], name


def test_the_district_pages_are_the_offices(client, make_user, town):
    # town staff read the department list but may not add a department or a target
    department = Department.objects.create(name="区教育和体育局")
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    assert client.get(reverse("partners:department_detail", args=[department.pk])).status_code == 200
    assert client.post(reverse("partners:department_add"), {"name": "区民政局"}).status_code == 403
    data = {"year": 2019, "measure": "新建道路", "unit": "公里", "target": "10"}
    assert client.post(reverse("partners:target_add", args=[department.pk]), data).status_code == 403
    assert not PlanTarget.objects.exists() and Department.objects.count() == 1


def test_the_department_page_shows_its_plan_progress(client, office_user, village):
    # given a department with a 2019 target of 10 km and 4 km done in two quarters
    department = Department.objects.create(name="区交通运输局")
    target = sectors.plan_target_add(
        user=office_user, department=department, year=2019, measure="硬化道路", unit="公里", target=Decimal("10")
    )
    sectors.target_progress_record(user=office_user, target=target, quarter=1, achieved=Decimal("1.5"))
    sectors.target_progress_record(user=office_user, target=target, quarter=2, achieved=Decimal("2.5"))
    # when the office opens the department
    client.force_login(office_user)
    page = client.get(department.get_absolute_url()).content.decode()
    # then the progress reads 4 of 10, 40.0 percent
    assert "4.00 公里" in page and "40.0" in page
    assert SocialForce.objects.count() == 0
