"""Writes along the disbursement chain (point 5): allot, send, confirm receipt, request, review.

Every function checks the user's role for the step (``may_act_for``) and reach (``funds_scope`` with
change access), locks the rows it changes, and raises ``ValidationError`` (Chinese, naming the field)
or ``PermissionDenied``; a failure leaves nothing written (callers run inside a transaction, and
each function opens its own). Money only moves onward from what a unit has received: the holding row
is locked before a commitment, and the database's check refuses anything above it.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import Allocation, Holding, Hop, PaymentRequest, PaymentRequestStatus, Transfer, Unit
from funds.permissions import funds_scope, may_act_for
from funds.rules import days_late, request_above_share
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.money import ZERO, money_text
from organisation.scoping import Access, villages_for
from organisation.validation import date_check
from organisation.workdays import WorkingCalendar


@dataclass(frozen=True)
class Share:
    """An allocation's amount earmarked for one town."""

    town: Town
    amount: Decimal


def _require(user: User, unit: Unit) -> None:
    if not may_act_for(user, unit):
        raise PermissionDenied(_("Only the %(unit)s does this step.") % {"unit": unit.label})


def _check_amount(amount: Decimal, field: str = "amount") -> None:
    if amount is None or amount <= ZERO:
        raise ValidationError({field: _("The amount must be greater than zero.")})


# --- District finance bureau: the allocation and its shares for towns ---------------------------------------------


@transaction.atomic
def allocation_record(
    *,
    user: User,
    document_number: str,
    title: str,
    year: int,
    amount: Decimal,
    received_on: dt.date,
    issued_by: str = "",
    note: str = "",
    shares: list[Share],
) -> Allocation:
    """Record an allocation the district received and allot it to towns (each share starts a 15-day clock)."""
    _require(user, Unit.DISTRICT_FINANCE)
    _check_amount(amount)
    date_check(received_on, "received_on")
    document_number = document_number.strip()
    if Allocation.objects.filter(document_number=document_number).exists():
        raise ValidationError({"document_number": _("An allocation with this document number is already recorded.")})
    towns = [share.town.pk for share in shares]
    if len(set(towns)) != len(towns):
        raise ValidationError({"shares": _("Each town may be given only one share of an allocation.")})
    total = sum((share.amount for share in shares), ZERO)
    if total > amount:
        raise ValidationError(
            {
                "shares": _("The shares add up to %(total)s yuan, more than the allocation's %(amount)s yuan.")
                % {"total": total, "amount": amount}
            }
        )
    allocation = Allocation.objects.create(
        document_number=document_number,
        title=title.strip(),
        issued_by=issued_by.strip(),
        year=year,
        amount=amount,
        received_on=received_on,
        note=note,
        recorded_by=user,
    )
    calendar = WorkingCalendar.load()
    for share in shares:
        _allot(allocation, share, calendar, field="shares")
    return allocation


@transaction.atomic
def allocation_allot(*, user: User, allocation: Allocation, share: Share) -> Transfer:
    """Allot part of an allocation to one more town."""
    _require(user, Unit.DISTRICT_FINANCE)
    allocation = locked_in_reach(funds_scope, user, allocation)
    if Transfer.objects.filter(allocation=allocation, town=share.town, hop=Hop.TO_TOWN).exists():
        raise ValidationError({"town": _("%(town)s already has a share of this allocation.") % {"town": share.town}})
    return _allot(allocation, share, WorkingCalendar.load(), field="amount")


def _allot(allocation: Allocation, share: Share, calendar: WorkingCalendar, *, field: str) -> Transfer:
    _check_amount(share.amount, field)
    try:
        with transaction.atomic():
            updated = Allocation.objects.filter(pk=allocation.pk, allotted__lte=F("amount") - share.amount).update(
                allotted=F("allotted") + share.amount
            )
    except IntegrityError:
        updated = 0
    if not updated:
        allocation.refresh_from_db(fields=["allotted", "amount"])
        raise ValidationError(
            {
                "amount": _(
                    "Only %(left)s yuan of this allocation is not yet allotted; %(amount)s yuan cannot be given."
                )
                % {"left": allocation.unallotted, "amount": share.amount}
            }
        )
    transfer = Transfer(
        allocation=allocation,
        hop=Hop.TO_TOWN,
        town=share.town,
        amount=share.amount,
        clock_start=allocation.received_on,
    )
    transfer.refresh_due(calendar)
    transfer.save()
    return transfer


# --- Every hop: sending and confirming receipt --------------------------------------------------------------------


