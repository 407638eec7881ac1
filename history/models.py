import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, JSONField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from history.tracking import seal_trigger


def _events_covered():
    # A scheme-1 seal covers one event and has no event_ids (NULL).
    return Coalesce(Func(F("event_ids"), function="cardinality", output_field=models.IntegerField()), Value(1))


class SealQuerySet(models.QuerySet):
    def with_event_total(self):
        """Each seal with ``event_total``, the number of history events it covers."""
        return self.annotate(event_total=_events_covered())

    def event_count(self) -> int:
        """How many history events these seals cover."""
        return self.aggregate(events=Coalesce(Sum(_events_covered()), Value(0)))["events"]


class Seal(models.Model):
    """One link of the hash chain: the digest of the history events one statement wrote, and of the link before.

    Written only by the ``seal`` trigger that every tracked event table carries, through
    ``history_seal_events()`` (history/migrations/0003).
    """

    class Scheme(models.IntegerChoices):
        # Seals written before 0003: digest = history_digest(prev_digest, event_table, payload of event_id).
        EVENT = 1, _("one event per seal")
        # digest = history_statement_digest(prev_digest, event_table, event_digests), and each event's
        # digest is kept, so verify_history can tell which event of the statement was changed.
        STATEMENT = 2, _("one statement per seal")

    event_table = models.CharField(_("event table"), max_length=63)
    scheme = models.PositiveSmallIntegerField(_("sealing scheme"), choices=Scheme.choices)
    event_id = models.BigIntegerField(_("event id"), null=True, blank=True)
    # In pgh_id order, each event's sha256 at the same position as its id.
    event_ids = ArrayField(models.BigIntegerField(), verbose_name=_("event ids"), null=True, blank=True)
    event_digests = ArrayField(models.BinaryField(), verbose_name=_("event digests"), null=True, blank=True)
    # The events' columns when they were sealed: a column added to the history table later does not
    # change what an old entry's digest covers, and dropping a sealed column is reported.
    columns = ArrayField(models.CharField(max_length=63), verbose_name=_("sealed columns"))
    # NULL, not "", on the first seal: the trigger and the digest functions treat "no previous seal" as NULL.
    prev_digest = models.CharField(_("previous digest"), max_length=64, null=True)  # noqa: DJ001
    digest = models.CharField(_("digest"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"))

    objects = SealQuerySet.as_manager()

    class Meta:
        verbose_name = _("history seal")
        verbose_name_plural = _("history seals")
        constraints = [
            models.UniqueConstraint(
                fields=["event_table", "event_id"], condition=Q(scheme=1), name="history_seal_unique_event"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scheme=1, event_id__isnull=False, event_ids__isnull=True, event_digests__isnull=True)
                    | Q(
                        scheme=2,
                        event_id__isnull=True,
                        # Explicit: a CHECK passes when its expression is NULL, as the lengths of NULL arrays are.
                        event_ids__isnull=False,
                        event_digests__isnull=False,
                        event_ids__len__gt=0,
                        event_digests__len=F("event_ids__len"),
                    )
                ),
                name="history_seal_scheme_shape",
            ),
        ]
        # verify_history looks up each event table's seals: scheme 1 through the unique index above.
        indexes = [
            models.Index(fields=["event_table"], condition=Q(scheme=2), name="history_seal_statement_table"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"#{self.pk} {self.event_table}"


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


class BulkEvent(models.Model):
    """One sealed history event for a whole bulk write (a household import job), instead of one event per row.

    Written only by ``history.bulk.bulk_event``: while it is open, the history triggers of the models it writes
    (those tracked with ``track_history(bulk=True)``) record nothing for the service's own statements; on closing,
    it is inserted here, sealed into the hash chain by its ``seal`` trigger like any event, and ``covers`` lists
    exactly the rows it stands for: ``{table: {"columns": [...], "ids": [...], "rows": [...], "created": [...],
    "digests": [...]}}``, in id order: each row's row in the source file, whether it was inserted, and the sha256 of
    its values in ``columns`` as written (``history.bulk.row_digest_sql``).
    verify_history checks the file against ``file_sha256`` and every covered row against its digest.
    """

    # Named like an event table's key: the seal trigger and verify_history read pgh_id.
    pgh_id = models.BigAutoField(primary_key=True)
    pgh_created_at = models.DateTimeField(_("created at"))
    kind = models.CharField(_("kind"), max_length=30)
    # The import job; none for a scan.
    job_id = models.BigIntegerField(_("job"), null=True, blank=True)
    file_name = models.CharField(_("stored file"), max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    staged_sha256 = models.CharField(_("staged rows SHA-256"), max_length=64, blank=True)
    user_id = models.BigIntegerField(_("user"), null=True, blank=True)
    covers = models.JSONField(_("rows covered"), default=dict)

    class Meta:
        verbose_name = _("bulk history event")
        verbose_name_plural = _("bulk history events")
        indexes = [
            models.Index(fields=["kind", "job_id"], name="history_bulk_kind_job"),
            # The History tab finds the events covering an object with history_bulk_ids(covers) @> {table: {"ids":
            # [id]}}: only the ids are indexed (history/migrations/0006), not the rows, flags and digests beside
            # them, which tripled the index's cost to the import that writes the event.
            GinIndex(
                OpClass(
                    Func(F("covers"), function="history_bulk_ids", output_field=JSONField()), name="jsonb_path_ops"
                ),
                name="history_bulk_ids",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            seal_trigger(),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.job_id}"
