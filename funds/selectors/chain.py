"""Reads of the disbursement chain: the lists, what waits for each role, an allocation's chain, who may do a step.

Every queryset of funds records starts from ``funds_scope``, so a page cannot show another town's money. Deadlines
are counted from ``timezone.localdate()`` (Beijing): the due day ends at 24:00, so a record is overdue from the day
after its due date.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from funds.models import Allocation, Hop, PaymentRequest, PaymentRequestStatus, Transfer, Unit
from funds.permissions import CHAIN_COUNT_READERS, funds_scope, may_act_for
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.money import ZERO
from organisation.scoping import Access, may_act, towns_for

# How many rows of each queue the overview shows; the rest are one click away in the filtered list.
QUEUE_ROWS = 20


# --- Deadlines --------------------------------------------------------------------------------------------------


def days_left(due_date: dt.date | None, *, today: dt.date | None = None) -> int | None:
    """Days from today to the due day: 0 on the due day itself, negative once it has passed (days overdue)."""
    if due_date is None:
        return None
    return (due_date - (today or timezone.localdate())).days


def with_days_left(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """``days_left`` of each row (see :func:`days_left`), computed by the database; any model with a ``due_date``."""
    today = today or timezone.localdate()
    # PostgreSQL's date - date is a whole number of days.
    difference = Func(F("due_date"), Value(today), template="(%(expressions)s)", arg_joiner=" - ")
    return queryset.annotate(days_left=ExpressionWrapper(difference, output_field=IntegerField()))


# --- Lists ------------------------------------------------------------------------------------------------------


class AllocationState(models.TextChoices):
    NOT_FULLY_ALLOTTED = "open", _("Not fully allotted to towns")
    FULLY_ALLOTTED = "allotted", _("Fully allotted to towns")


class TransferState(models.TextChoices):
    UNSENT = "unsent", _("Awaiting sending")
    OVERDUE = "overdue", _("Overdue, not sent")
    IN_TRANSIT = "in_transit", _("Sent, awaiting confirmation of receipt")
    RECEIVED = "received", _("Receipt confirmed")


def _transfer_state(state: str, today: dt.date) -> Q:
    conditions: dict[str, Q] = {
        TransferState.UNSENT: Q(sent_on__isnull=True),
        TransferState.OVERDUE: Q(sent_on__isnull=True, due_date__lt=today),
        TransferState.IN_TRANSIT: Q(sent_on__isnull=False, received_on__isnull=True),
        TransferState.RECEIVED: Q(received_on__isnull=False),
    }
    return conditions[state]


def _between(queryset: QuerySet, lookup: str, start: dt.date | None, end: dt.date | None) -> QuerySet:
    if start:
        queryset = queryset.filter(**{f"{lookup}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{lookup}__lte": end})
    return queryset


def allocation_list(
    *,
    user: Actor,
    town: Town | None = None,
    state: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    query: str = "",
) -> QuerySet[Allocation]:
    allocations = funds_scope(user, Access.VIEW, Allocation.objects.all())
    if town is not None:
        allotted = Transfer.objects.filter(allocation=OuterRef("pk"), hop=Hop.TO_TOWN, town=town)
        allocations = allocations.filter(Exists(allotted))
    if state == AllocationState.NOT_FULLY_ALLOTTED:
        allocations = allocations.filter(allotted__lt=F("amount"))
    elif state == AllocationState.FULLY_ALLOTTED:
        allocations = allocations.filter(allotted=F("amount"))
    allocations = _between(allocations, "received_on", received_from, received_to)
    if query := query.strip():
        allocations = allocations.filter(
            Q(document_number__icontains=query) | Q(title__icontains=query) | Q(issued_by__icontains=query)
        )
    return allocations.order_by("-received_on", "-pk")


def allocation_totals(allocations: QuerySet[Allocation]) -> dict:
    return allocations.aggregate(
        count=Count("pk"), amount=Coalesce(Sum("amount"), ZERO), allotted=Coalesce(Sum("allotted"), ZERO)
    )


def transfer_list(
    *,
    user: Actor,
    town: Town | None = None,
    village: Village | None = None,
    hop: str = "",
    state: str = "",
    allocation: Allocation | None = None,
    clock_from: dt.date | None = None,
    clock_to: dt.date | None = None,
    sent_to: dt.date | None = None,
    received_to: dt.date | None = None,
    query: str = "",
) -> QuerySet[Transfer]:
    """Transfers with what a row shows joined in: a constant number of queries whatever the page holds.

    ``sent_to`` / ``received_to``: only transfers sent / received on or before that day (what the chain had moved
    by then, as the monthly figures count it)."""
    transfers = funds_scope(user, Access.VIEW).select_related("allocation", "town", "village", "payment_request")
    if town is not None:
        transfers = transfers.filter(town=town)
    if village is not None:
        transfers = transfers.filter(village=village)
    if hop in Hop.values:
        transfers = transfers.filter(hop=hop)
    if state in TransferState.values:
        transfers = transfers.filter(_transfer_state(state, timezone.localdate()))
    if allocation is not None:
        transfers = transfers.filter(allocation=allocation)
    transfers = _between(transfers, "clock_start", clock_from, clock_to)
    transfers = _between(transfers, "sent_on", None, sent_to)
    transfers = _between(transfers, "received_on", None, received_to)
    if query := query.strip():
        transfers = transfers.filter(
            Q(allocation__document_number__icontains=query)
            | Q(allocation__title__icontains=query)
            | Q(payment_request__project_name__icontains=query)
            | Q(village__name__icontains=query)
            | Q(voucher_number__icontains=query)
        )
    return with_days_left(transfers).order_by("-clock_start", "-pk")


def transfer_totals(transfers: QuerySet[Transfer]) -> dict:
    return transfers.aggregate(count=Count("pk"), amount=Coalesce(Sum("amount"), ZERO))


def payment_request_list(
    *,
    user: Actor,
    town: Town | None = None,
    status: str = "",
    allocation: Allocation | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    query: str = "",
) -> QuerySet[PaymentRequest]:
    requests = funds_scope(user, Access.VIEW, PaymentRequest.objects.all()).select_related(
        "village__town", "allocation", "transfer"
    )
    if town is not None:
        requests = requests.filter(village__town=town)
    if status in PaymentRequestStatus.values:
        requests = requests.filter(status=status)
    if allocation is not None:
        requests = requests.filter(allocation=allocation)
    requests = _between(requests, "submitted_on", submitted_from, submitted_to)
    if query := query.strip():
        requests = requests.filter(
            Q(project_name__icontains=query)
            | Q(village__name__icontains=query)
            | Q(allocation__document_number__icontains=query)
        )
    return requests.order_by("-submitted_on", "-pk")


def payment_request_totals(requests: QuerySet[PaymentRequest]) -> dict:
    return requests.aggregate(count=Count("pk"), amount=Coalesce(Sum("amount"), ZERO))


# --- Choices of the filters and forms ----------------------------------------------------------------------------


def towns_reached(user: Actor) -> QuerySet[Town]:
    """The towns whose funds records the user sees: the choices of the lists' town filter."""
    return towns_for(user, Access.VIEW).order_by("code")


