"""Two ledger scans at once (the morning's and a "run now"): between them each signal becomes one item and each
overdue item one order, with one notice each."""

import threading

import pytest
from django.db import connections

from audits.models import OrderItem, RectificationItem, SupervisionOrder
from audits.services.scan import ledger_scan
from notifications.models import Notification
from organisation.roles import Role
from tests.factories.audits import item_raised, signals_of_each_kind
from tests.factories.organisation import post_user


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_raise_and_order_each_thing_once(town, village):
    # given three records of each kind of signal and two items of the town past their deadline
    office = post_user(Role.DISTRICT_OFFICE)
    signals_of_each_kind(town, village, office, 3)
    late = [item_raised(office, town), item_raised(office, town)]
    RectificationItem.objects.filter(pk__in=[item.pk for item in late]).update(due_date="2026-01-05")

    # when two scans start at the same moment, each on its own connection
    start_together = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def scan():
        try:
            start_together.wait()
            results.append(ledger_scan())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then between them they raised 18 items and issued one order for the two late items, each notified once
    assert errors == []
    assert sorted(result.transfers + result.loans for result in results) == [0, 6]
    assert sorted(result.orders for result in results) == [0, 1]
    assert RectificationItem.objects.count() == 2 + 18
    order = SupervisionOrder.objects.get()
    assert OrderItem.objects.filter(order=order).count() == 2
    assert Notification.objects.filter(recipient=office, key=f"audits.order:{order.pk}").count() == 1
    assert Notification.objects.filter(recipient=office, key__startswith="audits.items.raised:").count() == 1
