"""Data quality pages (point 19): the scorecard with "check now" and its progress, the problem list,
one town's trend, the rules, and the household page's "Data quality" section."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from households.forms.quality import ProblemFilterForm
from households.models import Household, ProblemClass, QualityProblem, QualityRun, QualityRunStatus
from households.permissions import QUALITY_RUNNERS, may_run_quality_check
from households.quality_rules import RULES, rule_get
from households.sections import DetailSection
from households.selectors.quality import (
    TREND_RUNS,
    ProblemState,
    TownScorecard,
    household_quality_problems,
    quality_open_counts_by_rule,
    quality_problem_list,
    quality_problem_towns,
    quality_run_last_done,
    quality_run_latest,
    quality_scorecards,
)
from households.services.quality import quality_run_request
from households.views.base import PAGE_SIZE, HouseholdScopedMixin
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.scoping import towns_for, towns_scope, villages_for
from organisation.sorting import SortableListMixin, SortColumn

SPARKLINE_WIDTH, SPARKLINE_HEIGHT = 120, 28
FINISHED = (QualityRunStatus.DONE, QualityRunStatus.FAILED)
# A town's own page shows a longer trend than the overview.
TOWN_TREND_RUNS = 30


def sparkline_points(card: TownScorecard, *, width: int = SPARKLINE_WIDTH, height: int = SPARKLINE_HEIGHT) -> str:
    """The error rate of each run as the points of an SVG polyline, scaled to the highest rate (at least
    1%, so a town near zero draws near the bottom)."""
    rates = [float(point.error_rate) for point in card.points if point.error_rate is not None]
    if len(rates) < 2:
        return ""
    top = max(max(rates), 1.0)
    step = (width - 2) / (len(rates) - 1)
    return " ".join(
        f"{1 + index * step:.1f},{1 + (height - 2) * (1 - rate / top):.1f}" for index, rate in enumerate(rates)
    )


def scorecard_rows(cards: list[TownScorecard]) -> list[dict]:
    return [{"card": card, "sparkline": sparkline_points(card)} for card in cards]


class QualityRunContextMixin:
    """The latest run the user can watch and whether they may start one, for the "check now" block."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = quality_run_latest(user=self.request.user)
        context.update(
            run=run,
            run_unfinished=run is not None and run.status in (QualityRunStatus.QUEUED, QualityRunStatus.RUNNING),
            may_run=may_run_quality_check(self.request.user),
            last_done=quality_run_last_done(),
        )
        return context


class QualityOverviewView(QualityRunContextMixin, ScopedMixin, TemplateView):
    """Every reachable town's scorecard: errors, error rate and its trend."""

    scope = staticmethod(towns_scope)
    template_name = "households/quality/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = scorecard_rows(quality_scorecards(user=self.request.user, runs=TREND_RUNS))
        return context


class QualityTownView(QualityRunContextMixin, ScopedMixin, DetailView):
    """One town's scorecard over the latest runs."""

    scope = staticmethod(towns_scope)
    template_name = "households/quality/town.html"
    context_object_name = "town"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        (card,) = quality_scorecards(user=self.request.user, town=self.object, runs=TOWN_TREND_RUNS)
        context.update(card=card, sparkline=sparkline_points(card, width=360, height=60))
        context["points_newest_first"] = list(reversed(card.points))
        return context


def quality_problems_filtered(user, params):
    """The problem list's filter form and its problems for ``params`` (the query string): the page and its Excel
    export (``households.list_exports``) read them the same way."""
    form = ProblemFilterForm(params, towns=quality_problem_towns(user=user), villages=villages_for(user))
    form.is_valid()
    if "town" in form.errors or "village" in form.errors:
        # A town or village outside the user's reach is not there at all.
        raise Http404
    values = form.cleaned_data
    problems = quality_problem_list(
        user=user,
        town=values.get("town"),
        problem_class=values.get("problem_class", ""),
        rule=values.get("rule", ""),
        state=values.get("state") or ProblemState.OPEN,
        file_number=values.get("q", ""),
        village=values.get("village"),
    )
    return form, problems


