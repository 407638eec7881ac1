"""Writing a supervision order (督办单) and its notice: one way for the district office's order and the daily scan's.

The callers check who may issue and which items; here the order gets its yearly number, its reply deadline from the
policy and the calendar, and one ``OrderItem`` per item for the deadline it is ordered for.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext as _

from audits import numbering, rules
from audits.models import AuditsPolicy, OrderItem, RectificationItem, SupervisionOrder
from notifications.services import Notice
from organisation.models import Town
from organisation.workdays import WorkingCalendar

BATCH_SIZE = 1000


@dataclass(frozen=True)
class OrderDraft:
    """One order to write: to ``town`` for ``items`` (each ordered for its current deadline)."""

    town: Town
    addressee: str
    requirement: str
    items: list[RectificationItem]


def orders_write(*, drafts: list[OrderDraft], issued_on: dt.date, issued_by: User | None) -> list[SupervisionOrder]:
    """Write the orders and their items in a few statements whatever their number (the caller checked the items and
    holds the transaction): the numbers taken at once, the reply deadline computed once for the day."""
    if not drafts:
        return []
    policy = AuditsPolicy.current()
    numbers = numbering.numbers_take(kind=numbering.ORDER, year=issued_on.year, count=len(drafts))
    deadline = rules.order_reply_deadline(
        issued_on, working_days=policy.order_reply_working_days, calendar=WorkingCalendar.load()
    )
    orders = SupervisionOrder.objects.bulk_create(
        [
            SupervisionOrder(
                year=issued_on.year,
                sequence=sequence,
                town=draft.town,
                addressee=draft.addressee,
                issued_by=issued_by,
                automatic=issued_by is None,
                requirement=draft.requirement,
                reply_working_days=policy.order_reply_working_days,
                clock_start=issued_on,
                due_date=deadline.due_date,
                due_is_provisional=deadline.provisional,
            )
            for draft, sequence in zip(drafts, numbers, strict=True)
        ]
    )
    OrderItem.objects.bulk_create(
        [
            OrderItem(order=order, item=item, item_due_date=cast(dt.date, item.due_date))
            for order, draft in zip(orders, drafts, strict=True)
            for item in draft.items
        ],
        batch_size=BATCH_SIZE,
    )
    return orders


def order_notice(order: SupervisionOrder, recipient_ids: Iterable[int]) -> Notice:
    """The notice of an order to its addressee (and whoever else is named)."""
    values = {"number": order.number, "town": order.town.name, "due": str(order.due_date)}
    return Notice(
        key=f"audits.order:{order.pk}",
        subject=_("Supervision order %(number)s to %(town)s") % values,
        body="\n".join(
            [
                _("The district office issued supervision order %(number)s.") % values,
                order.requirement,
                _("Reply due by: %(due)s") % values,
            ]
        ),
        url=reverse("audits:order_detail", args=[order.pk]),
        recipient_ids=frozenset(recipient_ids),
    )
