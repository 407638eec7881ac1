"""Point 16, 社会力量参与: the register of social forces (organisations, enterprises, individuals), and what each
gave where: money, goods in kind with their value, volunteer hours, to a town, one of its villages or a project."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.scoping import Access
from organisation.validation import date_check, role_require, text_required
from partners.choices import ContributionKind, ForceKind
from partners.models import Contribution, SocialForce
from partners.permissions import FORCE_REGISTRARS, VILLAGE_RECORDERS, partners_scope
from projects.models import IndustryProject
from projects.permissions import projects_scope


@transaction.atomic
def social_force_add(*, user: User, name: str, kind: str, contact: str = "", phone: str = "") -> SocialForce:
    """A social force joins the district's register (its contact kept private)."""
    role_require(user, FORCE_REGISTRARS, _("The district office and town staff register social forces."))
    name = text_required(name, "name", _("Give the name."))
    if kind not in ForceKind.values:
        raise ValidationError({"kind": _("Choose the kind.")})
    if SocialForce.objects.filter(name=name, kind=kind).exists():
        raise ValidationError({"name": _("This social force is already on the register.")})
    return SocialForce.objects.create(
        name=name, kind=kind, contact=(contact or "").strip(), phone=(phone or "").strip(), recorded_by=user
    )


@transaction.atomic
def contribution_record(
    *,
    user: User,
    force: SocialForce,
    kind: str,
    given_on: dt.date,
    town: Town,
    village: Village | None = None,
    project: IndustryProject | None = None,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    description: str = "",
) -> Contribution:
    """What the social force gave, where: a donation of money, goods in kind (what, and their value) or volunteer
    hours, to the town (or one of its villages, or one of its projects)."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record contributions."))
    force = locked_in_reach(partners_scope, user, force, access=Access.VIEW)
    if town is None:
        raise ValidationError({"town": _("Choose the town.")})
    town = locked_in_reach(partners_scope, user, town)
    if village is not None:
        village = locked_in_reach(partners_scope, user, village)
        if village.town_id != town.pk:
            raise ValidationError({"village": _("The village is not in the town chosen.")})
    if project is not None:
        project = locked_in_reach(projects_scope, user, project, access=Access.VIEW)
        if project.town_id != town.pk:
            raise ValidationError({"project": _("The project is not in the town chosen.")})
    given_on = date_check(given_on, "given_on")
    description = (description or "").strip()
    if kind in (ContributionKind.MONEY, ContributionKind.GOODS):
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("Give the amount or value in yuan, more than zero.")})
        if kind == ContributionKind.GOODS:
            description = text_required(description, "description", _("Say which goods were given."))
        hours = None
    elif kind == ContributionKind.HOURS:
        if hours is None or hours <= 0:
            raise ValidationError({"hours": _("Give the volunteer hours, more than zero.")})
        amount = None
    else:
        raise ValidationError({"kind": _("Choose what was given.")})
    return Contribution.objects.create(
        force=force,
        kind=kind,
        given_on=given_on,
        town=town,
        village=village,
        project=project,
        amount=amount,
        hours=hours,
        description=description,
        recorded_by=user,
    )
