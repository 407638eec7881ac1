import pytest
from django.urls import reverse

from organisation.models import Village
from organisation.roles import Role
from organisation.scoping import Access, villages_scope
from tests.factories.organisation import VillageFactory
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db


def test_town_staff_sees_only_their_towns_villages(make_user, town, other_town):
    # given two towns with villages
    mine = VillageFactory.create_batch(3, town=town)
    VillageFactory.create_batch(2, town=other_town)
    user = make_user(Role.TOWN_STAFF, town=town)
    # when the scope is taken for a town-staff user
    visible = set(villages_scope(user))
    # then only the user's own town's villages are in it
    assert visible == set(mine)


def test_district_roles_see_every_village(make_user, town, other_town):
    VillageFactory.create_batch(2, town=town)
    VillageFactory.create_batch(2, town=other_town)
    for role in (Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT):
        assert villages_scope(make_user(role)).count() == 4


def test_village_clerk_sees_only_their_village(make_user, town):
    mine, _neighbour = VillageFactory.create_batch(2, town=town)
    clerk = make_user(Role.VILLAGE_CLERK, village=mine)
    assert list(villages_scope(clerk)) == [mine]


def test_audit_reads_everything_but_changes_no_village(make_user, village):
    auditor = make_user(Role.AUDIT)
    assert list(villages_scope(auditor, Access.VIEW)) == [village]
    assert not villages_scope(auditor, Access.CHANGE).exists()


def test_reassigning_a_post_withdraws_the_old_towns_reach(make_user, town, other_town):
    from organisation.services import staff_post_assign

    VillageFactory(town=town)
    theirs = VillageFactory(town=other_town)
    user = make_user(Role.TOWN_STAFF, town=town)
    staff_post_assign(user=user, role=Role.TOWN_STAFF, town=other_town)
    assert list(villages_scope(user)) == [theirs]


def test_user_without_post_sees_nothing(db, village):
    from tests.factories.organisation import UserFactory

    assert not villages_scope(UserFactory()).exists()


def test_village_list_page_lists_only_own_town(client, make_user, town, other_town):
    VillageFactory(town=town, name="本镇村")
    VillageFactory(town=other_town, name="外镇村")
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    page = client.get(reverse("organisation:village_list")).content.decode()
    assert "本镇村" in page
    assert "外镇村" not in page


def test_village_list_searches_and_paginates(client, office_user, town):
    VillageFactory.create_batch(30, town=town)
    VillageFactory(town=town, name="独一无二村")
    client.force_login(office_user)
    first = client.get(reverse("organisation:village_list"))
    assert first.context["page_obj"].paginator.count == 31
    assert len(first.context["object_list"]) == 25
    found = client.get(reverse("organisation:village_list"), {"q": "独一无二"})
    assert [v.name for v in found.context["object_list"]] == ["独一无二村"]


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK])
@pytest.mark.parametrize("name", ["organisation:village_detail", "organisation:village_update"])
def test_another_towns_user_cannot_open_a_village(client, village, role, name):
    assert_other_town_refused(client, reverse(name, args=[village.pk]), role=role)


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_another_towns_user_cannot_change_a_village(client, village, role):
    assert_other_town_refused(
        client,
        reverse("organisation:village_update", args=[village.pk]),
        role=role,
        method="post",
        data={"name": "改名村"},
    )
    village.refresh_from_db()
    assert village.name != "改名村"


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_another_towns_user_cannot_open_a_town(client, town, role):
    assert_other_town_refused(client, reverse("organisation:town_detail", args=[town.pk]), role=role)


def test_town_staff_changes_own_village_and_history_names_them(client, make_user, village):
    user = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(user)
    response = client.post(
        reverse("organisation:village_update", args=[village.pk]), {"name": "新名村", "is_key_village": "on"}
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.is_key_village) == ("新名村", True)
    event = village.events.order_by("-pgh_id").first()
    assert event.pgh_context["user"] == user.pk


def test_village_clerk_may_view_but_the_form_refuses_an_empty_name(client, make_user, village):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    response = client.post(reverse("organisation:village_update", args=[village.pk]), {"name": ""})
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert Village.objects.get(pk=village.pk).name == village.name


def test_anonymous_is_sent_to_login(client, village):
    response = client.get(reverse("organisation:village_detail", args=[village.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
