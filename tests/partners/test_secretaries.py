"""A village has at most one serving first secretary at a time (point 15): the service refuses an overlapping term
with the serving secretary's name, the database refuses whatever bypasses the service, and two appointments at the
same moment let exactly one through."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from organisation.roles import Role
from partners.models import FirstSecretary
from partners.services.secretaries import secretary_appoint, secretary_term_end
from tests.concurrency import run_together
from tests.factories.organisation import VillageFactory
from tests.permission_checks import assert_other_town_refused

START = dt.date(2019, 3, 1)


def appoint(user, village, name="刘洋", starts_on=START, ends_on=None):
    return secretary_appoint(
        user=user, village=village, name=name, unit="区财政局", post="科员", starts_on=starts_on, ends_on=ends_on
    )


@pytest.mark.english
def test_a_second_secretary_overlapping_the_serving_one_is_refused_with_the_serving_ones_name(make_user, village):
    # given a first secretary serving the village since March 2019
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    appoint(staff, village)
    # when a second one is appointed from June 2019
    with pytest.raises(ValidationError) as refused:
        appoint(staff, village, name="王磊", starts_on=dt.date(2019, 6, 1))
    # then it is refused, naming the serving secretary, and nothing is written
    assert "刘洋, from 2019-03-01 to now" in refused.value.message_dict["starts_on"][0]
    assert FirstSecretary.objects.filter(village=village).count() == 1


def test_the_next_secretary_may_start_the_day_after_the_term_ends(make_user, village):
    # given a first secretary whose term ended on 2019-12-31
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    first = appoint(staff, village)
    secretary_term_end(user=staff, secretary=first, ends_on=dt.date(2019, 12, 31))
    # when the next one starts on 2020-01-01, and one more starts elsewhere at the same time
    appoint(staff, village, name="王磊", starts_on=dt.date(2020, 1, 1))
    appoint(staff, VillageFactory(town=village.town), name="赵敏", starts_on=dt.date(2020, 1, 1))
    # then both are recorded; the same day twice is an overlap
    with pytest.raises(ValidationError):
        appoint(staff, village, name="孙磊", starts_on=dt.date(2019, 12, 31), ends_on=dt.date(2019, 12, 31))
    assert FirstSecretary.objects.filter(village=village).count() == 2


def test_the_database_refuses_an_overlapping_secretary_written_past_the_service(make_user, village):
    # given a serving first secretary
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    appoint(staff, village)
    # when a second, overlapping one is written directly
    with pytest.raises(IntegrityError, match="partners_secretary_one_per_village"), transaction.atomic():
        FirstSecretary.objects.bulk_create(
            [
                FirstSecretary(
                    village=village, name="王磊", unit="区教体局", post="科员", starts_on=dt.date(2020, 1, 1),
                    recorded_by=staff,
                )
            ]
        )  # fmt: skip
    # then only the first is there
    assert FirstSecretary.objects.filter(village=village).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_appointments_to_one_village_let_exactly_one_through(make_user, village):
    # given a village without a first secretary, and two people who may appoint one
    office, staff = make_user(Role.DISTRICT_OFFICE), make_user(Role.TOWN_STAFF, town=village.town)
    # when both appoint one at the same moment
    outcomes = run_together(
        lambda: appoint(office, village, name="刘洋"),
        lambda: appoint(staff, village, name="王磊", starts_on=dt.date(2019, 5, 1)),
    )
    # then exactly one is serving, and the other was refused in words
    assert outcomes.count("done") == 1
    [refusal] = [outcome for outcome in outcomes if outcome != "done"]
    assert refusal.startswith("The village already has a serving first secretary at that time")
    assert FirstSecretary.objects.filter(village=village).count() == 1


def test_villages_without_a_secretary_the_district_sees_all_and_a_town_its_own(
    client, make_user, village, other_village
):
    # given two key villages in two towns, one with a serving first secretary, and a third key village without one
    village.is_key_village = other_village.is_key_village = True
    village.save()
    other_village.save()
    missing_here = VillageFactory(town=village.town, is_key_village=True)
    VillageFactory(town=village.town, is_key_village=False)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    appoint(staff, village, starts_on=dt.date(2019, 1, 1))
    url = reverse("partners:villages_without_secretary")
    # when the district office and the town's staff open the list
    client.force_login(make_user(Role.DISTRICT_OFFICE))
    district = [row.name for row in client.get(url).context["object_list"]]
    client.force_login(staff)
    town = [row.name for row in client.get(url).context["object_list"]]
    # then the district sees every key village without one, the town its own
    assert sorted(district) == sorted([missing_here.name, other_village.name])
    assert town == [missing_here.name]


def test_a_secretarys_pages_refuse_another_town(client, make_user, village):
    # given a first secretary of the village
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    secretary = appoint(staff, village)
    # then another town's staff cannot open it, end its term or add to its team, nor open the village's partners
    assert_other_town_refused(client, reverse("partners:secretary_detail", args=[secretary.pk]), role=Role.TOWN_STAFF)
    assert_other_town_refused(
        client,
        reverse("partners:secretary_end", args=[secretary.pk]),
        role=Role.TOWN_STAFF,
        method="post",
        data={"ends_on": "2020-01-01"},
    )
    assert_other_town_refused(
        client,
        reverse("partners:team_member_add", args=[secretary.pk]),
        role=Role.TOWN_STAFF,
        method="post",
        data={"name": "赵敏", "unit": "镇政府"},
    )
    assert_other_town_refused(client, reverse("partners:village_partners", args=[village.pk]), role=Role.VILLAGE_CLERK)
    assert secretary.team.count() == 0
