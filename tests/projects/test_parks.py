"""Industrial parks (point 1): one per town within three years; each town's parks and their projects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisation.roles import Role
from projects.selectors import parks as selectors
from projects.services import parks as services
from tests.factories.organisation import TownFactory
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def park_in(user, town, name="汪沟镇现代农业扶贫产业园", established_on=dt.date(2019, 4, 1), **fields):
    return services.park_create(user=user, town=town, name=name, established_on=established_on, **fields)


def test_the_target_is_one_park_per_town_by_the_end_of_2020():
    # then the target date is the end of 2020
    assert selectors.PARK_TARGET_YEAR == 2020
    assert dt.date(2020, 12, 31) == selectors.PARK_TARGET_DATE


def test_town_staff_add_a_park_of_their_town_and_the_district_of_any(staff, office_user, town, other_town):
    # when the town staff add a park of their town
    park = park_in(staff, town, area_mu=Decimal("320.5"), leading_industry="金银花")
    # then it is the town's, with its area
    assert (park.town, park.area_mu) == (town, Decimal("320.5"))
    # and they may not add one of another town, which the office may
    with pytest.raises(PermissionDenied):
        park_in(staff, other_town, name="方城镇扶贫产业园")
    assert park_in(office_user, other_town, name="方城镇扶贫产业园").town == other_town


def test_a_park_name_is_used_once_in_a_town(staff, town):
    # given a park of the town
    park_in(staff, town)
    # when another of its name is added
    with pytest.raises(ValidationError) as refused:
        park_in(staff, town)
    # then the name is refused
    assert "name" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.TOWN_STATION, Role.TOWN_FINANCE])
def test_other_posts_do_not_keep_parks(make_user, town, role):
    # then a station or finance office may not add a park
    with pytest.raises(PermissionDenied):
        park_in(make_user(role, town=town), town)


def test_park_update_keeps_its_town_and_refuses_another_towns_staff(staff, make_user, town, other_town):
    # given a park of the town
    park = park_in(staff, town)
    # when the staff rename it
    services.park_update(user=staff, park=park, name="汪沟镇金银花产业园", established_on=dt.date(2019, 4, 1))
    # then it keeps its town
    park.refresh_from_db()
    assert (park.name, park.town) == ("汪沟镇金银花产业园", town)
    # and another town's staff may not change it
    with pytest.raises(PermissionDenied):
        services.park_update(
            user=make_user(Role.TOWN_STAFF, town=other_town), park=park, name="x", established_on=dt.date(2019, 4, 1)
        )


def test_a_project_joins_a_park_of_its_own_town(staff, office_user, town, other_town):
    # given a park of the town
    park = park_in(staff, town)
    project = ProjectFactory(town=town)
    # when a project of the town joins it
    services.project_assign_park(user=staff, project=project, park=park)
    # then it is in the park
    project.refresh_from_db()
    assert project.park == park
    # and a project of another town may not join it
    elsewhere = ProjectFactory(town=other_town)
    with pytest.raises(ValidationError) as refused:
        services.project_assign_park(user=office_user, project=elsewhere, park=park)
    assert "park" in refused.value.message_dict
    # when the project leaves the park, it is in none
    services.project_assign_park(user=staff, project=project, park=None)
    project.refresh_from_db()
    assert project.park is None


def test_towns_with_no_park_yet_against_the_target(staff, office_user, town, other_town):
    # given a park in one town, established in 2019, with two projects
    park = park_in(staff, town, established_on=dt.date(2019, 4, 1))
    for _ in range(2):
        ProjectFactory(town=town, park=park)

    # when the office reads the parks by town in 2020: the other town has none yet, the target date is still ahead
    overview = selectors.parks_by_town(office_user, dt.date(2020, 6, 1))
    rows = {row.town: row for row in overview.rows}
    assert rows[town].project_count == 2
    assert [(p.name, p.project_count) for p in rows[town].parks] == [(park.name, 2)]
    assert other_town in overview.towns_without and town not in overview.towns_without
    assert not overview.past_target
    # then in 2021 it has missed the target
    assert selectors.parks_by_town(office_user, dt.date(2021, 1, 1)).past_target
    # before the park was established, its town had none either
    assert town in selectors.parks_by_town(office_user, dt.date(2019, 1, 1)).towns_without
    # a town's staff see their own town only
    assert [row.town for row in selectors.parks_by_town(staff, dt.date(2020, 6, 1)).rows] == [town]


def test_parks_by_town_takes_the_same_queries_for_more_towns_and_parks(office_user, town):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            overview = selectors.parks_by_town(office_user, dt.date(2025, 1, 1))
            [park.project_count for row in overview.rows for park in row.parks]
        return len(captured)

    # given a park
    park_in(office_user, town)
    few = queries()
    # when three towns with a park and a project are added
    for n in range(3):
        extra_town = TownFactory()
        ProjectFactory(town=extra_town, park=park_in(office_user, extra_town, name=f"园区{n}"))
    # then the overview costs the same queries
    assert queries() == few
