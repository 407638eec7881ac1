"""Figures of the funds domain (points 5 and 7): the disbursement chain hop by hop, the deadlines it missed, the towns'
monthly reports, and the microcredit book.

Every figure is as of one day (``Period.counted_on``): the month's last day, or today while the month runs (a transfer
due on the 28th is not overdue on the 5th). Money counts on the day it moved (``sent_on``, ``received_on``), so a
transfer received after a month's end counts in the next month, not in that one. A loan's repayments count by
``paid_on``, and they fill its instalments oldest first (``funds.services.loans.loan_repay``), so what was unpaid on a
past day, and its risk band then, follow from the repayments made by that day.

``records`` opens the list of the same rows: the transfer list by hop, town or village and the day sent or received
by; the overdue list by town (it counts as of today, like the figures of the running month); the loan list by town or
village, the day disbursed by, and the status or risk warning (the band the hourly scan last set).
"""

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from funds.models import Hop, Installment, Loan, LoanStatus, MonthlyReport, Repayment, RiskBand, Transfer
from funds.selectors.loans import BAND_THRESHOLDS, risk_band_sql
from households.models import Household
from organisation.roles import Level
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows, grouped

POINT_CHAIN = "5"
POINT_MICROCREDIT = "7"
# The hops whose transfers go to a town's finance office or station, not to a village: a town's figures at the finest.
TOWN_HOPS = frozenset({Hop.TO_TOWN, Hop.TO_STATION})

Records = Callable[[Level, int, Period], str | None]


def _where(level: Level, unit_id: int, *, by_village: bool = True) -> dict | None:
    """The list's filter naming the unit; None for a village where the list has no village filter."""
    if level == Level.DISTRICT:
        return {}
    if level == Level.TOWN:
        return {"town": unit_id}
    return {"village": unit_id} if by_village else None


def _url(name: str, where: dict | None, **filters) -> str | None:
    if where is None:
        return None
    query = urlencode({**where, **{key: value for key, value in filters.items() if value not in ("", None)}})
    return f"{reverse(name)}?{query}" if query else reverse(name)


# --- The chain (point 5) -------------------------------------------------------------------------------------------


def _allotted(period: Period) -> Rows:
    # A town's share is allotted with the allocation and dated by the district's receipt: the clock of its transfer.
    transfers = Transfer.objects.filter(hop=Hop.TO_TOWN, clock_start__lte=period.counted_on)
    return grouped(transfers, "town_id", Sum("amount"))


def _allotted_records(level: Level, unit_id: int, period: Period) -> str | None:
    return _url(
        "funds:transfer_list", _where(level, unit_id), hop=Hop.TO_TOWN.value, date_to=period.counted_on.isoformat()
    )


def _hop_finest(hop: Hop) -> Level:
    return Level.TOWN if hop in TOWN_HOPS else Level.VILLAGE


def _moved(hop: Hop, date_field: str, finest: Level) -> Callable[[Period], Rows]:
    """The amounts of ``hop``'s transfers with ``date_field`` (sent_on, received_on) on or before the period's day."""
    column = "town_id" if finest == Level.TOWN else "village_id"

    def compute(period: Period) -> Rows:
        transfers = Transfer.objects.filter(hop=hop, **{f"{date_field}__lte": period.counted_on})
        return grouped(transfers, column, Sum("amount"))

    return compute


def _moved_records(hop: Hop, date_field: str) -> Records:
    # The transfer list's filters "sent on or before" and "received on or before".
    date_filter = {"sent_on": "sent_to", "received_on": "received_to"}[date_field]

    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _url(
            "funds:transfer_list",
            _where(level, unit_id),
            hop=hop.value,
            **{date_filter: period.counted_on.isoformat()},
        )

    return records


def _hop_indicators() -> list[Indicator]:
    indicators = []
    for hop in Hop:
        finest = _hop_finest(hop)
        for date_field, code, name, definition in (
            (
                "sent_on",
                f"funds_sent_{hop.value}",
                format_lazy(_("Sent: {hop}"), hop=hop.label),
                _("Money sent on this hop of the chain by the day the figures are as of, in yuan."),
            ),
            (
                "received_on",
                f"funds_received_{hop.value}",
                format_lazy(_("Received: {hop}"), hop=hop.label),
                _("Money whose receipt was confirmed on this hop of the chain by that day, in yuan."),
            ),
        ):
            indicators.append(
                Indicator(
                    code=code,
                    name=name,
                    unit=FigureUnit.YUAN,
                    domain=Domain.FUNDS,
                    point=POINT_CHAIN,
                    definition=definition,
                    compute=_moved(hop, date_field, finest),
                    finest=finest,
                    records=_moved_records(hop, date_field),
                )
            )
    return indicators


