from django.db.models import Q, QuerySet

from notifications.models import Notification
from organisation.scoping import Access


def notifications_scope(user, access: Access = Access.VIEW) -> QuerySet[Notification]:
    """A user's own notices, and nobody else's (whatever the role)."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def notification_search(*, user, query: str = "", unread_only: bool = False) -> QuerySet[Notification]:
    notices = notifications_scope(user)
    if query:
        notices = notices.filter(Q(subject__icontains=query) | Q(body__icontains=query))
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices


def unread_count(*, user) -> int:
    return notifications_scope(user).filter(read_at__isnull=True).count()
