"""督办单, 约谈, 问责, 通报曝光 (points 18 and 20): what the district does about items not fixed in time.

The district office issues a supervision order to a town for its open items, once per item and deadline (the
database holds it: ``OrderItem`` is unique on the item and the deadline it was ordered for); the town replies. An
interview (约谈) clears the items' interview flag and gives them a new deadline; the audit post records
accountability; the district office publishes bulletins that every logged-in user reads.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.choices import AccountabilityForm, ItemStatus
from audits.models import (
    Accountability,
    AccountabilityItem,
    Bulletin,
    BulletinItem,
    Interview,
    InterviewItem,
    OrderItem,
    RectificationItem,
    SupervisionOrder,
)
from audits.orders import OrderDraft, order_notice, orders_write
from audits.permissions import (
    ACCOUNTABILITY_RECORDERS,
    BULLETIN_PUBLISHERS,
    INTERVIEW_RECORDERS,
    ORDER_ISSUERS,
    ORDER_REPLIERS,
    audits_scope,
)
from notifications.services import notices_send, staff_of
from organisation.locking import locked_in_reach
from organisation.models import Town
from organisation.roles import Role
from organisation.scoping import Access
from organisation.validation import date_check, role_require, text_required
from organisation.workdays import WorkingCalendar


@transaction.atomic
def order_issue(
    *,
    user: User,
    town: Town,
    addressee: str,
    requirement: str,
    items: Iterable[RectificationItem],
    issued_on: dt.date | None = None,
) -> SupervisionOrder:
    """督办单 by hand: an order to ``town`` for its open ``items``, each for its current deadline (once only)."""
    role_require(user, ORDER_ISSUERS, _("Only the district office issues supervision orders."))
    addressee = text_required(addressee, "addressee", _("Name the addressee of the order."))
    requirement = text_required(requirement, "requirement", _("Say what the order requires."))
    issued_on = date_check(issued_on or timezone.localdate(), "issued_on")
    locked = _items_locked(user, items, town=town, field="items")
    already = set(
        OrderItem.objects.filter(item__in=locked, item_due_date__in={item.due_date for item in locked}).values_list(
            "item_id", "item_due_date"
        )
    )
    if ordered := [item for item in locked if (item.pk, item.due_date) in already]:
        raise ValidationError(
            {
                "items": _("An order was already issued for these items and their current deadline: %(numbers)s.")
                % {"numbers": "、".join(item.number for item in ordered)}
            }
        )
    [order] = orders_write(
        drafts=[OrderDraft(town=town, addressee=addressee, requirement=requirement, items=locked)],
        issued_on=issued_on,
        issued_by=user,
    )
    notices_send([order_notice(order, staff_of(roles=[Role.TOWN_STAFF], town_ids=[town.pk]).get(town.pk, set()))])
    return order


@transaction.atomic
def order_reply(
    *, user: User, order: SupervisionOrder, reply: str, replied_on: dt.date | None = None
) -> SupervisionOrder:
    """The addressed town's reply to an order."""
    role_require(user, ORDER_REPLIERS, _("The staff of the addressed town reply to an order."))
    order = locked_in_reach(audits_scope, user, order)
    reply = text_required(reply, "reply", _("Write the reply."))
    if order.replied_on is not None:
        raise ValidationError(
            {"reply": _("This order was already replied to on %(date)s.") % {"date": order.replied_on}}
        )
    order.reply = reply
    order.replied_on = date_check(
        replied_on or timezone.localdate(), "replied_on", after=(_("the order"), order.clock_start)
    )
    order.replied_by = user
    order.save(update_fields=["reply", "replied_on", "replied_by"])
    return order


