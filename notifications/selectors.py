from django.db.models import Q, QuerySet

from notifications.models import Notification
from notifications.permissions import notifications_scope
from organisation.actors import Actor


def notification_search(*, user: Actor, query: str = "", unread_only: bool = False) -> QuerySet[Notification]:
    notices = notifications_scope(user)
    if query:
        notices = notices.filter(Q(subject__icontains=query) | Q(body__icontains=query))
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices


def unread_count(*, user: Actor) -> int:
    return notifications_scope(user).filter(read_at__isnull=True).count()