def _overdue_transfers(day: dt.date) -> QuerySet[Transfer]:
    """Transfers past their due day and not sent by ``day``: the overdue list's rule
    (``funds.selectors.overdue.overdue_transfer_list``) on that day."""
    return Transfer.objects.filter(Q(sent_on__isnull=True) | Q(sent_on__gt=day), due_date__lt=day)


def _transfers_overdue(period: Period) -> Rows:
    return grouped(_overdue_transfers(period.counted_on), "town_id", Count("pk"))


def _transfers_days_late_max(period: Period) -> Rows:
    """The days the oldest of a town's overdue transfers is past its due day, as the overdue list counts them."""
    day = period.counted_on
    oldest = (
        _overdue_transfers(day)
        .order_by()
        .values_list("town_id")
        .annotate(oldest=Min("due_date"))
        .values_list("town_id", "oldest")
    )
    return [(town_id, (day - due_date).days) for town_id, due_date in oldest]


def _overdue_records(tab: str = "") -> Records:
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _url("funds:overdue_list", _where(level, unit_id, by_village=False), tab=tab)

    return records


def _reports_late(period: Period) -> Rows:
    """Monthly reports not submitted by the end of their due day, on the period's day (the overdue list's rule,
    ``funds.selectors.overdue.overdue_report_list``)."""
    day = period.counted_on
    reports = MonthlyReport.objects.filter(Q(submitted_on__isnull=True) | Q(submitted_on__gt=day), due_date__lt=day)
    return grouped(reports, "town_id", Count("pk"))


# --- Microcredit (point 7) -----------------------------------------------------------------------------------------


def _loans_lent(day: dt.date) -> QuerySet[Loan]:
    """Loans paid out by ``day`` (being repaid or settled since)."""
    return Loan.objects.filter(disbursed_on__lte=day)


def _loans_issued(period: Period) -> Rows:
    return grouped(_loans_lent(period.counted_on), "household__village_id", Count("pk"))


def _loans_issued_amount(period: Period) -> Rows:
    return grouped(_loans_lent(period.counted_on), "household__village_id", Sum("amount"))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Each loan paid out by %(day)s: its village, amount, principal repaid by that day, and its risk band that day. An
# instalment is unpaid on the day when the principal of it and the instalments before it is more than was repaid by
# then (repayments fill the oldest first); its due days rise with its number, so the instalments due by a day are the
# first ones of the schedule and their running totals are those of the whole schedule.
LOAN_STATE_SQL = f"""
    WITH repaid AS (
        SELECT repayment.loan_id, SUM(repayment.amount) AS amount
        FROM {_table(Repayment)} AS repayment WHERE repayment.paid_on <= %(day)s
        GROUP BY repayment.loan_id
    ), lent AS (
        SELECT loan.id, loan.amount, household.village_id, COALESCE(repaid.amount, 0) AS repaid
        FROM {_table(Loan)} AS loan
        JOIN {_table(Household)} AS household ON household.id = loan.household_id
        LEFT JOIN repaid ON repaid.loan_id = loan.id
        WHERE loan.disbursed_on <= %(day)s
    ), schedule AS (
        SELECT installment.loan_id, installment.due_on,
               SUM(installment.principal) OVER (PARTITION BY installment.loan_id ORDER BY installment.number)
                   AS through
        FROM {_table(Installment)} AS installment
        WHERE installment.due_on <= %(at_risk_from)s
    ), oldest AS (
        SELECT schedule.loan_id, MIN(schedule.due_on) AS due_on
        FROM schedule JOIN lent ON lent.id = schedule.loan_id
        WHERE schedule.through > lent.repaid
        GROUP BY schedule.loan_id
    ), state AS (
        SELECT lent.village_id, lent.amount, lent.repaid,
               CASE WHEN oldest.due_on IS NULL THEN {RiskBand.NONE.value}
                    ELSE {risk_band_sql("(%(day)s::date - oldest.due_on)")} END AS band
        FROM lent LEFT JOIN oldest ON oldest.loan_id = lent.id
    )
"""


def _loan_state_rows(period: Period, value: str, condition: str, params: dict | None = None) -> Rows:
    """``value`` (an aggregate) per village over the loans of ``LOAN_STATE_SQL`` that meet ``condition``."""
    day = period.counted_on
    lowest = min(threshold for _band, threshold in BAND_THRESHOLDS)
    sql = f"{LOAN_STATE_SQL} SELECT village_id, {value} FROM state WHERE {condition} GROUP BY village_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"day": day, "at_risk_from": day - dt.timedelta(days=lowest), **(params or {})})
        return cursor.fetchall()


def _loans_outstanding(period: Period) -> Rows:
    return _loan_state_rows(period, "SUM(amount - repaid)", "repaid < amount")


def _loans_overdue(period: Period) -> Rows:
    return _loan_state_rows(period, "COUNT(*)", f"repaid < amount AND band > {RiskBand.NONE.value}")


def _loans_in_band(band: RiskBand) -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        return _loan_state_rows(period, "COUNT(*)", "repaid < amount AND band = %(band)s", {"band": band.value})

    return compute


