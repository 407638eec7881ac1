"""The projects app's list exports (``organisation.exports``): projects, yields, rectification plans. Each reads its
rows with the list page's own function (its filter form and scoped selector)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisation.exports import DATE, MONEY, NUMBER, YUAN, Column, ListExport, choice_words, register
from projects.models.income import PlanStatus, Remedy, YieldClass
from projects.models.project import Category, ProjectStatus


def project_rows(user, params):
    from projects.views.projects import projects_filtered

    return projects_filtered(user, params)[1]


def project_columns():
    return [
        Column(_("Number"), "code", 14),
        Column(_("Name"), "name", 30),
        Column(_("Category"), "category", 12, words=choice_words(Category)),
        Column(_("Town or street"), "town__name", 12),
        Column(_("Implementing unit"), "implementing_unit", 20),
        Column(_("Investment"), "total_investment", 16, kind=MONEY, unit=YUAN),
        Column(_("Planned completion"), "planned_completion", 12, kind=DATE),
        Column(_("Status"), "status", 10, words=choice_words(ProjectStatus)),
    ]


register(
    ListExport(
        kind="projects.projects",
        title=gettext_lazy("Industry projects"),
        rows=project_rows,
        columns=project_columns,
        list_url="projects:project_list",
        filename="projects",
    )
)


def yield_rows(user, params):
    from projects.views.income import yields_filtered

    return yields_filtered(user, params)[1]


def _percent(context):
    hundred = Decimal(100)
    return lambda rate: None if rate is None else (rate * hundred).quantize(Decimal("0.01"))


def yield_columns():
    return [
        Column(_("Classification"), "classification", 12, words=choice_words(YieldClass)),
        Column(_("Yield (%)"), "yield_rate", 10, kind=NUMBER, words=_percent),
        Column(_("Project number"), "project__code", 14),
        Column(_("Project"), "project__name", 30),
        Column(_("Town or street"), "project__town__name", 12),
        Column(_("Income in the period"), "income", 16, kind=MONEY, unit=YUAN),
        Column(_("Total investment"), "investment", 16, kind=MONEY, unit=YUAN),
        Column(_("Period ending"), "period_end", 12, kind=DATE),
    ]


register(
    ListExport(
        kind="projects.yields",
        title=gettext_lazy("Project yields"),
        rows=yield_rows,
        columns=yield_columns,
        list_url="projects:yield_overview",
        filename="yields",
    )
)


def plan_rows(user, params):
    from projects.views.plans import plans_filtered

    return plans_filtered(user, params, timezone.localdate())[1]


def plan_columns():
    return [
        Column(_("Project number"), "project__code", 14),
        Column(_("Project"), "project__name", 30),
        Column(_("Town or street"), "project__town__name", 12),
        Column(_("Classification"), "assessment__classification", 12, words=choice_words(YieldClass)),
        Column(_("Remedy"), "remedy", 14, words=choice_words(Remedy)),
        Column(_("Responsible unit"), "responsible_unit", 20),
        Column(_("Deadline"), "deadline", 12, kind=DATE),
        Column(_("Status"), "status", 10, words=choice_words(PlanStatus)),
    ]


register(
    ListExport(
        kind="projects.plans",
        title=gettext_lazy("Rectification plans"),
        rows=plan_rows,
        columns=plan_columns,
        list_url="projects:plan_list",
        filename="rectification-plans",
    )
)
