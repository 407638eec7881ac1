"""Reads of the monthly fund-usage reports: the figures the chain gives a town's month, the list, the district
office's town × month grid, one report.

Every report comes from ``funds_scope``, so a town sees its own reports and the district readers see all.
A report is *missing* while it is unsubmitted after its due day, and *late* when it was submitted after it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from funds.models import Hop, MonthlyReport, MonthlyReportLine, ReportStatus, Transfer
from funds.permissions import DISTRICT_WRITERS, REPORT_REVIEWERS, REPORT_ROLES, funds_scope
from funds.rules import REPORTS_FROM, SUBMITTABLE, month_has_ended, months_holding_money
from organisation.actors import Actor
from organisation.models import Town
from organisation.money import MONEY_FIELD, ZERO
from organisation.periods import month_end, month_start, previous_month
from organisation.scoping import Access, has_district_reach, may_act, towns_for

# How many ended months the district office's grid shows.
MATRIX_MONTHS = 6


# --- The figures: what the chain says about a town's money in a month ---------------------------------------------


@dataclass(frozen=True)
class ReportFigures:
    """One allocation's money in a town: totals up to the month's end, and the movements within the month.

    ``received``: the town finance office's confirmed receipts from the district (TO_TOWN ``received_on``);
    ``forwarded``: what the office sent to the economic management station (TO_STATION ``sent_on``);
    ``paid_to_villages``: what the station sent to villages (TO_VILLAGE ``sent_on``). The balance still in the
    town (office and station together) is received − paid to villages.
    """

    allocation_id: int
    document_number: str
    title: str
    allotted: Decimal
    received: Decimal
    forwarded: Decimal
    paid_to_villages: Decimal
    received_in_month: Decimal
    forwarded_in_month: Decimal
    paid_in_month: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.paid_to_villages


def _total(**condition) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(**condition)), Value(ZERO), output_field=MONEY_FIELD)


def report_figures(*, town: Town, month: dt.date) -> list[ReportFigures]:
    """The figures of ``town``'s report on ``month``, one per allocation allotted to it by the month's end.

    One grouped query whatever the number of allocations and transfers. A day counts in the month it falls
    in: money received on the month's last day is in that month's report, on the next day in the next one's.
    """
    first, last = month_start(month), month_end(month)
    in_month = (first, last)
    rows = (
        Transfer.objects.filter(town=town, allocation__received_on__lte=last)
        .values("allocation_id", "allocation__document_number", "allocation__title", "allocation__received_on")
        .annotate(
            allotted=_total(hop=Hop.TO_TOWN),
            received=_total(hop=Hop.TO_TOWN, received_on__lte=last),
            forwarded=_total(hop=Hop.TO_STATION, sent_on__lte=last),
            paid_to_villages=_total(hop=Hop.TO_VILLAGE, sent_on__lte=last),
            received_in_month=_total(hop=Hop.TO_TOWN, received_on__range=in_month),
            forwarded_in_month=_total(hop=Hop.TO_STATION, sent_on__range=in_month),
            paid_in_month=_total(hop=Hop.TO_VILLAGE, sent_on__range=in_month),
        )
        .order_by("allocation__received_on", "allocation_id")
    )
    return [
        ReportFigures(
            allocation_id=row["allocation_id"],
            document_number=row["allocation__document_number"],
            title=row["allocation__title"],
            allotted=row["allotted"],
            received=row["received"],
            forwarded=row["forwarded"],
            paid_to_villages=row["paid_to_villages"],
            received_in_month=row["received_in_month"],
            forwarded_in_month=row["forwarded_in_month"],
            paid_in_month=row["paid_in_month"],
        )
        for row in rows
    ]


# --- The reports owed: one rule for the scan, the pages and the grid ---------------------------------------------


def reports_from() -> dt.date:
    """The first month a report is owed on: the setting ``FUNDS_REPORTS_FROM`` ("YYYY-MM"), else ``REPORTS_FROM``."""
    configured = getattr(settings, "FUNDS_REPORTS_FROM", "")
    if configured:
        return month_start(dt.date.fromisoformat(f"{configured}-01" if len(configured) == 7 else configured))
    return REPORTS_FROM


def reports_owed(*, today: dt.date) -> set[tuple[int, dt.date]]:
    """Every (town id, month) whose report is owed on ``today``: the months that have ended since ``reports_from``
    in which the town held money (``funds.rules.months_holding_money``).

    Two grouped queries whatever the number of towns, months and transfers: the towns' receipts from the district
    and their payments to villages, by month.
    """
    last = previous_month(month_start(today))
    first = reports_from()
    if last < first:
        return set()
    end = month_end(last)
    received: dict[int, dict[dt.date, Decimal]] = {}
    paid: dict[int, dict[dt.date, Decimal]] = {}
    for into, hop, day in ((received, Hop.TO_TOWN, "received_on"), (paid, Hop.TO_VILLAGE, "sent_on")):
        rows = (
            Transfer.objects.filter(hop=hop, **{f"{day}__lte": end})
            .annotate(month=TruncMonth(day))
            .values("town_id", "month")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            into.setdefault(row["town_id"], {})[row["month"]] = row["total"]
    return {
        (town_id, month)
        for town_id, by_month in received.items()
        for month in months_holding_money(received=by_month, paid=paid.get(town_id, {}), first=first, last=last)
    }


def missing_condition(today: dt.date) -> Q:
    """Unsubmitted after the end of its due day."""
    return Q(submitted_on__isnull=True, due_date__lt=today)


def reports_visible(user: Actor, access: Access = Access.VIEW) -> QuerySet[MonthlyReport]:
    return funds_scope(user, access, MonthlyReport.objects.select_related("town"))


def report_towns(user: Actor) -> QuerySet[Town]:
    """The towns whose reports ``user`` reads: the choices of the list's town filter."""
    return towns_for(user, Access.VIEW, DISTRICT_WRITERS).order_by("code", "pk")


