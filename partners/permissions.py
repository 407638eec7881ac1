"""Who may see and change which people-and-partners records: the app's role sets, its ``may_*`` checks and its one
scope function, :func:`partners_scope`.

The district's registers (the departments and their plans, the social forces, the 10.17 activities, the
commendations and the responsibility rules) are read by everyone logged in and kept by the district office. Records
of a village or a town (pairings and their support, first secretaries and their teams, contributions, town and village
responsibilities, town trainings) are reached through their town and village; the district's own responsibilities
and trainings (no town) are read by everyone logged in. The public's evaluations are the district's to moderate.
"""

from django.db.models import Model, Q, QuerySet

from organisation.actors import Actor
from organisation.models import Town, Village
from organisation.roles import Role
from organisation.scoping import Access, has_district_reach, may_act, restrict
from partners import models as m

# The district office changes every record of the app (the audit post reads only).
DISTRICT_WRITERS = frozenset({Role.DISTRICT_OFFICE})
# Who keeps the departments, their action plans and the quarterly progress (the leading group's office).
PLAN_KEEPERS = frozenset({Role.DISTRICT_OFFICE})
# Who records pairings and what was given, first secretaries and their teams, and social forces' contributions: the
# district office anywhere, town staff in their town.
VILLAGE_RECORDERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Who adds a social force to the register (a town meets them first) and nominates for a commendation.
FORCE_REGISTRARS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
NOMINATORS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Who records the 10.17 activities, approves commendations, issues the rules and answers the public.
HONOURS_KEEPERS = frozenset({Role.DISTRICT_OFFICE})
COMMENDATION_APPROVERS = frozenset({Role.DISTRICT_OFFICE})
RULES_KEEPERS = frozenset({Role.DISTRICT_OFFICE})
EVALUATION_MODERATORS = frozenset({Role.DISTRICT_OFFICE})
# Who records responsibilities and trainings: the district's own by the office, a town's by its staff.
RESPONSIBILITY_KEEPERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
TRAINING_KEEPERS = frozenset({Role.DISTRICT_OFFICE, Role.TOWN_STAFF})
# Who sees the list of people without training this year (it names staff of the towns the user reaches).
TRAINING_READERS = frozenset(
    {Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT, Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION}
)

# The district's registers: every logged-in user reads them, the district office keeps them.
REGISTERS: frozenset[type[Model]] = frozenset(
    {
        m.Department,
        m.PlanTarget,
        m.TargetProgress,
        m.SocialForce,
        m.PovertyDayActivity,
        m.Commendation,
        m.ResponsibilityRules,
    }
)
# Read and moderated by the district only.
DISTRICT_ONLY: frozenset[type[Model]] = frozenset({m.PublicEvaluation})
# (town lookup, village lookup or None, lookup whose emptiness makes a row the district's own or None).
PATHS: dict[type[Model], tuple[str, str | None, str | None]] = {
    m.Pairing: ("village__town", "village", None),
    m.PairingSupport: ("pairing__village__town", "pairing__village", None),
    m.FirstSecretary: ("village__town", "village", None),
    m.WorkTeamMember: ("secretary__village__town", "secretary__village", None),
    m.Contribution: ("town", "village", None),
    m.Responsibility: ("town", "village", "town"),
    m.TrainingSession: ("town", None, "town"),
    m.TrainingAttendance: ("session__town", None, "session__town"),
    Village: ("town", "pk", None),
    Town: ("pk", None, None),
}


def partners_scope(user: Actor, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: pairings) that ``user`` may see or change."""
    queryset = m.Pairing.objects.all() if queryset is None else queryset
    model = queryset.model
    logged_in = user.is_authenticated and user.is_active
    if model in REGISTERS:
        if (access == Access.VIEW and logged_in) or has_district_reach(user, access, DISTRICT_WRITERS):
            return queryset
        return queryset.none()
    if model in DISTRICT_ONLY:
        return queryset if has_district_reach(user, access, DISTRICT_WRITERS) else queryset.none()
    town_path, village_path, district_path = PATHS[model]
    scoped = restrict(
        queryset,
        user,
        access=access,
        town_path=town_path,
        village_path=village_path,
        district_writers=DISTRICT_WRITERS,
    )
    if district_path and access == Access.VIEW and logged_in:
        return queryset.filter(Q(pk__in=scoped.values("pk")) | Q(**{f"{district_path}__isnull": True}))
    return scoped


def may_keep_plans(user: Actor) -> bool:
    return may_act(user, PLAN_KEEPERS)


def may_record_in_villages(user: Actor) -> bool:
    return may_act(user, VILLAGE_RECORDERS)


def may_register_forces(user: Actor) -> bool:
    return may_act(user, FORCE_REGISTRARS)


def may_nominate(user: Actor) -> bool:
    return may_act(user, NOMINATORS)


def may_approve_commendations(user: Actor) -> bool:
    return may_act(user, COMMENDATION_APPROVERS)


def may_keep_honours(user: Actor) -> bool:
    return may_act(user, HONOURS_KEEPERS)


def may_keep_rules(user: Actor) -> bool:
    return may_act(user, RULES_KEEPERS)


def may_keep_responsibilities(user: Actor) -> bool:
    return may_act(user, RESPONSIBILITY_KEEPERS)


def may_keep_trainings(user: Actor) -> bool:
    return may_act(user, TRAINING_KEEPERS)
