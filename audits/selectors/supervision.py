"""Reads of the supervision records (督办单, 约谈, 问责, 通报), each list scoped to what the user may see."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audits.choices import ItemStatus
from audits.models import Accountability, Bulletin, Interview, RectificationItem, SupervisionOrder
from audits.permissions import audits_scope
from organisation.actors import Actor
from organisation.models import Town
from organisation.scoping import Access

REPLIED, NOT_REPLIED = "yes", "no"


def order_list(
    *,
    user: Actor,
    town: Town | None = None,
    replied: str = "",
    overdue_reply: bool = False,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    query: str = "",
    today: dt.date | None = None,
) -> QuerySet[SupervisionOrder]:
    """The orders ``user`` may see, newest first, with their item counts; filtered by town, reply, overdue reply and
    the day they were issued."""
    orders = audits_scope(user, Access.VIEW, SupervisionOrder.objects.all()).select_related("town", "issued_by")
    if town is not None:
        orders = orders.filter(town=town)
    if issued_from is not None:
        orders = orders.filter(clock_start__gte=issued_from)
    if issued_to is not None:
        orders = orders.filter(clock_start__lte=issued_to)
    if replied == REPLIED:
        orders = orders.filter(replied_on__isnull=False)
    elif replied == NOT_REPLIED:
        orders = orders.filter(replied_on__isnull=True)
    if overdue_reply:
        orders = orders.filter(replied_on__isnull=True, due_date__lt=today or timezone.localdate())
    if query := query.strip():
        condition = Q(addressee__icontains=query) | Q(requirement__icontains=query) | Q(reply__icontains=query)
        if (number := _order_number_parts(query)) is not None:
            condition |= Q(year=number[0], sequence=number[1])
        orders = orders.filter(condition)
    return orders.annotate(item_count=Count("order_items")).order_by("-year", "-sequence")


def _order_number_parts(query: str) -> tuple[int, int] | None:
    """(year, sequence) of a number typed as 兰扶督〔2018〕12号 or 2018-12."""
    digits = [part for part in "".join(c if c.isdigit() else " " for c in query).split() if part]
    if len(digits) == 2 and len(digits[0]) == 4:
        return int(digits[0]), int(digits[1])
    return None


def order_items(order: SupervisionOrder) -> QuerySet:
    """The items an order covers, each with the deadline it was ordered for."""
    return order.order_items.select_related("item", "item__town", "item__village").order_by("item__sequence")


def items_to_order(*, user: Actor) -> QuerySet[RectificationItem]:
    """Items the user may order: open ones in reach."""
    return (
        audits_scope(user, Access.CHANGE)
        .exclude(status=ItemStatus.CLOSED)
        .select_related("town")
        .order_by("town__name", "due_date", "sequence")
    )


def interview_due_items(*, user: Actor) -> QuerySet[RectificationItem]:
    """Items flagged for an interview (约谈), longest waiting first."""
    return (
        audits_scope(user, Access.VIEW)
        .filter(interview_due_since__isnull=False)
        .select_related("town")
        .order_by("interview_due_since", "town__name", "sequence")
    )


def interview_list(
    *,
    user: Actor,
    town: Town | None = None,
    held_from: dt.date | None = None,
    held_to: dt.date | None = None,
    query: str = "",
) -> QuerySet[Interview]:
    interviews = audits_scope(user, Access.VIEW, Interview.objects.all()).select_related("town")
    if town is not None:
        interviews = interviews.filter(town=town)
    if held_from is not None:
        interviews = interviews.filter(held_on__gte=held_from)
    if held_to is not None:
        interviews = interviews.filter(held_on__lte=held_to)
    if query := query.strip():
        interviews = interviews.filter(
            Q(interviewee_name__icontains=query) | Q(interviewee_unit__icontains=query) | Q(minutes__icontains=query)
        )
    return interviews.annotate(item_count=Count("interview_items")).order_by("-held_on", "-pk")


def accountability_list(
    *, user: Actor, town: Town | None = None, form: str = "", query: str = ""
) -> QuerySet[Accountability]:
    records = audits_scope(user, Access.VIEW, Accountability.objects.all()).select_related("town")
    if town is not None:
        records = records.filter(town=town)
    if form:
        records = records.filter(form=form)
    if query := query.strip():
        records = records.filter(
            Q(person_name__icontains=query)
            | Q(unit__icontains=query)
            | Q(document_number__icontains=query)
            | Q(reason__icontains=query)
        )
    return records.order_by("-decided_on", "-pk")


def bulletin_list(*, user: Actor, query: str = "") -> QuerySet[Bulletin]:
    bulletins = audits_scope(user, Access.VIEW, Bulletin.objects.all()).select_related("published_by")
    if query := query.strip():
        bulletins = bulletins.filter(Q(title__icontains=query) | Q(body__icontains=query) | Q(units__icontains=query))
    return bulletins.order_by("-published_on", "-pk")


def linked_items(record) -> QuerySet[RectificationItem]:
    """The items an interview, accountability record or bulletin names (a bulletin names them to everyone)."""
    return record.items.select_related("town").order_by("year", "sequence")