def allocations_reached(user: Actor) -> QuerySet[Allocation]:
    return funds_scope(user, Access.VIEW, Allocation.objects.all()).order_by("-received_on", "-pk")


def allocations_open_to_villages(user: Actor) -> QuerySet[Allocation]:
    """The allocations the user may ask money of for a village: those allotted to the town of a village they
    serve (the rule ``payment_request_submit`` applies; ``funds_scope`` reaches a clerk's town's allocations)."""
    return funds_scope(user, Access.VIEW, Allocation.objects.all()).order_by("-received_on", "-pk")


# --- Who may do which step ---------------------------------------------------------------------------------------


def may_act_on(*, user: Actor, record, unit: Unit) -> bool:
    """Whether the user's role does ``unit``'s steps and the record is within what they may change."""
    if not may_act_for(user, unit):
        return False
    return funds_scope(user, Access.CHANGE, type(record)._default_manager.filter(pk=record.pk)).exists()


@dataclass(frozen=True)
class Steps:
    """The steps the page offers the user on one record (each also checked again by its service)."""

    allot: bool = False
    send: bool = False
    receive: bool = False
    review: bool = False
    resubmit: bool = False

    @property
    def any(self) -> bool:
        return self.allot or self.send or self.receive or self.review or self.resubmit


def allocation_steps(*, user: Actor, allocation: Allocation) -> Steps:
    open_ = allocation.unallotted > ZERO
    return Steps(allot=open_ and may_act_on(user=user, record=allocation, unit=Unit.DISTRICT_FINANCE))


