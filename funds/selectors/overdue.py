"""Reads of the overdue list: what is past its due day and still undone, scoped by ``funds_scope``.

A row is overdue when the Beijing date is after its due date (``due_date < today``), whether or not the hourly
scan has flagged it yet, so the list is right between two scans. The oldest due date is the most days overdue.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from funds.models import Loan, LoanStatus, MonthlyReport, Transfer
from funds.permissions import funds_scope
from funds.selectors.loans import AT_RISK
from organisation.actors import Actor
from organisation.models import Town
from organisation.money import ZERO
from organisation.scoping import towns_for
from organisation.workdays import LEGAL_TIME_ZONE


@dataclass(frozen=True)
class OverdueTotals:
    count: int
    amount: Decimal


def overdue_today(now: dt.datetime | None = None) -> dt.date:
    """The legal (Beijing) day of ``now``: every due date before it has ended."""
    return (now or timezone.now()).astimezone(LEGAL_TIME_ZONE).date()


def overdue_towns(*, user: Actor) -> QuerySet[Town]:
    """The towns the user may filter the list by."""
    return towns_for(user).order_by("code")


def overdue_transfer_list(
    *,
    user: Actor,
    today: dt.date,
    town: Town | None = None,
    hop: str = "",
    min_days: int | None = None,
    document_number: str = "",
) -> QuerySet[Transfer]:
    """Unsent transfers past their due day that ``user`` may see, most days overdue first."""
    transfers = funds_scope(user, queryset=Transfer.objects.filter(sent_on__isnull=True, due_date__lt=today))
    if town is not None:
        transfers = transfers.filter(town=town)
    if hop:
        transfers = transfers.filter(hop=hop)
    if min_days:
        transfers = transfers.filter(due_date__lte=today - dt.timedelta(days=min_days))
    if document_number:
        transfers = transfers.filter(allocation__document_number__icontains=document_number)
    return transfers.select_related("allocation", "town", "village").order_by("due_date", "pk")


def overdue_totals(transfers: QuerySet[Transfer]) -> OverdueTotals:
    """The number and the total amount of ``transfers``, in one query."""
    totals = transfers.order_by().aggregate(count=Count("pk"), amount=Sum("amount"))
    return OverdueTotals(count=totals["count"], amount=totals["amount"] or ZERO)


def overdue_report_list(*, user: Actor, today: dt.date, town: Town | None = None) -> QuerySet[MonthlyReport]:
    """Monthly reports not submitted by the end of their due day, oldest due first."""
    reports = funds_scope(
        user, queryset=MonthlyReport.objects.filter(submitted_on__isnull=True, due_date__lt=today)
    ).select_related("town")
    if town is not None:
        reports = reports.filter(town=town)
    return reports.order_by("due_date", "pk")


def _loans(user: Actor, town: Town | None, loans: QuerySet[Loan]) -> QuerySet[Loan]:
    loans = funds_scope(user, queryset=loans).select_related("household__village__town", "borrower")
    if town is not None:
        loans = loans.filter(household__village__town=town)
    return loans


def overdue_loan_application_list(*, user: Actor, today: dt.date, town: Town | None = None) -> QuerySet[Loan]:
    """Microcredit applications still undecided after their processing limit, oldest due first."""
    loans = Loan.objects.filter(status=LoanStatus.APPLIED, decided_on__isnull=True, due_date__lt=today)
    return _loans(user, town, loans).order_by("due_date", "pk")


def loan_risk_list(*, user: Actor, town: Town | None = None) -> QuerySet[Loan]:
    """Loans being repaid with a risk warning, highest band first (the band the last scan set)."""
    return _loans(user, town, Loan.objects.filter(AT_RISK)).order_by("-risk_band", "risk_flagged_at", "pk")
