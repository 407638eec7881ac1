"""Import of an inspection's or audit's list of problems from Excel into the ledger, all or nothing.

The district office or the audit post uploads the list (``ledger_import_upload``); a Celery task
(``audits.tasks.check_ledger_import``) checks every row in the background (``ledger_import_check``) and stores every
problem, which the import's page lists. Only a list without problems can be confirmed (``ledger_import_confirm``):
its rows are checked again at that moment (a town or village may have changed) and every item is written in one
transaction, numbered in one take of the year's counter. The sheet's columns and rules are ``audits.importing``.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits import importing
from audits.models import AuditEngagement, LedgerImport, RectificationItem
from audits.numbering import ITEM, numbers_take
from audits.permissions import LEDGER_IMPORTERS, audits_scope
from history.context import history_context
from households.models import ImportStatus
from households.sheet_reader import SheetRejected, sheet_opened, sheet_upload_check
from jobs.heartbeat import stale_handler
from organisation.enqueue import enqueue, waiting_message, waiting_resender
from organisation.locking import locked_in_reach
from organisation.scoping import Access
from organisation.validation import role_require
from organisation.workdays import WorkingCalendar

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FINISHED = (ImportStatus.REJECTED, ImportStatus.IMPORTED, ImportStatus.FAILED)
# The lease (jobs.heartbeat) the check holds while it runs.
LEDGER_IMPORT_LEASE = "audits.ledger_import"


@transaction.atomic
def ledger_import_upload(
    *, user: User, upload, engagement: AuditEngagement | None = None, language: str | None = None
) -> LedgerImport:
    """Keep the uploaded list as a new import and have it checked in the background."""
    role_require(user, LEDGER_IMPORTERS)
    if engagement is not None:
        engagement = locked_in_reach(audits_scope, user, engagement, access=Access.VIEW)
    sheet_upload_check(upload, max_bytes=MAX_UPLOAD_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = LedgerImport.objects.create(
        uploaded_by=user,
        engagement=engagement,
        file=upload,
        original_name=(upload.name or "")[-200:],
        sha256=digest.hexdigest(),
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    _check_enqueue(job.pk)
    return job


def _check_enqueue(job_id: int) -> None:
    transaction.on_commit(lambda: _check_send(job_id))


def _check_send(job_id: int) -> bool:
    """Send the check; a broker that refuses it leaves the job uploaded, its ``failure`` saying that it waits for the
    job service (``ledger_imports_resend`` sends it again)."""
    from audits.tasks import check_ledger_import  # audits.tasks imports this module

    def waiting(message: str) -> None:
        LedgerImport.objects.filter(pk=job_id, status=ImportStatus.UPLOADED).update(failure=message)

    return enqueue(check_ledger_import, args=[job_id], on_refused=waiting, **_queue_options())


@waiting_resender("audits.imports")
def ledger_imports_resend() -> int:
    """Send again the checks the job service could not take; how many were sent."""
    waiting = LedgerImport.objects.filter(status=ImportStatus.UPLOADED, failure=waiting_message())
    job_ids = list(waiting.values_list("pk", flat=True))
    LedgerImport.objects.filter(pk__in=job_ids).update(failure="")
    return sum(_check_send(job_id) for job_id in job_ids)


@stale_handler(LEDGER_IMPORT_LEASE)
def ledger_import_stopped(job_id: int) -> None:
    """The worker checking the list died (no heartbeat for minutes): the import is failed with its file kept, and
    its page offers to check it again (``ledger_import_retry``) without uploading it again. Not sent again by itself:
    a sheet that exhausts a worker's memory would kill the next worker too."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "The worker checking this list stopped before it was done (it was killed or its machine was lost). "
            "The file is kept: retry it."
        )
    LedgerImport.objects.filter(pk=job_id, status__in=(ImportStatus.UPLOADED, ImportStatus.CHECKING)).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now()
    )


def ledger_import_retryable(job: LedgerImport) -> bool:
    """A failed import whose file is still there (its check's worker died): every other end deletes the file."""
    return job.status == ImportStatus.FAILED and bool(job.file.name) and job.file.storage.exists(job.file.name)


