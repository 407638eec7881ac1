"""A household's lifecycle pages: yearly income, status changes with the exit checklist, assistance cadres."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, View

from households.choices import OUT_OF_POVERTY, HouseholdStatus, ReturnCause
from households.models import DEFAULT_TERM_END, Cadre, Household, Income
from households.permissions import (
    CADRE_MANAGERS,
    CADRE_VIEWERS,
    STATUS_RECORDERS,
    households_scope,
    may_manage_cadres,
    may_record_status,
    may_view_cadres,
)
from households.sections import DetailSection
from households.selectors.lifecycle import (
    cadre_load,
    cadres_search,
    checklist_date,
    checklist_failures,
    household_assignments,
    household_current_assignment,
    household_exit_checklist,
    household_income_standing,
    household_income_standings,
    household_status_events,
    households_without_cadre,
)
from households.services.lifecycle import (
    FIRST_INCOME_YEAR,
    cadre_assign,
    cadre_create,
    cadre_update,
    household_status_change,
    income_record,
)
from households.views.base import PAGE_SIZE, HouseholdScopedMixin
from organisation.access import RoleRequiredMixin
from organisation.calendar_forms import BootstrapFormMixin
from organisation.forms import service_errors_to_form
from organisation.money import ZERO
from organisation.scoping import Access, towns_for

INCOME_AMOUNTS = ("wages", "business", "transfers", "property_income", "business_costs")
DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class HouseholdPageMixin(HouseholdScopedMixin):
    """A page about one household of the user's scope, taken from the URL's ``pk``; 404 outside it."""

    model = Household
    access = Access.CHANGE

    @cached_property
    def household(self) -> Household:
        return get_object_or_404(self.get_queryset().select_related("village__town"), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        # Fetched before any form is read, so a household outside the scope is refused first.
        if request.user.is_authenticated:
            self.household  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, **kwargs)

    def household_url(self, tab: str) -> str:
        return f"{self.household.get_absolute_url()}#tab-{tab}"


# Income


class IncomeForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_INCOME_YEAR)
    wages = forms.DecimalField(label=gettext_lazy("Wage income"), max_digits=14, decimal_places=2)
    business = forms.DecimalField(label=gettext_lazy("Household business income"), max_digits=14, decimal_places=2)
    transfers = forms.DecimalField(label=gettext_lazy("Transfer income"), max_digits=14, decimal_places=2)
    property_income = forms.DecimalField(label=gettext_lazy("Property income"), max_digits=14, decimal_places=2)
    business_costs = forms.DecimalField(label=gettext_lazy("Business costs"), max_digits=14, decimal_places=2)
    household_size = forms.IntegerField(label=gettext_lazy("Household members counted"), min_value=1)

    def __init__(self, *args, year_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].disabled = year_fixed


class IncomeFormMixin:
    form_class = IncomeForm
    template_name = "households/lifecycle/income_form.html"

    def save(self, form):
        try:
            income = income_record(user=self.request.user, household=self.household, **form.cleaned_data)
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The income of %(year)d is saved: per-capita net income %(income)s yuan.")
            % {"year": income.year, "income": income.per_capita_net_income},
        )
        return HttpResponseRedirect(self.household_url("income"))


class IncomeRecordView(IncomeFormMixin, HouseholdPageMixin, FormView):
    """Record a year's income; a year already recorded is corrected, not doubled."""

    def get_initial(self):
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() else timezone.localdate().year
        income = Income.objects.filter(household=self.household, year=year).first()
        if income:
            return {"year": year, "household_size": income.household_size} | {
                name: getattr(income, name) for name in INCOME_AMOUNTS
            }
        return {
            "year": year,
            "household_size": self.household.members.count() or None,
            **dict.fromkeys(INCOME_AMOUNTS, ZERO),
        }

    def form_valid(self, form):
        return self.save(form)


