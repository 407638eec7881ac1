"""Who may see which figures and monthly work reports, and who may have a report made: the reporting app's role
sets, its ``may_*`` checks and its one scope function, :func:`reporting_scope`.

A town's report is its town's: the town's posts see it (reach comes from ``organisation.scoping.restrict``), the
district's readers see every report, and only they see the district's own report (a report without a town). Town
staff have their own town's report made; the district office has any report made.
"""

from django.db.models import Q, QuerySet

from organisation.actors import Actor
from organisation.roles import Level, Role
from organisation.scoping import Access, has_district_reach, may_act, restrict, towns_for, villages_for
from reporting.models import FigureValue, SummaryBuild, WorkReport

# Who has a monthly report made (on demand; the schedule makes them anyway): the district office for any unit, town
# staff for their own town.
REPORT_REQUESTERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# The district-level role that changes reports: has the district's own report made, and any town's.
DISTRICT_REPORT_WRITERS = frozenset({Role.DISTRICT_OFFICE})


def reporting_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: work reports) that ``user`` may see or change."""
    queryset = WorkReport.objects.all() if queryset is None else queryset
    if queryset.model is WorkReport:
        # town__in: a report without a town (the district's) is left out for everyone without district reach.
        return restrict(queryset, user, access=access, town_path="town", district_writers=DISTRICT_REPORT_WRITERS)
    if queryset.model is FigureValue:
        return _figures(queryset, user, access)
    if queryset.model is SummaryBuild:
        # When figures were computed says nothing about any town: every signed-in user may read it.
        return queryset if user.is_authenticated and user.is_active and access == Access.VIEW else queryset.none()
    raise ValueError(f"reporting_scope does not know {queryset.model.__name__}.")


def _figures(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """Figures are derived data: read only, the district's by district readers, a town's or a village's by those who
    reach it."""
    if access != Access.VIEW:
        return queryset.none()
    if has_district_reach(user, Access.VIEW):
        return queryset
    towns = towns_for(user, Access.VIEW).values("pk")
    villages = villages_for(user, Access.VIEW).values("pk")
    return queryset.filter(Q(level=Level.TOWN, unit_id__in=towns) | Q(level=Level.VILLAGE, unit_id__in=villages))


def may_request_reports(user: Actor) -> bool:
    """Whether the user's post has monthly reports made (of the units in its reach)."""
    return may_act(user, REPORT_REQUESTERS)


def may_request_district_report(user: Actor) -> bool:
    return may_act(user, REPORT_REQUESTERS) and has_district_reach(user, Access.CHANGE, DISTRICT_REPORT_WRITERS)


def may_see_all_reports(user: Actor) -> bool:
    """The district's readers see which towns' reports of a month exist."""
    return has_district_reach(user, Access.VIEW)


# Who may have a month's figures computed now, from a dashboard (the nightly job computes them anyway).
FIGURES_BUILDERS = frozenset({Role.DISTRICT_OFFICE})


def may_build_figures(user: Actor) -> bool:
    return may_act(user, FIGURES_BUILDERS)
