"""The monthly work reports' pages: the list (and, for the district, a month's grid of which towns' reports exist),
the request form, a report with its versions, the progress bar htmx polls while it is made, and the download.

Reports come from ``reporting_scope``: a town's posts reach their own town's reports, the district's readers every
report; one outside the user's reach is a 404. Having one made is ``work_report_request``'s business, which checks
role and reach again.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.import_pages import JobProgressView
from organisation.periods import previous_month
from organisation.scoping import towns_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView
from reporting.forms import DISTRICT, WorkReportFilterForm, WorkReportRequestForm, month_of, month_value
from reporting.models import ReportStatus, WorkReport
from reporting.models.reports import PENDING_STATUSES
from reporting.permissions import (
    REPORT_REQUESTERS,
    may_request_district_report,
    may_see_all_reports,
    reporting_scope,
)
from reporting.selectors import reports as selectors
from reporting.services.reports import default_money_unit, work_report_request

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Being made: the page shows the progress bar, which htmx polls (a report waiting for the job service is not polled:
# it waits for the daily job or a new request).
RUNNING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class _Reports(ScopedMixin):
    scope = staticmethod(reporting_scope)
    model = WorkReport

    def get_queryset(self):
        return super().get_queryset().select_related("town", "requested_by")


def may_request_for(user, report: WorkReport) -> bool:
    """Whether the user may have a (new) version of ``report``'s month and unit made."""
    if report.town_id is None:
        return may_request_district_report(user)
    return selectors.report_towns(user).filter(pk=report.town_id).exists()


class WorkReportListView(SortableListMixin, _Reports, ListView):
    template_name = "reporting/reports/list.html"
    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("month", ("month",)),
        # The district's own report (no town) comes after the towns'.
        SortColumn("unit", ("town__code",)),
        SortColumn("version", ("version",)),
        SortColumn("status", ("status",)),
        SortColumn("requested_by", ("requested_by__username",)),
        SortColumn("requested_at", ("requested_at",)),
        SortColumn("finished_at", ("finished_at",)),
    )

    def get_queryset(self):
        user = self.request.user
        self.district = may_see_all_reports(user)
        self.filter_form = WorkReportFilterForm(
            self.request.GET, towns=towns_for(user).order_by("code"), district=self.district
        )
        return self.sorting.apply(selectors.work_report_list(user=user, **self.filter_form.filters()))

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(
            filter_form=self.filter_form,
            may_request=bool(selectors.report_towns(user).exists() or may_request_district_report(user)),
            **kwargs,
        )
        if self.district:
            month = month_of(self.request.GET.get("month", "")) or previous_month(timezone.localdate())
            context.update(grid=selectors.work_report_grid(user=user, month=month), grid_month=month)
        return context


class WorkReportRequestView(RoleRequiredMixin, ServiceFormView):
    """Have a month's report made: the district office for the district or any town, town staff for their town."""

    allowed_roles = REPORT_REQUESTERS
    form_class = WorkReportRequestForm
    template_name = "reporting/reports/request.html"

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "towns": selectors.report_towns(user),
            "district": may_request_district_report(user),
        }

    def get_initial(self):
        initial = {"month": month_value(previous_month(timezone.localdate())), "money_unit": default_money_unit()}
        for name in ("month", "unit", "money_unit"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def post(self, request, *args, **kwargs):
        # A unit beyond the user's reach is refused outright, not shown as a form error.
        unit = request.POST.get("unit", "")
        if unit == DISTRICT and not may_request_district_report(request.user):
            raise PermissionDenied
        if unit.isdigit() and not selectors.report_towns(request.user).filter(pk=unit).exists():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, *, month, town, money_unit):
        return work_report_request(user=self.request.user, month=month, town=town, money_unit=money_unit)

    def get_success_message(self, result) -> str:
        if result.status == ReportStatus.DONE:
            return ""
        return _("The report is being generated; this page shows its progress.")


class WorkReportDetailView(_Reports, DetailView):
    template_name = "reporting/reports/detail.html"

    def get_context_data(self, **kwargs):
        report, user = self.object, self.request.user
        return super().get_context_data(
            versions=selectors.work_report_versions(user=user, report=report),
            running=report.status in RUNNING,
            pending=report.status in PENDING_STATUSES,
            may_request=may_request_for(user, report),
            unit_value=DISTRICT if report.town_id is None else report.town_id,
            month_value=month_value(report.month),
            **kwargs,
        )


class WorkReportProgressView(_Reports, JobProgressView):
    template_name = "reporting/reports/_progress.html"
    running_statuses = RUNNING


class WorkReportDownloadView(_Reports, View):
    """The frozen file of a generated report (any version), never cached."""

    def get(self, request, pk):
        report = self.get_queryset().filter(pk=pk).first()
        if report is None or report.status != ReportStatus.DONE or not report.file:
            raise Http404
        unit = report.town.name if report.town_id else (selectors.report_district() or "")
        name = _("%(unit)s monthly report %(month)s v%(version)s.xlsx") % {
            "unit": unit,
            "month": f"{report.month:%Y-%m}",
            "version": report.version,
        }
        response = FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("reports/", WorkReportListView.as_view(), name="work_report_list"),
    path("reports/new/", WorkReportRequestView.as_view(), name="work_report_request"),
    path("reports/<int:pk>/", WorkReportDetailView.as_view(), name="work_report_detail"),
    path("reports/<int:pk>/progress/", WorkReportProgressView.as_view(), name="work_report_progress"),
    path("reports/<int:pk>/download/", WorkReportDownloadView.as_view(), name="work_report_download"),
]