@transaction.atomic
def transfer_send(*, user: User, transfer: Transfer, sent_on: dt.date, voucher_number: str = "") -> Transfer:
    """The sending unit records that the money went out; a late sending keeps its days late."""
    # The hop, and so the sender, never changes: the role is checked before the row is locked.
    _require(user, transfer.sender)
    transfer = locked_in_reach(funds_scope, user, transfer)
    if transfer.sent_on is not None:
        raise ValidationError(_("This transfer was already sent on %(date)s.") % {"date": transfer.sent_on})
    date_check(sent_on, "sent_on", after=(_("the day the clock started"), transfer.clock_start))
    transfer.sent_on = sent_on
    transfer.voucher_number = voucher_number.strip()
    transfer.sent_by = user
    transfer.days_late = days_late(transfer.due_date, sent_on)
    transfer.save(update_fields=["sent_on", "voucher_number", "sent_by", "days_late"])
    return transfer


@transaction.atomic
def transfer_receive(*, user: User, transfer: Transfer, received_on: dt.date) -> Transfer:
    """The receiving unit confirms the money arrived; that day starts the next hop's clock.

    A town finance office's receipt creates its transfer on to the station (the whole amount, due in
    5 working days); a station's receipt adds to what it may pay villages.
    """
    _require(user, transfer.receiver)
    transfer = locked_in_reach(funds_scope, user, transfer)
    if transfer.sent_on is None:
        raise ValidationError(_("The money has not been sent yet: its receipt cannot be confirmed."))
    if transfer.received_on is not None:
        raise ValidationError(_("The receipt was already confirmed on %(date)s.") % {"date": transfer.received_on})
    date_check(received_on, "received_on", after=(_("the day it was sent"), transfer.sent_on))
    transfer.received_on = received_on
    transfer.received_by = user
    transfer.save(update_fields=["received_on", "received_by"])
    if transfer.hop == Hop.TO_TOWN:
        holding = _holding_receive(transfer, Unit.TOWN_FINANCE)
        _commit(holding, transfer.amount)
        onward = Transfer(
            allocation_id=transfer.allocation_id,
            hop=Hop.TO_STATION,
            town_id=transfer.town_id,
            source=transfer,
            amount=transfer.amount,
            clock_start=received_on,
        )
        onward.refresh_due(WorkingCalendar.load())
        onward.save()
    elif transfer.hop == Hop.TO_STATION:
        _holding_receive(transfer, Unit.STATION)
    return transfer


def _holding_receive(transfer: Transfer, unit: Unit) -> Holding:
    holding, _created = Holding.objects.select_for_update().get_or_create(
        allocation_id=transfer.allocation_id, town_id=transfer.town_id, unit=unit
    )
    Holding.objects.filter(pk=holding.pk).update(received=F("received") + transfer.amount)
    holding.refresh_from_db()
    return holding


def _commit(holding: Holding, amount: Decimal) -> None:
    """Commit ``amount`` of a locked holding onward; the database refuses more than was received."""
    try:
        with transaction.atomic():
            Holding.objects.filter(pk=holding.pk).update(committed=F("committed") + amount)
    except IntegrityError as error:
        holding.refresh_from_db()
        raise ValidationError(
            {
                "amount": _("Only %(balance)s yuan of this allocation is left to pay out; %(amount)s yuan is more.")
                % {"balance": holding.balance, "amount": amount}
            }
        ) from error


# --- Villages and the station: payment requests -------------------------------------------------------------------


def _check_request(
    *,
    village: Village,
    allocation: Allocation,
    amount: Decimal,
    project_name: str,
    purpose: str,
):
    """A request's fields, and its amount against the town's share of the allocation not yet committed to villages
    (``request_above_share``, the rule the approval applies to what the station holds)."""
    _check_amount(amount)
    if not project_name.strip():
        raise ValidationError({"project_name": _("Name the project the money is for.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the money will be paid for.")})
    if not Transfer.objects.filter(allocation=allocation, town_id=village.town_id, hop=Hop.TO_TOWN).exists():
        raise ValidationError(
            {"allocation": _("This allocation has not been allotted to %(town)s.") % {"town": village.town}}
        )
    transfers = Transfer.objects.filter(allocation=allocation, town_id=village.town_id)
    remaining = request_above_share(
        amount,
        share=transfers.filter(hop=Hop.TO_TOWN).aggregate(total=Sum("amount"))["total"] or ZERO,
        committed=transfers.filter(hop=Hop.TO_VILLAGE).aggregate(total=Sum("amount"))["total"] or ZERO,
    )
    if remaining is not None:
        message = _(
            "%(town)s's remaining share of this allocation is %(remaining)s yuan; "
            "the request for %(amount)s yuan is above it."
        )
        _refuse_above_share(message, amount=amount, remaining=remaining, town=village.town)


