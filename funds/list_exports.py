"""The funds app's list exports (``organisation.exports``): transfers, microcredit loans, monthly reports. Each reads
its rows with the list page's own function (its filter form and scoped selector)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.choices import Hop, LoanStatus, ReportStatus, RiskBand
from organisation.exports import DATE, MONEY, NUMBER, YUAN, Column, ListExport, choice_words, register


def transfer_rows(user, params):
    from funds.views.chain import TransferListView

    return TransferListView.filtered(user, params)[1]


def transfer_columns():
    return [
        Column(_("document number"), "allocation__document_number", 18),
        Column(_("hop"), "hop", 14, words=choice_words(Hop)),
        Column(_("Town or street"), "town__name", 12),
        Column(_("Village"), "village__name", 12),
        Column(_("amount"), "amount", 16, kind=MONEY, unit=YUAN),
        Column(_("clock starts on"), "clock_start", 12, kind=DATE),
        Column(_("due date"), "due_date", 12, kind=DATE),
        Column(_("sent on"), "sent_on", 12, kind=DATE),
        Column(_("received on"), "received_on", 12, kind=DATE),
        Column(_("voucher number"), "voucher_number", 16),
    ]


register(
    ListExport(
        kind="funds.transfers",
        title=gettext_lazy("Transfers"),
        rows=transfer_rows,
        columns=transfer_columns,
        list_url="funds:transfer_list",
        filename="transfers",
    )
)


def loan_rows(user, params):
    from funds.views.loans import loans_filtered

    return loans_filtered(user, params, timezone.localdate())[1]


def loan_columns():
    return [
        Column(_("Received on"), "clock_start", 12, kind=DATE),
        Column(_("Borrower"), "borrower__name", 10),
        Column(_("File number"), "household__file_number", 20),
        Column(_("Town or street"), "household__village__town__name", 12),
        Column(_("Village"), "household__village__name", 12),
        Column(_("Amount"), "amount", 16, kind=MONEY, unit=YUAN),
        Column(_("Term (months)"), "term_months", 8, kind=NUMBER),
        Column(_("Status"), "status", 10, words=choice_words(LoanStatus)),
        Column(_("Risk warning"), "risk_band", 10, words=choice_words(RiskBand)),
        Column(_("Contract number"), "contract_number", 18),
    ]


register(
    ListExport(
        kind="funds.loans",
        title=gettext_lazy("Microcredit loans"),
        rows=loan_rows,
        columns=loan_columns,
        list_url="funds:loan_list",
        filename="loans",
    )
)


def report_rows(user, params):
    from funds.views.reports import reports_filtered

    return reports_filtered(user, params, timezone.localdate())[1]


def report_columns():
    return [
        Column(_("Town or street"), "town__name", 12),
        Column(_("Month"), "month", 12, kind=DATE),
        Column(_("Status"), "status", 10, words=choice_words(ReportStatus)),
        Column(_("Due date"), "due_date", 12, kind=DATE),
        Column(_("Submitted on"), "submitted_on", 12, kind=DATE),
    ]


register(
    ListExport(
        kind="funds.reports",
        title=gettext_lazy("Monthly fund-usage reports"),
        rows=report_rows,
        columns=report_columns,
        list_url="funds:report_list",
        filename="monthly-reports",
    )
)


def overdue_rows(user, params):
    from funds.views.overdue import overdue_filtered

    return overdue_filtered(user, params)[2]


def _days_overdue(context):
    from funds.selectors.overdue import overdue_today

    today = overdue_today()
    return lambda due_date: None if due_date is None else (today - due_date).days


def overdue_columns():
    return [
        Column(_("Days overdue"), "due_date", 8, kind=NUMBER, words=_days_overdue),
        Column(_("document number"), "allocation__document_number", 18),
        Column(_("hop"), "hop", 14, words=choice_words(Hop)),
        Column(_("Town or street"), "town__name", 12),
        Column(_("Village"), "village__name", 12),
        Column(_("amount"), "amount", 16, kind=MONEY, unit=YUAN),
        Column(_("due date"), "due_date", 12, kind=DATE),
    ]


register(
    ListExport(
        kind="funds.overdue",
        title=gettext_lazy("Overdue transfers"),
        rows=overdue_rows,
        columns=overdue_columns,
        list_url="funds:overdue_list",
        filename="overdue-transfers",
    )
)
