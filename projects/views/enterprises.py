"""Pages of enterprises, assistance agreements and the blacklist (point 4).

Enterprises and the blacklist are read by every post; an enterprise is changed by the district office or the staff
of its town, the blacklist only by the district office. Agreements are the town's: another town's is a 404.
"""

from django.contrib import messages
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from organisation.access import RoleRequiredMixin
from organisation.scoping import Access, may_act
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView
from projects import forms_enterprises as forms
from projects.models import AssistanceAgreement, BlacklistEntry, Enterprise
from projects.permissions import (
    DISTRICT_DECIDERS,
    ENTERPRISE_KEEPERS,
    PROJECT_MANAGERS,
    may_change_enterprise,
    projects_scope,
)
from projects.selectors import enterprises as selectors
from projects.services import enterprises as services
from projects.views.projects import PAGE_SIZE, ProjectsScopedMixin, RecordFormView, RecordStepView

# --- Enterprises -----------------------------------------------------------------------------------------------------


class EnterpriseListView(SortableListMixin, ProjectsScopedMixin, ListView):
    model = Enterprise
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("kind", ("kind",)),
        SortColumn("credit_code", ("credit_code",)),
        SortColumn("town", ("town__code",)),
        SortColumn("agreements", ("agreement_count",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/enterprises/enterprise_list.html"

    def get_queryset(self):
        self.filter_form = forms.EnterpriseFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Enterprise.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return self.sorting.apply(
            selectors.enterprise_list(
                self.request.user,
                query=(data.get("q") or "").strip(),
                kind=data.get("kind") or "",
                blacklisted=data.get("blacklisted") or "",
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, may_add=may_act(self.request.user, ENTERPRISE_KEEPERS), **kwargs
        )


class EnterpriseDetailView(ProjectsScopedMixin, DetailView):
    """The enterprise with its agreements and their years, the projects it operates and its blacklist history."""

    model = Enterprise
    template_name = "projects/enterprises/enterprise_detail.html"

    def get_queryset(self):
        return selectors.with_blacklisting(super().get_queryset().select_related("town"))

    def get_context_data(self, **kwargs):
        user, enterprise = self.request.user, self.object
        entries = selectors.enterprise_blacklist_entries(enterprise)
        may_decide = may_act(user, DISTRICT_DECIDERS)
        return super().get_context_data(
            agreements=selectors.enterprise_agreements(user, enterprise),
            projects=selectors.enterprise_operated_projects(user, enterprise),
            blacklist_entries=entries,
            active_entry=next((entry for entry in entries if entry.lifted_on is None), None),
            may_change=may_change_enterprise(user, enterprise),
            may_decide=may_decide,
            may_add_agreement=may_act(user, PROJECT_MANAGERS) and enterprise.blacklisted_on is None,
            **kwargs,
        )


class EnterpriseFormView(RecordFormView):
    """Add an enterprise (no pk) or change one (pk), through the enterprise services."""

    allowed_roles = ENTERPRISE_KEEPERS
    model = Enterprise
    form_class = forms.EnterpriseForm
    template_name = "projects/enterprises/enterprise_form.html"
    context_object_name = "enterprise"

    def may_change(self, record):
        return may_change_enterprise(self.request.user, record)

    def create(self, user, **data):
        return services.enterprise_create(user=user, **data)

    def update(self, user, record, **data):
        return services.enterprise_update(user=user, enterprise=record, **data)


# --- The blacklist ---------------------------------------------------------------------------------------------------


class BlacklistView(SortableListMixin, ProjectsScopedMixin, ListView):
    """Every blacklisting with its history; for the district, the agreements with a breach awaiting a decision."""

    model = BlacklistEntry
    sort_columns = (
        SortColumn("enterprise", ("enterprise__name",)),
        SortColumn("decided_on", ("decided_on",)),
        SortColumn("decided_by", ("decided_by__username",)),
        SortColumn("lifted", ("lifted_on",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/enterprises/blacklist.html"

    def get_queryset(self):
        self.filter_form = forms.BlacklistFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return BlacklistEntry.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return self.sorting.apply(
            selectors.blacklist_entries(
                self.request.user, state=data.get("state") or "", query=(data.get("q") or "").strip()
            )
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_decide = may_act(user, DISTRICT_DECIDERS)
        return super().get_context_data(
            filter_form=self.filter_form,
            may_decide=may_decide,
            breaches=list(selectors.agreements_in_breach(user)[:PAGE_SIZE]) if may_decide else [],
            **kwargs,
        )


class BlacklistAddView(RecordStepView):
    model = Enterprise
    allowed_roles = DISTRICT_DECIDERS
    form_class = forms.BlacklistAddForm
    title = gettext_lazy("Put on the blacklist")
    success_message = gettext_lazy("The enterprise is on the blacklist.")
    date_fields = ("decided_on",)

    def facts(self):
        breaches = selectors.agreement_list(self.request.user, breach=True, enterprise=self.object)
        return [
            (gettext_lazy("Agreements with a breach"), ", ".join(str(a.number or a.signed_on) for a in breaches)),
        ]

    def perform(self, **data):
        services.blacklist_add(user=self.request.user, enterprise=self.object, **data)


class BlacklistLiftView(RecordStepView):
    model = BlacklistEntry
    allowed_roles = DISTRICT_DECIDERS
    form_class = forms.BlacklistLiftForm
    title = gettext_lazy("Lift the blacklisting")
    success_message = gettext_lazy("The blacklisting is lifted; the entry stays in the enterprise's history.")
    date_fields = ("lifted_on",)

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise", "decided_by")

    def facts(self):
        entry, field = self.object, BlacklistEntry._meta.get_field
        return [
            (field("enterprise").verbose_name, entry.enterprise),
            (field("decided_on").verbose_name, entry.decided_on),
            (field("reason").verbose_name, entry.reason),
        ]

    def perform(self, **data):
        services.blacklist_lift(user=self.request.user, entry=self.object, **data)

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()

    def get_back_url(self):
        return self.get_success_url()


# --- Agreements ------------------------------------------------------------------------------------------------------


class AgreementListView(SortableListMixin, ProjectsScopedMixin, ListView):
    model = AssistanceAgreement
    sort_columns = (
        SortColumn("number", ("number",)),
        SortColumn("enterprise", ("enterprise__name",)),
        SortColumn("town", ("town__code",)),
        SortColumn("project", ("project__code",)),
        SortColumn("term", ("signed_on", "ends_on")),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/enterprises/agreement_list.html"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = forms.AgreementFilterForm(self.request.GET or None, user=user)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return AssistanceAgreement.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return self.sorting.apply(
            selectors.agreement_list(
                user, query=(data.get("q") or "").strip(), town=data.get("town"), breach=bool(data.get("breach"))
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, may_add=may_act(self.request.user, PROJECT_MANAGERS), **kwargs
        )


class AgreementCreateView(RoleRequiredMixin, ProjectsScopedMixin, ServiceFormView):
    allowed_roles = PROJECT_MANAGERS
    model = AssistanceAgreement
    access = Access.CHANGE
    form_class = forms.AgreementForm
    template_name = "projects/enterprises/agreement_form.html"
    success_message = gettext_lazy("Assistance agreement recorded.")
    date_fields = ("signed_on",)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if (enterprise := self.request.GET.get("enterprise", "")).isdigit():
            initial["enterprise"] = int(enterprise)
        return initial

    def perform(self, **data):
        return services.agreement_create(user=self.request.user, **data)


class AgreementDetailView(ProjectsScopedMixin, DetailView):
    model = AssistanceAgreement
    template_name = "projects/enterprises/agreement_detail.html"

    def get_queryset(self):
        return selectors.with_blacklisting(
            super().get_queryset().select_related("enterprise", "town", "project", "recorded_by"), "enterprise"
        )

    def get_context_data(self, **kwargs):
        user, agreement = self.request.user, self.object
        return super().get_context_data(
            years=selectors.agreement_years(user, agreement),
            may_record=may_act(user, PROJECT_MANAGERS)
            and projects_scope(user, Access.CHANGE, AssistanceAgreement.objects.filter(pk=agreement.pk)).exists(),
            may_decide=may_act(user, DISTRICT_DECIDERS),
            **kwargs,
        )


class FulfilmentRecordView(RecordStepView):
    model = AssistanceAgreement
    allowed_roles = PROJECT_MANAGERS
    form_class = forms.FulfilmentForm
    title = gettext_lazy("Record a year of the agreement")
    success_message = gettext_lazy("The year is recorded.")

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise", "town")

    def facts(self):
        agreement, field = self.object, AssistanceAgreement._meta.get_field
        return [
            (field("enterprise").verbose_name, agreement.enterprise),
            (field("jobs_committed").verbose_name, agreement.jobs_committed),
            (field("income_committed").verbose_name, agreement.income_committed),
            (field("purchases_committed").verbose_name, agreement.purchases_committed),
            (field("other_commitments").verbose_name, agreement.other_commitments),
        ]

    def perform(self, **data):
        self.fulfilment = services.fulfilment_record(user=self.request.user, agreement=self.object, **data)

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            self.report_shortfall()
        return response

    def report_shortfall(self):
        shortfall = selectors.fulfilment_shortfall(self.object, self.fulfilment)
        if not shortfall.any:
            return
        messages.warning(
            self.request,
            _(
                "%(year)s fell short of the commitments: %(jobs)s jobs, %(income)s yuan of income and %(purchases)s "
                "yuan of purchases. The district office decides whether the enterprise is blacklisted."
            )
            % {
                "year": self.fulfilment.year,
                "jobs": shortfall.jobs,
                "income": shortfall.income,
                "purchases": shortfall.purchases,
            },
        )


urlpatterns = [
    path("enterprises/", EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/new/", EnterpriseFormView.as_view(), name="enterprise_create"),
    path("enterprises/<int:pk>/", EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", EnterpriseFormView.as_view(), name="enterprise_edit"),
    path("enterprises/<int:pk>/blacklist/", BlacklistAddView.as_view(), name="blacklist_add"),
    path("blacklist/", BlacklistView.as_view(), name="blacklist"),
    path("blacklist/<int:pk>/lift/", BlacklistLiftView.as_view(), name="blacklist_lift"),
    path("agreements/", AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/fulfilment/", FulfilmentRecordView.as_view(), name="fulfilment_record"),
]
