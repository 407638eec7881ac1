import socket

from celery import shared_task

from jobs.services import stale_leases_sweep, worker_heartbeat_record
from organisation.enqueue import waiting_resend


@shared_task(bind=True)
def heartbeat(self) -> str:
    """Scheduled every minute (jobs/schedules.py): the status page reads a worker's last sign of life."""
    hostname = self.request.hostname or socket.gethostname()
    worker_heartbeat_record(hostname=hostname)
    return hostname


@shared_task
def resend_waiting() -> dict[str, int]:
    """Scheduled every 2 minutes (jobs/schedules.py) and sent by a worker as it starts: the jobs a broker refused when
    they were asked for (``organisation.enqueue``) are sent again. Returns how many each app sent."""
    return waiting_resend()


@shared_task
def sweep_stale_jobs() -> int:
    """Scheduled every minute (jobs/schedules.py): a job whose worker died (no heartbeat for minutes) is marked failed
    by its kind's handler, so its user can retry it. Returns how many were swept."""
    return stale_leases_sweep()
