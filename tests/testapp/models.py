from django.db import models

from history.tracking import track_history
from organisation.deadlines import StoredDeadline
from organisation.workdays import add_working_days


@track_history()
class Reminder(StoredDeadline):
    """A record due 5 working days after its clock starts, like a transfer from the town finance office."""

    DUE_WORKING_DAYS = 5

    title = models.CharField(max_length=50)

    def __str__(self):
        return self.title

    def compute_deadline(self, calendar, policy=None):
        return add_working_days(self.clock_start, self.DUE_WORKING_DAYS, calendar=calendar)
