"""Poverty-alleviation microcredit (point 7): apply, decide, disburse, repay.

"兰山农村商业银行坚持稳控结合，合理确定小额扶贫信贷规模。开辟小额扶贫信贷'绿色通道'，实行限时办结制度。
严把'贷管用'三个关口，加强信贷风险防控，构建风险预警机制。"

Town staff enter a registered household's application the day the bank receives it (the processing
clock of 限时办结 starts then), the bank's decision, the disbursement with its contract, and each
repayment. Every function checks the role (``LOAN_ROLES``) and the reach (change access), locks the
rows it changes and raises ``ValidationError`` naming the field, or ``PermissionDenied``; a failure
leaves nothing written. Raising the risk warnings (30/60/90 days) is the overdue scan's business.
"""

import calendar as month_calendar
import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import FundsPolicy, Installment, Loan, LoanStatus, Repayment, RepaymentInterval
from funds.permissions import LOAN_ROLES, funds_scope
from funds.rules import borrower_age_check, days_late
from funds.selectors.loans import OPEN_STATUSES, risk_band_for
from households.choices import HouseholdStatus
from households.models import Household, Member
from households.permissions import households_scope
from organisation.locking import locked_in_reach
from organisation.money import ZERO
from organisation.validation import date_check, role_require
from organisation.workdays import WorkingCalendar

CENT = Decimal("0.01")

# Months between instalments for each way of repaying; None: the whole principal at maturity.
INTERVAL_MONTHS = {
    RepaymentInterval.MONTHLY: 1,
    RepaymentInterval.QUARTERLY: 3,
    RepaymentInterval.AT_MATURITY: None,
}

ONE_OPEN_LOAN_CONSTRAINT = "loan_one_open_per_household"
# 兰山农村商业银行, the lender named by point 7.
DEFAULT_BANK = Loan._meta.get_field("bank").default


# --- The schedule: pure functions ---------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 month: 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, month_calendar.monthrange(year, month)[1]))


def instalment_months(term_months: int, interval: str) -> list[int]:
    """Months after disbursement at which an instalment falls due; the last is always the maturity.

    Quarterly repayment of a term that is not a whole number of quarters ends with a shorter last period.
    """
    step = INTERVAL_MONTHS[RepaymentInterval(interval)]
    if step is None:
        return [term_months]
    return [*range(step, term_months, step), term_months]


