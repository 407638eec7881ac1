"""Reads of the monthly work reports for their pages and jobs: every list scoped by ``reporting_scope``.

(The figures' reads are ``reporting.selectors`` itself; these are the generated reports'.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from organisation.actors import Actor
from organisation.models import District, Town, Village
from organisation.periods import month_start, previous_month
from organisation.scoping import Access, towns_for
from reporting.models import WorkReport
from reporting.models.reports import PENDING_STATUSES, ReportStatus
from reporting.permissions import DISTRICT_REPORT_WRITERS, may_request_reports, reporting_scope

# How many months back a report may be asked for on the form.
MONTHS_OFFERED = 36


def work_report_list(
    *,
    user: Actor,
    month: dt.date | None = None,
    town: Town | None = None,
    district_only: bool = False,
    query: str = "",
) -> QuerySet[WorkReport]:
    """The reports ``user`` may see, newest month first; filtered by month, town (or the district's own) and a search
    of the town's name and the requester's name."""
    reports = reporting_scope(user, Access.VIEW, WorkReport.objects.select_related("town", "requested_by"))
    if month is not None:
        reports = reports.filter(month=month_start(month))
    if district_only:
        reports = reports.filter(town__isnull=True)
    elif town is not None:
        reports = reports.filter(town=town)
    if query:
        reports = reports.filter(
            Q(town__name__icontains=query)
            | Q(requested_by__username__icontains=query)
            | Q(requested_by__first_name__icontains=query)
            | Q(requested_by__last_name__icontains=query)
        )
    return reports.order_by("-month", "town__code", "-version")


def of_unit(town_id: int | None) -> Q:
    """The reports of one unit: a town's, or (None) the district's own."""
    return Q(town__isnull=True) if town_id is None else Q(town_id=town_id)


def work_report_versions(*, user: Actor, report: WorkReport) -> list[WorkReport]:
    """Every version of ``report``'s month and unit the user may see, newest first."""
    versions = reporting_scope(user, Access.VIEW, WorkReport.objects.select_related("requested_by")).filter(
        of_unit(report.town_id), month=report.month
    )
    return list(versions.order_by("-version"))


@dataclass(frozen=True)
class GridLine:
    """One unit of a month's grid: its current report and the one being made, if any."""

    town: Town | None
    current: WorkReport | None
    pending: WorkReport | None


def work_report_grid(*, user: Actor, month: dt.date) -> list[GridLine]:
    """The district's report and every town's for ``month``: which exist (the current version, when, by whom) and
    which are being made. Two queries, whatever the number of towns."""
    month = month_start(month)
    reports = reporting_scope(user, Access.VIEW, WorkReport.objects.select_related("requested_by")).filter(
        Q(is_current=True) | Q(status__in=PENDING_STATUSES), month=month
    )
    current: dict[int | None, WorkReport] = {}
    pending: dict[int | None, WorkReport] = {}
    for report in reports.order_by("version"):
        (current if report.is_current else pending)[report.town_id] = report
    towns = towns_for(user, Access.VIEW).order_by("code")
    lines = [GridLine(town=None, current=current.get(None), pending=pending.get(None))]
    lines += [GridLine(town=town, current=current.get(town.pk), pending=pending.get(town.pk)) for town in towns]
    return lines


def report_towns(user: Actor) -> QuerySet[Town]:
    """The towns whose reports ``user`` may have made (none for a post that does not ask for reports)."""
    if not may_request_reports(user):
        return Town.objects.none()
    return towns_for(user, Access.CHANGE, DISTRICT_REPORT_WRITERS).order_by("code")


def report_months(today: dt.date, *, count: int = MONTHS_OFFERED) -> list[dt.date]:
    """The months a report may be asked for, newest first: this month (its figures so far) and the ones before."""
    months, month = [], month_start(today)
    for _index in range(count):
        months.append(month)
        month = previous_month(month)
    return months


def unit_report(*, month: dt.date, town_id: int | None, current: bool) -> WorkReport | None:
    """The current version of a month and unit (``current``), or the one being made; None when there is none."""
    reports = WorkReport.objects.filter(of_unit(town_id), month=month)
    if current:
        return reports.filter(is_current=True).first()
    return reports.filter(status__in=PENDING_STATUSES).order_by("-version").first()


def next_version(*, month: dt.date, town_id: int | None) -> int:
    versions = WorkReport.objects.filter(of_unit(town_id), month=month)
    last = versions.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def reports_to_resend(*, stale_before: dt.datetime) -> list[int]:
    """The reports the job service never took: waiting for it, or queued before ``stale_before`` and never started."""
    return list(
        WorkReport.objects.filter(
            Q(status=ReportStatus.WAITING) | Q(status=ReportStatus.QUEUED, requested_at__lt=stale_before)
        )
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )


def report_district() -> District | None:
    """The district whose report a report without a town is (Lanshan: the one district)."""
    return District.objects.order_by("code").first()


def report_units_of(*, town: Town | None, district: District | None) -> list[tuple[int, str]]:
    """The units a report has a row for: the district's towns, or the town's villages, by code."""
    if town is None:
        towns = Town.objects.filter(district=district) if district is not None else Town.objects.none()
        return list(towns.order_by("code").values_list("pk", "name"))
    return list(Village.objects.filter(town=town).order_by("code").values_list("pk", "name"))