class IncomeUpdateView(IncomeFormMixin, HouseholdScopedMixin, FormView):
    """Correct a recorded year: the year stays."""

    model = Income
    access = Access.CHANGE

    @cached_property
    def income(self) -> Income:
        return get_object_or_404(self.get_queryset().select_related("household__village__town"), pk=self.kwargs["pk"])

    @property
    def household(self) -> Household:
        return self.income.household

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.income  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def household_url(self, tab: str) -> str:
        return f"{self.household.get_absolute_url()}#tab-{tab}"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"year_fixed": True}

    def get_initial(self):
        income = self.income
        return {"year": income.year, "household_size": income.household_size} | {
            name: getattr(income, name) for name in INCOME_AMOUNTS
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, income=self.income, **kwargs)

    def form_valid(self, form):
        return self.save(form)


# Status and the exit checklist


class StatusChangeForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=HouseholdStatus.choices)
    effective_on = forms.DateField(label=gettext_lazy("Effective on"), **DATE_WIDGET)
    return_cause = forms.ChoiceField(
        label=gettext_lazy("Cause of return"),
        choices=[("", "—"), *ReturnCause.choices],
        required=False,
        help_text=gettext_lazy("Only for a household returning to poverty: illness or disaster."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, checklist_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Choosing another date re-renders the checklist of that date's year in place.
        self.fields["effective_on"].widget.attrs.update(
            {
                "hx-get": checklist_url,
                "hx-trigger": "change",
                "hx-target": "#exit-checklist",
                "hx-swap": "outerHTML",
            }
        )


def checklist_context(*, household: Household, on: dt.date) -> dict:
    items = household_exit_checklist(household=household, year=on.year, on=on)
    return {
        "checklist": items,
        "checklist_year": on.year,
        "checklist_on": on,
        "checklist_passed": not checklist_failures(items),
    }


class StatusRoleMixin(RoleRequiredMixin):
    allowed_roles = STATUS_RECORDERS


class HouseholdStatusChangeView(StatusRoleMixin, HouseholdPageMixin, FormView):
    form_class = StatusChangeForm
    template_name = "households/lifecycle/status_form.html"

    def get_form_kwargs(self):
        url = reverse("households:household_exit_checklist", args=[self.household.pk])
        return super().get_form_kwargs() | {"checklist_url": url}

    def get_initial(self):
        return {"effective_on": timezone.localdate()}

    def checklist_on(self, form) -> dt.date:
        if form.is_bound and "effective_on" not in form.errors:
            return form.cleaned_data.get("effective_on") or timezone.localdate()
        return timezone.localdate()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= checklist_context(household=self.household, on=self.checklist_on(context["form"]))
        context["events"] = household_status_events(household=self.household)[:10]
        context["exit_statuses"] = [status.value for status in OUT_OF_POVERTY]
        return context

    def form_valid(self, form):
        try:
            event = household_status_change(user=self.request.user, household=self.household, **form.cleaned_data)
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Household %(file_number)s is now “%(status)s” from %(date)s.")
            % {
                "file_number": self.household.file_number,
                "status": event.get_status_display(),
                "date": event.effective_on.isoformat(),
            },
        )
        return HttpResponseRedirect(self.household_url("status"))


class HouseholdExitChecklistView(StatusRoleMixin, HouseholdPageMixin, View):
    """The checklist alone, for the status form's date (``effective_on``) or for a ``year``."""

    def get(self, request, *args, **kwargs):
        on = timezone.localdate()
        try:
            on = dt.date.fromisoformat(request.GET.get("effective_on", ""))
        except ValueError:
            if (year := request.GET.get("year", "")).isdigit() and 1900 < int(year) < 3000:
                on = checklist_date(int(year))
        context = {"household": self.household, **checklist_context(household=self.household, on=on)}
        return TemplateResponse(request, "households/lifecycle/_checklist.html", context)


# Assistance cadres


class CadreForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = ["name", "work_unit", "phone"]


class CadreViewerMixin(RoleRequiredMixin, HouseholdScopedMixin):
    allowed_roles = CADRE_VIEWERS
    model = Cadre


class CadreListView(CadreViewerMixin, ListView):
    paginate_by = PAGE_SIZE
    template_name = "households/lifecycle/cadre_list.html"

    def get_queryset(self):
        return cadres_search(user=self.request.user, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.request.GET.get("q", ""), may_manage=may_manage_cadres(self.request.user), **kwargs
        )


class CadreDetailView(CadreViewerMixin, DetailView):
    template_name = "households/lifecycle/cadre_detail.html"
    context_object_name = "cadre"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            load=cadre_load(cadre=self.object, user=user),
            may_change=may_manage_cadres(user)
            and households_scope(user, Access.CHANGE, Cadre.objects.filter(pk=self.object.pk)).exists(),
            **kwargs,
        )


