"""Point 17, 扶贫荣誉制度: the 10.17 Poverty Alleviation Day activities of each year, and commendations of people,
enterprises and organisations: nominated by the district office or a town, approved by the district office, and
published on the public page once approved."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.validation import date_check, role_require, text_required
from partners.choices import CommendationStatus, ForceKind
from partners.models import Commendation, PovertyDayActivity
from partners.permissions import COMMENDATION_APPROVERS, HONOURS_KEEPERS, NOMINATORS, partners_scope


@transaction.atomic
def poverty_day_activity_add(
    *,
    user: User,
    title: str,
    held_on: dt.date,
    organiser: str,
    description: str = "",
    participants: int = 0,
) -> PovertyDayActivity:
    """An activity of the year's 10.17 Poverty Alleviation Day series (the year is the day's)."""
    role_require(user, HONOURS_KEEPERS, _("The district office records the Poverty Alleviation Day activities."))
    held_on = date_check(held_on, "held_on")
    if participants is not None and participants < 0:
        raise ValidationError({"participants": _("The number of participants cannot be negative.")})
    return PovertyDayActivity.objects.create(
        year=held_on.year,
        title=text_required(title, "title", _("Give the activity a title.")),
        held_on=held_on,
        organiser=text_required(organiser, "organiser", _("Name the organiser.")),
        description=(description or "").strip(),
        participants=participants or 0,
        recorded_by=user,
    )


@transaction.atomic
def commendation_nominate(
    *, user: User, year: int, nominee_kind: str, nominee: str, reason: str, nominated_by: str
) -> Commendation:
    """A person, enterprise or organisation is nominated for a commendation; the district office decides."""
    role_require(user, NOMINATORS, _("The district office and town staff nominate for commendations."))
    if nominee_kind not in ForceKind.values:
        raise ValidationError(
            {"nominee_kind": _("Choose whether the nominee is a person, enterprise or organisation.")}
        )
    if not 2014 <= (year or 0) <= timezone.localdate().year:
        raise ValidationError({"year": _("Give the year of the contribution commended.")})
    return Commendation.objects.create(
        year=year,
        nominee_kind=nominee_kind,
        nominee=text_required(nominee, "nominee", _("Name the nominee.")),
        reason=text_required(reason, "reason", _("Give the reason for the commendation.")),
        nominated_by=text_required(nominated_by, "nominated_by", _("Say who nominates.")),
        recorded_by=user,
    )


@transaction.atomic
def commendation_decide(*, user: User, commendation: Commendation, approve: bool) -> Commendation:
    """The district office approves the nomination (it is then published) or rejects it."""
    role_require(user, COMMENDATION_APPROVERS, _("The district office approves commendations."))
    commendation = locked_in_reach(partners_scope, user, commendation)
    if commendation.status != CommendationStatus.NOMINATED:
        raise ValidationError(_("This nomination has already been decided."))
    commendation.status = CommendationStatus.APPROVED if approve else CommendationStatus.REJECTED
    commendation.decided_by = user
    commendation.decided_on = timezone.localdate()
    commendation.save(update_fields=["status", "decided_by", "decided_on"])
    return commendation
