"""Demo funds for the zero-setup run: two allocations walked down the chain to different points.

Everything is invented; dates are counted back from today so that the demo always shows money on
time, money due soon and money overdue. The steps are taken through the real services by the demo
users of ``organisation.demo_data``; only the dates of village requests are set back afterwards.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from funds.models import Allocation, Hop, PaymentRequest, Transfer
from funds.services import chain
from organisation.demo_data import DEMO_TOWN_NAME
from organisation.models import Town

FIRST_DOCUMENT = "鲁财农指〔2026〕12号"
SECOND_DOCUMENT = "临财农指〔2026〕31号"


def _user(username: str):
    return get_user_model().objects.get(username=username)


@transaction.atomic
def demo_funds_load() -> int:
    """Create the demo allocations once; returns how many were created (0 when they exist)."""
    if Allocation.objects.filter(document_number=FIRST_DOCUMENT).exists():
        return 0
    today = timezone.localdate()
    finance, town_finance, station = _user("demo_finance"), _user("demo_town_finance"), _user("demo_station")
    clerk = _user("demo_village")
    demo_town = Town.objects.get(name=DEMO_TOWN_NAME)
    others = list(Town.objects.exclude(pk=demo_town.pk).order_by("code")[:3])

    # The first allocation came 40 days ago: the demo town's share went all the way down; one other
    # town's share was never sent (overdue); one went out late.
    first = chain.allocation_record(
        user=finance,
        document_number=FIRST_DOCUMENT,
        title="2026年中央财政专项扶贫资金（第一批）",
        issued_by="山东省财政厅",
        year=2026,
        amount=Decimal("2000000.00"),
        received_on=today - dt.timedelta(days=40),
        shares=[
            chain.Share(town=demo_town, amount=Decimal("800000.00")),
            chain.Share(town=others[0], amount=Decimal("500000.00")),
            chain.Share(town=others[1], amount=Decimal("400000.00")),
        ],
    )
    share = Transfer.objects.get(allocation=first, town=demo_town, hop=Hop.TO_TOWN)
    chain.transfer_send(user=finance, transfer=share, sent_on=first.received_on + dt.timedelta(days=6))
    chain.transfer_receive(user=town_finance, transfer=share, received_on=first.received_on + dt.timedelta(days=7))
    onward = Transfer.objects.get(source=share)
    chain.transfer_send(user=town_finance, transfer=onward, sent_on=onward.clock_start + dt.timedelta(days=3))
    chain.transfer_receive(user=station, transfer=onward, received_on=onward.clock_start + dt.timedelta(days=3))
    late = Transfer.objects.get(allocation=first, town=others[1], hop=Hop.TO_TOWN)
    chain.transfer_send(user=finance, transfer=late, sent_on=late.due_date + dt.timedelta(days=4))

    village = clerk.staff_post.village
    requests = [
        ("光伏扶贫电站", "组件与逆变器款", Decimal("300000.00"), 20),
        ("特色种植大棚", "钢架大棚建设款", Decimal("250000.00"), 12),
        ("扶贫车间", "设备购置款", Decimal("150000.00"), 3),
        ("乡村旅游步道", "工程进度款", Decimal("400000.00"), 2),
    ]
    made = []
    for project, purpose, amount, days_ago in requests:
        request = chain.payment_request_submit(
            user=clerk, village=village, allocation=first, project_name=project, purpose=purpose, amount=amount
        )
        PaymentRequest.objects.filter(pk=request.pk).update(submitted_on=today - dt.timedelta(days=days_ago))
        request.refresh_from_db()
        made.append(request)
    paid, unsent, waiting, too_much = made
    transfer = chain.payment_request_approve(user=station, request=paid, approved_on=paid.submitted_on)
    chain.transfer_send(user=station, transfer=transfer, sent_on=paid.submitted_on + dt.timedelta(days=2))
    chain.transfer_receive(user=clerk, transfer=transfer, received_on=paid.submitted_on + dt.timedelta(days=3))
    chain.payment_request_approve(user=station, request=unsent, approved_on=unsent.submitted_on + dt.timedelta(days=1))
    chain.payment_request_return(
        user=station, request=too_much, returned_on=today, reason="申请金额超过经管站该笔资金余额，请核减后重新提报。"
    )
    del waiting  # left for the station to review in the demo

    # The second allocation arrived five days ago: its shares are still within their 15 days.
    chain.allocation_record(
        user=finance,
        document_number=SECOND_DOCUMENT,
        title="2026年市级财政专项扶贫资金",
        issued_by="临沂市财政局",
        year=2026,
        amount=Decimal("600000.00"),
        received_on=today - dt.timedelta(days=5),
        shares=[
            chain.Share(town=demo_town, amount=Decimal("300000.00")),
            chain.Share(town=others[2], amount=Decimal("300000.00")),
        ],
    )
    return 2
