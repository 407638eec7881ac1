"""Reads of the microcredit loans (point 7): the list, the risk band, and the district's loan book by town.

Every queryset starts from ``funds_scope``, so a page cannot show another town's loans.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from funds.models import Installment, Loan, LoanStatus, RiskBand
from funds.permissions import funds_scope
from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.money import MONEY_FIELD, ZERO
from organisation.scoping import Access, towns_for, villages_for

# A household has one of these at a time (the database's constraint ``loan_one_open_per_household``).
OPEN_STATUSES = (LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.DISBURSED)
# Risk bands from the highest down: (band, days overdue from which it applies).
BAND_THRESHOLDS = ((RiskBand.OVERDUE_90, 90), (RiskBand.OVERDUE_60, 60), (RiskBand.OVERDUE_30, 30))
OVERDUE_DAYS = 30
# A loan being repaid with a risk warning of any band (the band the scan last set).
AT_RISK = Q(status=LoanStatus.DISBURSED, risk_band__gt=RiskBand.NONE)
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def risk_band_for(oldest_unpaid_due: dt.date | None, today: dt.date) -> RiskBand:
    """The risk warning of a loan whose oldest unpaid instalment fell due on ``oldest_unpaid_due``.

    Days overdue are calendar days after the due day (an instalment due on the 1st is 30 days overdue on the
    31st); 30, 60 and 90 days open the three bands of the warning.
    """
    if oldest_unpaid_due is None:
        return RiskBand.NONE
    overdue = (today - oldest_unpaid_due).days
    for band, days in BAND_THRESHOLDS:
        if overdue >= days:
            return band
    return RiskBand.NONE


def risk_band_sql(days: str) -> str:
    """``risk_band_for`` in SQL, from the same thresholds: the band of a loan whose oldest unpaid instalment is the SQL
    expression ``days`` past its due day."""
    cases = " ".join(f"WHEN {days} >= {threshold} THEN {band.value}" for band, threshold in BAND_THRESHOLDS)
    return f"CASE {cases} ELSE {RiskBand.NONE.value} END"


def oldest_unpaid_due() -> Subquery:
    """Per loan (``OuterRef("pk")``): the due day of its oldest instalment not fully paid, else NULL."""
    unpaid = Installment.objects.filter(loan=OuterRef("pk"), paid__lt=F("principal")).order_by("due_on", "number")
    return Subquery(unpaid.values("due_on")[:1])


def loans_for(user: Actor, access: Access = Access.VIEW) -> QuerySet[Loan]:
    return funds_scope(user, access, Loan.objects.all())


# --- The list -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanFilters:
    town: Town | None = None
    village: Village | None = None
    status: str = ""
    risk_band: int | None = None
    processing_overdue: bool = False
    # Being repaid with a risk warning of any band (the overdue list's "loan risk warnings").
    at_risk: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    disbursed_from: dt.date | None = None
    disbursed_to: dt.date | None = None
    query: str = ""


def loan_list(*, user: Actor, filters: LoanFilters, today: dt.date) -> QuerySet[Loan]:
    """The loans the user sees, filtered; "processing overdue" are applications still undecided after their due day.

    The risk band filtered on is the one the scan last set (``Loan.risk_band``).
    """
    loans = loans_for(user).select_related("household__village__town", "borrower")
    if filters.town is not None:
        loans = loans.filter(household__village__town=filters.town)
    if filters.village is not None:
        loans = loans.filter(household__village=filters.village)
    if filters.status:
        loans = loans.filter(status=filters.status)
    if filters.risk_band is not None:
        loans = loans.filter(risk_band=filters.risk_band)
    if filters.processing_overdue:
        loans = loans.filter(status=LoanStatus.APPLIED, due_date__lt=today)
    if filters.at_risk:
        loans = loans.filter(AT_RISK)
    if filters.received_from is not None:
        loans = loans.filter(clock_start__gte=filters.received_from)
    if filters.received_to is not None:
        loans = loans.filter(clock_start__lte=filters.received_to)
    if filters.disbursed_from is not None:
        loans = loans.filter(disbursed_on__gte=filters.disbursed_from)
    if filters.disbursed_to is not None:
        loans = loans.filter(disbursed_on__lte=filters.disbursed_to)
    if query := filters.query.strip():
        loans = loans.filter(
            Q(borrower__name__icontains=query)
            | Q(household__file_number__icontains=query)
            | Q(contract_number__icontains=query)
        )
    return loans.order_by("-clock_start", "-pk")


@dataclass(frozen=True)
class LoanTotals:
    count: int
    amount: Decimal
    outstanding: Decimal


def loan_totals(loans: QuerySet[Loan]) -> LoanTotals:
    """The number of ``loans``, the amount lent and the principal not yet repaid, in one query."""
    unpaid = ExpressionWrapper(F("amount") - F("repaid"), output_field=MONEY_FIELD)
    totals = loans.order_by().aggregate(
        loans=Count("pk"), lent=Coalesce(Sum("amount"), ZERO), unpaid=Coalesce(Sum(unpaid), ZERO)
    )
    return LoanTotals(count=totals["loans"], amount=totals["lent"], outstanding=totals["unpaid"])


def towns_for_filter(user: Actor) -> QuerySet[Town]:
    """The towns the user reaches, and those of the villages a village clerk reaches (all for district readers)."""
    return Town.objects.filter(
        Q(pk__in=towns_for(user, Access.VIEW).values("pk")) | Q(pk__in=villages_for(user, Access.VIEW).values("town"))
    )


@dataclass(frozen=True)
class ProcessingClock:
    """Where an undecided application stands against its 限时办结 due day (for funds/chain/due_badge.html)."""

    due_date: dt.date
    provisional: bool
    days_left: int  # calendar days; 0 on the due day itself, negative once it has passed


def processing_clock(loan: Loan, today: dt.date) -> ProcessingClock | None:
    """The clock of an application still awaiting the bank's decision; None once decided."""
    if loan.status != LoanStatus.APPLIED or loan.due_date is None:
        return None
    return ProcessingClock(
        due_date=loan.due_date, provisional=loan.due_is_provisional, days_left=(loan.due_date - today).days
    )


