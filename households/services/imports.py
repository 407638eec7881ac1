"""Excel imports of households and members: upload, background check, confirmation, background write.

The rules of the sheet and the fast pipeline are in ``households.importing``; this module keeps the
job's states and who may move it. Tasks (``households.tasks``) take a job id and call
``import_job_check`` or ``import_job_write``; the queue is ``settings.HOUSEHOLD_IMPORT_QUEUE`` when set
(tests give each run a private one), Celery's default otherwise.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households import importing
from households.models import ImportJob, ImportRowError, ImportStatus
from households.permissions import HOUSEHOLD_KEEPERS, households_scope
from households.sheet_reader import sheet_upload_check
from jobs.heartbeat import stale_handler
from organisation.actors import Actor
from organisation.enqueue import enqueue, waiting_message, waiting_resender
from organisation.models import Town
from organisation.scoping import Access, towns_for
from organisation.validation import role_require

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
FINISHED = (ImportStatus.REJECTED, ImportStatus.IMPORTED, ImportStatus.FAILED)
RUNNING_STATES = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING)
# The states a job is sent to the workers in: checked once uploaded, written once confirmed.
WAITING_STATES = (ImportStatus.UPLOADED, ImportStatus.IMPORTING)
# The lease (jobs.heartbeat) the tasks hold while they check or write a job.
IMPORT_LEASE = "households.import"


def import_towns(user: Actor) -> QuerySet[Town]:
    """Towns the user may import households into: those whose records they may change."""
    return towns_for(user, Access.CHANGE).order_by("code")


def _queue_options() -> dict:
    queue = getattr(settings, "HOUSEHOLD_IMPORT_QUEUE", None)
    return {"queue": queue} if queue else {}


def import_job_create(*, user: User, town: Town, upload, language: str | None = None) -> ImportJob:
    """Keep the uploaded xlsx as a new job and have it checked in the background."""
    role_require(user, HOUSEHOLD_KEEPERS)
    if not import_towns(user).filter(pk=town.pk).exists():
        raise PermissionDenied
    sheet_upload_check(upload, max_bytes=MAX_UPLOAD_BYTES)
    job = ImportJob.objects.create(
        town=town,
        uploaded_by=user,
        file=upload,
        original_name=(upload.name or "")[-200:],
        summary={"language": language or translation.get_language() or settings.LANGUAGE_CODE},
    )
    from households.tasks import check_import  # households.tasks imports this module

    transaction.on_commit(lambda: _enqueue(check_import, job.pk))
    return job


def import_job_confirm(*, user: User, job: ImportJob) -> ImportJob:
    """Send a checked job without problems to be written. Refused for any other job."""
    role_require(user, HOUSEHOLD_KEEPERS)
    if not households_scope(user, Access.CHANGE, ImportJob.objects.filter(pk=job.pk)).exists():
        raise PermissionDenied
    # One update decides: two clicks (or two users) cannot send the same job twice.
    sent = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED, error_count=0).update(
        status=ImportStatus.IMPORTING, rows_done=0, summary={**job.summary, "confirmed_by": user.pk}
    )
    if not sent:
        raise ValidationError(_("Only a checked file without problems can be imported."))
    from households.tasks import run_import  # households.tasks imports this module

    transaction.on_commit(lambda: _enqueue(run_import, job.pk))
    job.refresh_from_db()
    return job


def _enqueue(task, job_id: int) -> bool:
    """Send the job's task; a broker that refuses it leaves the job in its state, its ``failure`` saying that it waits
    for the job service (``import_jobs_resend`` sends it again)."""

    def waiting(message: str) -> None:
        ImportJob.objects.filter(pk=job_id, status__in=WAITING_STATES).update(failure=message)

    return enqueue(task, args=[job_id], on_refused=waiting, **_queue_options())


@waiting_resender("households.imports")
def import_jobs_resend() -> int:
    """Send again the jobs the job service could not take (the beat sweep and a starting worker call this)."""
    from households.tasks import check_import, run_import  # households.tasks imports this module

    sent = 0
    waiting = ImportJob.objects.filter(status__in=WAITING_STATES, failure=waiting_message())
    for job_id, status in waiting.values_list("pk", "status"):
        ImportJob.objects.filter(pk=job_id, status=status).update(failure="")
        task = check_import if status == ImportStatus.UPLOADED else run_import
        sent += _enqueue(task, job_id)
    return sent


@stale_handler(IMPORT_LEASE)
def import_job_stopped(job_id: int) -> None:
    """The worker checking or writing the job died (no heartbeat for minutes): the job is failed, its file kept, and
    the page offers to retry it (``import_job_retry``). The write is one transaction: a dead one wrote nothing."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id, status__in=RUNNING_STATES).first()
    if job is None:
        return
    retry = "write" if job.status == ImportStatus.IMPORTING else "check"
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "The worker running this import stopped before it was done (it was killed or its machine was lost); "
            "nothing was written. The file is kept: retry it."
        )
    summary = {**job.summary, "retry": retry}
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now(), summary=summary
    )


