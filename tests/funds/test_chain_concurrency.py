"""Two people paying out of the same money at the same moment cannot together send more than was received."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from funds.models import Allocation, Holding, Hop, PaymentRequestStatus, Transfer, Unit
from funds.services import chain
from organisation.roles import Role
from tests.concurrency import run_together
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_station
from tests.factories.organisation import TownFactory, post_user


@pytest.mark.django_db(transaction=True)
def test_two_stations_users_approving_at_once_cannot_overspend(town, village):
    # given a station holding 100,000 yuan of an allocation and two requests of 60,000 each
    people = ChainPeople.for_town(town, village)
    second_station_user = post_user(Role.TOWN_STATION, town=town)
    allocation = allocation_for(people.district_finance, [(town, Decimal("100000.00"))])
    to_station(people, allocation, town)
    first = request_for(people, allocation, village, Decimal("60000.00"))
    second = request_for(people, allocation, village, Decimal("60000.00"))
    today = timezone.localdate()

    # when two station users approve them at the same moment
    outcomes = run_together(
        lambda: chain.payment_request_approve(user=people.station, request=first, approved_on=today),
        lambda: chain.payment_request_approve(user=second_station_user, request=second, approved_on=today),
    )

    # then one is approved and the other refused, naming the 40,000 left
    assert sorted(outcomes, key=str) == [
        "The station holds 40,000.00 yuan of this allocation not yet paid out; "
        "the request for 60,000.00 yuan cannot be approved.",
        "done",
    ]
    holding = Holding.objects.get(allocation=allocation, town=town, unit=Unit.STATION)
    assert (holding.received, holding.committed) == (Decimal("100000.00"), Decimal("60000.00"))
    assert Transfer.objects.filter(hop=Hop.TO_VILLAGE).count() == 1
    statuses = sorted(type(first).objects.values_list("status", flat=True))
    assert statuses == sorted([PaymentRequestStatus.APPROVED, PaymentRequestStatus.SUBMITTED])


@pytest.mark.django_db(transaction=True)
def test_two_shares_allotted_at_once_stay_within_the_allocation(town):
    # given an allocation of 100 yuan with 40 allotted
    finance = post_user(Role.DISTRICT_FINANCE)
    allocation = allocation_for(finance, [(town, Decimal("40.00"))], amount=Decimal("100.00"))
    towns = [TownFactory(), TownFactory()]

    # when two shares of 50 are allotted to two more towns at the same moment
    outcomes = run_together(
        *[
            lambda town=other: chain.allocation_allot(
                user=finance, allocation=allocation, share=chain.Share(town=town, amount=Decimal("50.00"))
            )
            for other in towns
        ]
    )

    # then only one goes through: 90 of 100 allotted
    assert sorted(outcomes, key=str) == [
        "Only 10.00 yuan of this allocation is not yet allotted; 50.00 yuan cannot be given.",
        "done",
    ]
    assert Allocation.objects.get(pk=allocation.pk).allotted == Decimal("90.00")
    assert Transfer.objects.filter(allocation=allocation, hop=Hop.TO_TOWN).count() == 2


@pytest.mark.django_db
def test_the_database_itself_refuses_a_commitment_above_what_was_received(town, village):
    # given a station holding 100 yuan
    people = ChainPeople.for_town(town, village)
    allocation = allocation_for(people.district_finance, [(town, Decimal("100.00"))])
    to_station(people, allocation, town)
    # when something bypasses the services and commits 101
    with pytest.raises(IntegrityError, match="holding_committed_within_received"), transaction.atomic():
        Holding.objects.filter(unit=Unit.STATION).update(committed=F("committed") + Decimal("101.00"))