def _loan_records(**filters) -> Records:
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _url(
            "funds:loan_list",
            _where(level, unit_id),
            disbursed_to=period.counted_on.isoformat(),
            **filters,
        )

    return records


def _band_indicators() -> list[Indicator]:
    return [
        Indicator(
            code=f"loans_risk_band_{band.value}",
            name=format_lazy(_("Loans being repaid: {band}"), band=band.label),
            unit=FigureUnit.ITEMS,
            domain=Domain.FUNDS,
            point=POINT_MICROCREDIT,
            definition=_(
                "Loans being repaid whose oldest unpaid instalment is in this band of days overdue (the risk warning "
                "of 30, 60 and 90 days)."
            ),
            compute=_loans_in_band(band),
            records=_loan_records(status=LoanStatus.DISBURSED.value, risk_band=band.value),
        )
        for band in RiskBand
    ]


FUNDS_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="funds_allotted",
        name=_("Funds allotted to towns"),
        unit=FigureUnit.YUAN,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_(
            "The towns' shares of the allocations the district received by the day the figures are as of, in yuan."
        ),
        compute=_allotted,
        finest=Level.TOWN,
        records=_allotted_records,
    ),
    *_hop_indicators(),
    Indicator(
        code="funds_paid_to_villages",
        name=_("Funds paid to villages"),
        unit=FigureUnit.YUAN,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_("Money the towns' economic management stations sent to villages by that day, in yuan."),
        compute=_moved(Hop.TO_VILLAGE, "sent_on", Level.TOWN),
        # A town's figure: the disbursement rate divides it by the town's allotment.
        finest=Level.TOWN,
        records=_moved_records(Hop.TO_VILLAGE, "sent_on"),
    ),
    Indicator(
        code="funds_disbursement_rate",
        name=_("Disbursement rate"),
        unit=FigureUnit.PERCENT,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_("Funds paid to villages, in percent of the funds allotted to the towns."),
        finest=Level.TOWN,
        aggregation=Aggregation.RATIO,
        ratio_of=("funds_paid_to_villages", "funds_allotted"),
    ),
    Indicator(
        code="transfers_overdue",
        name=_("Transfers overdue"),
        unit=FigureUnit.ITEMS,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_("Transfers not sent by the end of their due day, on the day the figures are as of."),
        compute=_transfers_overdue,
        finest=Level.TOWN,
        records=_overdue_records(),
        should_be_zero=True,
    ),
    Indicator(
        code="transfers_days_late_max",
        name=_("Most days a transfer is overdue"),
        unit=FigureUnit.DAYS,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_("Days past its due day of the oldest transfer still not sent, on that day."),
        compute=_transfers_days_late_max,
        finest=Level.TOWN,
        aggregation=Aggregation.MAX,
        records=_overdue_records(),
    ),
    Indicator(
        code="reports_late",
        name=_("Monthly reports overdue"),
        unit=FigureUnit.ITEMS,
        domain=Domain.FUNDS,
        point=POINT_CHAIN,
        definition=_("Towns' monthly fund-usage reports not submitted by the end of their due day, on that day."),
        compute=_reports_late,
        finest=Level.TOWN,
        records=_overdue_records("reports"),
        should_be_zero=True,
    ),
    Indicator(
        code="loans_issued",
        name=_("Microcredit loans issued"),
        unit=FigureUnit.ITEMS,
        domain=Domain.FUNDS,
        point=POINT_MICROCREDIT,
        definition=_("Microcredit loans the bank paid out by that day, being repaid or settled since."),
        compute=_loans_issued,
        records=_loan_records(),
    ),
    Indicator(
        code="loans_issued_amount",
        name=_("Microcredit lent"),
        unit=FigureUnit.YUAN,
        domain=Domain.FUNDS,
        point=POINT_MICROCREDIT,
        definition=_("The amount of the microcredit loans paid out by that day, in yuan."),
        compute=_loans_issued_amount,
        records=_loan_records(),
    ),
    Indicator(
        code="loans_outstanding",
        name=_("Microcredit outstanding"),
        unit=FigureUnit.YUAN,
        domain=Domain.FUNDS,
        point=POINT_MICROCREDIT,
        definition=_("Principal of the loans paid out by that day not repaid by then, in yuan."),
        compute=_loans_outstanding,
        records=_loan_records(status=LoanStatus.DISBURSED.value),
    ),
    Indicator(
        code="loans_overdue",
        name=_("Microcredit loans overdue"),
        unit=FigureUnit.ITEMS,
        domain=Domain.FUNDS,
        point=POINT_MICROCREDIT,
        definition=_(
            "Loans being repaid whose oldest unpaid instalment is 30 days or more past its due day (a risk warning)."
        ),
        compute=_loans_overdue,
        records=_loan_records(at_risk="on"),
    ),
    *_band_indicators(),
)
