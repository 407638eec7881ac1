"""The yearly supervision plan, the audit engagements and the year's coverage (全覆盖) (points 6 and 19)."""

from pathlib import PurePath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from audits.forms_plans import EngagementForm, PlanForm, YearForm
from audits.models import AuditEngagement, PlannedInspection
from audits.permissions import SUPERVISION_PLANNERS, audits_scope
from audits.selectors import plans as selectors
from audits.services import plans as services
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.scoping import Access, may_act
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView

PAGE_SIZE = 25


def year_of(params) -> int:
    """The year a plans page (and its Excel export, ``audits.list_exports``) shows: ``?year=`` or this year."""
    form = YearForm(params)
    return (form.is_valid() and form.cleaned_data["year"]) or timezone.localdate().year


class YearMixin:
    """The year the page shows: ``?year=`` or this year."""

    def year(self) -> int:
        return year_of(self.request.GET)

    def year_context(self) -> dict:
        year = self.year()
        return {"year": year, "years": range(timezone.localdate().year + 1, 2015, -1)}


class PlanListView(SortableListMixin, YearMixin, ScopedMixin, ListView):
    scope = staticmethod(audits_scope)
    sort_columns = (
        SortColumn("quarter", ("quarter",)),
        SortColumn("title", ("title",)),
        SortColumn("body", ("body",)),
        SortColumn("done", ("engagement_count",)),
    )
    template_name = "audits/plans/plan_list.html"

    def get_queryset(self):
        return self.sorting.apply(selectors.plan_list(user=self.request.user, year=self.year()))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_plan=may_act(self.request.user, SUPERVISION_PLANNERS), **self.year_context(), **kwargs
        )


class PlanAddView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = SUPERVISION_PLANNERS
    form_class = PlanForm
    template_name = "audits/supervision/form.html"
    success_message = gettext_lazy("The inspection or audit is on the plan.")

    def get_initial(self):
        return {**super().get_initial(), "year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Plan an inspection or audit"), **kwargs)

    def perform(self, **data):
        return services.planned_inspection_add(user=self.request.user, **data)

    def get_success_url(self):
        return f"{reverse('audits:plan_list')}?year={self.result.year}"


class EngagementListView(SortableListMixin, YearMixin, ScopedMixin, ListView):
    scope = staticmethod(audits_scope)
    sort_columns = (
        SortColumn("starts_on", ("starts_on",)),
        SortColumn("title", ("title",)),
        SortColumn("body", ("body",)),
        SortColumn("items", ("item_count",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "audits/plans/engagement_list.html"

    def get_queryset(self):
        return self.sorting.apply(
            selectors.engagement_list(user=self.request.user, year=self.year(), query=self.request.GET.get("q", ""))
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_record=may_act(self.request.user, SUPERVISION_PLANNERS), **self.year_context(), **kwargs
        )


class EngagementDetailView(ScopedMixin, DetailView):
    scope = staticmethod(audits_scope)
    template_name = "audits/plans/engagement_detail.html"

    def get_queryset(self):
        return audits_scope(self.request.user, Access.VIEW, AuditEngagement.objects.select_related("town", "planned"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=self.object.items.select_related("town").order_by("sequence"), **kwargs)


class EngagementReportView(ScopedMixin, View):
    """The engagement's report, read through the scope (never served as a static file)."""

    scope = staticmethod(audits_scope)

    def get(self, request, pk):
        engagement = get_object_or_404(audits_scope(request.user, Access.VIEW, AuditEngagement.objects.all()), pk=pk)
        if not engagement.report:
            raise Http404
        name = PurePath(engagement.report.name).name
        return FileResponse(engagement.report.open("rb"), as_attachment=True, filename=name)


class EngagementAddView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = SUPERVISION_PLANNERS
    form_class = EngagementForm
    template_name = "audits/plans/engagement_form.html"
    success_message = gettext_lazy("The audit engagement is recorded.")

    def get_form_kwargs(self):
        plans = audits_scope(self.request.user, Access.VIEW, PlannedInspection.objects.all()).order_by(
            "-year", "quarter"
        )
        return {**super().get_form_kwargs(), "plans": plans}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record an audit engagement"), **kwargs)

    def perform(self, **data):
        return services.engagement_record(user=self.request.user, **data)


class CoverageView(YearMixin, RoleRequiredMixin, TemplateView):
    """全覆盖: for the year, which towns, fund flows, project categories and microcredit were covered."""

    allowed_roles = SUPERVISION_PLANNERS
    template_name = "audits/plans/coverage.html"

    def get_context_data(self, **kwargs):
        sections = selectors.coverage(user=self.request.user, year=self.year())
        return super().get_context_data(sections=sections, **self.year_context(), **kwargs)


urlpatterns = [
    path("plan/", PlanListView.as_view(), name="plan_list"),
    path("plan/new/", PlanAddView.as_view(), name="plan_add"),
    path("engagements/", EngagementListView.as_view(), name="engagement_list"),
    path("engagements/new/", EngagementAddView.as_view(), name="engagement_add"),
    path("engagements/<int:pk>/", EngagementDetailView.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/report/", EngagementReportView.as_view(), name="engagement_report"),
    path("coverage/", CoverageView.as_view(), name="coverage"),
]
