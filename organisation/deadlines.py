"""Deadlines stored on records, kept right when the calendar changes.

A domain model with a deadline derives from :class:`StoredDeadline` and computes its rule in
``compute_deadline``, calling the rule's function with its own dates, for example a reminder due 5
working days after its clock starts::

    class Reminder(StoredDeadline):
        def compute_deadline(self, calendar, policy=None):
            return add_working_days(self.clock_start, 5, calendar=calendar)

A rule that reads figures the office may change (the funds policy's report due day) names them in
``deadline_policy``: they are loaded once for a whole recompute and handed to every row, so
recomputing many deadlines costs the queries of one.

It sets ``clock_start`` (the day the clock starts: receipt, approval) and calls
``refresh_due(WorkingCalendar.load())`` in its service before saving. When the office enters or
corrects a year's schedule, :func:`stored_deadlines_recompute` (run by the task
``organisation.tasks.recompute_deadlines``) recomputes every stored deadline that year can move.
"""

import datetime as dt
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisation.workdays import Deadline, WorkingCalendar

RECOMPUTE_BATCH_SIZE = 500


class StoredDeadline(models.Model):
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
    def deadline_policy(cls) -> Any:
        """The figures the rule reads besides the row and the calendar (``None``: the rule reads none)."""
        return None

    def compute_deadline(self, calendar: WorkingCalendar, policy: Any) -> Deadline:
        """This row's deadline under ``policy`` (what ``deadline_policy`` loaded); ``clock_start`` is set."""
        raise NotImplementedError(f"{type(self).__name__} must compute its deadline.")

    def refresh_due(self, calendar: WorkingCalendar, policy: Any = None) -> bool:
        """Set ``due_date`` and ``due_is_provisional`` from ``clock_start``; whether they changed.

        ``policy`` is the model's ``deadline_policy()``, loaded here when not given.
        """
        if self.clock_start is None:
            due_date, provisional = None, False
        else:
            deadline = self.compute_deadline(calendar, self.deadline_policy() if policy is None else policy)
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
    policy = model.deadline_policy()
    while True:
        with transaction.atomic():
            rows = model._base_manager.filter(condition).order_by("pk").select_for_update(of=("self",))
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:RECOMPUTE_BATCH_SIZE])
            if not batch:
                return changed
            stale = [row for row in batch if row.refresh_due(calendar, policy)]
            model._base_manager.bulk_update(stale, ["due_date", "due_is_provisional"])
        changed += len(stale)
        last_pk = batch[-1].pk


@checks.register()
def check_deadline_rules(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"{model._meta.label} must compute its deadline: override compute_deadline.",
            obj=model,
            id="organisation.E101",
        )
        for model in stored_deadline_models()
        if model.compute_deadline is StoredDeadline.compute_deadline
    ]