# --- One loan -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentRow:
    instalment: Installment
    days_overdue: int  # calendar days after the due day while not fully paid; 0 otherwise


def loan_schedule(*, loan: Loan, today: dt.date) -> list[InstalmentRow]:
    rows = []
    for instalment in loan.installments.order_by("number"):
        overdue = (today - instalment.due_on).days if instalment.paid < instalment.principal else 0
        rows.append(InstalmentRow(instalment=instalment, days_overdue=max(0, overdue)))
    return rows


def loan_current_risk(*, loan: Loan, today: dt.date) -> RiskBand:
    """The band the loan's unpaid instalments warrant today (the stored band is the scan's last word)."""
    if loan.status != LoanStatus.DISBURSED:
        return RiskBand.NONE
    due = (
        Installment.objects.filter(loan=loan, paid__lt=F("principal"))
        .order_by("due_on", "number")
        .values_list("due_on", flat=True)
        .first()
    )
    return risk_band_for(due, today)


# --- The loan book by town ------------------------------------------------------------------------------------------


@dataclass
class TownLoanBook:
    """One town's loans as the district office reads them on ``today``."""

    town: Town | None  # None: the district total
    disbursed_count: int = 0  # loans ever paid out (being repaid or settled)
    outstanding_count: int = 0  # loans being repaid
    outstanding_principal: Decimal = ZERO
    overdue_principal: Decimal = ZERO
    band_counts: dict[int, int] = field(default_factory=lambda: {band: 0 for band, _days in BAND_THRESHOLDS})

    @property
    def overdue_ratio(self) -> Decimal | None:
        """Overdue principal as a percentage of outstanding principal, 2 decimals; None with nothing outstanding."""
        if not self.outstanding_principal:
            return None
        return (self.overdue_principal * HUNDRED / self.outstanding_principal).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def bands(self) -> list[tuple[RiskBand, int]]:
        """(band, loans) from the 30-day band up."""
        return [(RiskBand(band), self.band_counts[band]) for band, _days in reversed(BAND_THRESHOLDS)]


def loan_book_by_town(*, user: Actor, today: dt.date) -> tuple[list[TownLoanBook], TownLoanBook]:
    """Per town the user reaches: loans paid out and still outstanding, principal outstanding and overdue.

    Overdue principal is the whole unpaid principal of every outstanding loan whose oldest unpaid instalment
    is 30 days or more past its due day (the first band of the risk warning), not only the instalments that
    are late: once a loan is 30 days behind, all of it is at risk. The bands are computed for ``today`` from
    the instalments, like the scan does, so the figures never wait for it. Two queries whatever the size of
    the book: the towns, and one aggregate over the loans grouped by town.
    """
    towns = list(towns_for_filter(user).order_by("code"))
    oldest = {band: today - dt.timedelta(days=days) for band, days in BAND_THRESHOLDS}
    unpaid = ExpressionWrapper(F("amount") - F("repaid"), output_field=MONEY_FIELD)
    outstanding = Q(status=LoanStatus.DISBURSED)
    overdue = outstanding & Q(oldest_unpaid_due__lte=oldest[RiskBand.OVERDUE_30])
    band_filters = {
        RiskBand.OVERDUE_30: overdue & Q(oldest_unpaid_due__gt=oldest[RiskBand.OVERDUE_60]),
        RiskBand.OVERDUE_60: outstanding
        & Q(oldest_unpaid_due__lte=oldest[RiskBand.OVERDUE_60], oldest_unpaid_due__gt=oldest[RiskBand.OVERDUE_90]),
        RiskBand.OVERDUE_90: outstanding & Q(oldest_unpaid_due__lte=oldest[RiskBand.OVERDUE_90]),
    }
    figures = (
        loans_for(user)
        .filter(status__in=[LoanStatus.DISBURSED, LoanStatus.SETTLED])
        .annotate(oldest_unpaid_due=oldest_unpaid_due())
        .values(town_id=F("household__village__town"))
        .annotate(
            disbursed_count=Count("pk"),
            outstanding_count=Count("pk", filter=outstanding),
            outstanding_principal=Coalesce(Sum(unpaid, filter=outstanding), ZERO),
            overdue_principal=Coalesce(Sum(unpaid, filter=overdue), ZERO),
            **{f"band_{int(band)}": Count("pk", filter=condition) for band, condition in band_filters.items()},
        )
        .order_by()
    )
    by_town = {row["town_id"]: row for row in figures}
    rows, total = [], TownLoanBook(town=None)
    for town in towns:
        row = TownLoanBook(town=town)
        if data := by_town.get(town.pk):
            row.disbursed_count = data["disbursed_count"]
            row.outstanding_count = data["outstanding_count"]
            row.outstanding_principal = data["outstanding_principal"]
            row.overdue_principal = data["overdue_principal"]
            row.band_counts = {band: data[f"band_{int(band)}"] for band in band_filters}
        rows.append(row)
        total.disbursed_count += row.disbursed_count
        total.outstanding_count += row.outstanding_count
        total.outstanding_principal += row.outstanding_principal
        total.overdue_principal += row.overdue_principal
        for band, count in row.band_counts.items():
            total.band_counts[band] += count
    return rows, total