class CadreCreateView(RoleRequiredMixin, FormView):
    allowed_roles = CADRE_MANAGERS
    # A new cadre helps nobody yet, so belongs to no town; the role is the guard.
    record_free = True
    form_class = CadreForm
    template_name = "households/lifecycle/cadre_form.html"

    def form_valid(self, form):
        cadre = cadre_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Cadre %(cadre)s entered.") % {"cadre": cadre})
        return HttpResponseRedirect(reverse("households:cadre_detail", args=[cadre.pk]))


class CadreUpdateView(CadreViewerMixin, FormView):
    allowed_roles = CADRE_MANAGERS
    access = Access.CHANGE
    form_class = CadreForm
    template_name = "households/lifecycle/cadre_form.html"

    @cached_property
    def cadre(self) -> Cadre:
        # Taken when the form is built, so after the role check and before the form is read.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.cadre}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cadre=self.cadre, **kwargs)

    def form_valid(self, form):
        cadre = cadre_update(user=self.request.user, cadre=self.cadre, **form.cleaned_data)
        messages.success(self.request, _("Cadre %(cadre)s saved.") % {"cadre": cadre})
        return HttpResponseRedirect(reverse("households:cadre_detail", args=[cadre.pk]))


class CadreAssignForm(BootstrapFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=gettext_lazy("Cadre"), queryset=Cadre.objects.none())
    starts_on = forms.DateField(label=gettext_lazy("From"), **DATE_WIDGET)
    term_ends_on = forms.DateField(
        label=gettext_lazy("Term ends on"),
        help_text=gettext_lazy("Assistance runs to the end of 2020 (work plan point 13) unless decided otherwise."),
        **DATE_WIDGET,
    )

    def __init__(self, *args, cadres, load_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        cadre = self.fields["cadre"]
        cadre.queryset = cadres
        cadre.label_from_instance = lambda c: (
            _("%(cadre)s, helps %(count)d")
            % {
                "cadre": c,
                "count": c.households_helped,
            }
        )
        # Choosing a cadre shows in place whom they already help.
        cadre.widget.attrs.update(
            {"hx-get": load_url, "hx-trigger": "change", "hx-target": "#cadre-load", "hx-swap": "outerHTML"}
        )


class CadreManagerMixin(RoleRequiredMixin):
    allowed_roles = CADRE_MANAGERS


class CadreAssignView(CadreManagerMixin, HouseholdPageMixin, FormView):
    form_class = CadreAssignForm
    template_name = "households/lifecycle/cadre_assign.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "cadres": households_scope(self.request.user, Access.CHANGE, Cadre.objects.all()).order_by("name", "id"),
            "load_url": reverse("households:cadre_load", args=[self.household.pk]),
        }

    def get_initial(self):
        initial = {"starts_on": timezone.localdate(), "term_ends_on": DEFAULT_TERM_END}
        if (cadre := self.request.GET.get("cadre", "")).isdigit():
            initial["cadre"] = cadre
        return initial

    def chosen_cadre(self, form) -> Cadre | None:
        value = form["cadre"].value()
        if not str(value or "").isdigit():
            return None
        return form.fields["cadre"].queryset.filter(pk=value).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cadre = self.chosen_cadre(context["form"])
        context["load"] = cadre_load(cadre=cadre, user=self.request.user) if cadre else None
        context["current"] = household_current_assignment(household=self.household)
        return context

    def form_valid(self, form):
        try:
            assignment = cadre_assign(user=self.request.user, household=self.household, **form.cleaned_data)
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(cadre)s now helps household %(file_number)s.")
            % {"cadre": assignment.cadre, "file_number": self.household.file_number},
        )
        return HttpResponseRedirect(self.household_url("cadre"))


