"""The summary tables: every indicator's value per (month, level, unit), so a dashboard reads a few dozen rows
instead of aggregating the raw tables.

They are derived data, rebuilt from the raw tables by ``reporting.services.summary.summary_build`` (nightly, after
records change, on demand) and therefore carry no change history: the history is the raw records'. A month's rows
are replaced in one transaction; ``SummaryBuild`` says when they were computed ("data as of").
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.roles import Level


class FigureValue(models.Model):
    month = models.DateField(_("month"), help_text=_("The first day of the month; figures as of its last day."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The district's, the town's or the village's id (by ``level``); the unit above it in ``parent_id``.
    unit_id = models.IntegerField(_("unit"))
    parent_id = models.IntegerField(_("unit above"), null=True, blank=True)
    indicator = models.CharField(_("indicator"), max_length=60)
    # A ratio with an empty denominator, or a largest-of over no records, has no value.
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "level", "unit_id", "indicator"], name="figure_value_one_per_unit_and_month"
            ),
        ]
        indexes = [
            # The comparison of the units below one unit (a district's towns, a town's villages).
            models.Index(fields=["month", "level", "parent_id", "indicator"], name="figure_value_children"),
            # A unit's trend over months.
            models.Index(fields=["level", "unit_id", "indicator", "month"], name="figure_value_trend"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.level} {self.unit_id} {self.indicator}={self.value}"


class SummaryBuild(models.Model):
    """The last computation of a month's figures."""

    month = models.DateField(_("month"), unique=True)
    built_at = models.DateTimeField(_("computed at"))
    # The newest history seal the build saw: a later one means records changed since (``summary_refresh``).
    history_mark = models.BigIntegerField(_("history mark"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("figures"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("figures computation")
        verbose_name_plural = _("figures computations")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m} @ {self.built_at:%Y-%m-%d %H:%M}"
