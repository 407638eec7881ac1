"""Building funds records through the real services, so every test starts from a state the app can reach.

``ChainPeople.for_town(town, village)`` gives one user per step; ``allocation_for`` records an allocation
with shares; ``to_station`` / ``to_village`` walk a share down the chain. Dates default to recent days.
"""

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from funds.models import Allocation, Hop, PaymentRequest, Transfer
from funds.services import chain
from organisation.roles import Role
from tests.factories.organisation import post_user

_numbers = itertools.count(1)


@dataclass
class ChainPeople:
    district_finance: object
    town_finance: object
    station: object
    clerk: object
    town_staff: object

    @classmethod
    def for_town(cls, town, village, *, district_finance=None) -> "ChainPeople":
        return cls(
            district_finance=district_finance or post_user(Role.DISTRICT_FINANCE),
            town_finance=post_user(Role.TOWN_FINANCE, town=town),
            station=post_user(Role.TOWN_STATION, town=town),
            clerk=post_user(Role.VILLAGE_CLERK, village=village),
            town_staff=post_user(Role.TOWN_STAFF, town=town),
        )


def allocation_for(
    user, shares: list[tuple[object, Decimal]], *, amount: Decimal | None = None, received_on: dt.date | None = None
) -> Allocation:
    number = next(_numbers)
    total = sum((share_amount for _town, share_amount in shares), Decimal("0"))
    return chain.allocation_record(
        user=user,
        document_number=f"鲁财农指〔2026〕{number}号",
        title=f"测试专项扶贫资金{number}",
        year=2026,
        amount=amount if amount is not None else total,
        received_on=received_on or timezone.localdate() - dt.timedelta(days=30),
        shares=[chain.Share(town=town, amount=share_amount) for town, share_amount in shares],
    )


def to_town_transfer(allocation: Allocation, town) -> Transfer:
    return Transfer.objects.get(allocation=allocation, town=town, hop=Hop.TO_TOWN)


def to_station(people: ChainPeople, allocation: Allocation, town, *, on: dt.date | None = None) -> Transfer:
    """Send the town's share, confirm it, forward it to the station and confirm that: the station holds it."""
    on = on or allocation.received_on
    first = chain.transfer_send(user=people.district_finance, transfer=to_town_transfer(allocation, town), sent_on=on)
    chain.transfer_receive(user=people.town_finance, transfer=first, received_on=on)
    second = Transfer.objects.get(source=first)
    chain.transfer_send(user=people.town_finance, transfer=second, sent_on=on)
    chain.transfer_receive(user=people.station, transfer=second, received_on=on)
    return second


def request_for(people: ChainPeople, allocation: Allocation, village, amount: Decimal) -> PaymentRequest:
    return chain.payment_request_submit(
        user=people.clerk,
        village=village,
        allocation=allocation,
        project_name="村集体光伏电站",
        purpose="设备款",
        amount=amount,
    )
