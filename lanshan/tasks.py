from celery import shared_task

from lanshan.backups import backup_make


@shared_task
def make_backup() -> str:
    """Scheduled every night (jobs/schedules.py): dump the database and the media files, drop what retention lets go.
    Returns the new backup's folder."""
    return str(backup_make().path)
