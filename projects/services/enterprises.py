"""Enterprises, assistance agreements and the blacklist (point 4)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.models import BlacklistEntry, Enterprise


def enterprise_refuse_if_blacklisted(*, enterprise: Enterprise | None, field: str) -> None:
    """A blacklisted enterprise is not named as operator of a new project or party to a new agreement."""
    if enterprise is None:
        return
    entry = BlacklistEntry.objects.filter(enterprise=enterprise, lifted_on__isnull=True).first()
    if entry is not None:
        raise ValidationError(
            {
                field: _("%(enterprise)s is on the blacklist since %(date)s (%(reason)s) and cannot be chosen.")
                % {"enterprise": enterprise.name, "date": entry.decided_on, "reason": entry.reason}
            }
        )