def transfer_steps(*, user: Actor, transfer: Transfer) -> Steps:
    if transfer.sent_on is None:
        return Steps(send=may_act_on(user=user, record=transfer, unit=transfer.sender))
    if transfer.received_on is None:
        return Steps(receive=may_act_on(user=user, record=transfer, unit=transfer.receiver))
    return Steps()


def payment_request_steps(*, user: Actor, request: PaymentRequest) -> Steps:
    if request.status == PaymentRequestStatus.SUBMITTED:
        return Steps(review=may_act_on(user=user, record=request, unit=Unit.STATION))
    if request.status == PaymentRequestStatus.RETURNED:
        return Steps(resubmit=may_act_on(user=user, record=request, unit=Unit.VILLAGE))
    return Steps()


def allocation_visible(*, user: Actor, allocation_id: int) -> bool:
    return funds_scope(user, Access.VIEW, Allocation.objects.filter(pk=allocation_id)).exists()


# --- An allocation's chain ---------------------------------------------------------------------------------------


@dataclass
class TownChain:
    """One town's part of an allocation: its share, the forwarding to its station, its villages' requests."""

    to_town: Transfer
    to_station: Transfer | None = None
    requests: list[PaymentRequest] = field(default_factory=list)


def allocation_chain(*, user: Actor, allocation: Allocation) -> list[TownChain]:
    """The towns' transfers of ``allocation`` the user sees, each with the money's way onward (three queries)."""
    transfers = with_days_left(
        funds_scope(user, Access.VIEW)
        .filter(allocation=allocation, hop__in=[Hop.TO_TOWN, Hop.TO_STATION])
        .select_related("town")
        .order_by("town__code", "pk")
    )
    chains: dict[int, TownChain] = {}
    forwarded: list[Transfer] = []
    for transfer in transfers:
        if transfer.hop == Hop.TO_TOWN:
            chains[transfer.town_id] = TownChain(to_town=transfer)
        else:
            forwarded.append(transfer)
    for transfer in forwarded:
        if transfer.town_id in chains:
            chains[transfer.town_id].to_station = transfer
    requests = (
        funds_scope(user, Access.VIEW, PaymentRequest.objects.filter(allocation=allocation))
        .select_related("village", "transfer")
        .order_by("village__code", "-submitted_on", "-pk")
    )
    for request in requests:
        transfer = getattr(request, "transfer", None)
        if transfer is not None:
            transfer.days_left = days_left(transfer.due_date)
        if request.village.town_id in chains:
            chains[request.village.town_id].requests.append(request)
    return list(chains.values())


# --- What waits for each role ------------------------------------------------------------------------------------


@dataclass
class Queue:
    """Records that wait for the user's step, most urgent first."""

    key: str
    title: str
    kind: str  # "transfer" or "request"
    rows: list
    count: int
    list_url: str


def _queue(key, title, kind, queryset, list_name, params) -> Queue:
    rows = list(queryset[:QUEUE_ROWS])
    count = len(rows) if len(rows) < QUEUE_ROWS else queryset.count()
    return Queue(key, title, kind, rows, count, f"{reverse(list_name)}?{urlencode(params)}")


