import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Seal(models.Model):
    """One link of the hash chain: the digest of one history event and of the link before it.

    Written only by the ``seal`` trigger that every tracked event table carries.
    """

    event_table = models.CharField(_("event table"), max_length=63)
    event_id = models.BigIntegerField(_("event id"))
    # The event's columns when it was sealed: a column added to the history table later does not
    # change what an old entry's digest covers, and dropping a sealed column is reported.
    columns = ArrayField(models.CharField(max_length=63), verbose_name=_("sealed columns"))
    # NULL, not "", on the first seal: the trigger and history_digest treat "no previous seal" as NULL.
    prev_digest = models.CharField(_("previous digest"), max_length=64, null=True)  # noqa: DJ001
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


class Checkpoint(models.Model):
    """The chain head at one moment, signed with a key only the application holds.

    Anyone with raw database access could rewrite an event and recompute every seal after it with
    ``history_digest``; they cannot recompute the signature, so every checkpoint before the rewrite
    stops matching its seal.
    """

    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="checkpoint", verbose_name=_("seal"))
    digest = models.CharField(_("digest"), max_length=64)
    signature = models.CharField(_("signature (HMAC-SHA256)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("history checkpoint")
        verbose_name_plural = _("history checkpoints")
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.seal_id}:{self.digest}"
