"""Monthly fund-usage reports: each town reports on each month (point 5, "建立定期报告制度").

"镇街道每月向区扶贫开发领导小组报告资金使用情况": a town's report on a month is prefilled from the
disbursement chain (``funds.selectors.reports.report_figures``), the town adds its notes and submits it, and the
district office accepts it or returns it for correction. Submitting freezes the figures (``MonthlyReportLine``),
so money recorded later never changes what a town reported. The report is due on the policy's working day
of the next month (``funds.rules.report_deadline``); a late submission keeps its days late.

Every write checks the user's role (``REPORT_ROLES`` submit, ``REPORT_REVIEWERS`` review) and reach,
locks the report, and raises ``ValidationError`` (naming the field where there is one) or ``PermissionDenied``.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import FundsPolicy, MonthlyReport, MonthlyReportLine, ReportStatus
from funds.permissions import DISTRICT_WRITERS, REPORT_REVIEWERS, REPORT_ROLES, funds_scope
from funds.rules import SUBMITTABLE, days_late, month_has_ended, report_deadline
from funds.selectors.reports import report_figures, reports_owed
from organisation.locking import locked_in_reach
from organisation.models import Town
from organisation.models.calendar import FIRST_CALENDAR_YEAR
from organisation.periods import month_end, month_start
from organisation.scoping import Access, towns_for
from organisation.validation import role_require
from organisation.workdays import WorkingCalendar

# --- Opening the reports a town owes ------------------------------------------------------------------------------


def monthly_reports_ensure(*, today: dt.date | None = None) -> int:
    """Open every report owed on ``today`` (Beijing) that is not open yet: one per town and month in which the town
    held money (``funds.selectors.reports.reports_owed``, the rule ``funds.rules.months_holding_money``), from
    ``reports_from``. Run by the overdue scan (hourly, and by "run the scan now"), never by a page: a GET writes
    nothing, and the list, the grid and the overdue tab read the same records. Idempotent; returns the number of
    reports opened.

    A few queries whatever the number of towns and months: what is owed, the existing keys, and the missing
    reports inserted in one statement (a concurrent run's rows are skipped by the unique key).
    """
    today = today or timezone.localdate()
    owed = reports_owed(today=today)
    if not owed:
        return 0
    months = sorted({month for _town, month in owed})
    existing = set(MonthlyReport.objects.filter(month__gte=months[0]).values_list("town_id", "month"))
    todo = sorted(owed - existing)
    if not todo:
        return 0
    calendar = WorkingCalendar.load()
    due_working_day = FundsPolicy.current().report_due_working_day
    deadlines = {month: report_deadline(month, due_working_day=due_working_day, calendar=calendar) for month in months}
    missing = [
        MonthlyReport(
            town_id=town_id,
            month=month,
            clock_start=month_end(month),
            due_date=deadlines[month].due_date,
            due_is_provisional=deadlines[month].provisional,
        )
        for town_id, month in todo
    ]
    MonthlyReport.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    return len(missing)


@transaction.atomic
def monthly_report_open(*, user: User, town: Town, month: dt.date) -> MonthlyReport:
    """A town starts its report on a month that has ended (the one already open, if there is one)."""
    role_require(user, REPORT_ROLES, _("Only the town's staff, finance office or station report on its funds."))
    if not towns_for(user, Access.CHANGE, DISTRICT_WRITERS).filter(pk=town.pk).exists():
        raise PermissionDenied(_("This town is outside the towns you work for."))
    if month is None:
        raise ValidationError({"month": _("Choose the month to report on.")})
    month = month_start(month)
    today = timezone.localdate()
    if month.year < FIRST_CALENDAR_YEAR:
        raise ValidationError({"month": _("Reports start in %(year)d.") % {"year": FIRST_CALENDAR_YEAR}})
    if not month_has_ended(month, today):
        raise ValidationError({"month": _("A month is reported on once it has ended.")})
    report = MonthlyReport(town=town, month=month, clock_start=month_end(month))
    report.refresh_due(WorkingCalendar.load())
    report, _created = MonthlyReport.objects.get_or_create(
        town=town,
        month=month,
        defaults={
            "clock_start": report.clock_start,
            "due_date": report.due_date,
            "due_is_provisional": report.due_is_provisional,
        },
    )
    return report


# --- The town submits, the district office reviews ---------------------------------------------------------------


def _locked(user: User, report: MonthlyReport, access: Access) -> MonthlyReport:
    """The report, locked, if the user reaches it with ``access``."""
    return locked_in_reach(
        funds_scope, user, report, access=access, message=_("This report is outside the towns you work for.")
    )


@transaction.atomic
def monthly_report_submit(*, user: User, report: MonthlyReport, notes: str) -> MonthlyReport:
    """The town submits its report: the chain's figures are frozen as they stand now (replacing those of a
    returned submission). The days late are those of the first submission; correcting a returned report
    does not add to them."""
    role_require(user, REPORT_ROLES, _("Only the town's staff, finance office or station submit its report."))
    report = _locked(user, report, Access.CHANGE)
    if report.status not in SUBMITTABLE:
        raise ValidationError(_("This report was already submitted; only a returned report can be submitted again."))
    today = timezone.localdate()
    if not month_has_ended(report.month, today):
        raise ValidationError(_("A month is reported on once it has ended."))
    figures = report_figures(town=report.town, month=report.month)
    MonthlyReportLine.objects.filter(report=report).delete()
    MonthlyReportLine.objects.bulk_create(
        MonthlyReportLine(
            report=report,
            allocation_id=row.allocation_id,
            received=row.received,
            forwarded=row.forwarded,
            paid_to_villages=row.paid_to_villages,
            balance=row.balance,
        )
        for row in figures
    )
    report.notes = notes.strip()
    report.status = ReportStatus.SUBMITTED
    report.submitted_on, report.submitted_by = today, user
    if report.days_late is None:
        report.days_late = days_late(report.due_date, today)
    report.save(update_fields=["notes", "status", "submitted_on", "submitted_by", "days_late"])
    return report


def _reviewable(user: User, report: MonthlyReport) -> MonthlyReport:
    role_require(user, REPORT_REVIEWERS, _("Only the district office accepts or returns a monthly report."))
    # The district office reviews every town's report: reading it is the reach the review needs.
    report = _locked(user, report, Access.VIEW)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report awaiting the district office can be accepted or returned."))
    return report


def _record_review(report: MonthlyReport, *, user: User, status: ReportStatus, note: str) -> MonthlyReport:
    report.status = status
    report.reviewed_on, report.reviewed_by, report.review_note = timezone.localdate(), user, note.strip()
    report.save(update_fields=["status", "reviewed_on", "reviewed_by", "review_note"])
    return report


@transaction.atomic
def monthly_report_accept(*, user: User, report: MonthlyReport, note: str = "") -> MonthlyReport:
    """The district office accepts a submitted report."""
    report = _reviewable(user, report)
    return _record_review(report, user=user, status=ReportStatus.ACCEPTED, note=note)


@transaction.atomic
def monthly_report_return(*, user: User, report: MonthlyReport, note: str) -> MonthlyReport:
    """The district office sends a report back, saying what to correct; the town submits it again."""
    report = _reviewable(user, report)
    if not note.strip():
        raise ValidationError({"note": _("Say what the town must correct.")})
    return _record_review(report, user=user, status=ReportStatus.RETURNED, note=note)
