"""Exports of the household roster: asked for on the list page, written by a worker, downloaded by the one who
asked. The rows are the list's as filtered when the job runs, in the asker's scope.

Full ID numbers only for a role that may see them (``may_reveal_id_numbers``), asked for with the page's button, and
each such export is written down in the reveal log. A broker that refuses the job leaves it waiting for the job
service, saying so; asking again sends it again.
"""

import hashlib
import logging
import tempfile

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from households import exports
from households.models import ExportJob, ExportStatus, IdNumberReveal
from households.permissions import may_reveal_id_numbers
from households.selectors.households import household_filters, household_list
from organisation.scoping import towns_for

logger = logging.getLogger(__name__)


def _queue_options() -> dict:
    queue = getattr(settings, "HOUSEHOLD_EXPORT_QUEUE", None) or getattr(settings, "HOUSEHOLD_IMPORT_QUEUE", None)
    return {"queue": queue} if queue else {}


def export_job_create(*, user: User, filters: dict, full_ids: bool = False) -> ExportJob:
    """A new roster export of the households ``filters`` choose (the list's query string), sent to the workers."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied
    if full_ids and not may_reveal_id_numbers(user):
        raise PermissionDenied
    job = ExportJob.objects.create(
        owner=user, filters={key: str(value) for key, value in filters.items()}, full_ids=full_ids
    )
    transaction.on_commit(lambda: export_job_enqueue(job.pk))
    return job


def export_job_enqueue(job_id: int) -> bool:
    """Send the job to the workers; a broker that refuses it leaves the job waiting, with a message saying so."""
    from households.tasks import run_export  # households.tasks imports this module

    try:
        run_export.apply_async(args=[job_id], **_queue_options())
    except (BrokerError, OSError):
        logger.exception("Household export %s could not be queued.", job_id)
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The job service could not be reached, so the export has not started. Ask for it again later.")
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.WAITING, failure=message
        )
        return False
    return True


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the job's workbook. A system service (the job the request queued); a job already started is left."""
    started = ExportJob.objects.filter(pk=job_id, status__in=(ExportStatus.QUEUED, ExportStatus.WAITING)).update(
        status=ExportStatus.RUNNING, rows_done=0, failure=""
    )
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if not started:
        return job
    user = job.owner
    full_ids = job.full_ids and may_reveal_id_numbers(user)
    try:
        households = household_list(user=user, **household_filters(job.filters))
        rows = exports.roster_members(households)
        total = rows.count()
        ExportJob.objects.filter(pk=job_id).update(rows_total=total)
        towns = list(towns_for(user).order_by("code").values_list("name", flat=True)[:4])
        unit = "、".join(towns[:3]) + ("…" if len(towns) > 3 else "")

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)

        with tempfile.TemporaryFile() as stream, translation.override(settings.LANGUAGE_CODE):
            count = exports.roster_write(
                stream,
                rows.iterator(chunk_size=5000),
                full_ids=full_ids,
                unit=unit,
                made_on=timezone.localdate(),
                on_progress=progress,
            )
            stream.seek(0)
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
            stream.seek(0)
            job.file.save(f"households-{job.pk}.xlsx", File(stream), save=False)
    except Exception as error:
        logger.exception("Household export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, failure=str(error)[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    if full_ids:
        note = _("export of %(count)d members with full ID numbers: %(where)s") % {
            "count": count,
            "where": f"export {job.pk} {job.filters}",
        }
        IdNumberReveal.objects.create(user=user, member=None, context=note[:200])
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
