"""Point 15's pages: the sector departments and their action plans' progress, the pairings of departments with poor
villages and what they gave, and a village's partners (linked from the village's page)."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.models import Village
from organisation.money import money_text
from organisation.scoping import Access
from organisation.sorting import SortColumn
from organisation.steps import StepFormView
from partners import forms
from partners.models import Department, Pairing, PlanTarget
from partners.permissions import (
    PLAN_KEEPERS,
    VILLAGE_RECORDERS,
    may_keep_plans,
    may_record_in_villages,
    partners_scope,
)
from partners.selectors import people as people_selectors
from partners.selectors import sectors as selectors
from partners.services import sectors as services
from partners.views.base import Cell, Column, PartnersFormView, PartnersListView


class DepartmentListView(PartnersListView):
    title = gettext_lazy("Sector departments")
    search_placeholder = gettext_lazy("Department")
    testid = "department-table"
    sort_columns = (SortColumn("name", ("name",)), SortColumn("pairings", ("pairing_count",)))
    columns = (
        Column(gettext_lazy("name"), "name"),
        Column(gettext_lazy("Paired villages"), "pairings", end=True),
        Column(gettext_lazy("Plan targets"), end=True),
    )

    def rows(self):
        return selectors.department_list(user=self.request.user, query=self.query())

    def cells(self, record):
        return [
            Cell(record.name, record.get_absolute_url()),
            Cell(record.pairing_count, end=True),
            Cell(record.target_count, end=True),
        ]

    def actions(self):
        if may_keep_plans(self.request.user):
            return [(_("Add a department"), reverse("partners:department_add"))]
        return []


class DepartmentAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = PLAN_KEEPERS
    form_class = forms.DepartmentForm
    title = gettext_lazy("Add a sector department")
    success_message = gettext_lazy("The department is on the list.")

    def perform(self, **data):
        return services.department_add(user=self.request.user, **data)


class DepartmentDetailView(ScopedMixin, DetailView):
    scope = staticmethod(partners_scope)
    template_name = "partners/department_detail.html"

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, Department.objects.all())

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            targets=selectors.plan_progress(department=self.object),
            pairings=selectors.pairing_list(user=user, department=self.object),
            may_keep_plans=may_keep_plans(user),
            may_pair=may_record_in_villages(user),
            **kwargs,
        )


class DepartmentPageMixin:
    def get_object(self):
        queryset = partners_scope(self.request.user, Access.VIEW, Department.objects.all())
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class PlanTargetAddView(RoleRequiredMixin, DepartmentPageMixin, StepFormView):
    allowed_roles = PLAN_KEEPERS
    form_class = forms.PlanTargetForm
    title = gettext_lazy("Add a target of the action plan")
    success_message = gettext_lazy("The target is on the plan.")

    def perform(self, **data):
        return services.plan_target_add(user=self.request.user, department=self.object, **data)

    def get_success_url(self):
        return self.object.get_absolute_url()


class ProgressRecordView(RoleRequiredMixin, StepFormView):
    allowed_roles = PLAN_KEEPERS
    form_class = forms.ProgressForm
    title = gettext_lazy("Enter a quarter's progress")
    success_message = gettext_lazy("The progress is entered.")

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, PlanTarget.objects.select_related("department"))

    @property
    def subject(self):
        return self.object.department

    def facts(self):
        target = self.object
        return [
            (_("year"), target.year),
            (_("measure"), target.measure),
            (_("target"), f"{target.target.normalize():f} {target.unit}"),
        ]

    def perform(self, **data):
        return services.target_progress_record(user=self.request.user, target=self.object, **data)


class PairingListView(PartnersListView):
    title = gettext_lazy("Pairings of departments and poor villages")
    search_placeholder = gettext_lazy("Department, village or town")
    testid = "pairing-table"
    sort_columns = (
        SortColumn("department", ("department__name",)),
        SortColumn("village", ("village__town__code", "village__code")),
        SortColumn("starts_on", ("starts_on",)),
        SortColumn("money", ("money_total",)),
    )
    columns = (
        Column(gettext_lazy("sector department"), "department"),
        Column(gettext_lazy("village"), "village"),
        Column(gettext_lazy("from"), "starts_on"),
        Column(gettext_lazy("to")),
        Column(gettext_lazy("People sent"), end=True),
        Column(gettext_lazy("Money given (yuan)"), "money", end=True),
        Column(gettext_lazy("Materials' value (yuan)"), end=True),
    )

    def rows(self):
        return selectors.pairing_list(user=self.request.user, query=self.query())

    def cells(self, record):
        return [
            Cell(record.department.name, record.get_absolute_url()),
            Cell(f"{record.village.town.name} {record.village.name}"),
            Cell(record.starts_on.isoformat()),
            Cell(record.ends_on.isoformat() if record.ends_on else "—"),
            Cell(record.people_total, end=True),
            Cell(money_text(record.money_total), end=True),
            Cell(money_text(record.materials_total), end=True),
        ]

    def actions(self):
        if may_record_in_villages(self.request.user):
            return [(_("Record a pairing"), reverse("partners:pairing_add"))]
        return []


class PairingAddView(RoleRequiredMixin, PartnersFormView):
    allowed_roles = VILLAGE_RECORDERS
    form_class = forms.PairingForm
    title = gettext_lazy("Record a pairing")
    success_message = gettext_lazy("The pairing is recorded.")
    date_fields = ("starts_on",)

    def get_form_kwargs(self):
        user = self.request.user
        villages = partners_scope(user, Access.CHANGE, Village.objects.select_related("town")).order_by("code")
        return {
            **super().get_form_kwargs(),
            "departments": partners_scope(user, Access.VIEW, Department.objects.all()),
            "villages": villages,
        }

    def get_initial(self):
        initial = super().get_initial()
        if village := self.request.GET.get("village", ""):
            initial["village"] = village if village.isdigit() else None
        return initial

    def perform(self, **data):
        return services.pairing_add(user=self.request.user, **data)


class PairingDetailView(ScopedMixin, DetailView):
    scope = staticmethod(partners_scope)
    template_name = "partners/pairing_detail.html"

    def get_queryset(self):
        return partners_scope(
            self.request.user, Access.VIEW, Pairing.objects.select_related("department", "village", "village__town")
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_change = partners_scope(user, Access.CHANGE, Pairing.objects.filter(pk=self.object.pk)).exists()
        return super().get_context_data(
            support=selectors.pairing_support(user=user, pairing=self.object),
            may_change=may_change and may_record_in_villages(user),
            **kwargs,
        )


class PairingStepMixin(RoleRequiredMixin):
    allowed_roles = VILLAGE_RECORDERS

    def get_queryset(self):
        return partners_scope(
            self.request.user, Access.CHANGE, Pairing.objects.select_related("department", "village", "village__town")
        )

    def facts(self):
        return [
            (_("village"), f"{self.object.village.town.name} {self.object.village.name}"),
            (_("from"), self.object.starts_on.isoformat()),
        ]


class SupportAddView(PairingStepMixin, StepFormView):
    form_class = forms.SupportForm
    title = gettext_lazy("Record what the department gave")
    success_message = gettext_lazy("The support is recorded.")
    date_fields = ("given_on",)

    def notes(self):
        return [
            _("People: give how many. Money: the amount in yuan. Materials: what, and their value in yuan if known.")
        ]

    def perform(self, **data):
        return services.pairing_support_add(user=self.request.user, pairing=self.object, **data)


class PairingEndView(PairingStepMixin, StepFormView):
    form_class = forms.EndForm
    title = gettext_lazy("End the pairing")
    success_message = gettext_lazy("The pairing has ended.")
    date_fields = ("ends_on",)
    shows_history = True

    def perform(self, **data):
        return services.pairing_end(user=self.request.user, pairing=self.object, **data)


class VillagePartnersView(ScopedMixin, DetailView):
    """The village's pairings with what they gave, its first secretaries and the social forces' contributions."""

    scope = staticmethod(partners_scope)
    template_name = "partners/village_partners.html"
    context_object_name = "village"

    def get_queryset(self):
        return partners_scope(self.request.user, Access.VIEW, Village.objects.select_related("town"))

    def get_context_data(self, **kwargs):
        user, village = self.request.user, self.object
        may_change = partners_scope(user, Access.CHANGE, Village.objects.filter(pk=village.pk)).exists()
        pairings = list(selectors.pairing_list(user=user, village=village))
        support = {pairing.pk: list(selectors.pairing_support(user=user, pairing=pairing)) for pairing in pairings}
        return super().get_context_data(
            pairings=[(pairing, support[pairing.pk]) for pairing in pairings],
            secretaries=people_selectors.secretary_list(user=user).filter(village=village).prefetch_related("team"),
            contributions=people_selectors.contribution_list(user=user, village=village)[:50],
            today=timezone.localdate(),
            may_record=may_change and may_record_in_villages(user),
            **kwargs,
        )


urlpatterns = [
    path("departments/", DepartmentListView.as_view(), name="department_list"),
    path("departments/new/", DepartmentAddView.as_view(), name="department_add"),
    path("departments/<int:pk>/", DepartmentDetailView.as_view(), name="department_detail"),
    path("departments/<int:pk>/targets/new/", PlanTargetAddView.as_view(), name="target_add"),
    path("targets/<int:pk>/progress/", ProgressRecordView.as_view(), name="progress_record"),
    path("pairings/", PairingListView.as_view(), name="pairing_list"),
    path("pairings/new/", PairingAddView.as_view(), name="pairing_add"),
    path("pairings/<int:pk>/", PairingDetailView.as_view(), name="pairing_detail"),
    path("pairings/<int:pk>/support/", SupportAddView.as_view(), name="support_add"),
    path("pairings/<int:pk>/end/", PairingEndView.as_view(), name="pairing_end"),
    path("villages/<int:pk>/", VillagePartnersView.as_view(), name="village_partners"),
]
