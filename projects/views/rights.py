"""Pages of property rights and assets (point 3): the steps on one project's rights, the district's view of the
projects whose paperwork is missing, and the mortgages and guarantees.

Records come from ``projects_scope``: a project outside the user's reach is a 404. A step's page is a 403 for a
role that does not do the step; the step itself is the service's, and a rule it refuses shows on the form.
Requests run in one transaction (``ATOMIC_REQUESTS``), so a refused step leaves nothing written.
"""

from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from organisation.sorting import SortableListMixin, SortColumn
from projects import forms_rights as forms
from projects.models import AssetEncumbrance, IndustryProject
from projects.permissions import (
    ASSET_KEEPERS,
    DISTRICT_DECIDERS,
    ENCUMBRANCE_RELEASERS,
    ENCUMBRANCE_REQUESTERS,
    OPERATOR_SETTERS,
)
from projects.selectors import rights as selectors
from projects.services import rights as services
from projects.views.projects import PAGE_SIZE, ProjectsScopedMixin, RecordStepView


class RightsStepView(RecordStepView):
    """A step on one project's rights; the form is given the project."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.object}

    def facts(self):
        project = self.object
        return [
            (IndustryProject._meta.get_field("town").verbose_name, project.town),
            (IndustryProject._meta.get_field("status").verbose_name, project.get_status_display()),
            (IndustryProject._meta.get_field("completed_on").verbose_name, project.completed_on),
        ]


# --- One project's rights ----------------------------------------------------------------------------------------


class RightConfirmView(RightsStepView):
    allowed_roles = ASSET_KEEPERS
    form_class = forms.RightConfirmationForm
    title = gettext_lazy("Property-right confirmation")
    success_message = gettext_lazy("Property-right confirmation recorded.")
    date_fields = ("confirmed_on",)

    def perform(self, **data):
        services.property_right_confirm(user=self.request.user, project=self.object, **data)


class ThreeAssetsView(RightsStepView):
    allowed_roles = ASSET_KEEPERS
    form_class = forms.ThreeAssetsForm
    title = gettext_lazy("Three-assets platform registration")
    success_message = gettext_lazy("Three-assets platform number recorded.")

    def perform(self, *, number):
        services.three_assets_register(user=self.request.user, project=self.object, number=number)


class AssetRegisterView(RightsStepView):
    allowed_roles = ASSET_KEEPERS
    form_class = forms.AssetRegistrationForm
    title = gettext_lazy("Asset preservation registration")
    success_message = gettext_lazy("Asset preservation registration recorded.")

    def perform(self, **data):
        services.asset_register(user=self.request.user, project=self.object, **data)


class OperatorSetView(RightsStepView):
    allowed_roles = OPERATOR_SETTERS
    form_class = forms.OperatorForm
    title = gettext_lazy("Operator of the project (operation right)")
    success_message = gettext_lazy("Operator recorded.")

    def get_queryset(self):
        return super().get_queryset().select_related("town", "operator_household")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, *, operator_enterprise, operator_household, agreed_annual_income):
        services.operator_set(
            user=self.request.user,
            project=self.object,
            enterprise=operator_enterprise,
            household=operator_household,
            agreed_annual_income=agreed_annual_income,
        )


class IncomeSharesView(RightsStepView):
    """All the beneficiaries of the income right at once: they replace the shares recorded before."""

    allowed_roles = ASSET_KEEPERS
    template_name = "projects/rights/income_shares_form.html"
    title = gettext_lazy("Income right: beneficiaries and shares")
    success_message = gettext_lazy("Income shares recorded.")
    share_errors: list[str] = []

    def get_form(self, form_class=None):
        project = self.object
        return forms.IncomeShareFormSet(
            self.request.POST if self.request.method == "POST" else None,
            initial=None if self.request.method == "POST" else forms.income_share_initial(project),
            form_kwargs={
                "villages": project.town.villages.order_by("code"),
                "user": self.request.user,
            },
            prefix="shares",
        )

    def service_arguments(self, formset):
        return {"shares": formset.shares()}

    def perform(self, *, shares):
        return services.income_shares_set(user=self.request.user, project=self.object, shares=shares)

    def show_service_errors(self, formset, error):
        # The shares are judged together: the service's refusal shows above the rows.
        self.share_errors = error.messages

    def get_context_data(self, **kwargs):
        context = super().get_context_data(share_errors=self.share_errors, **kwargs)
        context["formset"] = context.pop("form")
        return context


class EncumbranceRequestView(RightsStepView):
    allowed_roles = ENCUMBRANCE_REQUESTERS
    form_class = forms.EncumbranceRequestForm
    title = gettext_lazy("Request approval of a mortgage or guarantee")
    success_message = gettext_lazy("Request recorded: the district office decides it. The project shows a warning.")
    date_fields = ("requested_on",)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("project")
        return kwargs

    def perform(self, **data):
        services.encumbrance_request(user=self.request.user, project=self.object, **data)


class EncumbranceStepView(RecordStepView):
    model = AssetEncumbrance

    def get_queryset(self):
        return super().get_queryset().select_related("project__town", "requested_by")

    def get_success_url(self):
        return self.object.project.get_absolute_url()

    def get_back_url(self):
        return self.get_success_url()

    def facts(self):
        encumbrance, field = self.object, AssetEncumbrance._meta.get_field
        return [
            (gettext_lazy("Project"), encumbrance.project),
            (field("kind").verbose_name, encumbrance.get_kind_display()),
            (field("creditor").verbose_name, encumbrance.creditor),
            (field("amount").verbose_name, encumbrance.amount),
            (field("purpose").verbose_name, encumbrance.purpose),
            (field("requested_on").verbose_name, encumbrance.requested_on),
            (field("status").verbose_name, encumbrance.get_status_display()),
        ]


class EncumbranceDecideView(EncumbranceStepView):
    allowed_roles = DISTRICT_DECIDERS
    form_class = forms.EncumbranceDecisionForm
    title = gettext_lazy("Decide on a mortgage or guarantee")
    success_message = gettext_lazy("Decision recorded.")
    date_fields = ("decided_on",)

    def perform(self, *, decision, decided_on, note):
        services.encumbrance_decide(
            user=self.request.user,
            encumbrance=self.object,
            approve=decision == forms.EncumbranceDecisionForm.APPROVE,
            decided_on=decided_on,
            note=note,
        )


class EncumbranceReleaseView(EncumbranceStepView):
    allowed_roles = ENCUMBRANCE_RELEASERS
    form_class = forms.EncumbranceReleaseForm
    title = gettext_lazy("Release a mortgage or guarantee")
    success_message = gettext_lazy("Released: the warning is gone from the project.")
    date_fields = ("released_on",)

    def perform(self, *, released_on):
        services.encumbrance_release(user=self.request.user, encumbrance=self.object, released_on=released_on)


# --- Lists -------------------------------------------------------------------------------------------------------


class UnconfirmedListView(SortableListMixin, ProjectsScopedMixin, ListView):
    """Built projects still missing their property-right confirmation (or another paper), with counts per town."""

    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("code", ("code",)),
        SortColumn("name", ("name",)),
        SortColumn("status", ("status", "code")),
        SortColumn("completed_on", ("completed_on", "code")),
        SortColumn("three_assets", ("three_assets_number", "code")),
    )
    template_name = "projects/rights/unconfirmed_list.html"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = forms.UnconfirmedFilterForm(self.request.GET or None, towns=forms.filter_towns(user))
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return IndustryProject.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        self.missing = data.get("missing") or selectors.MISSING_CONFIRMATION
        return self.sorting.apply(
            selectors.unconfirmed_projects(
                user,
                missing=self.missing,
                town=data.get("town"),
                status=data.get("status") or "",
                query=(data.get("q") or "").strip(),
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            missing=getattr(self, "missing", selectors.MISSING_CONFIRMATION),
            town_counts=selectors.unconfirmed_by_town(self.request.user),
            since=selectors.CONFIRMATION_SINCE,
            **kwargs,
        )


class EncumbranceListView(SortableListMixin, ProjectsScopedMixin, ListView):
    """Mortgages and guarantees requested or in force (the district sees every town's)."""

    model = AssetEncumbrance
    sort_columns = (
        SortColumn("project", ("project__code",)),
        SortColumn("town", ("project__town__code",)),
        SortColumn("kind", ("kind",)),
        SortColumn("creditor", ("creditor",)),
        SortColumn("amount", ("amount",)),
        SortColumn("requested_on", ("requested_on",)),
        SortColumn("status", ("status",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "projects/rights/encumbrance_list.html"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = forms.EncumbranceFilterForm(self.request.GET or None, towns=forms.filter_towns(user))
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return AssetEncumbrance.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return self.sorting.apply(
            selectors.encumbrance_list(
                user, state=data.get("state") or "active", town=data.get("town"), query=(data.get("q") or "").strip()
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


urlpatterns = [
    path("<int:pk>/rights/confirm/", RightConfirmView.as_view(), name="right_confirm"),
    path("<int:pk>/rights/three-assets/", ThreeAssetsView.as_view(), name="three_assets"),
    path("<int:pk>/rights/asset-registration/", AssetRegisterView.as_view(), name="asset_register"),
    path("<int:pk>/rights/operator/", OperatorSetView.as_view(), name="operator_set"),
    path("<int:pk>/rights/income-shares/", IncomeSharesView.as_view(), name="income_shares"),
    path("<int:pk>/encumbrances/new/", EncumbranceRequestView.as_view(), name="encumbrance_request"),
    path("encumbrances/", EncumbranceListView.as_view(), name="encumbrance_list"),
    path("encumbrances/<int:pk>/decide/", EncumbranceDecideView.as_view(), name="encumbrance_decide"),
    path("encumbrances/<int:pk>/release/", EncumbranceReleaseView.as_view(), name="encumbrance_release"),
    path("rights/unconfirmed/", UnconfirmedListView.as_view(), name="unconfirmed_list"),
]