def towns_to_report(user: Actor) -> QuerySet[Town]:
    """The towns ``user`` may open a report for."""
    if not may_act(user, REPORT_ROLES):
        return Town.objects.none()
    return towns_for(user, Access.CHANGE, DISTRICT_WRITERS).order_by("code", "pk")


@dataclass(frozen=True)
class ReportFilters:
    town: Town | None = None
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    status: str = ""
    late_or_missing: bool = False
    query: str = ""


def report_list(*, user: Actor, filters: ReportFilters, today: dt.date) -> QuerySet[MonthlyReport]:
    """The reports ``user`` reads, filtered, each marked ``is_missing`` / ``is_late``; newest month first."""
    reports = reports_visible(user).annotate(
        is_missing=ExpressionWrapper(missing_condition(today), output_field=BooleanField()),
        is_late=ExpressionWrapper(Q(days_late__gt=0), output_field=BooleanField()),
    )
    if filters.town is not None:
        reports = reports.filter(town=filters.town)
    if filters.month_from is not None:
        reports = reports.filter(month__gte=month_start(filters.month_from))
    if filters.month_to is not None:
        reports = reports.filter(month__lte=month_start(filters.month_to))
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.late_or_missing:
        reports = reports.filter(missing_condition(today) | Q(days_late__gt=0))
    if filters.query:
        reports = reports.filter(town__name__icontains=filters.query)
    return reports.order_by("-month", "town__code", "town_id")


# --- The district office's grid: every town against the last ended months -----------------------------------------


class CellState:
    ACCEPTED = "accepted"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PENDING = "pending"  # unsubmitted, not yet due
    MISSING = "missing"  # unsubmitted after its due day
    NOT_OWED = "not_owed"  # the town held no money that month (reports_owed): nothing to report on


@dataclass(frozen=True)
class MatrixCell:
    month: dt.date
    state: str
    report: MonthlyReport | None
    late: bool


@dataclass(frozen=True)
class MatrixRow:
    town: Town
    cells: list[MatrixCell]

    @property
    def missing(self) -> int:
        return sum(cell.state == CellState.MISSING for cell in self.cells)


@dataclass(frozen=True)
class ReportMatrix:
    months: list[dt.date]
    rows: list[MatrixRow]


def last_ended_months(today: dt.date, count: int = MATRIX_MONTHS) -> list[dt.date]:
    """The ``count`` months before ``today``'s, oldest first."""
    months = [previous_month(month_start(today))]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def report_matrix(*, user: Actor, today: dt.date) -> ReportMatrix | None:
    """Every town × the last ended months, for users with district reach (None for the others).

    The grid reads the report records, as the list and the overdue tab do: the reports owed
    (``reports_owed``) are opened by the overdue scan (``monthly_reports_ensure``), never by a page, so a cell
    without a report is a month its town owes nothing on (or that the next hourly scan opens). A constant number
    of queries: the towns and the reports.
    """
    if not has_district_reach(user, Access.VIEW):
        return None
    months = last_ended_months(today)
    reports = {
        (report.town_id, report.month): report
        for report in funds_scope(user, Access.VIEW, MonthlyReport.objects.filter(month__in=months))
    }
    rows = []
    for town in Town.objects.order_by("code", "pk"):
        cells = []
        for month in months:
            report = reports.get((town.pk, month))
            if report is None:
                cells.append(MatrixCell(month=month, state=CellState.NOT_OWED, report=None, late=False))
            else:
                cells.append(_cell(month, report, today))
        rows.append(MatrixRow(town=town, cells=cells))
    return ReportMatrix(months=months, rows=rows)