class QualityProblemListView(SortableListMixin, HouseholdScopedMixin, ListView):
    """The problems the user may see, per town, filtered; each links to its household."""

    model = QualityProblem
    sort_columns = (
        SortColumn("town", ("town__code",)),
        SortColumn("village", ("household__village__code",)),
        SortColumn("household", ("household__file_number",)),
        SortColumn("member", ("member__name",)),
        SortColumn("problem_class", ("problem_class",)),
        SortColumn("rule", ("rule",)),
        SortColumn("first_found", ("first_found_at",)),
        SortColumn("state", ("resolved_at",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "households/quality/problem_list.html"

    def get_queryset(self):
        self.filter_form, problems = quality_problems_filtered(self.request.user, self.request.GET)
        return self.sorting.apply(problems)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for problem in context["object_list"]:
            problem.rule_info = rule_get(problem.rule)
        context["filter_form"] = self.filter_form
        return context


class QualityRulesView(LoginRequiredMixin, TemplateView):
    """Every rule, by class, with its explanation and the open problems the user may see."""

    record_free = True  # the counts come from the scoped selector; the page names no record
    template_name = "households/quality/rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = quality_open_counts_by_rule(user=self.request.user)
        context["classes"] = [
            {
                "value": value,
                "label": label,
                "rules": [
                    {"rule": rule, "open": counts.get(rule.code, 0)} for rule in RULES if rule.problem_class == value
                ],
            }
            for value, label in ProblemClass.choices
        ]
        return context


class QualityRunCreateView(RoleRequiredMixin, View):
    """ "Check now": queue a run of every rule (or show the one already under way)."""

    allowed_roles = QUALITY_RUNNERS
    http_method_names = ["post"]

    def post(self, request):
        town = None
        if town_id := request.POST.get("town", ""):
            if not town_id.isdigit():
                raise Http404
            # The button sits on a town's page: a town outside the user's reach is not there.
            town = get_object_or_404(towns_for(request.user), pk=town_id)
        quality_run_request(user=request.user)
        messages.info(request, _("The data-quality check is under way; this page shows its progress."))
        if town is not None:
            return redirect("households:quality_town", pk=town.pk)
        return redirect("households:quality_overview")


class QualityRunProgressView(RoleRequiredMixin, HouseholdScopedMixin, DetailView):
    """The progress of one run, polled by HTMX every second until it is done."""

    allowed_roles = QUALITY_RUNNERS
    model = QualityRun
    template_name = "households/quality/run_progress.html"
    context_object_name = "run"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.request.headers.get("HX-Request") and self.object.status in FINISHED:
            # The polled run is over: reload the page, so its figures are the run's results.
            response["HX-Refresh"] = "true"
        return response


# The household page's "Data quality" tab


def quality_section(*, household: Household, user) -> dict:
    problems = list(household_quality_problems(user=user, household=household))
    for problem in problems:
        problem.rule_info = rule_get(problem.rule)
    return {"quality_problems": problems}


detail_sections = [
    DetailSection(
        key="quality",
        label=gettext_lazy("Data quality"),
        template="households/quality/section.html",
        context=quality_section,
    ),
]

urlpatterns = [
    path("quality/", QualityOverviewView.as_view(), name="quality_overview"),
    path("quality/problems/", QualityProblemListView.as_view(), name="quality_problems"),
    path("quality/towns/<int:pk>/", QualityTownView.as_view(), name="quality_town"),
    path("quality/rules/", QualityRulesView.as_view(), name="quality_rules"),
    path("quality/runs/", QualityRunCreateView.as_view(), name="quality_run_create"),
    path("quality/runs/<int:pk>/", QualityRunProgressView.as_view(), name="quality_run_progress"),
]
