"""Reads of the industrial parks (point 1): each town's parks and their projects, and which towns have none yet."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Prefetch, QuerySet

from organisation.actors import Actor
from organisation.models import Town
from organisation.scoping import towns_for
from projects.models import IndustrialPark, IndustryProject
from projects.permissions import projects_scope
from projects.selectors.rights import with_active_encumbrances

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Point 1: "三年内每个镇街道建有1处扶贫产业园" — one poverty-alleviation industrial park in every town and street
# within the three years of the 2018 work plan, that is by the end of 2020.
PARK_TARGET_YEAR = 2020
PARK_TARGET_DATE = dt.date(PARK_TARGET_YEAR, 12, 31)


class WithProjectCount(TypedDict):
    project_count: int


@dataclass(frozen=True)
class TownParks:
    town: Town
    parks: list["WithAnnotations[IndustrialPark, WithProjectCount]"]

    @property
    def has_park(self) -> bool:
        return bool(self.parks)

    @property
    def project_count(self) -> int:
        return sum(park.project_count for park in self.parks)


@dataclass(frozen=True)
class ParkOverview:
    as_of: dt.date
    rows: list[TownParks]
    towns_without: list[Town]
    target_year: int = PARK_TARGET_YEAR

    @property
    def target_date(self) -> dt.date:
        return PARK_TARGET_DATE

    @property
    def past_target(self) -> bool:
        """The target date has passed: a town without a park has missed it."""
        return self.as_of > PARK_TARGET_DATE


def parks_by_town(user: Actor, as_of: dt.date, town: Town | None = None) -> ParkOverview:
    """Each town the user reaches (or only ``town``) with its parks established by ``as_of`` and their number of
    projects, and the towns with no park yet (two queries whatever the number of towns and parks)."""
    parks = (
        projects_scope(user, queryset=IndustrialPark.objects.filter(established_on__lte=as_of))
        .annotate(project_count=Count("projects"))
        .order_by("established_on", "name")
    )
    towns = towns_for(user)
    if town is not None:
        towns = towns.filter(pk=town.pk)
    towns = towns.order_by("code").prefetch_related(Prefetch("industrial_parks", queryset=parks, to_attr="parks"))
    # django-stubs types a Prefetch's to_attr list by the model alone, without the queryset's annotations.
    rows = [TownParks(town=town, parks=town.parks) for town in towns]  # type: ignore[arg-type]
    return ParkOverview(as_of=as_of, rows=rows, towns_without=[row.town for row in rows if not row.has_park])


def park_projects(user: Actor, park: IndustrialPark) -> QuerySet[IndustryProject]:
    """The projects of a park the user sees, with their mortgage or guarantee warnings."""
    projects = projects_scope(user).filter(park=park).select_related("town")
    return with_active_encumbrances(projects).order_by("code")


def parks_for_project(user: Actor, project: IndustryProject) -> QuerySet[IndustrialPark]:
    """The parks a project may join: those of its own town."""
    return projects_scope(user, queryset=IndustrialPark.objects.filter(town_id=project.town_id)).order_by("name")
