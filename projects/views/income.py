"""Pages of a project's income (point 4): the income section of the project page, recording an income, one income
and its distribution; and the yield overview with the district office's "run the yield job now".

Records come from ``projects_scope`` (another town's record is a 404 before any form is read); a page that writes
is limited to the roles that do the step (403 for the others).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from organisation.access import RoleRequiredMixin
from organisation.enqueue import request_reporter
from organisation.scoping import Access
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceActionView, ServiceFormView
from projects.forms_income import IncomeRecordForm, MarkPaidForm, YieldFilterForm, YieldRunForm
from projects.models import IncomeRecord, YieldAssessment
from projects.permissions import ASSET_KEEPERS, YIELD_RUNNERS, may_run_yield_job
from projects.rules import yield_percent
from projects.selectors.income import (
    income_distributions,
    may_record_income,
    project_income_section,
    yield_assessment_list,
    yield_overview_towns,
    yield_periods,
    yield_town_counts,
)
from projects.services.income import income_distribute, income_distribution_mark_paid, income_record
from projects.services.yields import yield_assessment_request
from projects.views.projects import PAGE_SIZE, ProjectsScopedMixin


class ProjectRecordMixin(ProjectsScopedMixin):
    """A page about one record of the URL's ``pk``, fetched (or refused) before any form is read."""

    @cached_property
    def record(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record  # noqa: B018
        return super().dispatch(request, *args, **kwargs)


# --- The project page's income section -----------------------------------------------------------------------------


class IncomeListView(ProjectsScopedMixin, DetailView):
    """The project's income by year, the yield of each year, the latest assessment and the open plan. Loaded into
    the project page's section (``templates/projects/income/project_section.html``), or a page of its own."""

    context_object_name = "project"
    related = ("town",)

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["projects/income/_section_body.html"]
        return ["projects/income/income_list.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["income_section"] = project_income_section(user=self.request.user, project=self.object)
        return context


class IncomeCreateView(RoleRequiredMixin, ProjectRecordMixin, ServiceFormView):
    allowed_roles = ASSET_KEEPERS
    access = Access.CHANGE
    related = ("town", "operator_enterprise")
    form_class = IncomeRecordForm
    template_name = "projects/income/income_form.html"

    def get_initial(self):
        project = self.record
        operator = project.operator_enterprise
        return {"payer": operator.name if operator else ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.record, **kwargs)

    def perform(self, **data):
        return income_record(user=self.request.user, project=self.record, **data)

    def get_success_message(self, income):
        return _("Income of %(amount)s yuan received on %(date)s is recorded.") % {
            "amount": income.amount,
            "date": income.received_on.isoformat(),
        }

    def get_success_url(self):
        return reverse("projects:income_detail", args=[self.result.pk])


class IncomeDetailView(ProjectsScopedMixin, DetailView):
    model = IncomeRecord
    related = ("project__town", "recorded_by")
    template_name = "projects/income/income_detail.html"

    def get_context_data(self, **kwargs):
        income = self.object
        distributions = income_distributions(user=self.request.user, income=income)
        may_keep = may_record_income(self.request.user, income.project)
        return super().get_context_data(
            distributions=distributions,
            distributed_total=sum((row.amount for row in distributions), 0),
            unpaid=[row for row in distributions if row.paid_on is None],
            may_distribute=may_keep and not any(row.paid_on for row in distributions),
            may_mark_paid=may_keep and any(row.paid_on is None for row in distributions),
            paid_form=MarkPaidForm(),
            **kwargs,
        )


class IncomeActionView(RoleRequiredMixin, ProjectRecordMixin, ServiceActionView):
    """A button on an income's page, for the asset keepers of its town; back to that page."""

    allowed_roles = ASSET_KEEPERS
    access = Access.CHANGE
    model = IncomeRecord
    related = ("project",)

    def get_success_url(self):
        return reverse("projects:income_detail", args=[self.record.pk])


class IncomeDistributeView(IncomeActionView):
    """Split the income among the income right's shares (again, replacing an unpaid split)."""

    def perform(self):
        return income_distribute(user=self.request.user, income=self.record)

    def get_success_message(self, parts):
        return _("The income is distributed among %(count)d beneficiaries.") % {"count": len(parts)}


class IncomeMarkPaidView(IncomeActionView):
    form_class = MarkPaidForm
    invalid_message = gettext_lazy("Give the day the income was paid out.")

    def perform(self, *, paid_on):
        return income_distribution_mark_paid(user=self.request.user, income=self.record, paid_on=paid_on)

    def get_success_message(self, count):
        return _("%(count)d payments are recorded as paid.") % {"count": count}


# --- The yield overview ----------------------------------------------------------------------------------------


def yields_filtered(user, params):
    """The yield overview's filter form and its assessments for ``params`` (the query string): the page and its
    Excel export (``projects.list_exports``) read them the same way."""
    form = YieldFilterForm(params or None, towns=yield_overview_towns(user=user), periods=yield_periods(user=user))
    return form, yield_assessment_list(user=user, filters=form.filters())


class YieldOverviewView(SortableListMixin, ProjectsScopedMixin, ListView):
    """One period's assessments, worst first, filtered; with each town's weak, idle and struggling counts."""

    model = YieldAssessment
    sort_columns = (
        SortColumn("classification", ("classification",)),
        SortColumn("yield", ("yield_rate",)),
        SortColumn("project", ("project__code",)),
        SortColumn("town", ("project__town__code",)),
        SortColumn("income", ("income",)),
        SortColumn("investment", ("investment",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/income/yield_overview.html"
    context_object_name = "assessments"

    def get_queryset(self):
        self.periods = yield_periods(user=self.request.user)
        self.filter_form, assessments = yields_filtered(self.request.user, self.request.GET)
        self.filters = self.filter_form.filters()
        return self.sorting.apply(assessments)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for assessment in context["assessments"]:
            assessment.percent = yield_percent(assessment.yield_rate)
        user = self.request.user
        context.update(
            filter_form=self.filter_form,
            filters=self.filters,
            town_counts=yield_town_counts(user=user, filters=self.filters) if self.filters.shown else [],
            may_run=may_run_yield_job(user),
            run_form=YieldRunForm(),
        )
        return context


class YieldRunView(RoleRequiredMixin, ServiceActionView):
    """ "Run the yield job now": queued at once; the overview shows the result when the worker is done."""

    allowed_roles = YIELD_RUNNERS
    form_class = YieldRunForm
    invalid_message = gettext_lazy("Give the last day of a month, or leave the day empty.")
    success_message = gettext_lazy("The yield job is queued; the assessments appear here when it has run.")
    success_level = messages.INFO

    def perform(self, *, period_end):
        return yield_assessment_request(
            user=self.request.user, period_end=period_end, **request_reporter(self.request, self.success_message)
        )

    def get_success_message(self, result) -> str:
        # Said once the queue has answered (after the request's transaction commits): queued, or waiting.
        return ""

    def get_success_url(self):
        return reverse("projects:yield_overview")


urlpatterns = [
    path("<int:pk>/income/", IncomeListView.as_view(), name="income_list"),
    path("<int:pk>/income/new/", IncomeCreateView.as_view(), name="income_create"),
    path("income/<int:pk>/", IncomeDetailView.as_view(), name="income_detail"),
    path("income/<int:pk>/distribute/", IncomeDistributeView.as_view(), name="income_distribute"),
    path("income/<int:pk>/paid/", IncomeMarkPaidView.as_view(), name="income_mark_paid"),
    path("yields/", YieldOverviewView.as_view(), name="yield_overview"),
    path("yields/run/", YieldRunView.as_view(), name="yield_run"),
]