@transaction.atomic
def interview_record(
    *,
    user: User,
    town: Town,
    interviewee_name: str,
    interviewee_post: str,
    interviewee_unit: str,
    interviewer: str,
    held_on: dt.date,
    minutes: str,
    commitments: str,
    new_deadline: dt.date,
    items: Iterable[RectificationItem],
) -> Interview:
    """约谈: record the interview; its items' interview flag clears and they are due on ``new_deadline``."""
    role_require(user, INTERVIEW_RECORDERS, _("The district office and the audit post record interviews."))
    fields = {
        "interviewee_name": text_required(interviewee_name, "interviewee_name", _("Name the interviewee.")),
        "interviewee_post": text_required(interviewee_post, "interviewee_post", _("Give the interviewee's post.")),
        "interviewee_unit": text_required(interviewee_unit, "interviewee_unit", _("Give the interviewee's unit.")),
        "interviewer": text_required(interviewer, "interviewer", _("Say who held the interview.")),
        "minutes": text_required(minutes, "minutes", _("Write the minutes.")),
        "commitments": text_required(commitments, "commitments", _("Write the commitments made.")),
    }
    held_on = date_check(held_on, "held_on")
    calendar = WorkingCalendar.load()
    if new_deadline is None or new_deadline <= held_on:
        raise ValidationError({"new_deadline": _("The new deadline must be after the interview.")})
    if not calendar.is_working_day(new_deadline):
        raise ValidationError({"new_deadline": _("The new deadline must be a working day.")})
    locked = _items_locked(user, items, town=town, field="items")
    interview = Interview.objects.create(
        town=town, held_on=held_on, new_deadline=new_deadline, recorded_by=user, **fields
    )
    InterviewItem.objects.bulk_create([InterviewItem(interview=interview, item=item) for item in locked])
    working_days = _working_days_between(held_on, new_deadline, calendar)
    for item in locked:
        # The new deadline is the item's own rule from now on: the interview's day and the working days to it.
        item.clock_start, item.time_limit_working_days = held_on, working_days
        item.refresh_due(calendar)
        item.interview_due_since = None
    RectificationItem.objects.bulk_update(
        locked, ["clock_start", "time_limit_working_days", "due_date", "due_is_provisional", "interview_due_since"]
    )
    return interview


@transaction.atomic
def accountability_record(
    *,
    user: User,
    person_name: str,
    person_post: str,
    unit: str,
    town: Town | None,
    form: str,
    decided_on: dt.date,
    document_number: str,
    reason: str,
    items: Iterable[RectificationItem] = (),
) -> Accountability:
    """问责: the audit post records a sanction, with the items it was for (of the town named, if any)."""
    role_require(user, ACCOUNTABILITY_RECORDERS, _("The discipline commission records accountability."))
    if form not in AccountabilityForm.values:
        raise ValidationError({"form": _("Choose the form of accountability.")})
    record = Accountability(
        person_name=text_required(person_name, "person_name", _("Name the person held accountable.")),
        person_post=text_required(person_post, "person_post", _("Give the person's post.")),
        unit=text_required(unit, "unit", _("Give the person's unit.")),
        town=town,
        form=form,
        decided_on=date_check(decided_on, "decided_on"),
        document_number=text_required(document_number, "document_number", _("Give the decision's document number.")),
        reason=text_required(reason, "reason", _("Give the reason.")),
        recorded_by=user,
    )
    items = list(items)
    locked = _items_locked(user, items, town=town, field="items", required=False) if items else []
    record.save()
    AccountabilityItem.objects.bulk_create([AccountabilityItem(accountability=record, item=item) for item in locked])
    return record


@transaction.atomic
def bulletin_publish(
    *,
    user: User,
    title: str,
    body: str,
    units: str,
    items: Iterable[RectificationItem] = (),
    published_on: dt.date | None = None,
) -> Bulletin:
    """通报曝光: the district office publishes a bulletin naming units and items, read by everyone logged in."""
    role_require(user, BULLETIN_PUBLISHERS, _("Only the district office publishes bulletins."))
    bulletin = Bulletin(
        title=text_required(title, "title", _("Give the bulletin a title.")),
        body=text_required(body, "body", _("Write the bulletin's text.")),
        units=text_required(units, "units", _("Name the units the bulletin names.")),
        published_on=date_check(published_on or timezone.localdate(), "published_on"),
        published_by=user,
    )
    items = list(items)
    locked = _items_locked(user, items, town=None, field="items", required=False, access=Access.VIEW) if items else []
    bulletin.save()
    BulletinItem.objects.bulk_create([BulletinItem(bulletin=bulletin, item=item) for item in locked])
    return bulletin


def _items_locked(
    user: User,
    items: Iterable[RectificationItem],
    *,
    town: Town | None,
    field: str,
    required: bool = True,
    access: Access = Access.CHANGE,
) -> list[RectificationItem]:
    """The items read again in the user's reach and locked; all of ``town`` (when named) and not closed off."""
    pks = {item.pk for item in items}
    if not pks:
        if required:
            raise ValidationError({field: _("Choose at least one item.")})
        return []
    rows = RectificationItem.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")
    locked = list(audits_scope(user, access, rows))
    if len(locked) != len(pks):
        raise ValidationError({field: _("Some of the items chosen are outside your reach.")})
    if town is not None and any(item.town_id != town.pk for item in locked):
        raise ValidationError({field: _("Every item must be of the town %(town)s.") % {"town": town.name}})
    if closed := [item.number for item in locked if item.status == ItemStatus.CLOSED]:
        raise ValidationError({field: _("These items are closed off: %(numbers)s.") % {"numbers": "、".join(closed)}})
    return locked


def _working_days_between(start: dt.date, end: dt.date, calendar: WorkingCalendar) -> int:
    """The working days after ``start`` up to and including ``end``."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += calendar.is_working_day(day)
    return days