def repayment_schedule(
    *, amount: Decimal, term_months: int, interval: str, disbursed_on: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """(due day, principal) of each instalment: equal principal to the cent, the last taking the remainder.

    Every due day is counted from the disbursement (not from the previous instalment), so a loan paid out
    on the 31st falls due on each month's last day when the month is shorter, and never drifts.
    """
    months = instalment_months(term_months, interval)
    share = (amount / len(months)).quantize(CENT, rounding=ROUND_DOWN)
    principals = [share] * (len(months) - 1) + [amount - share * (len(months) - 1)]
    return [(add_months(disbursed_on, month), principal) for month, principal in zip(months, principals, strict=True)]


# --- Checks shared by the steps -----------------------------------------------------------------------------------


def _require_role(user: User) -> None:
    role_require(user, LOAN_ROLES, _("Only town staff enter microcredit loans."))


def _locked_loan(user: User, loan: Loan) -> Loan:
    """The loan, locked, if the user may change it."""
    _require_role(user)
    return locked_in_reach(
        funds_scope, user, loan, message=_("This loan is outside the towns and villages you work for.")
    )


def _check_status(loan: Loan, expected: LoanStatus) -> None:
    if loan.status != expected:
        raise ValidationError(
            _("This step needs a loan that is “%(expected)s”; this one is “%(status)s”.")
            % {"expected": expected.label, "status": loan.get_status_display()}
        )


def _open_loan_error(household: Household) -> ValidationError | None:
    """The error naming the household's open loan, if it has one."""
    open_loan = Loan.objects.filter(household=household, status__in=OPEN_STATUSES).select_related("borrower").first()
    if open_loan is None:
        return None
    return ValidationError(
        {
            "household": _(
                "Household %(file_number)s already has an open loan: %(amount)s yuan to %(borrower)s, applied for "
                "on %(received_on)s (%(status)s). A new application can be made once that loan is settled or "
                "rejected."
            )
            % {
                "file_number": household.file_number,
                "amount": open_loan.amount,
                "borrower": open_loan.borrower.name,
                "received_on": open_loan.clock_start,
                "status": open_loan.get_status_display(),
            }
        }
    )


# --- The steps ----------------------------------------------------------------------------------------------------


@transaction.atomic
def loan_apply(
    *,
    user: User,
    household: Household,
    borrower: Member,
    amount: Decimal,
    term_months: int,
    repayment_interval: str,
    purpose: str,
    received_on: dt.date,
    bank: str = DEFAULT_BANK,
) -> Loan:
    """Record an application the bank received on ``received_on``; the 限时办结 clock starts that day.

    The borrower must be a member of the household aged 18 to 60 (completed years) on the day of receipt.
    That is the common rule of 扶贫小额信贷, which lends to working-age members of registered households who
    can put the money to productive use; the national guidance leaves the exact ages to local practice, so
    18 to 60 is the district's choice, held in ``funds.rules.borrower_age_check``.
    A household out of poverty with its policies ended no longer qualifies. Amount and term are capped by
    ``FundsPolicy``; a household has one open loan at a time (the database holds that rule too).
    """
    _require_role(user)
    household = locked_in_reach(
        households_scope, user, household, message=_("This household is outside the towns and villages you work for.")
    )
    if borrower.household_id != household.pk:
        raise ValidationError(
            {
                "borrower": _("%(name)s is not a member of household %(file_number)s.")
                % {"name": borrower.name, "file_number": household.file_number}
            }
        )
    date_check(received_on, "received_on", missing=_("Enter the date."))
    borrower_age_check(name=borrower.name, birth_date=borrower.birth_date, received_on=received_on)
    if household.status == HouseholdStatus.OUT_ENDED:
        raise ValidationError(
            {
                "household": _("Household %(file_number)s is “%(status)s” and no longer qualifies for microcredit.")
                % {"file_number": household.file_number, "status": household.get_status_display()}
            }
        )
    policy = FundsPolicy.current()
    if amount is None or amount <= ZERO:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("The amount is in yuan with at most two decimals.")})
    amount = amount.quantize(CENT)
    if amount > policy.loan_max_amount:
        raise ValidationError(
            {
                "amount": _("A microcredit loan is at most %(max)s yuan; %(amount)s yuan is more.")
                % {"max": policy.loan_max_amount, "amount": amount}
            }
        )
    if term_months is None or term_months < 1:
        raise ValidationError({"term_months": _("The term is at least one month.")})
    if term_months > policy.loan_max_term_months:
        raise ValidationError(
            {
                "term_months": _("A microcredit loan runs at most %(max)d months; %(term)d months is longer.")
                % {"max": policy.loan_max_term_months, "term": term_months}
            }
        )
    if repayment_interval not in RepaymentInterval.values:
        raise ValidationError({"repayment_interval": _("Choose how the loan is repaid.")})
    instalments = len(instalment_months(term_months, repayment_interval))
    if amount < CENT * instalments:
        raise ValidationError(
            {"amount": _("The amount is too small to be repaid in %(count)d instalments.") % {"count": instalments}}
        )
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the loan will be used for.")})
    if error := _open_loan_error(household):
        raise error
    loan = Loan(
        household=household,
        borrower=borrower,
        bank=bank.strip() or DEFAULT_BANK,
        amount=amount,
        term_months=term_months,
        repayment_interval=repayment_interval,
        purpose=purpose.strip(),
        clock_start=received_on,
        recorded_by=user,
    )
    loan.refresh_due(WorkingCalendar.load())
    try:
        with transaction.atomic():
            loan.save()
    except IntegrityError as integrity_error:
        # Another application for the household was committed between the check above and this insert.
        constraint = getattr(getattr(integrity_error.__cause__, "diag", None), "constraint_name", None)
        if constraint != ONE_OPEN_LOAN_CONSTRAINT:
            raise
        raise _open_loan_error(household) or ValidationError(
            {"household": _("This household already has an open loan.")}
        ) from integrity_error
    return loan


