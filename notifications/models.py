"""Messages the application sends to its users: in the app (a list with an unread count) and by e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    # What the notice is about, stable across runs ("funds.transfer.overdue:42"): one notice per
    # recipient and key, so a job that runs twice cannot notify twice.
    key = models.CharField(_("key"), max_length=150)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Key first: a batch of notices looks up the keys already sent (``notices_send``).
            models.UniqueConstraint(fields=["key", "recipient"], name="notification_once_per_key_and_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return self.subject
