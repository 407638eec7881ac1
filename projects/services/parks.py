"""Poverty-alleviation industrial parks (point 1): each town's parks and the projects in them.

A park is kept by the staff of its town or by the district office; a project joins a park of its own town.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.models import Town
from organisation.scoping import Access, towns_for
from organisation.validation import date_check, role_require
from projects.models import IndustrialPark, IndustryProject
from projects.permissions import DISTRICT_DECIDERS, PARK_KEEPERS, PROJECT_OUT_OF_REACH, projects_scope


def _check(*, town: Town, name: str, established_on: dt.date, area_mu: Decimal | None, park=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the park's name.")})
    date_check(established_on, "established_on")
    if area_mu is not None and area_mu <= 0:
        raise ValidationError({"area_mu": _("The area must be greater than zero.")})
    others = IndustrialPark.objects.filter(town=town, name=name)
    if park is not None:
        others = others.exclude(pk=park.pk)
    if others.exists():
        raise ValidationError(
            {"name": _("%(town)s already has a park named %(name)s.") % {"town": town, "name": name}}
        )
    return name


@transaction.atomic
def park_create(
    *,
    user: User,
    town: Town,
    name: str,
    established_on: dt.date,
    area_mu: Decimal | None = None,
    leading_industry: str = "",
    note: str = "",
) -> IndustrialPark:
    role_require(user, PARK_KEEPERS)
    if town is None:
        raise ValidationError({"town": _("Choose the park's town.")})
    if not towns_for(user, Access.CHANGE, DISTRICT_DECIDERS).filter(pk=town.pk).exists():
        raise PermissionDenied(_("%(town)s is not a town you work for.") % {"town": town})
    name = _check(town=town, name=name, established_on=established_on, area_mu=area_mu)
    return IndustrialPark.objects.create(
        town=town,
        name=name,
        established_on=established_on,
        area_mu=area_mu,
        leading_industry=(leading_industry or "").strip(),
        note=(note or "").strip(),
    )


@transaction.atomic
def park_update(
    *,
    user: User,
    park: IndustrialPark,
    name: str,
    established_on: dt.date,
    area_mu: Decimal | None = None,
    leading_industry: str = "",
    note: str = "",
) -> IndustrialPark:
    """Change a park's details; its town stays (its projects are of that town)."""
    role_require(user, PARK_KEEPERS)
    park = locked_in_reach(projects_scope, user, park, message=_("This park is outside the towns you work for."))
    park.name = _check(town=park.town, name=name, established_on=established_on, area_mu=area_mu, park=park)
    park.established_on, park.area_mu = established_on, area_mu
    park.leading_industry, park.note = (leading_industry or "").strip(), (note or "").strip()
    park.save()
    return park


@transaction.atomic
def project_assign_park(*, user: User, project: IndustryProject, park: IndustrialPark | None) -> IndustryProject:
    """Put a project in a park of its own town (``park=None`` takes it out)."""
    role_require(user, PARK_KEEPERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if park is not None and park.town_id != project.town_id:
        raise ValidationError(
            {
                "park": _("%(park)s is a park of %(town)s, not of the project's town.")
                % {"park": park, "town": park.town}
            }
        )
    project.park = park
    project.save(update_fields=["park"])
    return project
