"""The export job of a filtered list (``organisation.exports``): asked for on the list page with its query string,
written by a worker with the asker's scope, downloaded by the one who asked.

A broker that refuses the job leaves it waiting for the job service (``organisation.enqueue``), saying so; the
beat sweep sends it again. Full ID numbers only when the export allows them for the asker's role (checked when
asked and again when written).
"""

import hashlib
import logging
import tempfile
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisation.enqueue import enqueue_on_commit, waiting_resender
from organisation.exports import ExportContext, export_of, list_params, rows_of, sheet_write, sorted_as_listed
from organisation.models import District, ExportJob, ExportStatus
from organisation.scoping import Access, has_district_reach, towns_for

logger = logging.getLogger(__name__)

# The lease (jobs.heartbeat) the task holds while it writes a job's workbook.
EXPORT_LEASE = "organisation.export"


def _queue_options() -> dict:
    queue = getattr(settings, "EXPORT_QUEUE", None)
    return {"queue": queue} if queue else {}


def _send(job_id: int) -> None:
    from organisation.tasks import run_list_export  # organisation.tasks imports this module

    def refused(message: str) -> None:
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.WAITING, failure=message
        )

    enqueue_on_commit(run_list_export, args=[job_id], on_refused=refused, **_queue_options())


def export_job_create(*, user: User, kind: str, filters, full_ids: bool = False) -> ExportJob:
    """A new export of the list ``kind`` as ``filters`` (its query string) choose, sent to the workers once the
    request commits. A kind nobody registered, or a filter the list refuses (out of reach), is a 404."""
    export = export_of(kind)
    if export is None:
        raise Http404
    if not export.may_export(user):
        raise PermissionDenied
    if full_ids and not export.may_ask_full_ids(user):
        raise PermissionDenied
    params = list_params(filters)
    export.rows(user, params)  # the list's own check of its filters: a town out of reach is a 404 here too
    job = ExportJob.objects.create(owner=user, kind=kind, filters=params, full_ids=full_ids)
    _send(job.pk)
    return job


@waiting_resender("organisation.exports")
def export_jobs_resend() -> int:
    """Send the exports left waiting for the job service again; how many were sent."""
    waiting = list(ExportJob.objects.filter(status=ExportStatus.WAITING).values_list("pk", flat=True))
    for job_id in waiting:
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.WAITING).update(status=ExportStatus.QUEUED)
        _send(job_id)
    return len(waiting)


def export_job_stopped(job_id: int) -> None:
    """The worker writing the export died (no heartbeat for minutes; registered for the sweep by ``jobs.apps``): the
    job is failed, saying so, and its page offers to retry it (``export_job_retry``) with the filters it was asked
    with. Not sent again by itself: a list big enough to exhaust a worker's memory would kill the next worker too."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "The worker writing this export stopped before it was done (it was killed or its machine was lost). "
            "The list and its filters are kept: retry it."
        )
    ExportJob.objects.filter(pk=job_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)).update(
        status=ExportStatus.FAILED, failure=message, finished_at=timezone.now()
    )


def export_job_retry(*, user: User, job: ExportJob) -> ExportJob:
    """Ask again for a failed export, the same list with the same filters, without going back to the list. Its owner
    only; the run checks again that they may still export it."""
    if job.owner_id != user.pk:
        raise PermissionDenied
    # One update decides: two clicks cannot send it twice.
    sent = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.QUEUED, failure="", rows_done=0, rows_total=0, finished_at=None
    )
    if not sent:
        raise ValidationError(_("Only a failed export can be retried."))
    _send(job.pk)
    job.refresh_from_db()
    return job


def unit_of(user: User) -> str:
    """The unit line of a sheet: the district for a district post, else the towns the asker works for (three named,
    then "…")."""
    if has_district_reach(user, Access.VIEW):
        return "、".join(District.objects.order_by("code").values_list("name", flat=True)) or _("Lanshan District")
    towns = list(towns_for(user).order_by("code").values_list("name", flat=True)[:4])
    return "、".join(towns[:3]) + ("…" if len(towns) > 3 else "")


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the job's workbook. A system service (the job the request queued); a job already started is left."""
    started = ExportJob.objects.filter(pk=job_id, status__in=(ExportStatus.QUEUED, ExportStatus.WAITING)).update(
        status=ExportStatus.RUNNING, rows_done=0, failure=""
    )
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if not started:
        return job
    user = job.owner
    try:
        export = export_of(job.kind)
        if export is None or not export.may_export(user):
            raise PermissionDenied(job.kind)
        full_ids = job.full_ids and export.may_ask_full_ids(user)
        context = ExportContext(user=user, full_ids=full_ids)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)

        with tempfile.TemporaryFile() as stream, translation.override(settings.LANGUAGE_CODE):
            columns = export.columns()
            listed = sorted_as_listed(export, export.rows(user, job.filters), job.filters)
            rows, total = rows_of(export, listed, columns)
            ExportJob.objects.filter(pk=job_id).update(rows_total=total)
            count = (export.write or sheet_write)(
                stream,
                rows,
                columns=columns,
                title=str(export.title),
                unit=unit_of(user),
                made_on=timezone.localdate(),
                context=context,
                on_progress=progress,
            )
            stream.seek(0)
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
            stream.seek(0)
            job.file.save(f"{export.filename or job.kind}-{job.pk}.xlsx", File(stream), save=False)
            if export.on_done is not None:
                export.on_done(job, count)
    except Exception as error:
        logger.exception("List export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, failure=str(error)[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    ExportJob.objects.filter(pk=job_id).update(
        file=job.file.name,
        sha256=digest,
        rows_done=count,
        rows_total=count,
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def export_files_purge() -> int:
    """A system service (beat, daily): the files of exports finished more than ``EXPORT_KEEP_DAYS`` ago are deleted
    (they may hold full ID numbers, phone numbers and bank accounts); the job stays, saying so, and its download is
    gone. The number of files; a second run finds nothing."""
    days = settings.EXPORT_KEEP_DAYS
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The file was deleted %(days)d days after it was made; ask for the export again.") % {"days": days}
    with transaction.atomic():
        old = ExportJob.objects.exclude(file="").filter(finished_at__lt=timezone.now() - timedelta(days=days))
        jobs = list(old.select_for_update(skip_locked=True).only("pk", "file"))
        ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(file="", failure=message)
        for job in jobs:
            transaction.on_commit(partial(job.file.storage.delete, job.file.name))
    return len(jobs)