class CadreLoadView(CadreManagerMixin, HouseholdPageMixin, View):
    """Whom the cadre chosen on the assign form (``cadre``) already helps."""

    def get(self, request, *args, **kwargs):
        cadre = None
        if (cadre_id := request.GET.get("cadre", "")).isdigit():
            cadre = households_scope(request.user, Access.CHANGE, Cadre.objects.filter(pk=cadre_id)).first()
        load = cadre_load(cadre=cadre, user=request.user) if cadre else None
        return TemplateResponse(request, "households/lifecycle/_cadre_load.html", {"load": load})


class HouseholdsWithoutCadreView(HouseholdScopedMixin, ListView):
    model = Household
    paginate_by = PAGE_SIZE
    template_name = "households/lifecycle/households_without_cadre.html"

    def get_queryset(self):
        town = self.request.GET.get("town", "")
        return households_without_cadre(user=self.request.user, town_id=int(town) if town.isdigit() else None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            towns=towns_for(self.request.user).order_by("code"),
            town_filter=self.request.GET.get("town", ""),
            may_assign=may_manage_cadres(self.request.user),
            **kwargs,
        )


# The household page's sections


def status_section(*, household: Household, user) -> dict:
    return {
        "events": household_status_events(household=household),
        "may_record_status": may_record_status(user)
        and households_scope(user, Access.CHANGE).filter(pk=household.pk).exists(),
        **checklist_context(household=household, on=timezone.localdate()),
    }


def cadre_section(*, household: Household, user) -> dict:
    return {
        "current": household_current_assignment(household=household),
        "assignments": household_assignments(household=household),
        "may_assign": may_manage_cadres(user)
        and households_scope(user, Access.CHANGE).filter(pk=household.pk).exists(),
        "may_view_cadres": may_view_cadres(user),
    }


def income_section(*, household: Household, user) -> dict:
    this_year = timezone.localdate().year
    standings = household_income_standings(household=household)
    return {
        "standings": standings,
        "this_year": household_income_standing(household=household, year=this_year)
        if all(standing.year != this_year for standing in standings)
        else None,
    }


detail_sections = [
    DetailSection(
        key="status",
        label=gettext_lazy("Status and exit"),
        template="households/lifecycle/section_status.html",
        context=status_section,
    ),
    DetailSection(
        key="cadre",
        label=gettext_lazy("Cadre"),
        template="households/lifecycle/section_cadre.html",
        context=cadre_section,
    ),
    DetailSection(
        key="income",
        label=gettext_lazy("Income"),
        template="households/lifecycle/section_income.html",
        context=income_section,
    ),
]

urlpatterns = [
    path("<int:pk>/income/new/", IncomeRecordView.as_view(), name="income_record"),
    path("income/<int:pk>/edit/", IncomeUpdateView.as_view(), name="income_update"),
    path("<int:pk>/status/", HouseholdStatusChangeView.as_view(), name="household_status_change"),
    path("<int:pk>/status/checklist/", HouseholdExitChecklistView.as_view(), name="household_exit_checklist"),
    path("<int:pk>/cadre/", CadreAssignView.as_view(), name="cadre_assign"),
    path("<int:pk>/cadre/load/", CadreLoadView.as_view(), name="cadre_load"),
    path("without-cadre/", HouseholdsWithoutCadreView.as_view(), name="households_without_cadre"),
    path("cadres/", CadreListView.as_view(), name="cadre_list"),
    path("cadres/new/", CadreCreateView.as_view(), name="cadre_create"),
    path("cadres/<int:pk>/", CadreDetailView.as_view(), name="cadre_detail"),
    path("cadres/<int:pk>/edit/", CadreUpdateView.as_view(), name="cadre_update"),
]
