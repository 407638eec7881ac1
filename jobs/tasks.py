import socket

from celery import shared_task

from jobs.services import worker_heartbeat_record


@shared_task(bind=True)
def heartbeat(self) -> str:
    """Scheduled every minute (jobs/schedules.py): the status page reads a worker's last sign of life."""
    hostname = self.request.hostname or socket.gethostname()
    worker_heartbeat_record(hostname=hostname)
    return hostname
