"""A household's lifecycle pages: yearly income, status changes with the exit checklist, assistance cadres."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View

from households.choices import OUT_OF_POVERTY
from households.forms.lifecycle import INCOME_AMOUNTS, CadreAssignForm, CadreForm, IncomeForm, StatusChangeForm
from households.models import Cadre, Household, Income
from households.permissions import (
    CADRE_MANAGERS,
    CADRE_VIEWERS,
    STATUS_RECORDERS,
    households_scope,
    may_manage_cadres,
    may_record_status,
    may_view_cadres,
)
from households.rules import cadre_term_end
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
    cadre_assign,
    cadre_create,
    cadre_update,
    household_status_change,
    income_record,
)
from households.views.base import PAGE_SIZE, HouseholdScopedMixin, household_tab_url
from organisation.access import RoleRequiredMixin
from organisation.forms import query_year
from organisation.money import ZERO
from organisation.scoping import Access, towns_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView


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


# Income


class IncomeFormMixin:
    form_class = IncomeForm
    template_name = "households/lifecycle/income_form.html"

    def perform(self, **data):
        return income_record(user=self.request.user, household=self.household, **data)

    def get_success_message(self, income):
        return _("The income of %(year)d is saved: per-capita net income %(income)s yuan.") % {
            "year": income.year,
            "income": income.per_capita_net_income,
        }

    def get_success_url(self):
        return household_tab_url(self.household.pk, "income")


class IncomeRecordView(IncomeFormMixin, HouseholdPageMixin, ServiceFormView):
    """Record a year's income; a year already recorded is corrected, not doubled."""

    def get_initial(self):
        year = query_year(self.request.GET, default=timezone.localdate().year)
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


class IncomeUpdateView(IncomeFormMixin, HouseholdScopedMixin, ServiceFormView):
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

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"year_fixed": True}

    def get_initial(self):
        income = self.income
        return {"year": income.year, "household_size": income.household_size} | {
            name: getattr(income, name) for name in INCOME_AMOUNTS
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, income=self.income, **kwargs)


# Status and the exit checklist


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


class HouseholdStatusChangeView(StatusRoleMixin, HouseholdPageMixin, ServiceFormView):
    form_class = StatusChangeForm
    template_name = "households/lifecycle/status_form.html"
    date_fields = ("effective_on",)

    def get_form_kwargs(self):
        url = reverse("households:household_exit_checklist", args=[self.household.pk])
        return super().get_form_kwargs() | {"checklist_url": url}

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

    def perform(self, **data):
        return household_status_change(user=self.request.user, household=self.household, **data)

    def get_success_message(self, event):
        return _("Household %(file_number)s is now “%(status)s” from %(date)s.") % {
            "file_number": self.household.file_number,
            "status": event.get_status_display(),
            "date": event.effective_on.isoformat(),
        }

    def get_success_url(self):
        return household_tab_url(self.household.pk, "status")


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


class CadreViewerMixin(RoleRequiredMixin, HouseholdScopedMixin):
    allowed_roles = CADRE_VIEWERS
    model = Cadre


class CadreListView(SortableListMixin, CadreViewerMixin, ListView):
    paginate_by = PAGE_SIZE
    template_name = "households/lifecycle/cadre_list.html"
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("work_unit", ("work_unit",)),
        SortColumn("households_helped", ("households_helped",)),
    )

    def get_queryset(self):
        return self.sorting.apply(cadres_search(user=self.request.user, query=self.request.GET.get("q", "")))

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


class CadreCreateView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = CADRE_MANAGERS
    # A new cadre helps nobody yet, so belongs to no town; the role is the guard.
    record_free = True
    form_class = CadreForm
    template_name = "households/lifecycle/cadre_form.html"

    def perform(self, **data):
        return cadre_create(user=self.request.user, **data)

    def get_success_message(self, cadre):
        return _("Cadre %(cadre)s entered.") % {"cadre": cadre}

    def get_success_url(self):
        return reverse("households:cadre_detail", args=[self.result.pk])


class CadreUpdateView(CadreViewerMixin, ServiceFormView):
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

    def perform(self, **data):
        return cadre_update(user=self.request.user, cadre=self.cadre, **data)

    def get_success_message(self, cadre):
        return _("Cadre %(cadre)s saved.") % {"cadre": cadre}

    def get_success_url(self):
        return reverse("households:cadre_detail", args=[self.result.pk])


class CadreManagerMixin(RoleRequiredMixin):
    allowed_roles = CADRE_MANAGERS


class CadreAssignView(CadreManagerMixin, HouseholdPageMixin, ServiceFormView):
    form_class = CadreAssignForm
    template_name = "households/lifecycle/cadre_assign.html"
    date_fields = ("starts_on",)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "cadres": households_scope(self.request.user, Access.CHANGE, Cadre.objects.all()).order_by("name", "id"),
            "load_url": reverse("households:cadre_load", args=[self.household.pk]),
        }

    def get_initial(self):
        initial = super().get_initial()
        initial["term_ends_on"] = cadre_term_end(initial["starts_on"])
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

    def perform(self, **data):
        return cadre_assign(user=self.request.user, household=self.household, **data)

    def get_success_message(self, assignment):
        return _("%(cadre)s now helps household %(file_number)s.") % {
            "cadre": assignment.cadre,
            "file_number": self.household.file_number,
        }

    def get_success_url(self):
        return household_tab_url(self.household.pk, "cadre")


class CadreLoadView(CadreManagerMixin, HouseholdPageMixin, View):
    """Whom the cadre chosen on the assign form (``cadre``) already helps."""

    def get(self, request, *args, **kwargs):
        cadre = None
        if (cadre_id := request.GET.get("cadre", "")).isdigit():
            cadre = households_scope(request.user, Access.CHANGE, Cadre.objects.filter(pk=cadre_id)).first()
        load = cadre_load(cadre=cadre, user=request.user) if cadre else None
        return TemplateResponse(request, "households/lifecycle/_cadre_load.html", {"load": load})


class HouseholdsWithoutCadreView(SortableListMixin, HouseholdScopedMixin, ListView):
    model = Household
    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("file_number", ("file_number",)),
        SortColumn("town", ("village__town__code",)),
        SortColumn("village", ("village__code",)),
        SortColumn("status", ("status",)),
    )
    template_name = "households/lifecycle/households_without_cadre.html"

    def get_queryset(self):
        town = self.request.GET.get("town", "")
        return self.sorting.apply(
            households_without_cadre(user=self.request.user, town_id=int(town) if town.isdigit() else None)
        )

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
