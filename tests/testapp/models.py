from django.db import models

from history.tracking import track_history
from organisation.deadlines import DeadlineKind, StoredDeadline


@track_history()
class Reminder(StoredDeadline):
    """A record due 5 working days after its clock starts, like a transfer from the town finance office."""

    deadline_days = 5
    deadline_kind = DeadlineKind.WORKING

    title = models.CharField(max_length=50)

    def __str__(self):
        return self.title
