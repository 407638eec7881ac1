from django.db import models
from django.utils.translation import gettext_lazy as _
import pgtrigger


class Seal(models.Model):
    """One link of the hash chain: the digest of one history event and of the link before it.

    Written only by the ``seal`` trigger that every tracked event table carries.
    """

    event_table = models.CharField(_("event table"), max_length=63)
    event_id = models.BigIntegerField(_("event id"))
    prev_digest = models.CharField(_("previous digest"), max_length=64, null=True)
    digest = models.CharField(_("digest"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"))

    class Meta:
        verbose_name = _("history seal")
        verbose_name_plural = _("history seals")
        constraints = [
            models.UniqueConstraint(fields=["event_table", "event_id"], name="history_seal_unique_event"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.event_table}#{self.event_id}"
