from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import ListView, View

from notifications.permissions import notifications_scope
from notifications.selectors import notification_search
from notifications.services import notification_mark_read
from organisation.access import ScopedMixin
from organisation.sorting import SortableListMixin, SortColumn

PAGE_SIZE = 25


class NotificationListView(SortableListMixin, ScopedMixin, ListView):
    scope = staticmethod(notifications_scope)
    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("created_at", ("created_at",)),
        SortColumn("subject", ("subject",)),
        SortColumn("read_at", ("read_at",)),
    )
    template_name = "notifications/notification_list.html"

    def get_queryset(self):
        return self.sorting.apply(
            notification_search(
                user=self.request.user,
                query=self.request.GET.get("q", "").strip(),
                unread_only=self.request.GET.get("unread") == "1",
            )
        )


class NotificationOpenView(ScopedMixin, View):
    """Following a notice marks it read and goes to what it is about."""

    scope = staticmethod(notifications_scope)

    def post(self, request, pk):
        notice = get_object_or_404(self.get_queryset(), pk=pk)
        notification_mark_read(user=request.user, notification_ids=[notice.pk])
        if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(notice.url)
        return HttpResponseRedirect(reverse("notifications:list"))


class NotificationReadAllView(ScopedMixin, View):
    scope = staticmethod(notifications_scope)

    def post(self, request):
        notification_mark_read(user=request.user)
        return HttpResponseRedirect(reverse("notifications:list"))
