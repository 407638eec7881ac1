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

from funds.choices import RepaymentInterval
from funds.models import Allocation, Hop, Loan, PaymentRequest, Transfer
from funds.services import chain
from funds.services.loans import add_months, loan_apply, loan_decide, loan_disburse, loan_repay
from households.choices import HouseholdStatus
from households.models import Household
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


# The demo town's microcredit book (point 7), walked through the real services by its town staff: (months ago the
# bank received the application, amount, term in months, repayment, what became of it). "on time": every instalment
# due so far repaid; "late": the last instalments not repaid, so the overdue scan raises its risk warning.
LOANS = [
    (26, "30000.00", 24, RepaymentInterval.QUARTERLY, "settled"),
    (20, "50000.00", 12, RepaymentInterval.AT_MATURITY, "settled"),
    (18, "20000.00", 36, RepaymentInterval.QUARTERLY, "on time"),
    (15, "40000.00", 36, RepaymentInterval.MONTHLY, "on time"),
    (14, "50000.00", 12, RepaymentInterval.AT_MATURITY, "late"),
    (12, "30000.00", 24, RepaymentInterval.QUARTERLY, "on time"),
    (10, "20000.00", 24, RepaymentInterval.QUARTERLY, "late"),
    (9, "50000.00", 36, RepaymentInterval.AT_MATURITY, "on time"),
    (7, "30000.00", 24, RepaymentInterval.MONTHLY, "on time"),
    (5, "40000.00", 36, RepaymentInterval.QUARTERLY, "on time"),
    (3, "10000.00", 12, RepaymentInterval.AT_MATURITY, "on time"),
    (2, "50000.00", 36, RepaymentInterval.QUARTERLY, "on time"),
    (1, "30000.00", 24, RepaymentInterval.AT_MATURITY, "approved"),
    (1, "20000.00", 24, RepaymentInterval.QUARTERLY, "rejected"),
    (0, "30000.00", 36, RepaymentInterval.AT_MATURITY, "applied"),
]
LOAN_PURPOSES = ["扩大食用菌种植", "购置肉牛发展养殖", "果蔬大棚建设", "农家乐经营周转", "购买农机具"]


@transaction.atomic
def demo_loans_load() -> int:
    """Create the demo town's loans once; returns how many were created (0 when they exist)."""
    staff = _user("demo_town")
    if Loan.objects.filter(recorded_by=staff).exists():
        return 0
    today = timezone.localdate()
    town = Town.objects.get(name=DEMO_TOWN_NAME)
    households = (
        Household.objects.filter(
            village__town=town, status__in=[HouseholdStatus.NOT_OUT, HouseholdStatus.OUT_CONTINUING]
        )
        .order_by("file_number")
        .prefetch_related("members")
    )
    candidates = iter(households)
    created = 0
    for index, (months_ago, amount, term, interval, outcome) in enumerate(LOANS):
        received_on = add_months(today, -months_ago) - dt.timedelta(days=3)
        household, borrower = _borrower(candidates, received_on)
        if household is None:
            break
        loan = loan_apply(
            user=staff,
            household=household,
            borrower=borrower,
            amount=Decimal(amount),
            term_months=term,
            repayment_interval=interval,
            purpose=LOAN_PURPOSES[index % len(LOAN_PURPOSES)],
            received_on=received_on,
        )
        created += 1
        if outcome == "applied":
            continue
        decided_on = received_on + dt.timedelta(days=2)
        if outcome == "rejected":
            loan_decide(
                user=staff,
                loan=loan,
                approve=False,
                decided_on=decided_on,
                reason="家庭无劳动能力，经营项目不具备还款来源",
            )
            continue
        loan = loan_decide(user=staff, loan=loan, approve=True, decided_on=decided_on)
        if outcome == "approved":
            continue
        loan = loan_disburse(
            user=staff,
            loan=loan,
            disbursed_on=decided_on + dt.timedelta(days=1),
            contract_number=f"LSNS-DEMO-{index + 1:04d}",
        )
        # Repaid on each instalment's due day: all of them (settled), those due so far (on time), or all but the
        # ones of the last two months (late).
        until = today if outcome != "late" else today - dt.timedelta(days=75)
        for instalment in loan.installments.order_by("number"):
            if outcome != "settled" and instalment.due_on > until:
                break
            loan_repay(user=staff, loan=loan, paid_on=min(instalment.due_on, today), amount=instalment.principal)
    return created


def _borrower(households, received_on: dt.date):
    """The next household with a member of working age (18 to 60) on ``received_on``: it and that member."""
    for household in households:
        for member in household.members.all():
            age = (
                received_on.year
                - member.birth_date.year
                - ((received_on.month, received_on.day) < (member.birth_date.month, member.birth_date.day))
            )
            if 18 <= age <= 60:
                return household, member
    return None, None