@transaction.atomic
def loan_decide(*, user: User, loan: Loan, approve: bool, decided_on: dt.date, reason: str = "") -> Loan:
    """The bank's decision; a decision after the processing due day keeps its days late."""
    loan = _locked_loan(user, loan)
    _check_status(loan, LoanStatus.APPLIED)
    date_check(
        decided_on,
        "decided_on",
        after=(_("the day the application was received"), loan.clock_start),
        missing=_("Enter the date."),
    )
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the application is rejected.")})
    loan.status = LoanStatus.APPROVED if approve else LoanStatus.REJECTED
    loan.decided_on, loan.decided_by = decided_on, user
    loan.reject_reason = "" if approve else reason
    loan.days_late = days_late(loan.due_date, decided_on)
    loan.save(update_fields=["status", "decided_on", "decided_by", "reject_reason", "days_late"])
    return loan


@transaction.atomic
def loan_disburse(*, user: User, loan: Loan, disbursed_on: dt.date, contract_number: str) -> Loan:
    """The bank pays the loan out under its contract; the repayment schedule is fixed that day."""
    loan = _locked_loan(user, loan)
    _check_status(loan, LoanStatus.APPROVED)
    date_check(
        disbursed_on,
        "disbursed_on",
        after=(_("the day it was approved"), loan.decided_on),
        missing=_("Enter the date."),
    )
    contract_number = contract_number.strip()
    if not contract_number:
        raise ValidationError({"contract_number": _("Enter the number of the loan contract.")})
    if Loan.objects.filter(bank=loan.bank, contract_number=contract_number).exclude(pk=loan.pk).exists():
        raise ValidationError(
            {
                "contract_number": _("Another loan of this bank has contract number %(number)s.")
                % {"number": contract_number}
            }
        )
    schedule = repayment_schedule(
        amount=loan.amount, term_months=loan.term_months, interval=loan.repayment_interval, disbursed_on=disbursed_on
    )
    loan.status = LoanStatus.DISBURSED
    loan.disbursed_on, loan.maturity_on = disbursed_on, add_months(disbursed_on, loan.term_months)
    loan.contract_number = contract_number
    loan.save(update_fields=["status", "disbursed_on", "maturity_on", "contract_number"])
    Installment.objects.bulk_create(
        Installment(loan=loan, number=number, due_on=due_on, principal=principal)
        for number, (due_on, principal) in enumerate(schedule, start=1)
    )
    return loan


@transaction.atomic
def loan_repay(*, user: User, loan: Loan, paid_on: dt.date, amount: Decimal) -> Repayment:
    """A repayment of principal: it fills the unpaid instalments oldest first; the last one settles the loan.

    The scan raises the risk warning; a repayment may only lower it (to what the instalments still unpaid
    today warrant), so a household that catches up is no longer shown at risk until the next scan.
    """
    loan = _locked_loan(user, loan)
    _check_status(loan, LoanStatus.DISBURSED)
    date_check(
        paid_on, "paid_on", after=(_("the day it was disbursed"), loan.disbursed_on), missing=_("Enter the date.")
    )
    if amount is None or amount <= ZERO:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("The amount is in yuan with at most two decimals.")})
    amount = amount.quantize(CENT)
    if amount > loan.outstanding:
        raise ValidationError(
            {
                "amount": _("Only %(outstanding)s yuan of the loan is outstanding; %(amount)s yuan is more.")
                % {"outstanding": loan.outstanding, "amount": amount}
            }
        )
    unpaid = list(
        Installment.objects.select_for_update().filter(loan=loan, paid__lt=F("principal")).order_by("number")
    )
    filled, left = [], amount
    for instalment in unpaid:
        if not left:
            break
        part = min(left, instalment.unpaid)
        instalment.paid += part
        left -= part
        filled.append(instalment)
    Installment.objects.bulk_update(filled, ["paid"])
    repayment = Repayment.objects.create(loan=loan, paid_on=paid_on, amount=amount, recorded_by=user)
    Loan.objects.filter(pk=loan.pk).update(repaid=F("repaid") + amount)
    loan.refresh_from_db(fields=["repaid"])
    update_fields = []
    if loan.repaid == loan.amount:
        loan.status = LoanStatus.SETTLED
        update_fields.append("status")
    still_unpaid = next((i.due_on for i in unpaid if i.paid < i.principal), None)
    band = risk_band_for(still_unpaid, timezone.localdate())
    if band < loan.risk_band:
        loan.risk_band = band
        update_fields.append("risk_band")
    if update_fields:
        loan.save(update_fields=update_fields)
    return repayment