def _refuse_above_share(message: str, *, amount: Decimal, remaining: Decimal, **names: object) -> NoReturn:
    """The refusal of ``request_above_share``, on the amount, with the money written as money is (12,345.60)."""
    values = {**names, "remaining": money_text(max(remaining, ZERO)), "amount": money_text(amount)}
    raise ValidationError({"amount": message % values})


@transaction.atomic
def payment_request_submit(
    *, user: User, village: Village, allocation: Allocation, project_name: str, purpose: str, amount: Decimal
) -> PaymentRequest:
    """A village (or the town staff for it) asks the station to pay money of an allocation for a project."""
    _require(user, Unit.VILLAGE)
    if not villages_for(user, Access.CHANGE).filter(pk=village.pk).exists():
        raise PermissionDenied(_("This village is outside the towns and villages you work for."))
    _check_request(village=village, allocation=allocation, amount=amount, project_name=project_name, purpose=purpose)
    return PaymentRequest.objects.create(
        village=village,
        allocation=allocation,
        project_name=project_name.strip(),
        purpose=purpose.strip(),
        amount=amount,
        submitted_on=timezone.localdate(),
        submitted_by=user,
    )


@transaction.atomic
def payment_request_resubmit(
    *, user: User, request: PaymentRequest, project_name: str, purpose: str, amount: Decimal
) -> PaymentRequest:
    """A returned request, corrected and sent for review again."""
    _require(user, Unit.VILLAGE)
    request = locked_in_reach(funds_scope, user, request)
    if request.status != PaymentRequestStatus.RETURNED:
        raise ValidationError(_("Only a returned request can be corrected and submitted again."))
    _check_request(
        village=request.village,
        allocation=request.allocation,
        amount=amount,
        project_name=project_name,
        purpose=purpose,
    )
    request.project_name, request.purpose, request.amount = project_name.strip(), purpose.strip(), amount
    request.status = PaymentRequestStatus.SUBMITTED
    request.submitted_on, request.submitted_by = timezone.localdate(), user
    request.save()
    return request


def _reviewable(user: User, request: PaymentRequest) -> PaymentRequest:
    _require(user, Unit.STATION)
    request = locked_in_reach(funds_scope, user, request)
    if request.status != PaymentRequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been reviewed."))
    return request


@transaction.atomic
def payment_request_approve(*, user: User, request: PaymentRequest, approved_on: dt.date) -> Transfer:
    """The station approves ("审核无误"): the money is committed and must reach the village in 5 working days."""
    request = _reviewable(user, request)
    date_check(approved_on, "approved_on", after=(_("the day it was submitted"), request.submitted_on))
    holding = (
        Holding.objects.select_for_update()
        .filter(allocation_id=request.allocation_id, town_id=request.village.town_id, unit=Unit.STATION)
        .first()
    )
    remaining = request_above_share(
        request.amount,
        share=holding.received if holding else ZERO,
        committed=holding.committed if holding else ZERO,
    )
    if remaining is not None or holding is None:
        message = _(
            "The station holds %(remaining)s yuan of this allocation not yet paid out; "
            "the request for %(amount)s yuan cannot be approved."
        )
        _refuse_above_share(message, amount=request.amount, remaining=remaining or ZERO)
    _commit(holding, request.amount)
    request.status = PaymentRequestStatus.APPROVED
    request.reviewed_on, request.reviewed_by = approved_on, user
    request.save(update_fields=["status", "reviewed_on", "reviewed_by"])
    transfer = Transfer(
        allocation_id=request.allocation_id,
        hop=Hop.TO_VILLAGE,
        town_id=request.village.town_id,
        village_id=request.village_id,
        payment_request=request,
        amount=request.amount,
        clock_start=approved_on,
    )
    transfer.refresh_due(WorkingCalendar.load())
    transfer.save()
    return transfer


@transaction.atomic
def payment_request_return(
    *, user: User, request: PaymentRequest, returned_on: dt.date, reason: str
) -> PaymentRequest:
    """The station sends a request back with the reason; the village may correct it and submit again."""
    request = _reviewable(user, request)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is returned.")})
    date_check(returned_on, "returned_on", after=(_("the day it was submitted"), request.submitted_on))
    request.status = PaymentRequestStatus.RETURNED
    request.reviewed_on, request.reviewed_by, request.return_reason = returned_on, user, reason.strip()
    request.save(update_fields=["status", "reviewed_on", "reviewed_by", "return_reason"])
    return request