@transaction.atomic
def ledger_import_retry(*, user: User, job: LedgerImport) -> LedgerImport:
    """Check again, with the file already uploaded, an import whose worker died."""
    role_require(user, LEDGER_IMPORTERS)
    job = locked_in_reach(audits_scope, user, job)
    if not ledger_import_retryable(job):
        raise ValidationError(_("Only an import whose worker stopped can be retried."))
    LedgerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.UPLOADED, failure="", finished_at=None, rows_done=0, error_count=0, errors=[]
    )
    _check_enqueue(job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def ledger_import_confirm(*, user: User, job: LedgerImport) -> LedgerImport:
    """Write every row of a checked list without problems as a ledger item, in this one transaction. The rows are
    checked again first: if one no longer fits, nothing is written and the import lists the problems as they are
    now (status rejected)."""
    role_require(user, LEDGER_IMPORTERS)
    job = locked_in_reach(audits_scope, user, job)
    if job.status != ImportStatus.CHECKED or job.error_count:
        raise ValidationError(_("Only a checked file without problems can be imported."))
    with translation.override(job.language):
        try:
            with sheet_opened(job.file) as opener, opener() as upload:
                outcome = importing.sheet_check(upload)
        except SheetRejected as rejected:
            return _rejected(job, importing.rejected_problems(rejected))
    if outcome.problems:
        return _rejected(job, outcome.problems)
    today = timezone.localdate()
    calendar = WorkingCalendar.load()
    numbers = numbers_take(kind=ITEM, year=today.year, count=len(outcome.rows))
    items = []
    for row, sequence in zip(outcome.rows, numbers, strict=True):
        item = RectificationItem(
            year=today.year,
            sequence=sequence,
            source=row.source,
            source_reference=row.source_reference,
            category=row.category,
            town=row.town,
            village=row.village,
            description=row.description,
            responsible_unit=row.responsible_unit,
            responsible_person=row.responsible_person,
            time_limit_working_days=row.time_limit_working_days,
            raised_by=user,
            engagement_id=job.engagement_id,
            clock_start=today,
        )
        item.refresh_due(calendar)
        items.append(item)
    with history_context(ledger_import=job.pk, import_file=job.original_name, user=user.pk):
        RectificationItem.objects.bulk_create(items)
    return _finish(
        job,
        ImportStatus.IMPORTED,
        confirmed_by=user,
        items_created=len(items),
        rows_done=len(items),
        rows_total=len(items),
    )


def ledger_import_check(*, job_id: int) -> LedgerImport:
    """The dry run: every row checked, every problem stored; the import ends checked or rejected."""
    job = LedgerImport.objects.get(pk=job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKING):
        return job
    LedgerImport.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, rows_done=0, errors=[])
    with translation.override(job.language):
        try:
            with sheet_opened(job.file) as opener, opener() as upload:
                outcome = importing.sheet_check(upload, on_progress=_progress(job.pk))
        except SheetRejected as rejected:
            return _rejected(job, importing.rejected_problems(rejected))
        except Exception as error:
            logger.exception("Checking ledger import %s failed", job.pk)
            return _finish(job, ImportStatus.FAILED, failure=_("The check stopped: %(error)s") % {"error": error})
    if outcome.problems:
        return _rejected(job, outcome.problems, rows=outcome.row_count)
    return _finish(job, ImportStatus.CHECKED, rows_done=len(outcome.rows), rows_total=len(outcome.rows))


def _queue_options() -> dict:
    queue = getattr(settings, "AUDITS_IMPORT_QUEUE", None)
    return {"queue": queue} if queue else {}


def _progress(job_id: int):
    def report(done: int, total: int | None) -> None:
        LedgerImport.objects.filter(pk=job_id).update(rows_done=done, rows_total=max(total or 0, done))

    return report


def _rejected(job: LedgerImport, problems: list[importing.Problem], *, rows: int | None = None) -> LedgerImport:
    fields = {
        "error_count": len(problems),
        "errors": [problem.as_dict() for problem in problems[: importing.MAX_ERRORS_STORED]],
    }
    if rows is not None:
        fields.update(rows_done=rows, rows_total=rows)
    return _finish(job, ImportStatus.REJECTED, **fields)


def _finish(job: LedgerImport, status: ImportStatus, **fields) -> LedgerImport:
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    if "failure" in fields:
        fields["failure"] = str(fields["failure"])[:2000]
    LedgerImport.objects.filter(pk=job.pk).update(**fields)
    if status in FINISHED and job.file.name:
        # The list names responsible people: once the import is over the file is not kept (its SHA-256 is).
        name, storage = job.file.name, job.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    job.refresh_from_db()
    return job
