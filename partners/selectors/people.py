"""Reads of the first secretaries and work teams (point 15), the social forces and their contributions (point 16),
the honours (point 17), the responsibilities and trainings (point 18), and the public's evaluations waiting for the
district office."""

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from households.models import Cadre
from households.permissions import households_scope
from organisation.actors import Actor
from organisation.models import StaffPost, Village
from organisation.money import MONEY_FIELD, ZERO
from organisation.scoping import Access, has_district_reach, towns_for
from partners.choices import ContributionKind
from partners.models import (
    Commendation,
    Contribution,
    FirstSecretary,
    PovertyDayActivity,
    PublicEvaluation,
    Responsibility,
    ResponsibilityRules,
    SocialForce,
    TrainingAttendance,
    TrainingSession,
)
from partners.permissions import partners_scope


def serving_on(day: dt.date) -> Q:
    """First secretaries serving on ``day`` (their term's both ends included)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def secretary_list(*, user: Actor, query: str = "", serving: dt.date | None = None) -> QuerySet[FirstSecretary]:
    secretaries = partners_scope(user, Access.VIEW, FirstSecretary.objects.all()).select_related(
        "village", "village__town"
    )
    if serving is not None:
        secretaries = secretaries.filter(serving_on(serving))
    if query := query.strip():
        secretaries = secretaries.filter(
            Q(name__icontains=query)
            | Q(unit__icontains=query)
            | Q(village__name__icontains=query)
            | Q(village__town__name__icontains=query)
        )
    return secretaries.order_by("-starts_on", "-pk")


def villages_without_secretary(*, user: Actor, day: dt.date, query: str = "") -> QuerySet[Village]:
    """The key (poor) villages ``user`` reaches that have no first secretary serving on ``day``."""
    serving = FirstSecretary.objects.filter(serving_on(day), village=OuterRef("pk"))
    villages = (
        partners_scope(user, Access.VIEW, Village.objects.filter(is_key_village=True))
        .filter(~Exists(serving))
        .select_related("town")
    )
    if query := query.strip():
        villages = villages.filter(Q(name__icontains=query) | Q(town__name__icontains=query))
    return villages.order_by("town__code", "code")


def force_list(*, user: Actor, query: str = "", kind: str = "") -> QuerySet[SocialForce]:
    forces = partners_scope(user, Access.VIEW, SocialForce.objects.all())
    if kind:
        forces = forces.filter(kind=kind)
    if query := query.strip():
        forces = forces.filter(Q(name__icontains=query) | Q(contact__icontains=query))
    contributions = partners_scope(user, Access.VIEW, Contribution.objects.all()).values("pk")
    reached = Q(contributions__in=contributions)
    return forces.annotate(
        money_total=Coalesce(
            Sum("contributions__amount", filter=reached & ~Q(contributions__kind=ContributionKind.HOURS)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
        hours_total=Coalesce(Sum("contributions__hours", filter=reached), Value(0), output_field=MONEY_FIELD),
    ).order_by("name", "pk")


def contribution_list(
    *, user: Actor, query: str = "", kind: str = "", force: SocialForce | None = None, village: Village | None = None
) -> QuerySet[Contribution]:
    contributions = partners_scope(user, Access.VIEW, Contribution.objects.all()).select_related(
        "force", "town", "village", "project"
    )
    if force is not None:
        contributions = contributions.filter(force=force)
    if village is not None:
        contributions = contributions.filter(village=village)
    if kind:
        contributions = contributions.filter(kind=kind)
    if query := query.strip():
        contributions = contributions.filter(
            Q(force__name__icontains=query)
            | Q(description__icontains=query)
            | Q(town__name__icontains=query)
            | Q(village__name__icontains=query)
        )
    return contributions.order_by("-given_on", "-pk")


def activity_list(*, user: Actor, year: int | None = None, query: str = "") -> QuerySet[PovertyDayActivity]:
    activities = partners_scope(user, Access.VIEW, PovertyDayActivity.objects.all())
    if year:
        activities = activities.filter(year=year)
    if query := query.strip():
        activities = activities.filter(Q(title__icontains=query) | Q(organiser__icontains=query))
    return activities.order_by("-year", "held_on", "pk")


def commendation_list(*, user: Actor, query: str = "", status: str = "") -> QuerySet[Commendation]:
    commendations = partners_scope(user, Access.VIEW, Commendation.objects.all())
    if status:
        commendations = commendations.filter(status=status)
    if query := query.strip():
        commendations = commendations.filter(
            Q(nominee__icontains=query) | Q(reason__icontains=query) | Q(nominated_by__icontains=query)
        )
    return commendations.order_by("-year", "pk")


def rules_list(*, user: Actor) -> QuerySet[ResponsibilityRules]:
    return partners_scope(user, Access.VIEW, ResponsibilityRules.objects.all()).order_by("-issued_on", "-pk")


def responsibility_list(*, user: Actor, query: str = "", level: str = "") -> QuerySet[Responsibility]:
    responsibilities = partners_scope(user, Access.VIEW, Responsibility.objects.all()).select_related(
        "town", "village", "cadre", "department"
    )
    if level:
        responsibilities = responsibilities.filter(level=level)
    if query := query.strip():
        responsibilities = responsibilities.filter(
            Q(holder__icontains=query)
            | Q(duty__icontains=query)
            | Q(town__name__icontains=query)
            | Q(village__name__icontains=query)
            | Q(cadre__name__icontains=query)
            | Q(department__name__icontains=query)
        )
    return responsibilities


def training_list(
    *, user: Actor, query: str = "", year: int | None = None, topic: str = ""
) -> QuerySet[TrainingSession]:
    sessions = partners_scope(user, Access.VIEW, TrainingSession.objects.all()).select_related("town")
    if year:
        sessions = sessions.filter(held_on__year=year)
    if topic:
        sessions = sessions.filter(topic=topic)
    if query := query.strip():
        sessions = sessions.filter(
            Q(title__icontains=query) | Q(place__icontains=query) | Q(town__name__icontains=query)
        )
    return sessions


def training_attendance(*, user: Actor, session: TrainingSession) -> QuerySet[TrainingAttendance]:
    return (
        partners_scope(user, Access.VIEW, TrainingAttendance.objects.filter(session=session))
        .select_related("staff", "staff__staff_post", "cadre")
        .order_by("pk")
    )


def staff_in_reach(*, user: Actor) -> QuerySet[User]:
    """The staff (users holding a post) of the towns ``user`` reaches, and the district's for a district reader."""
    posts = StaffPost.objects.all()
    if not (user.is_authenticated and user.is_active):
        posts = posts.none()
    elif not has_district_reach(user, Access.VIEW):
        towns = towns_for(user, Access.VIEW)
        posts = posts.filter(Q(town__in=towns) | Q(village__town__in=towns))
    return User.objects.filter(is_active=True, staff_post__in=posts).select_related("staff_post")


def untrained_staff(*, user: Actor, year: int) -> QuerySet[User]:
    """The staff ``user`` reaches who attended no training in ``year``."""
    trained = TrainingAttendance.objects.filter(staff=OuterRef("pk"), attended=True, session__held_on__year=year)
    return staff_in_reach(user=user).filter(~Exists(trained)).order_by("staff_post__town__code", "username")


def untrained_cadres(*, user: Actor, year: int) -> QuerySet[Cadre]:
    """The assistance cadres ``user`` sees who attended no training in ``year``."""
    trained = TrainingAttendance.objects.filter(cadre=OuterRef("pk"), attended=True, session__held_on__year=year)
    return households_scope(user, Access.VIEW, Cadre.objects.all()).filter(~Exists(trained)).order_by("name", "pk")


def evaluation_list(*, user: Actor, status: str = "", query: str = "") -> QuerySet[PublicEvaluation]:
    evaluations = partners_scope(user, Access.VIEW, PublicEvaluation.objects.all()).select_related("department")
    if status:
        evaluations = evaluations.filter(status=status)
    if query := query.strip():
        evaluations = evaluations.filter(Q(text__icontains=query) | Q(answer__icontains=query))
    return evaluations.order_by("-submitted_at", "-pk")
