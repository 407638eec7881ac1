"""Pages of the rectification plans (整改转化方案): the list, one plan with its effect on the yield, and its steps.

Plans come from ``projects_scope``; editing, starting and completing a plan is for the town's staff and station
and the district office (403 for other roles, 404 for another town's plan).
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from organisation.access import RoleRequiredMixin
from organisation.scoping import Access
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceActionView, ServiceFormView
from projects.forms_income import PlanCompleteForm, PlanFilterForm, PlanForm
from projects.models import RectificationPlan
from projects.permissions import PLAN_WORKERS
from projects.rules import yield_percent
from projects.selectors.income import (
    PlanFilters,
    may_change_plan,
    plan_effect,
    plan_is_overdue,
    plan_list,
    yield_overview_towns,
)
from projects.services.plans import plan_complete, plan_start, plan_update
from projects.views.income import ProjectRecordMixin
from projects.views.projects import PAGE_SIZE, ProjectsScopedMixin

PLAN_RELATED = ("project__town", "assessment", "paired_project")


def plans_filtered(user, params, today):
    """The plan list's filter form and its plans for ``params`` (the query string): the page and its Excel export
    (``projects.list_exports``) read them the same way."""
    form = PlanFilterForm(params or None, towns=yield_overview_towns(user=user))
    if form.is_bound and not form.is_valid():
        return form, RectificationPlan.objects.none()
    filters = form.filters() if form.is_bound else PlanFilters()
    return form, plan_list(user=user, filters=filters, today=today)


class PlanListView(SortableListMixin, ProjectsScopedMixin, ListView):
    model = RectificationPlan
    sort_columns = (
        SortColumn("project", ("project__code",)),
        SortColumn("town", ("project__town__code",)),
        SortColumn("classification", ("assessment__classification",)),
        SortColumn("remedy", ("remedy",)),
        SortColumn("responsible_unit", ("responsible_unit",)),
        SortColumn("deadline", ("deadline",)),
        SortColumn("status", ("status",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/plans/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filter_form, plans = plans_filtered(self.request.user, self.request.GET, self.today)
        return self.sorting.apply(plans)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter_form=self.filter_form, today=self.today, **kwargs)
        for plan in context["plans"]:
            plan.overdue = plan_is_overdue(plan, self.today)
        return context


class PlanDetailView(ProjectsScopedMixin, DetailView):
    model = RectificationPlan
    related = PLAN_RELATED
    template_name = "projects/plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan, user, today = self.object, self.request.user, timezone.localdate()
        return super().get_context_data(
            today=today,
            overdue=plan_is_overdue(plan, today),
            effect=plan_effect(user=user, plan=plan, today=today),
            assessment_percent=yield_percent(plan.assessment.yield_rate) if plan.assessment else "",
            may_change=may_change_plan(user, plan),
            complete_form=PlanCompleteForm(initial={"completed_on": today}),
            **kwargs,
        )


class PlanStepMixin(RoleRequiredMixin, ProjectRecordMixin):
    allowed_roles = PLAN_WORKERS
    access = Access.CHANGE
    model = RectificationPlan
    related = PLAN_RELATED


class PlanEditView(PlanStepMixin, ServiceFormView):
    form_class = PlanForm
    template_name = "projects/plans/plan_form.html"
    success_message = gettext_lazy("The plan is saved.")

    def get_initial(self):
        plan = self.record
        return {
            "remedy": plan.remedy,
            "paired_project_code": plan.paired_project.code if plan.paired_project else "",
            "steps": plan.steps,
            "responsible_unit": plan.responsible_unit,
            "deadline": plan.deadline,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.record, **kwargs)

    def service_arguments(self, form):
        return form.service_arguments()

    def perform(self, **data):
        return plan_update(user=self.request.user, plan=self.record, **data)


class PlanStartView(PlanStepMixin, ServiceActionView):
    success_message = gettext_lazy("The plan is started.")

    def perform(self):
        return plan_start(user=self.request.user, plan=self.record)

    def get_success_url(self):
        return self.record.get_absolute_url()

    def get_refused_url(self):
        # What keeps a plan from starting is filled in on its edit page.
        return reverse("projects:plan_edit", args=[self.record.pk])


class PlanCompleteView(PlanStepMixin, ServiceFormView):
    form_class = PlanCompleteForm
    template_name = "projects/plans/plan_complete.html"
    success_message = gettext_lazy("The plan is completed; its effect shows in the next year's yield.")
    date_fields = ("completed_on",)

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.record, **kwargs)

    def perform(self, **data):
        return plan_complete(user=self.request.user, plan=self.record, **data)


urlpatterns = [
    path("plans/", PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/start/", PlanStartView.as_view(), name="plan_start"),
    path("plans/<int:pk>/complete/", PlanCompleteView.as_view(), name="plan_complete"),
]
