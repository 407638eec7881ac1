"""Deadlines stored on records, kept right when the calendar changes.

A domain model with a deadline derives from :class:`StoredDeadline` and declares its rule on the
class, for example a reminder due 5 working days after its clock starts::

    class Reminder(StoredDeadline):
        deadline_days = 5
        deadline_kind = DeadlineKind.WORKING

(a model whose rule differs per row, like ``funds.Transfer`` with its three hops, overrides
``compute_deadline`` instead)

It sets ``clock_start`` (the day the clock starts: receipt, approval) and calls
``refresh_due(WorkingCalendar.load())`` in its service before saving. When the office enters or
corrects a year's schedule, :func:`stored_deadlines_recompute` (run by the task
``organisation.tasks.recompute_deadlines``) recomputes every stored deadline that year can move.
"""

import datetime as dt
from typing import ClassVar

from django.apps import apps
from django.core import checks
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisation.workdays import Deadline, WorkingCalendar, add_calendar_days, add_working_days

RECOMPUTE_BATCH_SIZE = 500


class DeadlineKind(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class StoredDeadline(models.Model):
    # The rule, declared by each concrete model: ``deadline_days`` of ``deadline_kind`` after clock_start.
    deadline_days: ClassVar[int | None] = None
    deadline_kind: ClassVar[str | None] = None

    clock_start = models.DateField(_("clock starts on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, editable=False)
    due_is_provisional = models.BooleanField(
        _("due date is provisional"),
        default=False,
        editable=False,
        help_text=_("The official holiday schedule of a year the period runs into has not been entered yet."),
    )

    class Meta:
        abstract = True

    @classmethod
    def deadline_for(cls, clock_start: dt.date, calendar: WorkingCalendar) -> Deadline:
        if cls.deadline_kind == DeadlineKind.CALENDAR:
            return add_calendar_days(clock_start, cls.deadline_days, calendar=calendar)
        return add_working_days(clock_start, cls.deadline_days, calendar=calendar)

    def compute_deadline(self, calendar: WorkingCalendar) -> Deadline:
        """This row's deadline. A model whose rule differs per row (a transfer's hop) overrides this
        instead of declaring ``deadline_days``; ``clock_start`` is set when it is called."""
        return self.deadline_for(self.clock_start, calendar)

    def refresh_due(self, calendar: WorkingCalendar) -> bool:
        """Set ``due_date`` and ``due_is_provisional`` from ``clock_start``; whether they changed."""
        if self.clock_start is None:
            due_date, provisional = None, False
        else:
            deadline = self.compute_deadline(calendar)
            due_date, provisional = deadline.due_date, deadline.provisional
        changed = (self.due_date, self.due_is_provisional) != (due_date, provisional)
        self.due_date, self.due_is_provisional = due_date, provisional
        return changed


def stored_deadline_models() -> list[type[StoredDeadline]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, StoredDeadline) and not model._meta.proxy and not model._meta.swapped
    ]


def stored_deadlines_recompute(*, years: set[int] | None) -> int:
    """Recompute the stored deadlines that a change to ``years`` can move (all of them for ``None``).

    Those are the rows whose period (``clock_start`` to the stored due date) reaches into one of the
    years, every provisional row, and every row never computed. Rows are locked and written in
    batches; the number of rows whose deadline changed is returned.
    """
    calendar = WorkingCalendar.load()
    changed = 0
    for model in stored_deadline_models():
        changed += model_deadlines_recompute(model, _rows_touching(years), calendar)
    return changed


def _rows_touching(years: set[int] | None) -> Q:
    if years is None:
        return Q(clock_start__isnull=False) | Q(due_date__isnull=False)
    condition = Q(due_is_provisional=True) | Q(clock_start__isnull=False, due_date__isnull=True)
    for year in years:
        condition |= Q(clock_start__lte=dt.date(year, 12, 31), due_date__gte=dt.date(year, 1, 1))
    return condition


def model_deadlines_recompute(model: type[StoredDeadline], condition: Q, calendar: WorkingCalendar) -> int:
    """Recompute the deadlines of ``model``'s rows matching ``condition``, in locked batches; rows changed."""
    changed, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = model._base_manager.filter(condition).order_by("pk").select_for_update(of=("self",))
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:RECOMPUTE_BATCH_SIZE])
            if not batch:
                return changed
            stale = [row for row in batch if row.refresh_due(calendar)]
            model._base_manager.bulk_update(stale, ["due_date", "due_is_provisional"])
        changed += len(stale)
        last_pk = batch[-1].pk


@checks.register()
def check_deadline_rules(app_configs=None, **kwargs):
    errors = []
    for model in stored_deadline_models():
        if model.compute_deadline is not StoredDeadline.compute_deadline:
            continue  # the model computes its rule per row
        if not (isinstance(model.deadline_days, int) and model.deadline_days >= 1):
            errors.append(
                checks.Error(
                    f"{model._meta.label} must declare deadline_days, a whole number of days of at least 1.",
                    obj=model,
                    id="organisation.E101",
                )
            )
        if model.deadline_kind not in DeadlineKind.values:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.deadline_kind must be one of {DeadlineKind.values}.",
                    obj=model,
                    id="organisation.E102",
                )
            )
    return errors
