"""Checks every domain's services make on their input, with the same words everywhere.

Each raises ``ValidationError`` keyed by the form field (shown beside it) or ``PermissionDenied``.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.actors import Actor
from organisation.roles import Role
from organisation.scoping import may_act


def role_require(user: Actor, roles: frozenset[Role], message: str | None = None) -> None:
    """The user's role does this step (reach is the scope's business)."""
    if not may_act(user, roles):
        raise PermissionDenied(message or _("Your post does not do this step."))


def date_check(
    value: dt.date | None,
    field: str,
    *,
    after: tuple[str, dt.date | None] | None = None,
    missing: str | None = None,
) -> dt.date:
    """The day a step happened: given, not later than today (Beijing), and (``after`` = (what, date)) not
    before the step it follows."""
    if value is None:
        raise ValidationError({field: missing or _("Give the date.")})
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: _("The date cannot be later than today (%(today)s).") % {"today": today}})
    if after is not None and after[1] is not None and value < after[1]:
        message = _("The date cannot be earlier than %(label)s (%(date)s).") % {"label": after[0], "date": after[1]}
        raise ValidationError({field: message})
    return value


def text_required(value: str | None, field: str, message: str) -> str:
    """The text, stripped; ``message`` on the field when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
