"""The notification list, the unread count in the navigation bar, opening and marking read: a user's own only."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.permissions import notifications_scope
from notifications.selectors import unread_count
from notifications.services import Notice, notices_send
from organisation.roles import Role
from tests.factories.organisation import UserFactory

pytestmark = [pytest.mark.english, pytest.mark.django_db]

LIST = reverse("notifications:list")


def send(key: str, user, *, subject: str = "", url: str = "/funds/overdue/") -> Notification:
    notices_send([Notice(key=key, subject=subject or key, body="正文", url=url, recipient_ids=frozenset({user.pk}))])
    return Notification.objects.get(key=key, recipient=user)


@pytest.fixture
def reader(make_user, town):
    return make_user(Role.TOWN_FINANCE, town=town)


@pytest.fixture
def other(make_user, town):
    """A user of the same town and role: still nobody else's notices."""
    return make_user(Role.TOWN_FINANCE, town=town)


def test_the_list_shows_the_users_own_notices_newest_first_with_the_unread_count(client, reader, other):
    send("k:1", reader, subject="拨付逾期 第一条")
    send("k:2", reader, subject="拨付逾期 第二条")
    send("k:3", other, subject="别人的通知")
    client.force_login(reader)
    response = client.get(LIST)
    assert [notice.subject for notice in response.context["object_list"]] == ["拨付逾期 第二条", "拨付逾期 第一条"]
    content = response.content.decode()
    assert "别人的通知" not in content
    assert '<span class="badge rounded-pill text-bg-danger" data-testid="unread-count">2</span>' in content


def test_the_list_searches_and_shows_unread_only(client, reader):
    send("k:1", reader, subject="月报逾期")
    read = send("k:2", reader, subject="拨付逾期")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(reader)
    assert [n.key for n in client.get(LIST, {"q": "月报"}).context["object_list"]] == ["k:1"]
    assert [n.key for n in client.get(LIST, {"unread": "1"}).context["object_list"]] == ["k:1"]


def test_opening_a_notice_marks_it_read_and_goes_to_its_record(client, reader):
    notice = send("k:1", reader, url="/funds/overdue/?town=1")
    client.force_login(reader)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert (response.status_code, response["Location"]) == (302, "/funds/overdue/?town=1")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(LIST).content.decode()


def test_a_link_to_another_site_is_not_followed(client, reader):
    notice = send("k:1", reader, url="https://example.com/phish")
    client.force_login(reader)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response["Location"] == LIST


def test_nobody_opens_or_sees_another_users_notice(client, reader, other, office_user, superuser):
    notice = send("k:1", reader)
    for stranger in (other, office_user, superuser):
        client.force_login(stranger)
        assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
        assert notice.subject not in client.get(LIST).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_the_users_own(client, reader, other):
    send("k:1", reader)
    send("k:2", reader)
    theirs = send("k:3", other)
    client.force_login(reader)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_inactive_user_sees_no_notice(reader):
    send("k:1", reader)
    reader.is_active = False
    assert not notifications_scope(reader).exists()
    assert unread_count(user=reader) == 0


def test_anonymous_users_are_sent_to_login(client):
    assert client.get(LIST)["Location"].startswith(reverse("login"))


def test_users_without_a_post_have_their_own_list_too(client):
    user = UserFactory()
    send("k:1", user, subject="系统通知")
    client.force_login(user)
    assert "系统通知" in client.get(LIST).content.decode()
