"""The office's own entries in the official working-day calendar.

The ``chinesecalendar`` package knows the State Council's holiday schedules for the years it was
released with; these tables let the district office enter a new year's schedule once it is
published, or correct any single day. How the three sources combine is in ``organisation.workdays``.
"""

from django.conf import settings
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from history.tracking import track_history

# Dates outside these years are typing mistakes, not schedules.
FIRST_CALENDAR_YEAR = 2000
LAST_CALENDAR_YEAR = 2099


def _year_range_message() -> str:
    return gettext("The calendar covers the years %(first)d to %(last)d.") % {
        "first": FIRST_CALENDAR_YEAR,
        "last": LAST_CALENDAR_YEAR,
    }


YEAR_RANGE_MESSAGE = lazy(_year_range_message, str)()


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (rest day)")
    WORKDAY = "workday", _("Make-up workday (调休上班)")


@track_history()
class CalendarDay(models.Model):
    """One day whose status the office states: it overrides the package and the weekday rule."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("holiday name"), max_length=50, blank=True, help_text=_("For example 春节 or 国庆节."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="calendar_day_kind_valid",
                condition=models.Q(kind__in=CalendarDayKind.values),
                violation_error_message=_("Choose a public holiday or a make-up workday."),
            ),
            models.CheckConstraint(
                name="calendar_day_year_in_range",
                condition=models.Q(date__year__gte=FIRST_CALENDAR_YEAR, date__year__lte=LAST_CALENDAR_YEAR),
                violation_error_message=YEAR_RANGE_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".rstrip()


@track_history()
class CalendarYear(models.Model):
    """The office has entered the official schedule of this year: its deadlines are no longer provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("The State Council notice the schedule comes from.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                name="calendar_year_in_range",
                condition=models.Q(year__gte=FIRST_CALENDAR_YEAR, year__lte=LAST_CALENDAR_YEAR),
                violation_error_message=YEAR_RANGE_MESSAGE,
            ),
        ]

    def __str__(self):
        return str(self.year)
