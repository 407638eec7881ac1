"""Supervision orders, replies, interviews, accountability and bulletins (points 18 and 20): the services' rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.choices import AccountabilityForm
from audits.models import AuditsPolicy, Bulletin, OrderItem
from audits.permissions import audits_scope
from audits.services import supervision
from audits.services.scan import ledger_scan
from notifications.models import Notification
from organisation.roles import Role
from organisation.scoping import Access
from organisation.workdays import WorkingCalendar, add_working_days
from tests.factories.audits import interview_held, item_closed, item_raised, working_day_after


def issue(office, town, items, **fields):
    values = {"addressee": f"{town.name}党委、政府", "requirement": "限期整改并书面回复", **fields}
    return supervision.order_issue(user=office, town=town, items=items, **values)


@pytest.mark.django_db
def test_an_order_is_numbered_due_on_the_policy_and_notifies_the_town(town, office, staff, other_staff, clock):
    # given two open items of the town
    items = [item_raised(office, town), item_raised(office, town)]
    # when the office issues an order for them
    order = issue(office, town, items)
    # then it has the year's first number, a reply deadline from the policy, and covers each item for its deadline
    assert order.number == f"兰扶督〔{clock.today.year}〕1号"
    working_days = AuditsPolicy.current().order_reply_working_days
    assert order.due_date == add_working_days(clock.today, working_days, calendar=WorkingCalendar.load()).due_date
    assert not order.automatic and order.issued_by == office
    assert set(order.order_items.values_list("item_id", "item_due_date")) == {(i.pk, i.due_date) for i in items}
    # and the town's staff were told, the other town's were not
    assert Notification.objects.filter(recipient=staff, key=f"audits.order:{order.pk}").exists()
    assert not Notification.objects.filter(recipient=other_staff).exists()


@pytest.mark.django_db
def test_an_item_already_ordered_for_its_deadline_is_refused(town, office):
    # given an item already ordered for its current deadline
    item = item_raised(office, town)
    issue(office, town, [item])
    # when the office orders it again
    with pytest.raises(ValidationError) as refusal:
        issue(office, town, [item])
    # then it is refused on the items, and no second order row exists
    assert "items" in refusal.value.message_dict
    assert OrderItem.objects.filter(item=item).count() == 1


@pytest.mark.django_db
def test_an_order_covers_items_of_its_town_only_and_not_closed_ones(town, other_town, office, staff):
    # given an item of another town, and a closed item of the town
    elsewhere = item_raised(office, other_town)
    closed = item_closed(staff, office, town)
    # when the office orders them to the town, then each is refused
    for item in (elsewhere, closed):
        with pytest.raises(ValidationError) as refusal:
            issue(office, town, [item])
        assert "items" in refusal.value.message_dict


@pytest.mark.django_db
def test_only_the_district_office_issues_orders(town, office, staff, auditor):
    item = item_raised(office, town)
    for user in (staff, auditor):
        with pytest.raises(PermissionDenied):
            issue(user, town, [item])


@pytest.mark.django_db
def test_the_addressed_town_replies_once_with_a_text(town, office, staff, other_staff, clock):
    # given an order to the town
    order = issue(office, town, [item_raised(office, town)])
    # when the other town's staff reply, or the town's staff reply with no text, it is refused
    with pytest.raises(PermissionDenied):
        supervision.order_reply(user=other_staff, order=order, reply="已整改")
    with pytest.raises(ValidationError):
        supervision.order_reply(user=staff, order=order, reply="  ")
    # when the town's staff reply
    order = supervision.order_reply(user=staff, order=order, reply="已整改到位")
    # then the reply is dated and by whom, and a second reply is refused
    assert (order.reply, order.replied_on, order.replied_by) == ("已整改到位", clock.today, staff)
    with pytest.raises(ValidationError):
        supervision.order_reply(user=staff, order=order, reply="再次回复")


@pytest.mark.django_db
def test_an_interview_clears_the_flag_and_gives_the_new_deadline(town, office, auditor, clock):
    # given an item flagged for an interview
    item = item_raised(office, town)
    type(item).objects.filter(pk=item.pk).update(interview_due_since=clock.today)
    new_deadline = working_day_after(clock.ago(-15))
    # when the audit post records the interview
    record = interview_held(auditor, town, [item], clock.today, new_deadline)
    # then the item is due on the new deadline and no longer flagged
    item.refresh_from_db()
    assert (item.due_date, item.interview_due_since) == (new_deadline, None)
    assert list(record.items.all()) == [item]
    # and the deadline survives a recompute of the stored deadlines
    item.refresh_due(WorkingCalendar.load())
    assert item.due_date == new_deadline


@pytest.mark.django_db
def test_an_interview_needs_a_working_day_after_it_as_new_deadline(town, office, auditor, staff, clock):
    item = item_raised(office, town)
    calendar = WorkingCalendar.load()
    rest_day = next(day for day in (clock.ago(-d) for d in range(1, 15)) if not calendar.is_working_day(day))
    for bad in (clock.today, rest_day):
        with pytest.raises(ValidationError) as refusal:
            interview_held(auditor, town, [item], clock.today, bad)
        assert "new_deadline" in refusal.value.message_dict
    with pytest.raises(PermissionDenied):
        interview_held(staff, town, [item], clock.today, working_day_after(clock.ago(-15)))


@pytest.mark.django_db
def test_accountability_is_recorded_by_the_audit_post_and_seen_by_its_town_only(
    town, office, auditor, staff, other_staff, clock
):
    # given an item of the town
    item = item_raised(office, town)
    values = {
        "person_name": "王某",
        "person_post": "镇长",
        "unit": f"{town.name}人民政府",
        "town": town,
        "form": AccountabilityForm.ADMONITION_TALK,
        "decided_on": clock.today,
        "document_number": "兰纪〔2026〕3号",
        "reason": "整改不力",
        "items": [item],
    }
    # when the office tries, it is refused; when the audit post records it, it is saved with the item
    with pytest.raises(PermissionDenied):
        supervision.accountability_record(user=office, **values)
    record = supervision.accountability_record(user=auditor, **values)
    assert list(record.items.all()) == [item]
    # then the town's staff see it and the other town's do not
    queryset = type(record).objects.all()
    assert audits_scope(staff, Access.VIEW, queryset).filter(pk=record.pk).exists()
    assert not audits_scope(other_staff, Access.VIEW, queryset).filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_a_bulletin_is_published_by_the_office_and_read_by_everyone(
    town, other_village, office, staff, other_staff, make_user
):
    # given an item of the town
    item = item_raised(office, town)
    # when the town tries, it is refused; when the office publishes it, it names the item
    with pytest.raises(PermissionDenied):
        supervision.bulletin_publish(user=staff, title="通报", body="典型问题", units="某镇", items=[item])
    bulletin = supervision.bulletin_publish(
        user=office, title="关于扶贫领域典型问题的通报", body="典型问题", units="某镇人民政府", items=[item]
    )
    # then every logged-in user reads it
    for reader in (staff, other_staff, make_user(Role.VILLAGE_CLERK, village=other_village), office):
        assert audits_scope(reader, Access.VIEW, Bulletin.objects.all()).filter(pk=bulletin.pk).exists()


@pytest.mark.django_db
def test_the_scan_does_not_order_an_item_the_office_already_ordered(town, office, clock):
    # given an item the office ordered by hand, that then passes its deadline
    item = item_raised(office, town)
    issue(office, town, [item])
    clock.set(working_day_after(item.due_date))
    # when the scan runs, then it issues no second order for the same deadline
    assert ledger_scan().orders == 0
