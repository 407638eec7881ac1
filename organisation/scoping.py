"""Who may see and change which records: the one mechanism every domain's scope function uses.

Each app has exactly one scope function built on :func:`restrict`, in its ``permissions.py``
(``households.permissions.households_scope(user, access, queryset)``, ``funds.permissions.funds_scope``,
``projects.permissions.projects_scope``; the organisation app's own, :func:`villages_scope` and
:func:`towns_scope`, are below), and every list, detail, edit and export view gets its queryset from it
through :class:`organisation.access.ScopedMixin`, so a view cannot forget the scope.

Reach is granted on Town and Village objects with django-guardian (see
``organisation.services.staff_post_assign``), never on single records.
"""

import enum
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organisation.actors import Actor
from organisation.models import (
    Town,
    TownGroupObjectPermission,
    TownUserObjectPermission,
    Village,
    VillageGroupObjectPermission,
    VillageUserObjectPermission,
)
from organisation.roles import DEFAULT_DISTRICT_WRITERS, DISTRICT_READERS, Role


class Access(enum.StrEnum):
    VIEW = "view"
    CHANGE = "change"


def role_of(user: Actor) -> Role | None:
    post = getattr(user, "staff_post", None) if user.is_authenticated else None
    return Role(post.role) if post else None


def may_act(user: Actor, roles: frozenset[Role]) -> bool:
    """Whether the user's role is one of ``roles`` (superusers do every step); reach is ``restrict``'s business."""
    return user.is_authenticated and (user.is_superuser or role_of(user) in roles)


def has_district_reach(
    user: Actor, access: Access, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    role = role_of(user)
    if access == Access.VIEW:
        return role in DISTRICT_READERS
    return role in district_writers


@dataclass(frozen=True)
class Reach:
    """What a user without district reach reaches for one access, as lists of ids: the towns granted, the villages
    granted on their own, and every village reached (those of the towns and the granted ones).

    Read from guardian's tables in one query for both accesses, once per request (``ReachCacheMiddleware``), and
    written into each scope's condition as a literal list: the planner estimates a list of 20 village ids exactly,
    where it took guardian's nested ``IN`` subqueries for most of the table (a village clerk's households list walked
    all 400,000 households of the province, past the 30 s statement timeout; bin/loadtest), and those subqueries were
    built, compiled and planned again in every query of a page."""

    towns: list[int] = field(default_factory=list)
    direct_villages: list[int] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)


def _reaches_read(user: Actor) -> dict[Access, Reach]:
    """The user's reach for each access, in one query over guardian's object permissions on towns and villages
    (granted to the user or to a group of theirs; no global permission, no superuser shortcut: what
    ``get_objects_for_user(..., with_superuser=False, accept_global_perms=False)`` reads). Written as one statement:
    building guardian's querysets for both accesses and both models took longer than running them."""
    tables = {
        "town_user": TownUserObjectPermission._meta.db_table,
        "town_group": TownGroupObjectPermission._meta.db_table,
        "village_user": VillageUserObjectPermission._meta.db_table,
        "village_group": VillageGroupObjectPermission._meta.db_table,
        "village": Village._meta.db_table,
    }
    sql = """
        WITH perms AS (
            SELECT p.id, split_part(p.codename, '_', 1) AS access
            FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE ct.app_label = 'organisation'
              AND p.codename IN ('view_town_records', 'change_town_records',
                                 'view_village_records', 'change_village_records')
        ), user_groups AS (
            SELECT group_id FROM auth_user_groups WHERE user_id = %(user)s
        ), towns AS (
            SELECT perms.access, g.content_object_id AS id FROM {town_user} g JOIN perms ON perms.id = g.permission_id
            WHERE g.user_id = %(user)s
            UNION
            SELECT perms.access, g.content_object_id FROM {town_group} g JOIN perms ON perms.id = g.permission_id
            WHERE g.group_id IN (SELECT group_id FROM user_groups)
        ), direct AS (
            SELECT perms.access, g.content_object_id AS id FROM {village_user} g
            JOIN perms ON perms.id = g.permission_id WHERE g.user_id = %(user)s
            UNION
            SELECT perms.access, g.content_object_id FROM {village_group} g JOIN perms ON perms.id = g.permission_id
            WHERE g.group_id IN (SELECT group_id FROM user_groups)
        )
        SELECT access, 'towns', id FROM towns
        UNION ALL
        SELECT access, 'direct_villages', id FROM direct
        UNION ALL
        -- The villages of the towns (through the town index), and those granted alone (a foreign key: they exist).
        -- Not one join with "town in towns OR id in direct": that tried each of the province's villages against
        -- both, 8,000 tests and 6.5 ms of every request.
        (
            SELECT towns.access, 'villages', v.id FROM towns JOIN {village} v ON v.town_id = towns.id
            UNION
            SELECT access, 'villages', id FROM direct
        )
    """.format(**tables)
    reaches = {access: Reach() for access in Access}
    with connections[router.db_for_read(Village)].cursor() as cursor:
        cursor.execute(sql, {"user": user.pk})
        for access, kind, pk in cursor.fetchall():
            getattr(reaches[Access(access)], kind).append(int(pk))
    return reaches


