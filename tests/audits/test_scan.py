"""The daily ledger scan: every signal becomes one item, orders once per item and deadline, interview flags that
only an interview clears, look-back reminders, nothing more the second time, and a query count that stays put."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.choices import Category, ItemStatus, Source
from audits.models import LookBack, OrderItem, RectificationItem, SupervisionOrder
from audits.services.scan import ledger_scan
from audits.services.supervision import order_reply
from notifications.models import Notification
from organisation.roles import Role
from tests.factories.audits import (
    interview_held,
    item_closed,
    item_raised,
    item_requested,
    signals_of_each_kind,
    working_day_after,
)

KINDS = {
    "transfers": (Source.OVERDUE_TRANSFER, "transfer"),
    "reports": (Source.LATE_MONTHLY_REPORT, "monthly_report"),
    "findings": (Source.SUPERVISION_FINDING, "finding"),
    "quality_problems": (Source.DATA_QUALITY, "quality_problem"),
    "rectification_plans": (Source.WEAK_PROJECT, "rectification_plan"),
    "loans": (Source.LOAN_RISK, "loan"),
}


def counts() -> tuple[int, int, int, int]:
    return (
        RectificationItem.objects.count(),
        SupervisionOrder.objects.count(),
        OrderItem.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.django_db
def test_every_signal_kind_becomes_exactly_one_item(town, village, office, staff, clock):
    # given two records of each kind of signal
    records = signals_of_each_kind(town, village, office, 2)
    # when the scan runs
    result = ledger_scan()
    # then each record has one item of its source, in its town, numbered and due on the policy's deadline
    for kind, (source, field) in KINDS.items():
        assert getattr(result, kind) == 2
        for record in records[kind]:
            item = RectificationItem.objects.get(**{field: record})
            assert (item.source, item.town_id, item.status) == (source, town.pk, ItemStatus.OPEN)
            assert item.clock_start == clock.today and item.due_date > clock.today
            assert item.description and item.responsible_unit
    assert RectificationItem.objects.count() == 12
    problem = records["quality_problems"][0]
    assert RectificationItem.objects.get(quality_problem=problem).category == Category(problem.problem_class)
    assert set(
        RectificationItem.objects.filter(source=Source.OVERDUE_TRANSFER).values_list("category", flat=True)
    ) == {Category.FUNDS}
    # and the town's staff and the district office heard of them
    assert Notification.objects.filter(recipient=staff, key__startswith="audits.items.raised:").count() == 1
    assert Notification.objects.filter(recipient=office, key__startswith="audits.items.raised:").count() == 1


@pytest.mark.django_db
def test_a_second_scan_writes_and_notifies_nothing_more(town, village, office, staff, clock):
    # given signals of each kind, and an item of the town already past its deadline
    signals_of_each_kind(town, village, office, 3)
    late = item_raised(office, town)
    clock.set(working_day_after(late.due_date))
    first = ledger_scan()
    assert first.orders == 1 and first.notifications > 0
    before = counts()
    # when the scan runs again the same day
    second = ledger_scan()
    # then it found nothing to do: no row and no notice more
    assert set(second.as_dict().values()) == {0}
    assert counts() == before


@pytest.mark.django_db
def test_an_item_is_ordered_once_per_deadline(town, office, staff, auditor, clock):
    # given an item past its deadline
    item = item_raised(office, town)
    clock.set(working_day_after(item.due_date))
    # when the scan runs twice
    ledger_scan()
    ledger_scan()
    # then one automatic order covers it, for its deadline, and its town's staff were told
    order = SupervisionOrder.objects.get()
    assert order.automatic and order.town == town and order.issued_by is None
    assert list(order.order_items.values_list("item_id", "item_due_date")) == [(item.pk, item.due_date)]
    assert Notification.objects.filter(recipient=staff, key=f"audits.order:{order.pk}").exists()
    assert Notification.objects.filter(recipient=office, key=f"audits.order:{order.pk}").exists()

    # when an interview gives the item a new deadline, which passes too
    new_deadline = working_day_after(clock.today + dt.timedelta(days=10))
    interview_held(auditor, town, [item], clock.today, new_deadline)
    item.refresh_from_db()
    assert item.due_date == new_deadline
    clock.set(working_day_after(new_deadline))
    ledger_scan()
    ledger_scan()
    # then a second order covers it, once, for the new deadline
    assert SupervisionOrder.objects.count() == 2
    assert sorted(OrderItem.objects.filter(item=item).values_list("item_due_date", flat=True)) == sorted(
        [order.order_items.get().item_due_date, new_deadline]
    )


@pytest.mark.django_db
def test_the_interview_flag_is_set_after_an_unanswered_order_and_cleared_only_by_an_interview(
    town, office, staff, auditor, clock
):
    # given an item ordered by the scan
    item = item_raised(office, town)
    clock.set(working_day_after(item.due_date))
    ledger_scan()
    order = SupervisionOrder.objects.get()
    # when the reply deadline passes without a reply and the scan runs
    clock.set(working_day_after(order.due_date))
    result = ledger_scan()
    # then the item is flagged for an interview, once
    item.refresh_from_db()
    assert result.interview_flags == 1 and item.interview_due_since == clock.today
    flagged_on = clock.today
    clock.set(clock.today + dt.timedelta(days=1))
    assert ledger_scan().interview_flags == 0
    # when the town replies late, the flag stays
    order_reply(user=staff, order=order, reply="已整改一半")
    ledger_scan()
    item.refresh_from_db()
    assert item.interview_due_since == flagged_on
    # when the interview is recorded, the flag clears and does not come back for the old order
    interview_held(auditor, town, [item], clock.today, working_day_after(clock.today + dt.timedelta(days=10)))
    ledger_scan()
    item.refresh_from_db()
    assert item.interview_due_since is None


@pytest.mark.django_db
def test_a_look_back_due_is_reminded_to_its_verifier_once(town, office, staff, make_user, clock):
    # given an item closed off by the office, whose look-back comes due
    item = item_closed(staff, office, town)
    look_back = LookBack.objects.get(item=item)
    clock.set(look_back.due_date)
    # when the scan runs twice
    first, second = ledger_scan(), ledger_scan()
    # then the verifier was reminded once and the look-back says when
    look_back.refresh_from_db()
    assert (first.look_back_reminders, second.look_back_reminders) == (1, 0)
    assert look_back.reminded_at is not None
    assert Notification.objects.filter(recipient=office, key=f"audits.look_back.due:{look_back.pk}").count() == 1


@pytest.mark.django_db
def test_the_scan_costs_the_same_queries_for_3_and_30_records_of_each_kind(town, village, office, staff, clock):
    def queries_for(count: int, month_offset: int) -> int:
        signals_of_each_kind(town, village, office, count, month_offset=month_offset)
        late = [item_raised(office, town).pk for _index in range(count)]
        RectificationItem.objects.filter(pk__in=late).update(due_date=clock.today - dt.timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            result = ledger_scan()
        assert (result.transfers, result.loans, result.orders, result.ordered_items) == (count, count, 1, count)
        return len(queries)

    # given a first scan that made this year's number counters
    queries_for(1, 200)
    # when 3 records of each kind come in, and later 30 more
    three = queries_for(3, 0)
    thirty = queries_for(30, 100)
    # then both scans cost the same number of queries
    assert three == thirty


@pytest.mark.django_db
def test_an_item_waiting_for_its_close_off_is_not_ordered(town, office, staff, clock):
    # given an item whose close-off the town asked for, past its deadline
    item = item_requested(staff, town)
    clock.set(working_day_after(item.due_date))
    # when the scan runs, then no order is issued: the item waits on its verifier
    assert ledger_scan().orders == 0


@pytest.mark.django_db
def test_items_past_their_deadline_in_several_towns_reach_the_office_in_one_notice(
    town, other_town, office, staff, make_user, clock
):
    # given items past their deadline in two towns, each town with its staff
    other_staff = make_user(Role.TOWN_STAFF, town=other_town)
    items = [item_raised(office, town), item_raised(office, town), item_raised(office, other_town)]
    clock.set(working_day_after(max(item.due_date for item in items)))
    # when the scan runs
    ledger_scan()
    # then each town's staff hear of their own order, and the office once of both, linked to today's orders
    orders = {order.town_id: order for order in SupervisionOrder.objects.all()}
    assert set(orders) == {town.pk, other_town.pk}
    for user, town_id in ((staff, town.pk), (other_staff, other_town.pk)):
        assert Notification.objects.filter(recipient=user, key=f"audits.order:{orders[town_id].pk}").exists()
    (notice,) = Notification.objects.filter(recipient=office, key__startswith="audits.order")
    assert notice.key.startswith("audits.orders:2:") and "2" in notice.subject
    today = clock.today.isoformat()
    assert notice.url == f"{reverse('audits:order_list')}?issued_from={today}&issued_to={today}"
    assert all(order.number in notice.body for order in orders.values())
    # when the scan runs again, nothing more is sent
    notices = Notification.objects.count()
    assert ledger_scan().notifications == 0
    assert Notification.objects.count() == notices
