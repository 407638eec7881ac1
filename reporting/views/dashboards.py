"""The dashboards of the district, a town and a village, what needs action now in each, and "compute now" for a
month without figures.

The district's pages are the district readers'; a town's and a village's are reached through ``towns_scope`` and
``villages_scope`` (another town's is a 404). A dashboard reads the stored figures (``reporting.dashboards``); what
needs action now is read from the domains' lists, ten rows each, by a second request the page makes once it is shown
(htmx), so neither costs more than a few queries.
"""

import datetime as dt
from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from organisation import views as organisation_views
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.enqueue import request_reporter
from organisation.models import District, Town, Village
from organisation.roles import DISTRICT_READERS, LEVEL_OF_ROLE, Level
from organisation.scoping import Access, has_district_reach, role_of, towns_scope, villages_scope
from organisation.steps import ServiceActionView
from reporting.dashboards import action_lists, dashboard_comparison, dashboard_page, dashboard_url, month_param
from reporting.indicators import Period
from reporting.permissions import FIGURES_BUILDERS, may_build_figures
from reporting.selectors import summary_builds
from reporting.services.builds import figures_build_request
from reporting.todo import todo_for


def month_parse(text: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month; None for anything else."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None


# --- Which unit a page is of, and who may open it --------------------------------------------------------------------


class DistrictPage(RoleRequiredMixin):
    """The district's pages: for the district's readers (``has_district_reach``)."""

    allowed_roles = DISTRICT_READERS
    level = Level.DISTRICT

    @cached_property
    def towns(self) -> list[Town]:
        return list(Town.objects.select_related("district").order_by("code"))

    def unit(self):
        # One district: its towns name it, so a district with towns costs no query of its own.
        if self.towns:
            return self.towns[0].district
        return District.objects.order_by("pk").first()

    def children(self) -> list[tuple[int, str]]:
        district = self.unit()
        return [(town.pk, town.name) for town in self.towns if town.district_id == district.pk]


class TownPage(ScopedMixin):
    scope = towns_scope
    level = Level.TOWN
    context_object_name = "town"

    def get_queryset(self):
        return super().get_queryset().select_related("district")

    def unit(self):
        return self.object

    def children(self) -> list[tuple[int, str]]:
        # Every village of a town in the user's reach is in their reach (``villages_for``): no second scope query.
        return list(Village.objects.filter(town=self.object).order_by("code").values_list("pk", "name"))


class VillagePage(ScopedMixin):
    scope = villages_scope
    level = Level.VILLAGE
    context_object_name = "village"

    def get_queryset(self):
        return super().get_queryset().select_related("town__district")

    def unit(self):
        return self.object

    def children(self) -> list[tuple[int, str]]:
        return []


class UnitPageMixin:
    level: Level

    @cached_property
    def today(self) -> dt.date:
        return timezone.localdate()

    def name_post_unit(self, unit) -> None:
        """The navigation bar names the user's post and its town or village: when that is the unit of this page, it
        is named from the page's record instead of a query of its own."""
        post = getattr(self.request.user, "staff_post", None)
        if post is None or unit is None:
            return
        if self.level == Level.TOWN and post.town_id == unit.pk and post.village_id is None:
            post.town = unit
        elif self.level == Level.VILLAGE and post.village_id == unit.pk:
            post.village = unit
            post.town = unit.town


# --- The dashboards --------------------------------------------------------------------------------------------------


class DashboardMixin(UnitPageMixin):
    """The month picked (``?month=YYYY-MM``, default this month in Beijing) and the page of ``unit``.

    The comparison's table view is loaded when it is opened: ``?table=1`` asked by htmx is the table alone (its
    comparison computed, nothing else of the page); asked by a browser without JavaScript (the placeholder's link),
    the page with the table open."""

    template_name = "reporting/dashboard.html"
    actions_url_name = ""
    # Served as the user's home page (``HomeView``): the to-do list of the user's post comes first.
    home = False

    @cached_property
    def period(self) -> Period:
        this_month = Period.of(self.today)
        picked = month_parse(self.request.GET.get("month", ""))
        if picked is None or picked > this_month.month:
            return this_month
        return Period(picked)

    @property
    def table_asked(self) -> bool:
        return self.request.GET.get("table") == "1"

    @property
    def table_alone(self) -> bool:
        return self.table_asked and bool(self.request.headers.get("HX-Request"))

    def get_template_names(self):
        if self.table_alone:
            return ["reporting/includes/comparison_table.html"]
        return super().get_template_names()

    def comparison_asked(self) -> dict[str, str]:
        """The figure and the order the comparison is asked for (``?indicator=``, ``?sort=``), for the page and for its
        table view alike."""
        return {"indicator": self.request.GET.get("indicator", ""), "sort": self.request.GET.get("sort", "")}

    def table_url(self, unit, comparison) -> str:
        """The table view's own address: this page's month, figure and order, and ``table=1``."""
        return dashboard_url(
            self.level, unit.pk, self.period.month, indicator=comparison.selected, sort=comparison.sort, table="1"
        )

    def get_context_data(self, **kwargs):
        if self.table_alone:
            return self.table_context(**kwargs)
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = self.period
        builds = summary_builds()
        unit = self.unit()
        self.name_post_unit(unit)
        page = dashboard_page(
            level=self.level,
            unit=unit,
            period=period,
            build=builds.get(period.month),
            months=list(builds),
            children=self.children() if unit is not None else [],
            **self.comparison_asked(),
        )
        this_month = Period.of(self.today).month
        context.update(
            page=page,
            level=self.level,
            unit=unit,
            period=period,
            month_choices=[month_param(month) for month in sorted({*builds, this_month}, reverse=True)],
            month_value=month_param(period.month),
            is_current_month=period.month == this_month,
            breadcrumbs=self.breadcrumbs(unit),
            may_build=may_build_figures(user) and self.level == Level.DISTRICT,
            actions_url=self.actions_url(unit),
            todo_url=reverse("reporting:todo") if self.home else "",
            table_shown=self.table_asked,
            table_url=self.table_url(unit, page.comparison) if page.comparison else "",
        )
        return context

    def table_context(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.unit()
        comparison = None
        if unit is not None:
            comparison = dashboard_comparison(
                level=self.level,
                unit=unit,
                period=self.period,
                children=self.children(),
                **self.comparison_asked(),
            )
        context.update(comparison=comparison, period=self.period, unit=unit, level=self.level)
        return context

    def actions_url(self, unit) -> str:
        if unit is None:
            return ""
        return reverse(self.actions_url_name, kwargs={} if self.level == Level.DISTRICT else {"pk": unit.pk})

    def breadcrumbs(self, unit) -> list[tuple[str, str]]:
        """(name, url) of the units above this one the user may open, the district first."""
        user = self.request.user
        month = self.period.month
        crumbs: list[tuple[str, str]] = []
        if unit is None or self.level == Level.DISTRICT:
            return crumbs
        district_reach = has_district_reach(user, Access.VIEW)
        if district_reach:
            district = unit.district if self.level == Level.TOWN else unit.town.district
            crumbs.append((district.name, dashboard_url(Level.DISTRICT, 0, month)))
        role = role_of(user)
        reaches_town = district_reach or (role is not None and LEVEL_OF_ROLE[role] == Level.TOWN)
        if self.level == Level.VILLAGE and reaches_town:
            crumbs.append((unit.town.name, dashboard_url(Level.TOWN, unit.town_id, month)))
        return crumbs


class DistrictDashboardView(DistrictPage, DashboardMixin, TemplateView):
    actions_url_name = "reporting:dashboard_actions"


class TownDashboardView(TownPage, DashboardMixin, DetailView):
    actions_url_name = "reporting:dashboard_town_actions"


class VillageDashboardView(VillagePage, DashboardMixin, DetailView):
    actions_url_name = "reporting:dashboard_village_actions"


# --- What needs action now -------------------------------------------------------------------------------------------


class ActionsMixin(UnitPageMixin):
    """The lists of what needs action now in the unit: the part the dashboard loads (htmx), or a page of its own."""

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reporting/includes/actions.html"]
        return ["reporting/dashboard_actions.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.unit()
        self.name_post_unit(unit)
        lists = action_lists(user=self.request.user, level=self.level, unit=unit, today=self.today) if unit else []
        context.update(unit=unit, level=self.level, actions=lists, today=self.today)
        return context


class DistrictActionsView(DistrictPage, ActionsMixin, TemplateView):
    pass


class TownActionsView(TownPage, ActionsMixin, DetailView):
    pass


class VillageActionsView(VillagePage, ActionsMixin, DetailView):
    pass


# --- Compute now -----------------------------------------------------------------------------------------------------


class BuildForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"])


class FiguresBuildView(RoleRequiredMixin, ServiceActionView):
    """ "Compute now": the month's build is queued; the dashboard shows its figures when the worker is done."""

    allowed_roles = FIGURES_BUILDERS
    form_class = BuildForm
    invalid_message = _("Pick a month.")
    success_message = _("The figures of the month are being computed; reload this page in a few minutes.")
    success_level = messages.INFO
    month: dt.date | None = None

    def perform(self, *, month):
        self.month = month
        return figures_build_request(
            user=self.request.user, month=month, **request_reporter(self.request, self.success_message)
        )

    def get_success_message(self, result) -> str:
        # Said once the queue has answered (after the request's transaction commits): queued, or waiting.
        return ""

    def get_success_url(self):
        return dashboard_url(Level.DISTRICT, 0, self.month)


class TodoView(LoginRequiredMixin, TemplateView):
    """The to-do list of the user's post (``reporting.todo``): the part the home page loads (htmx), or a page."""

    record_free = True  # every entry is counted in the user's own reach by its domain's selector

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reporting/includes/todo.html"]
        return ["reporting/todo.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(todos=todo_for(user=self.request.user, today=timezone.localdate()), **kwargs)


class HomeView(LoginRequiredMixin, View):
    """The home page ("/"): each post's own level's dashboard, served at the home address itself (a bookmark of "/"
    stays the user's home): the district readers' the district's, a town's post its town's, a village clerk his
    village's. A user with no post yet gets the organisation's page of what they may reach."""

    record_free = True  # each page it serves checks its own reach

    def get(self, request, *args, **kwargs):
        if has_district_reach(request.user, Access.VIEW):
            return DistrictDashboardView.as_view(home=True)(request)
        post = getattr(request.user, "staff_post", None)
        if post is not None and post.village_id:
            return VillageDashboardView.as_view(home=True)(request, pk=post.village_id)
        if post is not None and post.town_id:
            return TownDashboardView.as_view(home=True)(request, pk=post.town_id)
        return organisation_views.HomeView.as_view()(request)


urlpatterns = [
    path("", DistrictDashboardView.as_view(), name="dashboard"),
    path("actions/", DistrictActionsView.as_view(), name="dashboard_actions"),
    path("towns/<int:pk>/", TownDashboardView.as_view(), name="dashboard_town"),
    path("towns/<int:pk>/actions/", TownActionsView.as_view(), name="dashboard_town_actions"),
    path("villages/<int:pk>/", VillageDashboardView.as_view(), name="dashboard_village"),
    path("villages/<int:pk>/actions/", VillageActionsView.as_view(), name="dashboard_village_actions"),
    path("compute/", FiguresBuildView.as_view(), name="dashboard_build"),
    path("todo/", TodoView.as_view(), name="todo"),
]
