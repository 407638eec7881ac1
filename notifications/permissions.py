"""Who may see which notices: the notifications app's one scope function."""

from django.db.models import QuerySet

from notifications.models import Notification
from organisation.actors import Actor
from organisation.scoping import Access


def notifications_scope(user: Actor, access: Access = Access.VIEW) -> QuerySet[Notification]:
    """A user's own notices, and nobody else's (whatever the role)."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)