def import_job_retry(*, user: User, job: ImportJob) -> ImportJob:
    """Start again a job whose worker died, from the step it died in, without uploading the file again."""
    role_require(user, HOUSEHOLD_KEEPERS)
    if not households_scope(user, Access.CHANGE, ImportJob.objects.filter(pk=job.pk)).exists():
        raise PermissionDenied
    job.refresh_from_db()
    retry = job.summary.get("retry")
    if job.status != ImportStatus.FAILED or retry not in ("check", "write") or not job.file:
        raise ValidationError(_("Only an import whose worker stopped can be retried."))
    status = ImportStatus.IMPORTING if retry == "write" else ImportStatus.UPLOADED
    summary = {key: value for key, value in job.summary.items() if key != "retry"}
    # One update decides: two clicks cannot start it twice.
    sent = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED, summary__retry=retry).update(
        status=status, failure="", finished_at=None, rows_done=0, summary=summary
    )
    if not sent:
        raise ValidationError(_("Only an import whose worker stopped can be retried."))
    from households.tasks import check_import, run_import  # households.tasks imports this module

    task = run_import if retry == "write" else check_import
    transaction.on_commit(lambda: _enqueue(task, job.pk))
    job.refresh_from_db()
    return job


def _progress(job_id: int):
    def report(done: int, total: int | None) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=max(total or 0, done))

    return report


def import_job_check(*, job_id: int) -> ImportJob:
    """The dry run: every row checked, every problem stored; the job ends CHECKED or REJECTED."""
    job = ImportJob.objects.select_related("town", "uploaded_by").get(pk=job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, rows_done=0)
    job.row_errors.all().delete()
    with translation.override(job.summary.get("language", settings.LANGUAGE_CODE)):
        try:
            outcome = importing.sheet_check(job, user=job.uploaded_by, on_progress=_progress(job.pk))
        except importing.SheetRejected as rejected:
            ImportRowError.objects.bulk_create(
                [
                    ImportRowError(job=job, row=1, column=column, message=message)
                    for column, message in rejected.problems
                ]
            )
            return _finish(job, ImportStatus.REJECTED, error_count=len(rejected.problems), failure=str(rejected))
        except Exception as error:
            logger.exception("Checking household import %s failed", job.pk)
            return _finish(job, ImportStatus.FAILED, failure=_("The check stopped: %(error)s") % {"error": error})
    status = ImportStatus.REJECTED if outcome.error_count else ImportStatus.CHECKED
    return _finish(
        job,
        status,
        rows_done=outcome.rows,
        rows_total=outcome.rows,
        error_count=outcome.error_count,
        summary={**job.summary, **outcome.summary},
    )


def import_job_write(*, job_id: int) -> ImportJob:
    """The write, all or nothing. If the data changed since the check so that a row no longer fits, nothing
    is written and the job is checked again, listing the problems as they now are."""
    job = ImportJob.objects.select_related("town", "uploaded_by").get(pk=job_id)
    with translation.override(job.summary.get("language", settings.LANGUAGE_CODE)):
        try:
            with transaction.atomic():
                # The job's row stays locked until the commit: a task delivered twice writes once.
                job = (
                    ImportJob.objects.select_for_update(of=("self",))
                    .select_related("town", "uploaded_by")
                    .get(pk=job_id)
                )
                if job.status != ImportStatus.IMPORTING:
                    return job
                outcome = importing.sheet_write(job, user=_confirmed_by(job))
                written = {
                    "households_created": outcome.households_created,
                    "households_changed": outcome.households_changed,
                    "members_created": outcome.members_created,
                    "members_changed": outcome.members_changed,
                }
                job = _finish(job, ImportStatus.IMPORTED, rows_done=job.rows_total, summary={**job.summary, **written})
        except importing.ImportOutdated:
            # Check again so the page lists the problems as they are now; the user confirms anew.
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.UPLOADED, error_count=0)
            return import_job_check(job_id=job.pk)
        except Exception as error:
            logger.exception("Writing household import %s failed", job.pk)
            failure = _("The import stopped and wrote nothing: %(error)s") % {"error": error}
            return _finish(job, ImportStatus.FAILED, failure=failure)
    return job


def _confirmed_by(job: ImportJob):
    confirmed_by = job.summary.get("confirmed_by")
    if confirmed_by is None:
        return job.uploaded_by
    return get_user_model().objects.get(pk=confirmed_by)


def _finish(job: ImportJob, status: ImportStatus, **fields) -> ImportJob:
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    if "failure" in fields:
        fields["failure"] = str(fields["failure"])[:2000]
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    if status in FINISHED:
        # The sheet holds full ID numbers: once the job is over, its staged rows are not kept, nor the sheet of a job
        # that wrote nothing. An imported job's sheet stays, unchanged: it is the source its history event's digest
        # covers (verify_history) and the History tab reads each imported household's row from.
        keep_sheet = status == ImportStatus.IMPORTED
        transaction.on_commit(lambda: _files_discard(job, keep_sheet=keep_sheet))
    job.refresh_from_db()
    return job


def _files_discard(job: ImportJob, *, keep_sheet: bool = False) -> None:
    importing.staged_discard(job)
    if job.file.name and not keep_sheet:
        job.file.storage.delete(job.file.name)
