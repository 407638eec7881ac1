"""Sending notices: one per recipient and key, e-mailed once the transaction commits to those with an address."""

import pytest
from django.core import mail
from django.test import override_settings

from notifications.models import Notification
from notifications.services import Notice, notices_send, notification_mark_read, staff_of
from organisation.roles import Role
from tests.factories.organisation import UserFactory

pytestmark = pytest.mark.django_db


def notice(key: str, *users, url: str = "/funds/overdue/") -> Notice:
    return Notice(
        key=key,
        subject=f"主题 {key}",
        body="拨付逾期",
        url=url,
        recipient_ids=frozenset(user.pk for user in users),
    )


def test_each_recipient_gets_one_notice_and_a_second_send_writes_nothing(django_capture_on_commit_callbacks):
    # given two users, one with an e-mail address
    with_address = UserFactory(email="finance@lanshan.example")
    without_address = UserFactory()
    # when the same notice is sent twice
    with django_capture_on_commit_callbacks(execute=True):
        first = notices_send([notice("funds.transfer.overdue:1", with_address, without_address)])
    with django_capture_on_commit_callbacks(execute=True):
        second = notices_send([notice("funds.transfer.overdue:1", with_address, without_address)])
    # then each user has it once, and only the user with an address got it, once, by e-mail
    assert (first, second) == (2, 0)
    assert Notification.objects.filter(key="funds.transfer.overdue:1").count() == 2
    assert [message.to for message in mail.outbox] == [["finance@lanshan.example"]]


@override_settings(SITE_URL="https://fupin.lanshan.example/")
def test_the_e_mail_carries_the_text_and_a_full_link(django_capture_on_commit_callbacks):
    user = UserFactory(email="office@lanshan.example")
    with django_capture_on_commit_callbacks(execute=True):
        notices_send([notice("k:1", user, url="/funds/transfers/7/")])
    (message,) = mail.outbox
    assert message.subject == "主题 k:1"
    assert message.body == "拨付逾期\n\nhttps://fupin.lanshan.example/funds/transfers/7/"


def test_nothing_is_mailed_when_the_transaction_is_rolled_back(django_capture_on_commit_callbacks):
    user = UserFactory(email="office@lanshan.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notices_send([notice("k:2", user)])
    # the mail waits for the commit: nothing went out before it
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_notice_already_sent_to_one_user_still_reaches_a_new_one():
    first, second = UserFactory(), UserFactory()
    notices_send([notice("k:3", first)])
    assert notices_send([notice("k:3", first, second)]) == 1
    assert set(Notification.objects.filter(key="k:3").values_list("recipient_id", flat=True)) == {first.pk, second.pk}


def test_an_empty_batch_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notices_send([]) == 0
        assert notices_send([notice("k:4")]) == 0


def test_staff_of_gives_the_active_users_of_a_role_by_town(make_user, town, other_town):
    # given finance office users in two towns (one inactive), a district finance user and town staff
    finance = make_user(Role.TOWN_FINANCE, town=town)
    other_finance = make_user(Role.TOWN_FINANCE, town=other_town)
    make_user(Role.TOWN_FINANCE, town=town, is_active=False)
    district = make_user(Role.DISTRICT_FINANCE)
    make_user(Role.TOWN_STAFF, town=town)
    roles = [Role.TOWN_FINANCE, Role.DISTRICT_FINANCE]
    # then all of them by town, district posts under None
    assert staff_of(roles=roles) == {town.pk: {finance.pk}, other_town.pk: {other_finance.pk}, None: {district.pk}}
    # and narrowed to one town, the district posts stay
    assert staff_of(roles=roles, town_ids=[town.pk]) == {town.pk: {finance.pk}, None: {district.pk}}


def test_marking_read_touches_only_the_users_own_notices():
    reader, other = UserFactory(), UserFactory()
    notices_send([notice("k:5", reader, other), notice("k:6", reader)])
    own = Notification.objects.get(recipient=reader, key="k:5")
    someone_elses = Notification.objects.get(recipient=other, key="k:5")
    # naming another user's notice marks nothing of theirs
    assert notification_mark_read(user=reader, notification_ids=[someone_elses.pk]) == 0
    assert notification_mark_read(user=reader, notification_ids=[own.pk]) == 1
    assert notification_mark_read(user=reader) == 1  # the one left unread
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
