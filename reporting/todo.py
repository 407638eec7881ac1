"""What waits for the signed-in user: the to-do list at the top of every post's home page (issue 13).

Each entry is one domain's list the user's post works on, counted in the user's reach, with the link to that list
filtered the same way: the transfers and requests waiting for the user's step (``funds.selectors.chain.waiting_for``),
the monthly reports the user's town has not submitted (or got back) and, for the district office, those awaiting
its review, the ledger items the user's post rectifies that are overdue or still open, the plans of weak projects
past their deadline, the open data-quality problems and the households without a cadre. An entry whose list the
post never works on is left out; an empty one stays, shown as done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audits.permissions import audits_scope
from audits.selectors.ledger import NOT_CLOSED, Overdue, item_filter
from funds.choices import ReportStatus
from funds.permissions import REPORT_REVIEWERS
from funds.selectors.chain import waiting_for
from funds.selectors.reports import ReportFilters, report_list, towns_to_report
from households.permissions import households_scope
from households.selectors.lifecycle import households_without_cadre
from households.selectors.quality import quality_problem_list
from organisation.actors import Actor
from organisation.periods import month_start
from organisation.scoping import Access, may_act
from projects.permissions import may_work_on_plans
from projects.selectors.income import PlanFilters, plan_list


@dataclass(frozen=True)
class Todo:
    key: str
    title: str
    count: int
    url: str
    # Past a deadline: shown in red while it has entries.
    late: bool = False


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def todo_for(*, user: Actor, today: dt.date) -> list[Todo]:
    """The user's to-do list, in the order of the work: money first, then problems, then the register."""
    todos = [Todo(queue.key, str(queue.title), queue.count, queue.list_url, late=False) for queue in waiting_for(user)]
    todos.extend(_report_todos(user, today))
    rectifying = audits_scope(user, Access.CHANGE)
    if rectifying.exists():
        todos.append(
            Todo(
                "ledger_overdue",
                _("Ledger items past their deadline"),
                item_filter(rectifying, overdue=Overdue.YES).count(),
                _url("audits:item_list", status=NOT_CLOSED, overdue=Overdue.YES.value),
                late=True,
            )
        )
        todos.append(
            Todo(
                "ledger_open",
                _("Ledger items being rectified"),
                item_filter(rectifying, status=NOT_CLOSED).count(),
                _url("audits:item_list", status=NOT_CLOSED),
            )
        )
    if may_work_on_plans(user):
        todos.append(
            Todo(
                "plans_overdue",
                _("Rectification plans of weak projects past their deadline"),
                plan_list(user=user, filters=PlanFilters(overdue=True), today=today).count(),
                _url("projects:plan_list", overdue="on"),
                late=True,
            )
        )
    if households_scope(user, Access.CHANGE).exists():
        todos.append(
            Todo(
                "quality_problems",
                _("Open data-quality problems"),
                quality_problem_list(user=user).count(),
                _url("households:quality_problems"),
            )
        )
        todos.append(
            Todo(
                "households_without_cadre",
                _("Households without a cadre"),
                households_without_cadre(user=user).count(),
                _url("households:households_without_cadre"),
            )
        )
    return todos


def _report_todos(user: Actor, today: dt.date) -> list[Todo]:
    """The monthly reports of ended months waiting for the user's town (not submitted, or returned for correction;
    late while one is past its due day), and for the district office those awaiting its review."""

    def reports(status: str):
        return report_list(user=user, filters=ReportFilters(status=status), today=today).filter(
            month__lt=month_start(today)
        )

    todos = []
    if towns_to_report(user).exists():
        unsent = reports(ReportStatus.DRAFT)
        todos.append(
            Todo(
                "reports_to_submit",
                _("Monthly reports not submitted"),
                unsent.count(),
                _url("funds:report_list", status=ReportStatus.DRAFT.value),
                late=unsent.filter(is_missing=True).exists(),
            )
        )
        todos.append(
            Todo(
                "reports_returned",
                _("Monthly reports returned for correction"),
                reports(ReportStatus.RETURNED).count(),
                _url("funds:report_list", status=ReportStatus.RETURNED.value),
            )
        )
    if may_act(user, REPORT_REVIEWERS):
        todos.append(
            Todo(
                "reports_to_review",
                _("Monthly reports awaiting review"),
                reports(ReportStatus.SUBMITTED).count(),
                _url("funds:report_list", status=ReportStatus.SUBMITTED.value),
            )
        )
    return todos
