"""The disbursement chain's services: who may do each step, what each step writes, and what they refuse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funds.models import Holding, Hop, PaymentRequestStatus, Transfer, Unit
from funds.services import chain
from organisation.roles import Role
from tests.factories.funds import allocation_for, request_for, to_station, to_town_transfer
from tests.factories.organisation import post_user

pytestmark = pytest.mark.english

TODAY = timezone.localdate


def test_an_allocation_gives_each_town_a_share_due_in_15_days(people, town, other_town):
    # when the finance bureau records an allocation received on 14 Jan 2025 for two towns
    allocation = allocation_for(
        people.district_finance,
        [(town, Decimal("300000.00")), (other_town, Decimal("200000.00"))],
        amount=Decimal("600000.00"),
        received_on=dt.date(2025, 1, 14),
    )
    # then each town has a share due on 5 Feb 2025 (15 days end in the Spring Festival holidays)
    shares = Transfer.objects.filter(allocation=allocation, hop=Hop.TO_TOWN).order_by("amount")
    assert [(share.town, share.amount, share.due_date) for share in shares] == [
        (other_town, Decimal("200000.00"), dt.date(2025, 2, 5)),
        (town, Decimal("300000.00"), dt.date(2025, 2, 5)),
    ]
    allocation.refresh_from_db()
    assert (allocation.allotted, allocation.unallotted) == (Decimal("500000.00"), Decimal("100000.00"))


def test_shares_above_the_allocation_are_refused_and_nothing_is_written(people, town, other_town):
    with pytest.raises(ValidationError) as refused:
        shares = [(town, Decimal("70")), (other_town, Decimal("40"))]
        allocation_for(people.district_finance, shares, amount=Decimal("100"))
    assert "more than the allocation's 100 yuan" in refused.value.message_dict["shares"][0]
    assert not Transfer.objects.exists()


def test_allotting_more_than_is_left_names_what_is_left(people, town, other_town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("80.00"))], amount=Decimal("100.00"))
    with pytest.raises(ValidationError) as refused:
        share = chain.Share(town=other_town, amount=Decimal("30"))
        chain.allocation_allot(user=people.district_finance, allocation=allocation, share=share)
    assert refused.value.message_dict["amount"] == [
        "Only 20.00 yuan of this allocation is not yet allotted; 30 yuan cannot be given."
    ]


def test_a_document_number_is_recorded_once(people, town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    with pytest.raises(ValidationError) as refused:
        chain.allocation_record(
            user=people.district_finance,
            document_number=allocation.document_number,
            title="重复",
            year=2026,
            amount=Decimal("10"),
            received_on=TODAY(),
            shares=[],
        )
    assert "document_number" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_FINANCE])
def test_only_the_finance_bureau_records_allocations(role, town):
    user = post_user(role, town=town if role == Role.TOWN_FINANCE else None)
    with pytest.raises(PermissionDenied):
        allocation_for(user, [(town, Decimal("10"))])


def test_a_late_sending_keeps_its_days_late(people, town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    share = to_town_transfer(allocation, town)  # due Mon 17 Mar 2025
    sent = chain.transfer_send(user=people.district_finance, transfer=share, sent_on=dt.date(2025, 3, 20))
    assert (sent.sent_on, sent.days_late) == (dt.date(2025, 3, 20), 3)


def test_sending_on_the_due_day_is_on_time(people, town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    sent = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=dt.date(2025, 3, 17)
    )
    assert sent.days_late == 0


@pytest.mark.parametrize(
    ("sent_on", "field_message"),
    [
        (lambda: TODAY() + dt.timedelta(days=1), "The date cannot be later than today"),
        (lambda: dt.date(2025, 2, 28), "The date cannot be earlier than the day the clock started (2025-03-01)."),
    ],
)
def test_a_sending_date_outside_its_period_is_refused(people, town, sent_on, field_message):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        share = to_town_transfer(allocation, town)
        chain.transfer_send(user=people.district_finance, transfer=share, sent_on=sent_on())
    assert refused.value.message_dict["sent_on"][0].startswith(field_message)


def test_only_the_sending_unit_sends_and_only_the_receiving_unit_confirms(people, town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    share = to_town_transfer(allocation, town)
    with pytest.raises(PermissionDenied):
        chain.transfer_send(user=people.town_finance, transfer=share, sent_on=allocation.received_on)
    chain.transfer_send(user=people.district_finance, transfer=share, sent_on=allocation.received_on)
    with pytest.raises(PermissionDenied):
        chain.transfer_receive(user=people.station, transfer=share, received_on=allocation.received_on)


def test_another_towns_finance_office_cannot_confirm(people, town, other_town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=allocation.received_on
    )
    with pytest.raises(PermissionDenied):
        chain.transfer_receive(
            user=post_user(Role.TOWN_FINANCE, town=other_town), transfer=share, received_on=allocation.received_on
        )
    assert Transfer.objects.get(pk=share.pk).received_on is None


def test_a_receipt_cannot_be_confirmed_before_the_money_is_sent(people, town):
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    with pytest.raises(ValidationError, match="has not been sent yet"):
        chain.transfer_receive(
            user=people.town_finance, transfer=to_town_transfer(allocation, town), received_on=TODAY()
        )


def test_the_finance_offices_receipt_starts_the_stations_5_working_days(people, town):
    # given a share sent on Fri 27 Sep 2024
    shares = [(town, Decimal("5000.00"))]
    allocation = allocation_for(people.district_finance, shares, received_on=dt.date(2024, 9, 20))
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=dt.date(2024, 9, 27)
    )
    # when the finance office confirms it that day
    chain.transfer_receive(user=people.town_finance, transfer=share, received_on=dt.date(2024, 9, 27))
    # then its transfer to the station is due 5 working days later, across National Day: 10 Oct
    onward = Transfer.objects.get(source=share)
    assert (onward.hop, onward.amount, onward.clock_start, onward.due_date) == (
        Hop.TO_STATION,
        Decimal("5000.00"),
        dt.date(2024, 9, 27),
        dt.date(2024, 10, 10),
    )
    holding = Holding.objects.get(town=town, unit=Unit.TOWN_FINANCE)
    assert (holding.received, holding.committed) == (Decimal("5000.00"), Decimal("5000.00"))


def test_an_approved_request_is_due_at_the_village_in_5_working_days(people, town, village):
    shares = [(town, Decimal("100000.00"))]
    allocation = allocation_for(people.district_finance, shares, received_on=dt.date(2025, 1, 2))
    to_station(people, allocation, town, on=dt.date(2025, 1, 6))
    request = request_for(people, allocation, village, Decimal("60000.00"))
    request.submitted_on = dt.date(2025, 1, 20)
    request.save()
    # when the station approves it on Fri 24 Jan 2025
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=dt.date(2025, 1, 24))
    # then the village's money is due on 7 Feb (Spring Festival in between) and the station has 40,000 left
    assert (transfer.hop, transfer.village, transfer.due_date) == (Hop.TO_VILLAGE, village, dt.date(2025, 2, 7))
    request.refresh_from_db()
    assert request.status == PaymentRequestStatus.APPROVED
    assert Holding.objects.get(town=town, unit=Unit.STATION).balance == Decimal("40000.00")


def test_the_station_cannot_approve_more_than_it_holds(people, town, village):
    allocation = allocation_for(people.district_finance, [(town, Decimal("100000.00"))])
    to_station(people, allocation, town)
    chain.payment_request_approve(
        user=people.station, request=request_for(people, allocation, village, Decimal("60000")), approved_on=TODAY()
    )
    second = request_for(people, allocation, village, Decimal("50000"))
    with pytest.raises(ValidationError) as refused:
        chain.payment_request_approve(user=people.station, request=second, approved_on=TODAY())
    assert refused.value.message_dict["amount"] == [
        "The station holds 40000.00 yuan of this allocation not yet paid out; "
        "the request for 50000.00 yuan cannot be approved."
    ]
    second.refresh_from_db()
    assert second.status == PaymentRequestStatus.SUBMITTED
    assert not Transfer.objects.filter(payment_request=second).exists()


def test_a_request_before_the_money_reached_the_station_cannot_be_approved(people, town, village):
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    request = request_for(people, allocation, village, Decimal("10"))
    with pytest.raises(ValidationError, match=r"holds 0\.00 yuan"):
        chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())


def test_a_returned_request_is_corrected_and_approved(people, town, village):
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    to_station(people, allocation, town)
    request = request_for(people, allocation, village, Decimal("150"))
    with pytest.raises(ValidationError) as refused:
        chain.payment_request_return(user=people.station, request=request, returned_on=TODAY(), reason=" ")
    assert "reason" in refused.value.message_dict
    chain.payment_request_return(user=people.station, request=request, returned_on=TODAY(), reason="超出余额")
    chain.payment_request_resubmit(
        user=people.clerk, request=request, project_name="村集体光伏电站", purpose="设备款", amount=Decimal("90")
    )
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())
    assert transfer.amount == Decimal("90")


def test_a_village_asks_only_for_an_allocation_allotted_to_its_town(people, town, other_town, village):
    allocation = allocation_for(people.district_finance, [(other_town, Decimal("100"))])
    with pytest.raises(ValidationError) as refused:
        request_for(people, allocation, village, Decimal("10"))
    assert "allocation" in refused.value.message_dict


def test_a_clerk_asks_only_for_their_own_village(people, town, other_village):
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    with pytest.raises(PermissionDenied):
        request_for(people, allocation, other_village, Decimal("10"))


def test_the_whole_chain_ends_with_the_village_confirming(people, town, village):
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    to_station(people, allocation, town)
    transfer = chain.payment_request_approve(
        user=people.station, request=request_for(people, allocation, village, Decimal("100")), approved_on=TODAY()
    )
    chain.transfer_send(user=people.station, transfer=transfer, sent_on=TODAY(), voucher_number="PZ-1")
    chain.transfer_receive(user=people.clerk, transfer=transfer, received_on=TODAY())
    transfer.refresh_from_db()
    assert (transfer.voucher_number, transfer.received_by, transfer.days_late) == ("PZ-1", people.clerk, 0)
