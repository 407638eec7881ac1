"""The disbursement chain's services: who may do each step, what each step writes, and what they refuse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funds.models import Holding, Hop, PaymentRequest, PaymentRequestStatus, Transfer, Unit
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
    # when the shares come to 110 yuan of an allocation of 100
    with pytest.raises(ValidationError) as refused:
        shares = [(town, Decimal("70")), (other_town, Decimal("40"))]
        allocation_for(people.district_finance, shares, amount=Decimal("100"))
    # then they are refused, naming the allocation's amount, and no transfer is written
    assert "more than the allocation's 100 yuan" in refused.value.message_dict["shares"][0]
    assert not Transfer.objects.exists()


def test_allotting_more_than_is_left_names_what_is_left(people, town, other_town):
    # given an allocation of 100 yuan with 80 allotted
    allocation = allocation_for(people.district_finance, [(town, Decimal("80.00"))], amount=Decimal("100.00"))
    # when 30 more are allotted
    with pytest.raises(ValidationError) as refused:
        share = chain.Share(town=other_town, amount=Decimal("30"))
        chain.allocation_allot(user=people.district_finance, allocation=allocation, share=share)
    # then the refusal names the 20 yuan left
    assert refused.value.message_dict["amount"] == [
        "Only 20.00 yuan of this allocation is not yet allotted; 30 yuan cannot be given."
    ]


def test_a_document_number_is_recorded_once(people, town):
    # given an allocation
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    # when another is recorded under its document number
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
    # then the document number is refused
    assert "document_number" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_FINANCE])
def test_only_the_finance_bureau_records_allocations(role, town):
    # given a user of another role
    user = post_user(role, town=town if role == Role.TOWN_FINANCE else None)
    # then recording an allocation is refused
    with pytest.raises(PermissionDenied):
        allocation_for(user, [(town, Decimal("10"))])


def test_a_late_sending_keeps_its_days_late(people, town):
    # given a share due on Mon 17 Mar 2025
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    share = to_town_transfer(allocation, town)  # due Mon 17 Mar 2025
    # when it is sent on 20 Mar
    sent = chain.transfer_send(user=people.district_finance, transfer=share, sent_on=dt.date(2025, 3, 20))
    # then it is 3 days late
    assert (sent.sent_on, sent.days_late) == (dt.date(2025, 3, 20), 3)


def test_sending_on_the_due_day_is_on_time(people, town):
    # given a share due on Mon 17 Mar 2025
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    # when it is sent that day
    sent = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=dt.date(2025, 3, 17)
    )
    # then it is on time
    assert sent.days_late == 0


@pytest.mark.parametrize(
    ("sent_on", "field_message"),
    [
        (lambda: TODAY() + dt.timedelta(days=1), "The date cannot be later than today"),
        (lambda: dt.date(2025, 2, 28), "The date cannot be earlier than the day the clock started (2025-03-01)."),
    ],
)
def test_a_sending_date_outside_its_period_is_refused(people, town, sent_on, field_message):
    # given an allocation received on 1 Mar 2025
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2025, 3, 1))
    # when its share is sent on a day in the future or before the clock started
    with pytest.raises(ValidationError) as refused:
        share = to_town_transfer(allocation, town)
        chain.transfer_send(user=people.district_finance, transfer=share, sent_on=sent_on())
    # then the date is refused
    assert refused.value.message_dict["sent_on"][0].startswith(field_message)


def test_only_the_sending_unit_sends_and_only_the_receiving_unit_confirms(people, town):
    # given a share for the town
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    share = to_town_transfer(allocation, town)
    # then the town finance office may not send it
    with pytest.raises(PermissionDenied):
        chain.transfer_send(user=people.town_finance, transfer=share, sent_on=allocation.received_on)
    # when the finance bureau has sent it
    chain.transfer_send(user=people.district_finance, transfer=share, sent_on=allocation.received_on)
    # then the station may not confirm it
    with pytest.raises(PermissionDenied):
        chain.transfer_receive(user=people.station, transfer=share, received_on=allocation.received_on)


def test_another_towns_finance_office_cannot_confirm(people, town, other_town):
    # given a share sent to the town
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    share = chain.transfer_send(
        user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=allocation.received_on
    )
    # when another town's finance office confirms it, it is refused
    with pytest.raises(PermissionDenied):
        chain.transfer_receive(
            user=post_user(Role.TOWN_FINANCE, town=other_town), transfer=share, received_on=allocation.received_on
        )
    # then it is still not received
    assert Transfer.objects.get(pk=share.pk).received_on is None


def test_a_receipt_cannot_be_confirmed_before_the_money_is_sent(people, town):
    # given a share not yet sent
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))])
    # then the town finance office cannot confirm it
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
    # given 100,000 yuan at the station and a request for 60,000 submitted on 20 Jan 2025
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
    # given 100,000 yuan at the station and two requests, 60,000 of them approved for the first
    allocation = allocation_for(people.district_finance, [(town, Decimal("100000.00"))])
    to_station(people, allocation, town)
    first = request_for(people, allocation, village, Decimal("60000"))
    second = request_for(people, allocation, village, Decimal("50000"))
    chain.payment_request_approve(user=people.station, request=first, approved_on=TODAY())
    # when a second request for 50,000 is approved
    with pytest.raises(ValidationError) as refused:
        chain.payment_request_approve(user=people.station, request=second, approved_on=TODAY())
    # then it is refused, naming the 40,000 left, and stays submitted without a transfer
    assert refused.value.message_dict["amount"] == [
        "The station holds 40,000.00 yuan of this allocation not yet paid out; "
        "the request for 50,000.00 yuan cannot be approved."
    ]
    second.refresh_from_db()
    assert second.status == PaymentRequestStatus.SUBMITTED
    assert not Transfer.objects.filter(payment_request=second).exists()


def test_a_request_above_the_towns_remaining_share_is_refused_at_submission(people, town, village):
    # given a town's share of 100,000 yuan, 60,000 of them approved for a village
    allocation = allocation_for(people.district_finance, [(town, Decimal("100000.00"))])
    to_station(people, allocation, town)
    chain.payment_request_approve(
        user=people.station, request=request_for(people, allocation, village, Decimal("60000")), approved_on=TODAY()
    )
    # when the village asks for 50,000 more
    with pytest.raises(ValidationError) as refused:
        request_for(people, allocation, village, Decimal("50000"))
    # then it is refused at once, naming the 40,000 left, and nothing is recorded; 40,000 is still accepted
    assert refused.value.message_dict["amount"] == [
        f"{town}'s remaining share of this allocation is 40,000.00 yuan; the request for 50,000.00 yuan is above it."
    ]
    assert PaymentRequest.objects.filter(amount=Decimal("50000")).count() == 0
    assert request_for(people, allocation, village, Decimal("40000")).status == PaymentRequestStatus.SUBMITTED


def test_a_request_before_the_money_reached_the_station_cannot_be_approved(people, town, village):
    # given a request on an allocation that has not reached the station
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    request = request_for(people, allocation, village, Decimal("10"))
    # then the station cannot approve it: it holds nothing
    with pytest.raises(ValidationError, match=r"holds 0\.00 yuan"):
        chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())


def test_a_returned_request_is_corrected_and_approved(people, town, village):
    # given a request for 100 yuan when the station holds 100
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    to_station(people, allocation, town)
    request = request_for(people, allocation, village, Decimal("100"))
    # when the station returns it without a reason, it is refused
    with pytest.raises(ValidationError) as refused:
        chain.payment_request_return(user=people.station, request=request, returned_on=TODAY(), reason=" ")
    assert "reason" in refused.value.message_dict
    # when it returns it with a reason, the clerk asks for 90 instead and the station approves
    chain.payment_request_return(user=people.station, request=request, returned_on=TODAY(), reason="请分两次申请")
    chain.payment_request_resubmit(
        user=people.clerk, request=request, project_name="村集体光伏电站", purpose="设备款", amount=Decimal("90")
    )
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=TODAY())
    # then the transfer is for 90
    assert transfer.amount == Decimal("90")


def test_a_village_asks_only_for_an_allocation_allotted_to_its_town(people, town, other_town, village):
    # given an allocation for another town only
    allocation = allocation_for(people.district_finance, [(other_town, Decimal("100"))])
    # when the village asks for money from it
    with pytest.raises(ValidationError) as refused:
        request_for(people, allocation, village, Decimal("10"))
    # then the allocation is refused
    assert "allocation" in refused.value.message_dict


def test_a_clerk_asks_only_for_their_own_village(people, town, other_village):
    # given an allocation for the town
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    # then its clerk may not ask for money for another village
    with pytest.raises(PermissionDenied):
        request_for(people, allocation, other_village, Decimal("10"))


def test_the_whole_chain_ends_with_the_village_confirming(people, town, village):
    # given a request approved at the station
    allocation = allocation_for(people.district_finance, [(town, Decimal("100"))])
    to_station(people, allocation, town)
    transfer = chain.payment_request_approve(
        user=people.station, request=request_for(people, allocation, village, Decimal("100")), approved_on=TODAY()
    )
    # when the station sends the money and the clerk confirms it
    chain.transfer_send(user=people.station, transfer=transfer, sent_on=TODAY(), voucher_number="PZ-1")
    chain.transfer_receive(user=people.clerk, transfer=transfer, received_on=TODAY())
    # then the transfer has its voucher, the clerk as receiver, and is on time
    transfer.refresh_from_db()
    assert (transfer.voucher_number, transfer.received_by, transfer.days_late) == ("PZ-1", people.clerk, 0)
