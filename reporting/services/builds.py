"""A user's request to compute a month's figures now, instead of waiting for the nightly job."""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.enqueue import enqueue_on_commit
from organisation.periods import month_start
from organisation.validation import role_require
from reporting.permissions import FIGURES_BUILDERS


def figures_build_request(
    *,
    user: User,
    month: dt.date,
    on_sent: Callable[[], None] | None = None,
    on_refused: Callable[[str], None] | None = None,
) -> None:
    """ "Compute now": check the month (not a future one), then queue its build once the request's transaction
    commits; the dashboard shows the figures when the worker is done."""
    role_require(user, FIGURES_BUILDERS)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError({"month": _("The figures of a month to come cannot be computed.")})
    # Imported here: the task module imports the services.
    from reporting.tasks import build_figures_of_month

    argument = month.isoformat()
    enqueue_on_commit(build_figures_of_month, kwargs={"month": argument}, on_sent=on_sent, on_refused=on_refused)
