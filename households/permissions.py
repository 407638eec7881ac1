"""Who may see and change which household records: the households app's role sets, its ``may_*`` checks and its one
scope function, :func:`households_scope`.

Reach (which towns and villages) comes from ``organisation.scoping.restrict``; the step a user may do is the role's,
checked by the services with ``organisation.validation.role_require`` and offered by the pages with the ``may_*``
checks below.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from households import models as m
from organisation.actors import Actor
from organisation.roles import DISTRICT_READERS, Role
from organisation.scoping import Access, has_district_reach, may_act, restrict, towns_for, villages_for

# The lookup from each kind of record to its village; the town is that village's town.
VILLAGE_PATH: dict[type[Model], str] = {
    m.Household: "village",
    m.Member: "household__village",
    m.StatusEvent: "household__village",
    m.Income: "household__village",
    m.CadreAssignment: "household__village",
    m.DibaoEnrolment: "household__village",
    m.RenovationPlan: "household__village",
    m.InsuranceEnrolment: "member__household__village",
    m.HospitalStay: "member__household__village",
    m.EducationAid: "member__household__village",
    m.LeftBehindChild: "member__household__village",
    m.WaterSupplySurvey: "village",
    m.WaterSample: "village",
    m.CareRoom: "village",
    m.QualityProblem: "household__village",
}

# Who keeps the household file and its welfare records (points 8-11): the district office, and every town and
# village post for the households of its own town or village (the scope's change access says which). The finance
# bureau and the audit bureau read only.
HOUSEHOLD_KEEPERS = frozenset(
    {Role.DISTRICT_OFFICE, Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK}
)
# Marking a household out of (or back into) poverty is decided at town level or above, not by the village.
STATUS_RECORDERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Point 13: the district organises the cadres; the district office and town staff enter and assign them.
CADRE_MANAGERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Cadres belong to no town: district users see them all, town users those who help their households.
CADRE_VIEWERS = DISTRICT_READERS | {Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION}
# Who may start a data-quality check ("check now"): the district office and town staff (the run covers the district).
QUALITY_RUNNERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Roles that see full resident ID numbers after a deliberate, logged reveal; everyone else sees them masked.
ID_NUMBER_REVEALERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_STAFF})
# Who reads the log of those reveals.
REVEAL_LOG_READERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})
# Who reads the checks of the district's yearly reference data (poverty line, dibao standard, insurance funding).
REFERENCE_CHECKERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT})

# What a write says to a user whose reach (the scope's change access) the household or village is beyond.
HOUSEHOLD_OUT_OF_REACH = gettext_lazy("This household is outside the towns and villages you work for.")
VILLAGE_OUT_OF_REACH = gettext_lazy("This village is outside the towns and villages you work for.")


def households_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: households) that ``user`` may see or change."""
    queryset = m.Household.objects.all() if queryset is None else queryset
    model = queryset.model
    if model is m.ImportJob:
        # A sheet is imported into one town: its job is that town's.
        return restrict(queryset, user, access=access, town_path="town")
    if model is m.QualityRun:
        return _quality_runs(queryset, user, access)
    if model is m.Cadre:
        return _cadres(queryset, user, access)
    village = VILLAGE_PATH[model]
    return restrict(queryset, user, access=access, town_path=f"{village}__town", village_path=village)


def _quality_runs(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """Every run with district reach; otherwise the nightly runs and those asked for by the user or by someone
    whose post is in a town the user reaches."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if has_district_reach(user, access):
        return queryset
    return queryset.filter(
        Q(requested_by__isnull=True)
        | Q(requested_by=user)
        | Q(requested_by__staff_post__town__in=towns_for(user, access))
    )


def _cadres(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """With district reach, every cadre; otherwise the cadres who now help a household in the user's scope, and
    the cadres who help nobody yet (free to be assigned). Each with the number of households it helps now."""
    if not may_view_cadres(user):
        return queryset.none()
    cadres = queryset.annotate(households_helped=Count("assignments", filter=Q(assignments__released_on__isnull=True)))
    if has_district_reach(user, access):
        return cadres
    current = m.CadreAssignment.objects.filter(released_on__isnull=True)
    helping_here = households_scope(user, access, current).values("cadre_id")
    busy = current.filter(cadre=OuterRef("pk"))
    return cadres.filter(Q(pk__in=helping_here) | ~Exists(busy))


def village_change_require(user: Actor, village) -> None:
    """A record entered for a village (a water survey or sample, a care room): the village must be one whose
    records the user may change; ``PermissionDenied`` otherwise."""
    if not villages_for(user, Access.CHANGE).filter(pk=village.pk).exists():
        raise PermissionDenied(VILLAGE_OUT_OF_REACH)


def may_reveal_id_numbers(user: Actor) -> bool:
    return may_act(user, ID_NUMBER_REVEALERS)


def may_record_status(user: Actor) -> bool:
    return may_act(user, STATUS_RECORDERS)


def may_manage_cadres(user: Actor) -> bool:
    return may_act(user, CADRE_MANAGERS)


def may_view_cadres(user: Actor) -> bool:
    return may_act(user, CADRE_VIEWERS)


def may_run_quality_check(user: Actor) -> bool:
    return may_act(user, QUALITY_RUNNERS)
