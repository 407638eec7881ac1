from celery import shared_task

from history.services import history_checkpoint_write


@shared_task(name="history.tasks.write_checkpoint")
def write_checkpoint() -> int | None:
    """Sign the chain head; scheduled in jobs/schedules.py."""
    checkpoint = history_checkpoint_write()
    return checkpoint.pk if checkpoint else None