def _cell(month: dt.date, report: MonthlyReport, today: dt.date) -> MatrixCell:
    if report.submitted_on is not None:
        states: dict[str, str] = {
            ReportStatus.ACCEPTED: CellState.ACCEPTED,
            ReportStatus.RETURNED: CellState.RETURNED,
        }
        state = states.get(report.status, CellState.SUBMITTED)
        return MatrixCell(month=month, state=state, report=report, late=bool(report.days_late))
    state = CellState.MISSING if report.due_date is not None and report.due_date < today else CellState.PENDING
    return MatrixCell(month=month, state=state, report=report, late=state == CellState.MISSING)


# --- One report ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """A row of the report's table: live figures while the town may still change it, frozen ones after."""

    allocation_id: int | None
    document_number: str
    title: str
    received: Decimal
    forwarded: Decimal
    paid_to_villages: Decimal
    balance: Decimal
    # The movements within the month; only the live figures carry them.
    received_in_month: Decimal | None = None
    forwarded_in_month: Decimal | None = None
    paid_in_month: Decimal | None = None


@dataclass(frozen=True)
class ReportTable:
    live: bool
    rows: list[FigureRow]
    totals: FigureRow | None = field(default=None)


def _totals(rows: list[FigureRow], live: bool) -> FigureRow | None:
    if not rows:
        return None

    def total(name):
        return sum((getattr(row, name) for row in rows), ZERO)

    movements = (
        {name: total(name) for name in ("received_in_month", "forwarded_in_month", "paid_in_month")} if live else {}
    )
    return FigureRow(
        allocation_id=None,
        document_number="",
        title="",
        received=total("received"),
        forwarded=total("forwarded"),
        paid_to_villages=total("paid_to_villages"),
        balance=total("balance"),
        **movements,
    )


def report_table(report: MonthlyReport) -> ReportTable:
    """The figures the page shows: computed from the chain while draft or returned, the frozen lines after."""
    if report.status in SUBMITTABLE:
        rows = [
            FigureRow(
                allocation_id=row.allocation_id,
                document_number=row.document_number,
                title=row.title,
                received=row.received,
                forwarded=row.forwarded,
                paid_to_villages=row.paid_to_villages,
                balance=row.balance,
                received_in_month=row.received_in_month,
                forwarded_in_month=row.forwarded_in_month,
                paid_in_month=row.paid_in_month,
            )
            for row in report_figures(town=report.town, month=report.month)
        ]
        return ReportTable(live=True, rows=rows, totals=_totals(rows, live=True))
    lines = (
        MonthlyReportLine.objects.filter(report=report)
        .select_related("allocation")
        .order_by("allocation__received_on", "allocation_id")
    )
    rows = [
        FigureRow(
            allocation_id=line.allocation_id,
            document_number=line.allocation.document_number,
            title=line.allocation.title,
            received=line.received,
            forwarded=line.forwarded,
            paid_to_villages=line.paid_to_villages,
            balance=line.balance,
        )
        for line in lines
    ]
    return ReportTable(live=False, rows=rows, totals=_totals(rows, live=False))


@dataclass(frozen=True)
class ReportActions:
    may_submit: bool
    may_review: bool


def report_reached(user: Actor, report: MonthlyReport, access: Access) -> bool:
    return funds_scope(user, access, MonthlyReport.objects.filter(pk=report.pk)).exists()


def report_actions(*, user: Actor, report: MonthlyReport, today: dt.date) -> ReportActions:
    """What ``user`` may do with the report now (the services decide again when it is done)."""
    may_submit = (
        report.status in SUBMITTABLE
        and month_has_ended(report.month, today)
        and may_act(user, REPORT_ROLES)
        and report_reached(user, report, Access.CHANGE)
    )
    may_review = report.status == ReportStatus.SUBMITTED and may_act(user, REPORT_REVIEWERS)
    return ReportActions(may_submit=may_submit, may_review=may_review)


def report_is_missing(report: MonthlyReport, today: dt.date) -> bool:
    return report.submitted_on is None and report.due_date is not None and report.due_date < today


def report_days_overdue(report: MonthlyReport, today: dt.date) -> int:
    """Days past the due day of a report still unsubmitted (0 when it is not missing)."""
    if report.due_date is None or not report_is_missing(report, today):
        return 0
    return (today - report.due_date).days
