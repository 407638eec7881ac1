"""Loading the record a write changes: in the user's reach, and locked until the transaction ends.

Every write service of every app loads the record it changes with :func:`locked_in_reach` and its app's one scope
function, so the reach check and the row lock are one query, made the same way everywhere. The role a step needs is
checked before it, with ``organisation.validation.role_require``.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from organisation.actors import Actor
from organisation.scoping import Access

R = TypeVar("R", bound=Model)


def locked_in_reach(
    scope: Callable[[Actor, Access, QuerySet[R]], QuerySet[R]],
    user: Actor,
    record: R,
    *,
    access: Access = Access.CHANGE,
    message: str | Promise | None = None,
) -> R:
    """``record`` read again and locked (``SELECT ... FOR UPDATE OF`` its own row, not the rows the scope joins),
    if ``scope(user, access, queryset)`` gives it to ``user``; ``PermissionDenied`` with ``message`` otherwise.

    Call it inside the write's transaction: the lock is held until that transaction ends.
    """
    rows = type(record)._default_manager.select_for_update(of=("self",)).filter(pk=record.pk)
    locked = scope(user, access, rows).first()
    if locked is None:
        raise PermissionDenied(message or _("This record is outside the towns and villages you work for."))
    return locked
