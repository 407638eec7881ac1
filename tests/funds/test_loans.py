"""Microcredit (point 7): who may borrow, the 限时办结 due date, the schedule, repayments, risk and the loan book."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.models import FundsPolicy, Installment, Loan, LoanStatus, RepaymentInterval, RiskBand
from funds.selectors.loans import loan_book_by_town, risk_band_for
from funds.services import loans as services
from households.choices import HouseholdStatus
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born
from tests.factories.organisation import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]

TODAY = timezone.localdate()
# A fixed day of receipt in the past, so that birthdays fall on real dates.
RECEIVED = dt.date(2026, 3, 10)


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def household(village):
    return HouseholdFactory(village=village)


@pytest.fixture
def borrower(household):
    return member_born(household, name="张秀兰")


def apply(staff, household, borrower, **overrides) -> Loan:
    values = {
        "amount": Decimal("30000.00"),
        "term_months": 12,
        "repayment_interval": RepaymentInterval.MONTHLY,
        "purpose": "养殖肉牛",
        "received_on": RECEIVED,
    }
    values.update(overrides)
    return services.loan_apply(user=staff, household=household, borrower=borrower, **values)


def disbursed_loan(staff, village, *, amount="1000.00", term=4, interval=RepaymentInterval.MONTHLY, on=None) -> Loan:
    """A loan of a new household in ``village``, applied for, approved and paid out on ``on``."""
    on = on or TODAY - dt.timedelta(days=150)
    household = HouseholdFactory(village=village)
    loan = apply(
        staff,
        household,
        member_born(household),
        amount=Decimal(amount),
        term_months=term,
        repayment_interval=interval,
        received_on=on - dt.timedelta(days=10),
    )
    services.loan_decide(user=staff, loan=loan, approve=True, decided_on=on - dt.timedelta(days=5))
    return services.loan_disburse(user=staff, loan=loan, disbursed_on=on, contract_number=f"LS-{loan.pk}")


def messages_of(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- Who may apply -------------------------------------------------------------------------------------------------


def test_an_application_starts_the_processing_clock(staff, household, borrower):
    # when the town staff enter an application
    loan = apply(staff, household, borrower)

    # then it is applied for, its clock starting on the day of receipt, with a due date
    assert loan.status == LoanStatus.APPLIED
    assert loan.clock_start == RECEIVED
    assert loan.due_date is not None
    assert loan.recorded_by == staff
    assert loan.bank == "兰山农村商业银行"


@pytest.mark.parametrize(
    ("years", "days", "accepted"),
    [
        (18, 0, True),  # 18th birthday on the day of receipt
        (18, -1, False),  # one day short of 18
        (60, 0, True),  # 60th birthday
        (61, -1, True),  # the last day of being 60
        (61, 0, False),  # 61st birthday
    ],
)
def test_the_borrower_is_aged_18_to_60_on_the_day_of_receipt(staff, household, years, days, accepted):
    # given a member born ``years`` years (plus ``days``) before the application was received
    born = years_before(RECEIVED, years) - dt.timedelta(days=days)
    member = member_born(household, birth_date=born, name="李建国")

    # then the application is accepted, or refused naming the member and the ages
    if accepted:
        assert apply(staff, household, member).borrower == member
        return
    with pytest.raises(ValidationError) as error:
        apply(staff, household, member)
    assert "must be aged 18 to 60" in messages_of(error, "borrower")
    assert "李建国" in messages_of(error, "borrower")


def test_the_borrower_belongs_to_the_household(staff, household, village):
    # given a member of another household
    stranger = member_born(HouseholdFactory(village=village), name="王小明")

    # when they are named as the borrower
    with pytest.raises(ValidationError) as error:
        apply(staff, household, stranger)

    # then the application is refused: they are not a member
    assert messages_of(error, "borrower") == f"王小明 is not a member of household {household.file_number}."


def test_a_household_out_of_poverty_with_policies_ended_does_not_qualify(staff, village):
    # given a household out of poverty whose policies ended
    household = HouseholdFactory(village=village, status=HouseholdStatus.OUT_ENDED)

    # when it applies
    with pytest.raises(ValidationError) as error:
        apply(staff, household, member_born(household))

    # then it no longer qualifies
    assert "no longer qualifies for microcredit" in messages_of(error, "household")


@pytest.mark.parametrize(
    "status", [HouseholdStatus.OUT_CONTINUING, HouseholdStatus.RETURNED, HouseholdStatus.MARGINAL]
)
def test_other_statuses_qualify(staff, village, status):
    # given a household of another status
    household = HouseholdFactory(village=village, status=status)

    # then it may apply
    assert apply(staff, household, member_born(household)).pk


def test_the_amount_is_capped_by_the_policy(staff, household, borrower):
    # when a household applies for one fen over 50,000
    with pytest.raises(ValidationError) as error:
        apply(staff, household, borrower, amount=Decimal("50000.01"))

    # then it is refused, and 50,000 itself is accepted
    assert messages_of(error, "amount") == "A microcredit loan is at most 50000.00 yuan; 50000.01 yuan is more."
    assert apply(staff, household, borrower, amount=Decimal("50000.00")).amount == Decimal("50000.00")


def test_the_cap_is_the_policy_s_current_figure(staff, household, borrower):
    # given the policy lowered to 20,000
    FundsPolicy.objects.update_or_create(pk=1, defaults={"loan_max_amount": Decimal("20000.00")})

    # when a household applies for one fen more
    with pytest.raises(ValidationError) as error:
        apply(staff, household, borrower, amount=Decimal("20000.01"))

    # then the refusal names the new cap
    assert "at most 20000.00 yuan" in messages_of(error, "amount")


def test_the_term_is_capped_by_the_policy(staff, household, borrower):
    # when a household applies for 37 months
    with pytest.raises(ValidationError) as error:
        apply(staff, household, borrower, term_months=37)

    # then it is refused, and 36 months are accepted
    assert messages_of(error, "term_months") == "A microcredit loan runs at most 36 months; 37 months is longer."
    assert apply(staff, household, borrower, term_months=36).term_months == 36


def test_the_application_date_is_not_in_the_future(staff, household, borrower):
    # when an application is dated tomorrow
    with pytest.raises(ValidationError) as error:
        apply(staff, household, borrower, received_on=TODAY + dt.timedelta(days=1))

    # then the date is refused
    assert messages_of(error, "received_on") == f"The date cannot be later than today ({TODAY})."


def test_a_household_has_one_open_loan_at_a_time(staff, household, borrower):
    # given an open application of the household
    first = apply(staff, household, borrower, amount=Decimal("20000.00"))
    spouse = member_born(household, name="刘桂芳")

    # when the spouse applies too
    with pytest.raises(ValidationError) as error:
        apply(staff, household, spouse)

    # then it is refused, naming the open loan
    message = messages_of(error, "household")
    assert f"Household {household.file_number} already has an open loan" in message
    assert "20000.00 yuan to 张秀兰" in message
    assert f"applied for on {RECEIVED}" in message
    # when the bank rejects the first, the household may apply again
    services.loan_decide(user=staff, loan=first, approve=False, decided_on=RECEIVED, reason="无还款来源")
    assert apply(staff, household, spouse).borrower == spouse


def test_the_database_s_one_open_loan_rule_is_reported_like_the_check(staff, household, borrower, monkeypatch):
    # given an open loan, and a second application that slips past the check (as in a race with another request)
    apply(staff, household, borrower)
    real_check = services._open_loan_error
    calls = []

    def late_check(household):
        calls.append(household)
        return None if len(calls) == 1 else real_check(household)

    monkeypatch.setattr(services, "_open_loan_error", late_check)

    # when it is saved, the database's constraint refuses it
    with pytest.raises(ValidationError) as error:
        apply(staff, household, member_born(household))

    # then the user reads the same message, naming the open loan
    assert "already has an open loan" in messages_of(error, "household")
    assert Loan.objects.filter(household=household).count() == 1


def test_only_town_staff_enter_loans(make_user, town, household, borrower):
    # then a town finance office and the district office may not enter an application
    with pytest.raises(PermissionDenied):
        apply(make_user(Role.TOWN_FINANCE, town=town), household, borrower)
    with pytest.raises(PermissionDenied):
        apply(make_user(Role.DISTRICT_OFFICE), household, borrower)


def test_another_town_s_staff_cannot_apply_for_the_household(make_user, other_town, household, borrower):
    # then another town's staff may not apply for the household
    with pytest.raises(PermissionDenied):
        apply(make_user(Role.TOWN_STAFF, town=other_town), household, borrower)


# --- 限时办结: the processing due date and the decision -----------------------------------------------------------


def test_the_processing_limit_runs_across_national_day(staff, household, borrower):
    # 2026 (chinesecalendar): National Day holiday 1-7 October; Saturday 10 October is a make-up working day.
    # Received Tuesday 29 September; the receipt day is not counted. 7 working days:
    #   30 Sep (1); 1-7 Oct holiday; 8 Oct (2); 9 Oct (3); Sat 10 Oct make-up day (4); Sun 11 Oct rest;
    #   12 Oct (5); 13 Oct (6); 14 Oct (7)  ->  due Wednesday 14 October 2026.
    assert FundsPolicy.current().loan_processing_working_days == 7

    # when the application is received on Tuesday 29 September
    loan = apply(staff, household, borrower, received_on=dt.date(2026, 9, 29))

    # then it is due on Wednesday 14 October, a firm date
    assert loan.due_date == dt.date(2026, 10, 14)
    assert loan.due_is_provisional is False


def test_a_decision_after_the_due_day_keeps_its_days_late(staff, household, borrower):
    # given an application due on 14 October 2026
    loan = apply(staff, household, borrower, received_on=dt.date(2026, 9, 29))

    # when it is approved on the 16th
    services.loan_decide(user=staff, loan=loan, approve=True, decided_on=dt.date(2026, 10, 16))

    # then it is approved, 2 days late
    loan.refresh_from_db()
    assert (loan.status, loan.decided_on, loan.decided_by, loan.days_late) == (
        LoanStatus.APPROVED,
        dt.date(2026, 10, 16),
        staff,
        2,
    )


def test_a_decision_on_the_due_day_is_in_time(staff, household, borrower):
    # given an application due on 14 October 2026
    loan = apply(staff, household, borrower, received_on=dt.date(2026, 9, 29))

    # when it is rejected that day
    services.loan_decide(user=staff, loan=loan, approve=False, decided_on=dt.date(2026, 10, 14), reason="征信不良")

    # then it is rejected with the reason, in time
    loan.refresh_from_db()
    assert (loan.status, loan.reject_reason, loan.days_late) == (LoanStatus.REJECTED, "征信不良", 0)


def test_a_rejection_says_why(staff, household, borrower):
    # given an application
    loan = apply(staff, household, borrower)

    # when it is rejected without a reason
    with pytest.raises(ValidationError) as error:
        services.loan_decide(user=staff, loan=loan, approve=False, decided_on=TODAY, reason="  ")

    # then the rejection is refused, asking why
    assert messages_of(error, "reason") == "Say why the application is rejected."


def test_a_decision_is_not_dated_before_the_receipt_nor_made_twice(staff, household, borrower):
    # given an application
    loan = apply(staff, household, borrower)

    # when it is decided the day before its receipt, that is refused
    with pytest.raises(ValidationError) as error:
        # when it is approved, a second decision is refused
        services.loan_decide(user=staff, loan=loan, approve=True, decided_on=RECEIVED - dt.timedelta(days=1))
    assert "cannot be earlier than the day the application was received" in messages_of(error, "decided_on")

    services.loan_decide(user=staff, loan=loan, approve=True, decided_on=RECEIVED)
    with pytest.raises(ValidationError, match="needs a loan that is"):
        services.loan_decide(user=staff, loan=loan, approve=True, decided_on=RECEIVED)


# --- Disbursement and the schedule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 31), 3, dt.date(2026, 4, 30)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 36, dt.date(2029, 12, 15)),
    ],
)
def test_months_are_added_with_the_day_clamped(day, months, expected):
    # then adding months keeps the day, or takes the month's last day
    assert services.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("amount", "term", "interval", "count", "first", "last"),
    [
        ("10000.00", 36, RepaymentInterval.MONTHLY, 36, "277.77", "278.05"),
        ("10000.00", 36, RepaymentInterval.QUARTERLY, 12, "833.33", "833.37"),
        ("10000.00", 36, RepaymentInterval.AT_MATURITY, 1, "10000.00", "10000.00"),
        ("50000.00", 7, RepaymentInterval.QUARTERLY, 3, "16666.66", "16666.68"),  # months 3, 6 and 7
        ("33333.33", 12, RepaymentInterval.MONTHLY, 12, "2777.77", "2777.86"),
        ("0.05", 3, RepaymentInterval.MONTHLY, 3, "0.01", "0.03"),
    ],
)
def test_the_schedule_sums_exactly_to_the_amount(amount, term, interval, count, first, last):
    # when the schedule of a loan disbursed on 31 January is made
    schedule = services.repayment_schedule(
        amount=Decimal(amount), term_months=term, interval=interval, disbursed_on=dt.date(2026, 1, 31)
    )

    # then its principals sum to the amount to the fen, the last taking the remainder
    principals = [principal for _due, principal in schedule]
    assert len(schedule) == count
    assert sum(principals) == Decimal(amount)
    assert (principals[0], principals[-1]) == (Decimal(first), Decimal(last))
    assert all(principal.as_tuple().exponent == -2 for principal in principals)
    assert schedule[-1][0] == services.add_months(dt.date(2026, 1, 31), term)


def test_a_disbursement_fixes_the_schedule(staff, village):
    # when a loan of 10,000 over 36 months is disbursed on 31 January 2026
    on = dt.date(2026, 1, 31)
    loan = disbursed_loan(staff, village, amount="10000.00", term=36, on=on)

    # then it has 36 monthly instalments summing to the amount, the day clamped
    loan.refresh_from_db()
    instalments = list(loan.installments.order_by("number"))
    assert (loan.status, loan.disbursed_on, loan.maturity_on) == (LoanStatus.DISBURSED, on, dt.date(2029, 1, 31))
    assert sum(i.principal for i in instalments) == Decimal("10000.00")
    assert [i.number for i in instalments] == list(range(1, 37))
    assert [i.due_on for i in instalments[:3]] == [dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]


def test_a_disbursement_needs_an_approved_loan_and_a_contract(staff, household, borrower):
    # given an application not yet decided
    loan = apply(staff, household, borrower)
    # then it cannot be disbursed
    with pytest.raises(ValidationError, match="needs a loan that is"):
        services.loan_disburse(user=staff, loan=loan, disbursed_on=TODAY, contract_number="LS-1")

    # when it is approved, a disbursement without a contract or before the approval is refused
    services.loan_decide(user=staff, loan=loan, approve=True, decided_on=RECEIVED)
    with pytest.raises(ValidationError) as error:
        services.loan_disburse(user=staff, loan=loan, disbursed_on=TODAY, contract_number=" ")
    assert messages_of(error, "contract_number") == "Enter the number of the loan contract."
    with pytest.raises(ValidationError) as error:
        services.loan_disburse(
            user=staff, loan=loan, disbursed_on=RECEIVED - dt.timedelta(days=1), contract_number="X"
        )
    assert "cannot be earlier than the day it was approved" in messages_of(error, "disbursed_on")


# --- Repayments ---------------------------------------------------------------------------------------------------


def paid(loan) -> list[Decimal]:
    return list(Installment.objects.filter(loan=loan).order_by("number").values_list("paid", flat=True))


def test_repayments_fill_instalments_oldest_first_and_settle_the_loan(staff, village):
    # given 1000.00 over 4 months: four instalments of 250.00
    loan = disbursed_loan(staff, village)
    on = loan.disbursed_on + dt.timedelta(days=40)

    # when 300 are repaid
    services.loan_repay(user=staff, loan=loan, paid_on=on, amount=Decimal("300.00"))
    # then they fill the oldest instalments first
    assert paid(loan) == [Decimal("250.00"), Decimal("50.00"), Decimal("0.00"), Decimal("0.00")]

    # and 100 more, they go on filling the second
    services.loan_repay(user=staff, loan=loan, paid_on=on, amount=Decimal("100.00"))
    assert paid(loan) == [Decimal("250.00"), Decimal("150.00"), Decimal("0.00"), Decimal("0.00")]
    loan.refresh_from_db()
    assert (loan.repaid, loan.outstanding, loan.status) == (Decimal("400.00"), Decimal("600.00"), LoanStatus.DISBURSED)

    # when more than is outstanding is repaid, it is refused
    with pytest.raises(ValidationError) as error:
        services.loan_repay(user=staff, loan=loan, paid_on=on, amount=Decimal("600.01"))
    assert messages_of(error, "amount") == "Only 600.00 yuan of the loan is outstanding; 600.01 yuan is more."

    # when the rest is repaid
    services.loan_repay(user=staff, loan=loan, paid_on=on, amount=Decimal("600.00"))
    # then every instalment is paid and the loan settled
    loan.refresh_from_db()
    assert paid(loan) == [Decimal("250.00")] * 4
    assert (loan.repaid, loan.status) == (Decimal("1000.00"), LoanStatus.SETTLED)
    assert list(loan.repayments.values_list("amount", flat=True)) == [
        Decimal("300.00"),
        Decimal("100.00"),
        Decimal("600.00"),
    ]
    # a settled loan takes no more repayments, and the household may apply again
    with pytest.raises(ValidationError, match="needs a loan that is"):
        services.loan_repay(user=staff, loan=loan, paid_on=on, amount=Decimal("1.00"))
    assert apply(staff, loan.household, loan.borrower).status == LoanStatus.APPLIED


def test_a_repayment_is_positive_and_not_before_the_disbursement(staff, village):
    # given a disbursed loan
    loan = disbursed_loan(staff, village)

    # then a repayment of nothing, or dated before the disbursement, is refused
    with pytest.raises(ValidationError) as error:
        services.loan_repay(user=staff, loan=loan, paid_on=TODAY, amount=Decimal("0"))
    assert messages_of(error, "amount") == "The amount must be greater than zero."
    with pytest.raises(ValidationError) as error:
        services.loan_repay(
            user=staff, loan=loan, paid_on=loan.disbursed_on - dt.timedelta(days=1), amount=Decimal("1")
        )
    assert "cannot be earlier than the day it was disbursed" in messages_of(error, "paid_on")


def test_a_repayment_that_catches_up_lowers_the_risk_warning(staff, village):
    # given a loan whose first instalment is long overdue, with the band the scan would have set
    loan = disbursed_loan(staff, village, on=TODAY - dt.timedelta(days=150))
    Loan.objects.filter(pk=loan.pk).update(risk_band=RiskBand.OVERDUE_90)

    # when the household pays the first three instalments of 250.00
    services.loan_repay(user=staff, loan=loan, paid_on=TODAY, amount=Decimal("750.00"))

    # then its band follows the oldest unpaid instalment, below 90 days
    loan.refresh_from_db()
    oldest_unpaid = loan.installments.filter(number=4).get().due_on
    assert loan.risk_band == risk_band_for(oldest_unpaid, TODAY) < RiskBand.OVERDUE_90


def test_another_town_s_staff_cannot_touch_the_loan(staff, village, make_user, other_town):
    # given a disbursed loan and another town's staff
    loan = disbursed_loan(staff, village)
    stranger = make_user(Role.TOWN_STAFF, town=other_town)

    # when they enter a repayment, it is refused
    with pytest.raises(PermissionDenied):
        services.loan_repay(user=stranger, loan=loan, paid_on=TODAY, amount=Decimal("1.00"))
    # then nothing is paid
    assert paid(loan) == [Decimal("0.00")] * 4


# --- Risk warnings and the loan book ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (-5, RiskBand.NONE),
        (0, RiskBand.NONE),
        (29, RiskBand.NONE),
        (30, RiskBand.OVERDUE_30),
        (59, RiskBand.OVERDUE_30),
        (60, RiskBand.OVERDUE_60),
        (89, RiskBand.OVERDUE_60),
        (90, RiskBand.OVERDUE_90),
        (400, RiskBand.OVERDUE_90),
    ],
)
def test_risk_bands_by_days_overdue(days, band):
    # given an instalment due on 31 March 2026
    due = dt.date(2026, 3, 31)

    # then the band follows the days it is overdue
    assert risk_band_for(due, due + dt.timedelta(days=days)) == band


def test_no_unpaid_instalment_no_risk():
    # then a loan without an unpaid instalment has no risk
    assert risk_band_for(None, TODAY) == RiskBand.NONE


def first_due(loan) -> dt.date:
    return loan.installments.get(number=1).due_on


def test_the_loan_book_by_town(staff, make_user, town, village, other_town):
    # given in one town: a loan 3000.00 whose first instalment is exactly 30 days overdue on ``day``,
    # a current loan of 6000.00 with 1000.00 repaid, and a settled loan; another town with no loan at all
    behind = disbursed_loan(staff, village, amount="3000.00", term=3)
    day = first_due(behind) + dt.timedelta(days=30)
    current = disbursed_loan(staff, village, amount="6000.00", term=12, on=day - dt.timedelta(days=10))
    services.loan_repay(user=staff, loan=current, paid_on=current.disbursed_on, amount=Decimal("1000.00"))
    settled = disbursed_loan(staff, village, amount="500.00", term=1)
    services.loan_repay(user=staff, loan=settled, paid_on=settled.disbursed_on, amount=Decimal("500.00"))
    office = make_user(Role.DISTRICT_OFFICE)

    # when the office reads the loan book on ``day``
    rows, total = loan_book_by_town(user=office, today=day)

    # then the town has 3 loans, 2 outstanding, 3000 of 8000 overdue; the other town has none
    by_town = {row.town: row for row in rows}
    mine, empty = by_town[town], by_town[other_town]
    assert (mine.disbursed_count, mine.outstanding_count) == (3, 2)
    assert (mine.outstanding_principal, mine.overdue_principal) == (Decimal("8000.00"), Decimal("3000.00"))
    # 3000 / 8000 = 37.5 %
    assert mine.overdue_ratio == Decimal("37.50")
    assert mine.band_counts == {RiskBand.OVERDUE_30: 1, RiskBand.OVERDUE_60: 0, RiskBand.OVERDUE_90: 0}
    assert (empty.outstanding_principal, empty.overdue_ratio) == (Decimal("0.00"), None)
    assert total.overdue_ratio == Decimal("37.50")
    # a day earlier the late loan is 29 days behind: nothing is overdue yet
    rows, _total = loan_book_by_town(user=office, today=day - dt.timedelta(days=1))
    assert {row.town: row.overdue_principal for row in rows}[town] == Decimal("0.00")


def test_the_overdue_ratio_has_two_decimals(staff, make_user, village):
    # given 1000 overdue of 3000 outstanding
    behind = disbursed_loan(staff, village, amount="1000.00", term=1)
    day = first_due(behind) + dt.timedelta(days=60)
    disbursed_loan(staff, village, amount="2000.00", term=12, on=day - dt.timedelta(days=5))

    # when the loan book is read
    rows, _total = loan_book_by_town(user=make_user(Role.DISTRICT_OFFICE), today=day)

    # then the ratio has two decimals
    row = next(row for row in rows if row.outstanding_count)
    assert row.overdue_ratio == Decimal("33.33")  # 1000 / 3000
    assert row.band_counts[RiskBand.OVERDUE_60] == 1


def test_a_town_sees_its_own_town_in_the_loan_book(staff, make_user, village, other_village):
    # given a loan in the town and one in another town
    disbursed_loan(staff, village)
    disbursed_loan(make_user(Role.TOWN_STAFF, town=other_village.town), other_village, amount="2000.00")

    # when the town staff read the loan book
    rows, total = loan_book_by_town(user=staff, today=TODAY)

    # then they see their town only
    assert [row.town for row in rows] == [village.town]
    assert total.outstanding_principal == Decimal("1000.00")


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.TOWN_STAFF])
def test_the_loan_book_takes_the_same_queries_whatever_its_size(staff, make_user, village, town, role):
    # given a reader of the district or the town
    reader = make_user(role, town=None if role == Role.DISTRICT_OFFICE else town)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            loan_book_by_town(user=reader, today=TODAY)
        return len(queries)

    # when the loan book is read with one loan, and again with seven
    disbursed_loan(staff, village)
    count_queries()  # caches (content types) warm up on the first call
    small = count_queries()
    for extra in range(5):
        disbursed_loan(staff, VillageFactory(town=town) if extra % 2 else village, amount="2500.00")
    elsewhere = VillageFactory()
    disbursed_loan(make_user(Role.TOWN_STAFF, town=elsewhere.town), elsewhere, amount="700.00")

    # then it costs the same queries
    assert count_queries() == small
