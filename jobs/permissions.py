"""Who may watch the workers, beat and the scheduled jobs."""

from organisation.roles import Role

# The status page (are the worker and beat alive, what did each job do last) is the district office's.
JOB_STATUS_READERS = frozenset({Role.DISTRICT_OFFICE})
