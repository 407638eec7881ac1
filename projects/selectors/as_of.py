"""Reads of the projects as they stood on a day: the figures of a past month (``reporting.indicators.projects``) and
the lists they open (the project list's "as of" filter) read the same expressions from here, so a figure and its
list cannot drift apart.

- A project's status on a day comes from its status changes (every move of the lifecycle is a dated
  ``StatusChange``): the status it was moved to by its latest change on or before the day. A project entered as
  an existing one has one change, dated the day it started operating (or was completed); between its completion
  and that day it was completed. A project whose first change comes after the day did not exist yet (its status on
  the day is empty), unless that change moved it from a status (a record written without its first change): it
  was in that status from the day it was recorded. A project with no change at all (the services never make one)
  is taken at its current status from the day it was recorded.
- Its investment on a day: the investments made on or before the day, and those with no date (the rule of
  ``projects.rules``: an undated investment counts throughout).
- Property rights on a day (point 3): a project needs its confirmation once it is built since 2014 (completed and
  accepted between 2014 and the day, or operating on the day with no completion date), the same rule as
  ``projects.selectors.rights.BUILT_SINCE_2014`` taken on the day; it is confirmed on the day when its
  confirmation is dated on or before it.
"""

import datetime as dt

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Exact, IsNull

from organisation.money import MONEY_FIELD, ZERO
from projects.models import IndustryProject, Investment, ProjectStatus, PropertyRightConfirmation, StatusChange
from projects.selectors.rights import BUILT_SINCE_2014, CONFIRMATION_SINCE

# The names the expressions below are annotated under.
STATUS_ON = "status_on"


def _changes_on_or_before(day: dt.date) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(changed_on__lte=day)


def _latest_changes(day: dt.date) -> QuerySet[StatusChange]:
    """Each project's latest status change on or before ``day``: no change of the project on or before ``day``
    comes after it (one anti-join over the changes, not a lookup per project)."""
    outer = {"changed_on": OuterRef("changed_on"), "recorded_at": OuterRef("recorded_at")}
    later = _changes_on_or_before(day).filter(
        Q(changed_on__gt=outer["changed_on"])
        | Q(changed_on=outer["changed_on"], recorded_at__gt=outer["recorded_at"])
        | Q(**outer, pk__gt=OuterRef("pk")),
        project=OuterRef("project"),
    )
    return _changes_on_or_before(day).exclude(Exists(later))


def _status_without_change(day: dt.date) -> Coalesce:
    """The status on ``day`` of a project with no status change on or before it (see the module's text)."""
    changes = StatusChange.objects.filter(project=OuterRef("pk"))
    first = changes.order_by("changed_on", "recorded_at", "pk").values("from_status")
    recorded = Q(created_at__date__lte=day)
    return Coalesce(
        Case(
            # Recorded without a first change: the status its first change later moved it from.
            When(recorded, then=NullIf(Subquery(first[:1], output_field=CharField()), Value(""))),
            default=Value(None),
            output_field=CharField(),
        ),
        Case(
            When(Exists(changes), then=Case(When(completed_on__lte=day, then=Value(ProjectStatus.COMPLETED.value)))),
            When(recorded, then=F("status")),
            default=Value(None),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def in_status_on(day: dt.date, status: str | None = None) -> Q:
    """Projects that existed on ``day`` (``status`` None), or were in ``status`` on ``day``: set-based, so it
    counts the projects of a whole province without a lookup per project."""
    changed = Q(pk__in=_changes_on_or_before(day).values("project_id"))
    if status is None:
        return changed | (~changed & Q(IsNull(_status_without_change(day), False)))
    by_change = Q(pk__in=_latest_changes(day).filter(to_status=status).values("project_id"))
    return by_change | (~changed & Q(Exact(_status_without_change(day), status)))


def status_on(day: dt.date) -> Coalesce:
    """A project's status on ``day`` (see the module's text), one project at a time: what a page of a list shows;
    empty (NULL) before the project existed. To filter or count, ``in_status_on``."""
    latest = (
        StatusChange.objects.filter(project=OuterRef("pk"), changed_on__lte=day)
        .order_by("-changed_on", "-recorded_at", "-pk")
        .values("to_status")
    )
    return Coalesce(
        Subquery(latest[:1], output_field=CharField()), _status_without_change(day), output_field=CharField()
    )


def projects_on(day: dt.date, queryset: QuerySet[IndustryProject] | None = None) -> QuerySet[IndustryProject]:
    """The projects (of ``queryset``) that existed on ``day``."""
    projects = IndustryProject.objects.all() if queryset is None else queryset
    return projects.filter(in_status_on(day))


def investment_on(day: dt.date | None) -> Coalesce:
    """A project's total investment on ``day`` (``None``: every investment recorded), zero without any."""
    investments = Investment.objects.filter(project=OuterRef("pk"))
    if day is not None:
        investments = investments.filter(Q(invested_on__isnull=True) | Q(invested_on__lte=day))
    total = investments.order_by().values("project").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def needs_confirmation_on(day: dt.date | None) -> Q:
    """Projects that need their property-right confirmation on ``day`` (``None``: today, ``BUILT_SINCE_2014``)."""
    if day is None:
        return BUILT_SINCE_2014
    return Q(completed_on__gte=CONFIRMATION_SINCE, completed_on__lte=day) | (
        Q(completed_on__isnull=True) & in_status_on(day, ProjectStatus.OPERATING)
    )


def confirmed_on(day: dt.date | None) -> Exists:
    """The project's property right is confirmed on ``day`` (``None``: confirmed at all)."""
    confirmations = PropertyRightConfirmation.objects.filter(project=OuterRef("pk"))
    if day is not None:
        confirmations = confirmations.filter(confirmed_on__lte=day)
    return Exists(confirmations)
