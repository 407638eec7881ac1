"""Who may see and change which project records: the projects app's role sets, its ``may_*`` checks and its one
scope function, :func:`projects_scope`.

Reach comes from ``organisation.scoping``: a project belongs to a town and reaches the villages it is
for, so a village clerk sees the projects of their village. Which step a role does is declared below
and checked by the services with ``organisation.scoping.may_act``.
"""

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from organisation.actors import Actor
from organisation.roles import Role
from organisation.scoping import Access, has_district_reach, may_act, reach_of, restrict, role_of, towns_for
from projects import models as m

DISTRICT_WRITERS = frozenset({Role.DISTRICT_OFFICE})
# What a write says to a user whose reach (``projects_scope`` with change access) the project is beyond.
PROJECT_OUT_OF_REACH = gettext_lazy("This project is outside the towns and villages you work for.")

# Town staff propose projects and run them through construction to operation.
PROJECT_MANAGERS = frozenset({Role.TOWN_STAFF})
# The district office runs the review committee's business: opinions, publicity, approval, blacklist,
# and the approval of a mortgage or guarantee on project assets.
DISTRICT_DECIDERS = frozenset({Role.DISTRICT_OFFICE})
# The station holds the supervision right: property-right confirmation, the three-assets platform, asset
# registration, income received and its distribution.
ASSET_KEEPERS = frozenset({Role.TOWN_STATION})
# Rectification plans are worked on by the town's staff and station, and by the district office.
PLAN_KEEPERS = frozenset({Role.TOWN_STAFF, Role.TOWN_STATION})
PLAN_WORKERS = PLAN_KEEPERS | DISTRICT_DECIDERS
# Who suspends, resumes or converts a project: its town's staff or the district office.
COURSE_CHANGERS = PROJECT_MANAGERS | DISTRICT_DECIDERS
# Who enters a project built before the system was in use.
EXISTING_RECORDERS = PROJECT_MANAGERS | DISTRICT_DECIDERS
# Enterprises are a district registry: town staff add those of their town, the district office keeps them all.
ENTERPRISE_KEEPERS = PROJECT_MANAGERS | DISTRICT_DECIDERS
# A park is kept by the staff of its town or by the district office.
PARK_KEEPERS = PROJECT_MANAGERS | DISTRICT_DECIDERS
# Who operates the project's four rights (names its operator), and who may ask for a mortgage or guarantee on its
# assets; the district office decides the request, and a mortgage or guarantee in force is released by either.
OPERATOR_SETTERS = PROJECT_MANAGERS | ASSET_KEEPERS
ENCUMBRANCE_REQUESTERS = PROJECT_MANAGERS | ASSET_KEEPERS
ENCUMBRANCE_RELEASERS = ENCUMBRANCE_REQUESTERS | DISTRICT_DECIDERS
# Who may start the yield job by hand; beat runs it every month anyway.
YIELD_RUNNERS = frozenset({Role.DISTRICT_OFFICE})

# The lookup from each kind of record to its project ("" for the project itself).
PROJECT_PATH: dict[type[Model], str] = {
    m.IndustryProject: "",
    m.Investment: "project",
    m.StatusChange: "project",
    m.ReviewOpinion: "project",
    m.Publicity: "project",
    m.Objection: "publicity__project",
    m.PropertyRightConfirmation: "project",
    m.IncomeShare: "project",
    m.AssetEncumbrance: "project",
    m.IncomeRecord: "project",
    m.IncomeDistribution: "income__project",
    m.YieldAssessment: "project",
    m.RectificationPlan: "project",
}
# Records of a town that are not a project's.
TOWN_PATH: dict[type[Model], str] = {
    m.AssistanceAgreement: "town",
    m.AgreementFulfilment: "agreement__town",
    m.IndustrialPark: "town",
}


def projects_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: projects) that ``user`` may see or change."""
    queryset = m.IndustryProject.objects.all() if queryset is None else queryset
    model = queryset.model
    if model in (m.Enterprise, m.BlacklistEntry, m.ReviewDepartment):
        return _district_registry(queryset, user, access)
    if model in TOWN_PATH:
        return restrict(queryset, user, access=access, town_path=TOWN_PATH[model], district_writers=DISTRICT_WRITERS)
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if has_district_reach(user, access, DISTRICT_WRITERS):
        return queryset
    prefix = f"{PROJECT_PATH[model]}__" if PROJECT_PATH[model] else ""
    reach = reach_of(user, access)
    condition = Q(**{f"{prefix}town__in": reach.towns})
    if reach.direct_villages:
        village_projects = m.IndustryProject.villages.through.objects.filter(
            industryproject_id=OuterRef(f"{prefix}pk"), village__in=reach.direct_villages
        )
        condition |= Q(Exists(village_projects))
    return queryset.filter(condition)


def _district_registry(queryset: QuerySet, user: Actor, access: Access) -> QuerySet:
    """Enterprises, the blacklist and the committee's departments: read by every post (a town picks an
    operator from them, and must see who is blacklisted); enterprises are added by the district office and
    town staff, the blacklist and the committee kept by the district office."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if access == Access.VIEW or user.is_superuser:
        return queryset
    writers = ENTERPRISE_KEEPERS if queryset.model is m.Enterprise else DISTRICT_DECIDERS
    return queryset if role_of(user) in writers else queryset.none()


def may_work_on_plans(user: Actor) -> bool:
    return may_act(user, PLAN_WORKERS)


def may_run_yield_job(user: Actor) -> bool:
    return may_act(user, YIELD_RUNNERS)


def may_change_enterprise(user: Actor, enterprise: m.Enterprise) -> bool:
    """The district office keeps every enterprise; town staff those of a town they work for."""
    if not may_act(user, ENTERPRISE_KEEPERS):
        return False
    if not projects_scope(user, Access.CHANGE, m.Enterprise.objects.filter(pk=enterprise.pk)).exists():
        return False
    if may_act(user, DISTRICT_DECIDERS):
        return True
    return enterprise.town_id is not None and towns_for(user, Access.CHANGE).filter(pk=enterprise.town_id).exists()