def _transfer_queue(user: Actor, key, title, *, hop: Hop, state: TransferState) -> Queue:
    transfers = (
        funds_scope(user, Access.CHANGE)
        .filter(hop=hop)
        .filter(_transfer_state(state, timezone.localdate()))
        .select_related("allocation", "town", "village", "payment_request")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    params = {"hop": hop.value, "state": state.value}
    return _queue(key, title, "transfer", with_days_left(transfers), "funds:transfer_list", params)


def waiting_for(user: Actor) -> list[Queue]:
    """The queues of the steps the user's role does, in the order of the chain."""
    queues = []
    if may_act_for(user, Unit.DISTRICT_FINANCE):
        queues.append(
            _transfer_queue(
                user, "to_town_unsent", _("Shares to send to towns"), hop=Hop.TO_TOWN, state=TransferState.UNSENT
            )
        )
    if may_act_for(user, Unit.TOWN_FINANCE):
        queues.append(
            _transfer_queue(
                user,
                "to_town_to_confirm",
                _("Money from the district finance bureau to confirm"),
                hop=Hop.TO_TOWN,
                state=TransferState.IN_TRANSIT,
            )
        )
        queues.append(
            _transfer_queue(
                user,
                "to_station_unsent",
                _("Money to forward to the economic management station"),
                hop=Hop.TO_STATION,
                state=TransferState.UNSENT,
            )
        )
    if may_act_for(user, Unit.STATION):
        queues.append(
            _transfer_queue(
                user,
                "to_station_to_confirm",
                _("Money from the town finance office to confirm"),
                hop=Hop.TO_STATION,
                state=TransferState.IN_TRANSIT,
            )
        )
        to_review = (
            funds_scope(user, Access.CHANGE, PaymentRequest.objects.filter(status=PaymentRequestStatus.SUBMITTED))
            .select_related("village__town", "allocation")
            .order_by("submitted_on", "pk")
        )
        queues.append(
            _queue(
                "requests_to_review",
                _("Payment requests to review"),
                "request",
                to_review,
                "funds:request_list",
                {"status": PaymentRequestStatus.SUBMITTED.value},
            )
        )
        queues.append(
            _transfer_queue(
                user,
                "to_village_unsent",
                _("Approved requests to pay to villages"),
                hop=Hop.TO_VILLAGE,
                state=TransferState.UNSENT,
            )
        )
    if may_act_for(user, Unit.VILLAGE):
        open_requests = (
            funds_scope(
                user,
                Access.CHANGE,
                PaymentRequest.objects.filter(
                    status__in=[PaymentRequestStatus.SUBMITTED, PaymentRequestStatus.RETURNED]
                ),
            )
            .select_related("village__town", "allocation")
            .annotate(returned=ExpressionWrapper(Q(status=PaymentRequestStatus.RETURNED), output_field=BooleanField()))
            .order_by("-returned", "-submitted_on", "-pk")
        )
        queues.append(
            _queue(
                "my_requests",
                _("Payment requests not yet approved"),
                "request",
                open_requests,
                "funds:request_list",
                {},
            )
        )
        queues.append(
            _transfer_queue(
                user,
                "to_village_to_confirm",
                _("Money from the station to confirm"),
                hop=Hop.TO_VILLAGE,
                state=TransferState.IN_TRANSIT,
            )
        )
    return queues


@dataclass(frozen=True)
class HopCounts:
    hop: Hop
    unsent: int
    overdue: int
    in_transit: int
    received: int
    unsent_amount: Decimal


def shows_chain_counts(user: Actor) -> bool:
    return may_act(user, CHAIN_COUNT_READERS)


def chain_counts(user: Actor) -> tuple[list[HopCounts], dict]:
    """Per hop, how many transfers wait to be sent (and how many of those are overdue), are in transit, arrived;
    and the payment requests by status. Two queries."""
    today = timezone.localdate()
    unsent = Q(sent_on__isnull=True)
    rows = (
        funds_scope(user, Access.VIEW)
        .values("hop")
        .annotate(
            unsent=Count("pk", filter=unsent),
            overdue=Count("pk", filter=unsent & Q(due_date__lt=today)),
            in_transit=Count("pk", filter=Q(sent_on__isnull=False, received_on__isnull=True)),
            received=Count("pk", filter=Q(received_on__isnull=False)),
            unsent_amount=Coalesce(Sum("amount", filter=unsent), ZERO),
        )
        .order_by()
    )
    by_hop = {row.pop("hop"): row for row in rows}
    empty = {"unsent": 0, "overdue": 0, "in_transit": 0, "received": 0, "unsent_amount": ZERO}
    hops = [HopCounts(hop=hop, **by_hop.get(hop.value, empty)) for hop in Hop]
    requests = funds_scope(user, Access.VIEW, PaymentRequest.objects.all()).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in PaymentRequestStatus}
    )
    return hops, requests
