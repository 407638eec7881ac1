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

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from organisation.actors import Actor
from organisation.models import Town, Village
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


def towns_for(
    user: Actor, access: Access = Access.VIEW, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> QuerySet[Town]:
    if not (user.is_authenticated and user.is_active):
        return Town.objects.none()
    if has_district_reach(user, access, district_writers):
        return Town.objects.all()
    return get_objects_for_user(
        user, f"organisation.{access}_town_records", Town, with_superuser=False, accept_global_perms=False
    )


def villages_for(
    user: Actor, access: Access = Access.VIEW, district_writers: frozenset[Role] = DEFAULT_DISTRICT_WRITERS
) -> QuerySet[Village]:
    """Villages in a town the user reaches, and villages granted to the user directly."""
    if not (user.is_authenticated and user.is_active):
        return Village.objects.none()
    if has_district_reach(user, access, district_writers):
        return Village.objects.all()
    direct = get_objects_for_user(
        user, f"organisation.{access}_village_records", Village, with_superuser=False, accept_global_perms=False
    )
    towns = towns_for(user, access, district_writers)
    return Village.objects.filter(Q(town__in=towns) | Q(pk__in=direct.values("pk")))


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
    condition = Q(**{f"{town_path}__in": towns_for(user, access, district_writers)})
    if village_path:
        direct = get_objects_for_user(
            user, f"organisation.{access}_village_records", Village, with_superuser=False, accept_global_perms=False
        )
        condition |= Q(**{f"{village_path}__in": direct.values("pk")})
    return queryset.filter(condition)


# The organisation app's own scope functions (its records are the towns and villages themselves).
def villages_scope(user: Actor, access: Access = Access.VIEW) -> QuerySet[Village]:
    return villages_for(user, access).select_related("town")


def towns_scope(user: Actor, access: Access = Access.VIEW) -> QuerySet[Town]:
    return towns_for(user, access)