# The reaches read during the current request, by user; None outside a request (each call reads afresh).
_reaches: ContextVar[dict | None] = ContextVar("organisation_reaches", default=None)


def reach_of(user: Actor, access: Access) -> Reach:
    """The user's reach for ``access`` (a user without district reach), read once per request."""
    cache = _reaches.get()
    if cache is None:
        return _reaches_read(user)[access]
    if user.pk not in cache:
        cache[user.pk] = _reaches_read(user)
    return cache[user.pk][access]


class ReachCacheMiddleware:
    """Each request reads a user's reach once (``reach_of``); a grant changed by another request is seen by the
    next one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reaches.set({})
        try:
            return self.get_response(request)
        finally:
            _reaches.reset(token)


def towns_for(
    user: Actor, access: Access = Access.VIEW, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> QuerySet[Town]:
    if not (user.is_authenticated and user.is_active):
        return Town.objects.none()
    if has_district_reach(user, access, district_writers):
        return Town.objects.all()
    return Town.objects.filter(pk__in=reach_of(user, access).towns)


def villages_for(
    user: Actor, access: Access = Access.VIEW, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> QuerySet[Village]:
    """Villages in a town the user reaches, and villages granted to the user directly."""
    if not (user.is_authenticated and user.is_active):
        return Village.objects.none()
    if has_district_reach(user, access, district_writers):
        return Village.objects.all()
    return Village.objects.filter(pk__in=reach_of(user, access).villages)


def village_filter_choices(
    user: Actor, params, access: Access = Access.VIEW, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> QuerySet[Village]:
    """The choices of a list's village filter for its query string ``params``: the villages of the town chosen
    (``town``), else every village in reach, except with the whole district in reach, where only the village the
    query names (``village``, a figure's drill-down) is offered until a town is chosen. The province's 4,000 villages
    in one select took 0.5-0.6 s to render on every page of a list (bin/loadtest), and nobody picks from 4,000."""
    town, village = str(params.get("town", "") or ""), str(params.get("village", "") or "")
    villages = villages_for(user, access, district_writers).select_related("town").order_by("town__code", "code")
    if town.isdigit():
        return villages.filter(town_id=int(town))
    if has_district_reach(user, access, district_writers):
        return villages.filter(pk=int(village)) if village.isdigit() else villages.none()
    return villages


def village_choices_wait_for_town(field) -> None:
    """Say so in ``field``'s empty choice when ``village_filter_choices`` offers no village until a town is chosen."""
    if field.queryset.query.is_empty():
        field.empty_label = _("All villages (choose a town to pick one)")


def restrict(
    queryset: QuerySet,
    user: Actor,
    *,
    access: Access = Access.VIEW,
    town_path: str,
    village_path: str | None = None,
    district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS,
) -> QuerySet:
    """Narrow ``queryset`` to the records ``user`` may see (or change).

    ``town_path`` is the lookup from the model to its Town (``"town"``, ``"village__town"``);
    ``village_path`` the lookup to its Village where it has one, so that a village clerk reaches
    the records of their village only. Records with no village are reached through their town.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if has_district_reach(user, access, district_writers):
        return queryset
    reach = reach_of(user, access)
    if not village_path:
        return queryset.filter(**{f"{town_path}__in": reach.towns})
    if town_path == f"{village_path}__town":
        # The record's town is its village's: one condition on the record's own village column, which its index
        # serves.
        return queryset.filter(**{f"{village_path}__in": reach.villages})
    return queryset.filter(
        Q(**{f"{town_path}__in": reach.towns}) | Q(**{f"{village_path}__in": reach.direct_villages})
    )


# The organisation app's own scope functions (its records are the towns and villages themselves).
def villages_scope(user: Actor, access: Access = Access.VIEW) -> QuerySet[Village]:
    return villages_for(user, access).select_related("town")


def towns_scope(user: Actor, access: Access = Access.VIEW) -> QuerySet[Town]:
    return towns_for(user, access)
