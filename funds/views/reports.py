"""Pages of the monthly fund-usage reports (point 5): the list and grid, one report, submit, review, open.

A report is always loaded from ``funds_scope`` (read access), so another town's report is a 404. Who may act
on a report they can see is the role's: a town user submits, the district office reviews; anyone else gets
a 403 before the form, and the services decide again when the form is sent.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from funds.forms_reports import ReportFilterForm, ReportOpenForm, ReportReviewForm, ReportSubmitForm, ReviewDecision
from funds.models import ReportStatus
from funds.permissions import REPORT_REVIEWERS, REPORT_ROLES, funds_scope
from funds.selectors import reports as selectors
from funds.services import reports as services
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.periods import previous_month
from organisation.scoping import Access, may_act
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView, StepFormView

PAGE_SIZE = 25


class ReportScopedMixin(ScopedMixin):
    """Reports come from funds_scope; the pages load them with read access and let the roles decide the rest."""

    scope = staticmethod(funds_scope)
    access = Access.VIEW

    def get_queryset(self):
        return selectors.reports_visible(self.request.user, self.access)


def reports_filtered(user, params, today):
    """The report list's filter form and its reports for ``params`` (the query string): the page and its Excel
    export (``funds.list_exports``) read them the same way."""
    form = ReportFilterForm(params or None, towns=selectors.report_towns(user))
    data = {}
    if form.is_bound:
        form.is_valid()
        if "town" in form.errors and params.get("town", "").strip():
            # Naming a town outside the user's reach is a 404, as on every other town filter.
            raise Http404
        data = form.cleaned_data
    filters = selectors.ReportFilters(
        town=data.get("town"),
        month_from=data.get("month_from"),
        month_to=data.get("month_to"),
        status=data.get("status") or "",
        late_or_missing=bool(data.get("late")),
        query=(data.get("q") or "").strip(),
    )
    return form, selectors.report_list(user=user, filters=filters, today=today)


class ReportListView(SortableListMixin, ReportScopedMixin, ListView):
    template_name = "funds/reports/report_list.html"
    sort_columns = (
        SortColumn("town", ("town__code",)),
        SortColumn("month", ("month",)),
        SortColumn("status", ("status",)),
        SortColumn("due_date", ("due_date",)),
        SortColumn("submitted_on", ("submitted_on",)),
    )
    paginate_by = PAGE_SIZE
    context_object_name = "reports"

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filter_form, reports = reports_filtered(self.request.user, self.request.GET, self.today)
        return self.sorting.apply(reports)

    def get_context_data(self, **kwargs):
        user = self.request.user
        towns = selectors.towns_to_report(user)
        open_form = None
        if towns.exists():
            open_form = ReportOpenForm(towns=towns, initial={"month": previous_month(self.today)})
        return super().get_context_data(
            filter_form=self.filter_form,
            matrix=selectors.report_matrix(user=user, today=self.today),
            open_form=open_form,
            today=self.today,
            **kwargs,
        )


class ReportDetailView(ReportScopedMixin, DetailView):
    template_name = "funds/reports/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return super().get_queryset().select_related("submitted_by", "reviewed_by")

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        report = self.object
        return super().get_context_data(
            table=selectors.report_table(report),
            actions=selectors.report_actions(user=self.request.user, report=report, today=today),
            is_missing=selectors.report_is_missing(report, today),
            days_overdue=selectors.report_days_overdue(report, today),
            **kwargs,
        )


class ReportActionView(ReportScopedMixin, StepFormView):
    """A form about one report the user can see; ``allowed`` says whether this user may act on it now."""

    refused_message = ""

    def user_may_act(self) -> bool:
        """Whether the user's role and reach let them do this step on this report at all (else 403)."""
        raise NotImplementedError

    def allowed(self, actions: selectors.ReportActions) -> bool:
        """Whether the step can be done on the report as it stands (else back to the report)."""
        raise NotImplementedError

    def get_object(self):
        self.object = super().get_object()
        if not self.user_may_act():
            raise PermissionDenied
        return self.object

    def refusal(self):
        """Back to the report, saying why, when the step cannot be done on the report as it stands."""
        actions = selectors.report_actions(user=self.request.user, report=self.object, today=timezone.localdate())
        if self.allowed(actions):
            return None
        messages.info(self.request, self.refused_message)
        return HttpResponseRedirect(self.object.get_absolute_url())

    def get(self, request, *args, **kwargs):
        return self.refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refusal() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.object, table=selectors.report_table(self.object), **kwargs)


class ReportSubmitView(ReportActionView):
    template_name = "funds/reports/report_submit.html"
    form_class = ReportSubmitForm
    refused_message = gettext_lazy("This report cannot be submitted now.")

    def user_may_act(self):
        user = self.request.user
        return may_act(user, REPORT_ROLES) and selectors.report_reached(user, self.object, Access.CHANGE)

    def allowed(self, actions):
        return actions.may_submit

    def get_initial(self):
        return {"notes": self.object.notes}

    def get_context_data(self, **kwargs):
        overdue = selectors.report_days_overdue(self.object, timezone.localdate())
        return super().get_context_data(days_overdue=overdue, **kwargs)

    success_message = gettext_lazy("The report was submitted to the district office; its figures are frozen.")

    def perform(self, *, notes):
        return services.monthly_report_submit(user=self.request.user, report=self.object, notes=notes)


class ReportReviewView(ReportActionView):
    template_name = "funds/reports/report_review.html"
    form_class = ReportReviewForm
    refused_message = gettext_lazy("Only a submitted report awaiting the district office can be reviewed.")

    def user_may_act(self):
        return may_act(self.request.user, REPORT_REVIEWERS)

    def allowed(self, actions):
        return actions.may_review

    def perform(self, *, decision, note):
        if decision == ReviewDecision.RETURN:
            return services.monthly_report_return(user=self.request.user, report=self.object, note=note)
        return services.monthly_report_accept(user=self.request.user, report=self.object, note=note)

    def get_success_message(self, report):
        if report.status == ReportStatus.RETURNED:
            return _("The report was returned to the town for correction.")
        return _("The report was accepted.")


class ReportOpenView(RoleRequiredMixin, ServiceFormView):
    """A town starts its report on a past month (or goes to the one already open)."""

    allowed_roles = REPORT_ROLES
    template_name = "funds/reports/report_open.html"
    form_class = ReportOpenForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "towns": selectors.towns_to_report(self.request.user)}

    def get_initial(self):
        return {"month": previous_month(timezone.localdate())}

    def post(self, request, *args, **kwargs):
        town = request.POST.get("town", "").strip()
        if town and not (town.isdigit() and selectors.towns_to_report(request.user).filter(pk=town).exists()):
            # Naming a town outside the user's reach is a 404, as on every other town filter.
            raise Http404
        return super().post(request, *args, **kwargs)

    def perform(self, **data):
        report = services.monthly_report_open(user=self.request.user, **data)
        if report.status != ReportStatus.DRAFT:
            messages.info(self.request, _("This month's report was already submitted."))
        return report


urlpatterns = [
    path("reports/", ReportListView.as_view(), name="report_list"),
    path("reports/open/", ReportOpenView.as_view(), name="report_open"),
    path("reports/<int:pk>/", ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/submit/", ReportSubmitView.as_view(), name="report_submit"),
    path("reports/<int:pk>/review/", ReportReviewView.as_view(), name="report_review"),
]
