"""How long the household file's uploads are kept: a sheet holds full ID numbers, so an import that is never
confirmed does not keep its upload and staged rows forever (``IMPORT_UNCONFIRMED_KEEP_DAYS``). A finished job's
files are deleted when it finishes (``households.services.imports``); its problems keep ID numbers masked
(``households.importing.rows.problem_value_stored``)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import ImportJob, ImportStatus
from households.services.imports import _files_discard

# An import still holding its files: not confirmed yet (checked), or stuck before its check ended.
UNCONFIRMED = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.CHECKED)
# An import failed because its worker died keeps its files for a retry (``import_job_stopped``): never retried, it goes
# with the unconfirmed ones, and its retry with it (``import_job_retry`` needs the sheet).
_waiting_for_retry = Q(status=ImportStatus.FAILED, summary__has_key="retry")


def import_files_purge() -> int:
    """A system service (beat, daily): the imports not confirmed within ``IMPORT_UNCONFIRMED_KEEP_DAYS`` of their
    upload lose their sheet and staged rows, and fail saying why; the number of jobs. One UPDATE ... RETURNING; a
    second run finds nothing."""
    days = settings.IMPORT_UNCONFIRMED_KEEP_DAYS
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "Not confirmed within %(days)d days: the sheet and its checked rows were deleted, as they hold ID "
            "numbers. Upload the sheet again to import it."
        ) % {"days": days}
    with transaction.atomic():
        stale = ImportJob.objects.filter(
            Q(status__in=UNCONFIRMED) | _waiting_for_retry, uploaded_at__lt=timezone.now() - timedelta(days=days)
        )
        # The file names before the UPDATE empties them: the files go once the UPDATE is committed.
        jobs = list(stale.select_for_update(skip_locked=True).only("pk", "file"))
        ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
            status=ImportStatus.FAILED, failure=message, finished_at=timezone.now(), file=""
        )
        for job in jobs:
            transaction.on_commit(partial(_files_discard, job))
    return len(jobs)
