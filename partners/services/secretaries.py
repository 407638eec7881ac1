"""Point 15, 第一书记抓党建促脱贫: first secretaries sent to poor villages and their village work teams.

A village has at most one serving first secretary on any day. The database holds it (the exclusion constraint
``partners_secretary_one_per_village``); the service locks the village's row first, so two appointments to the same
village at the same moment run one after the other and the second is refused with the first one's name.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.models import Village
from organisation.validation import role_require, text_required
from partners.models import FirstSecretary, WorkTeamMember
from partners.permissions import VILLAGE_RECORDERS, partners_scope

ONE_PER_VILLAGE = "partners_secretary_one_per_village"


@transaction.atomic
def secretary_appoint(
    *,
    user: User,
    village: Village,
    name: str,
    unit: str,
    post: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    phone: str = "",
) -> FirstSecretary:
    """A first secretary serves the village from ``starts_on`` (to ``ends_on``, if the term is known)."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record first secretaries."))
    village = locked_in_reach(partners_scope, user, village)
    name = text_required(name, "name", _("Give the first secretary's name."))
    unit = text_required(unit, "unit", _("Give the unit that sends the first secretary."))
    post = text_required(post, "post", _("Give the first secretary's post in that unit."))
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the day the first secretary starts.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The term cannot end before it starts.")})
    serving = FirstSecretary.objects.filter(village=village).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        serving = serving.filter(starts_on__lte=ends_on)
    if other := serving.first():
        raise ValidationError({"starts_on": _serving_message(other)})
    try:
        with transaction.atomic():
            return FirstSecretary.objects.create(
                village=village,
                name=name,
                unit=unit,
                post=post,
                phone=(phone or "").strip(),
                starts_on=starts_on,
                ends_on=ends_on,
                recorded_by=user,
            )
    except IntegrityError as error:
        if ONE_PER_VILLAGE not in str(error):
            raise
        raise ValidationError(
            {"starts_on": _("The village already has a serving first secretary at that time.")}
        ) from error


def _serving_message(other: FirstSecretary) -> str:
    until = other.ends_on.isoformat() if other.ends_on else _("now")
    return _(
        "The village already has a serving first secretary at that time: %(name)s, from %(start)s to %(end)s. "
        "End that term first."
    ) % {"name": other.name, "start": other.starts_on.isoformat(), "end": until}


@transaction.atomic
def secretary_term_end(*, user: User, secretary: FirstSecretary, ends_on: dt.date) -> FirstSecretary:
    """The first secretary's term ends on ``ends_on`` (the village may then have the next one)."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record first secretaries."))
    secretary = locked_in_reach(partners_scope, user, secretary)
    if ends_on is None:
        raise ValidationError({"ends_on": _("Give the day the term ends.")})
    if ends_on < secretary.starts_on:
        raise ValidationError({"ends_on": _("The term cannot end before it starts.")})
    if secretary.ends_on is not None and ends_on > secretary.ends_on:
        raise ValidationError({"ends_on": _("A term can be shortened here, not extended.")})
    secretary.ends_on = ends_on
    secretary.save(update_fields=["ends_on"])
    return secretary


@transaction.atomic
def team_member_add(
    *, user: User, secretary: FirstSecretary, name: str, unit: str, post: str = "", phone: str = ""
) -> WorkTeamMember:
    """A member joins the village work team the first secretary leads."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record village work teams."))
    secretary = locked_in_reach(partners_scope, user, secretary)
    return WorkTeamMember.objects.create(
        secretary=secretary,
        name=text_required(name, "name", _("Give the member's name.")),
        unit=text_required(unit, "unit", _("Give the member's unit.")),
        post=(post or "").strip(),
        phone=(phone or "").strip(),
    )
