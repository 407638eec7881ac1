"""The official working-day calendar, and the two ways the work plan counts a deadline.

Which days are working days, strongest source first:

1. a ``CalendarDay`` row entered by the district office (a new year's schedule, or a correction);
2. the ``chinesecalendar`` package, for the years it was released with (``PACKAGE_YEARS``);
3. the weekday rule: Monday to Friday are working days, Saturday and Sunday are rest days.

A year is *official* when the package knows it or the office has entered its schedule
(``CalendarYear``). A deadline whose counting touches a year that is not official is computed
with the weekday rule and marked ``provisional``; ``organisation.deadlines`` recomputes it once the
year's schedule is entered.

How a period is counted (Civil Code of the PRC):

- Art. 201: the day on which the period starts is not counted; counting begins the next day.
- Art. 203: if the last day of the period is a statutory rest day, the period ends on the first
  day after it; the last day ends at 24:00.

So, with ``start`` the day the clock starts (receipt of funds, approval of a request, ...):

- "within N days" (``N日内``, point 5's 15 days): due on ``start + N``; if that day is a rest day
  (a weekend that is not a make-up workday, or a public holiday), due on the next working day.
  See :func:`add_calendar_days`.
- "within N working days" (``N个工作日内``, point 5's 5 working days): due on the N-th working day
  after ``start``. See :func:`add_working_days`.
- The due day runs until 24:00 Beijing time: an action is late only if it happens after the end of
  the due day. See :func:`is_late` and :func:`days_overdue`.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import CalendarDay, CalendarDayKind, CalendarYear

# The package raises NotImplementedError outside these years, so it is only ever asked inside them.
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# Deadlines are legal days in Beijing time (settings.TIME_ZONE), whatever zone a timestamp is stored in.
LEGAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due_date: dt.date
    # Computed across a year whose official schedule is not known yet (weekends only).
    provisional: bool


@dataclass(frozen=True)
class SpecialDay:
    """A day that differs from the weekday rule, or that the office has entered."""

    date: dt.date
    kind: CalendarDayKind
    name: str
    entry: CalendarDay | None  # the office's row; None when the day comes from the package

    @property
    def from_office(self) -> bool:
        return self.entry is not None


def package_special_days(year: int) -> dict[dt.date, tuple[CalendarDayKind, str]]:
    """The package's holidays and make-up workdays of ``year`` (empty for a year it does not know)."""
    if year not in PACKAGE_YEARS:
        return {}
    days = {}
    for kind, table in (
        (CalendarDayKind.HOLIDAY, chinese_calendar.holidays),
        (CalendarDayKind.WORKDAY, chinese_calendar.workdays),
    ):
        for day, english_name in table.items():
            if day.year == year:
                days[day] = (kind, _chinese_holiday_name(english_name))
    return days


def _chinese_holiday_name(english_name: str) -> str:
    try:
        return chinese_calendar.Holiday(english_name).chinese
    except ValueError:
        return english_name


def default_is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day before any entry of the office: the package, else the weekday rule."""
    if day.year in PACKAGE_YEARS:
        if day in chinese_calendar.workdays:
            return True
        if day in chinese_calendar.holidays:
            return False
    return day.weekday() < 5


class WorkingCalendar:
    """The calendar as it stands: the office's entries are read once, so counting never queries per day.

    Load one with :meth:`load` and pass it to every computation of a bulk job.
    """

    def __init__(self, *, entries: dict[dt.date, CalendarDay], entered_years: frozenset[int]):
        self.entries = entries
        self.entered_years = entered_years

    @classmethod
    def load(cls) -> "WorkingCalendar":
        return cls(
            entries={entry.date: entry for entry in CalendarDay.objects.all()},
            entered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        )

    def is_official_year(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.entered_years

    def is_working_day(self, day: dt.date) -> bool:
        entry = self.entries.get(day)
        if entry is not None:
            return entry.kind == CalendarDayKind.WORKDAY
        return default_is_working_day(day)

    def first_working_day_from(self, day: dt.date) -> Deadline:
        """``day`` if it is a working day, else the next working day (Civil Code art. 203)."""
        provisional = not self.is_official_year(day.year)
        while not self.is_working_day(day):
            day += ONE_DAY
            provisional = provisional or not self.is_official_year(day.year)
        return Deadline(due_date=day, provisional=provisional)

    def special_days(self, year: int) -> list[SpecialDay]:
        """Every holiday and make-up workday of ``year``, the office's entries overriding the package."""
        days = {
            day: SpecialDay(date=day, kind=kind, name=name, entry=None)
            for day, (kind, name) in package_special_days(year).items()
        }
        for day, entry in self.entries.items():
            if day.year == year:
                days[day] = SpecialDay(date=day, kind=CalendarDayKind(entry.kind), name=entry.name, entry=entry)
        return [days[day] for day in sorted(days)]


class YearStatus(models.TextChoices):
    OFFICE = "office", _("Entered by the office")
    PACKAGE = "package", _("From the chinesecalendar package")
    MISSING = "missing", _("NOT loaded: deadlines are provisional")


@dataclass(frozen=True)
class YearSummary:
    year: int
    status: YearStatus
    entry: CalendarYear | None
    holiday_count: int
    workday_count: int
    office_day_count: int

    @property
    def in_package(self) -> bool:
        return self.year in PACKAGE_YEARS


def calendar_year_summaries(*, calendar: WorkingCalendar, last_year: int) -> list[YearSummary]:
    """Every year from the package's first to ``last_year``, and any later year the office has entered."""
    entries = {entry.year: entry for entry in CalendarYear.objects.select_related("entered_by")}
    years = set(range(PACKAGE_YEARS.start, last_year + 1)) | set(entries) | {day.year for day in calendar.entries}
    summaries = []
    for year in sorted(years):
        days = calendar.special_days(year)
        if year in entries:
            status = YearStatus.OFFICE
        elif year in PACKAGE_YEARS:
            status = YearStatus.PACKAGE
        else:
            status = YearStatus.MISSING
        summaries.append(
            YearSummary(
                year=year,
                status=status,
                entry=entries.get(year),
                holiday_count=sum(day.kind == CalendarDayKind.HOLIDAY for day in days),
                workday_count=sum(day.kind == CalendarDayKind.WORKDAY for day in days),
                office_day_count=sum(day.from_office for day in days),
            )
        )
    return summaries


def add_working_days(start: dt.date, n: int, *, calendar: WorkingCalendar | None = None) -> Deadline:
    """Due date of "within ``n`` working days" (``n个工作日内``): the n-th working day after ``start``."""
    if n < 1:
        raise ValueError("A period of working days is at least one day long.")
    if calendar is None:
        calendar = WorkingCalendar.load()
    day, provisional = start, False
    while n:
        day += ONE_DAY
        provisional = provisional or not calendar.is_official_year(day.year)
        if calendar.is_working_day(day):
            n -= 1
    return Deadline(due_date=day, provisional=provisional)


def add_calendar_days(start: dt.date, n: int, *, calendar: WorkingCalendar | None = None) -> Deadline:
    """Due date of "within ``n`` days" (``n日内``): ``start + n``, or the next working day if that is a rest day."""
    if n < 1:
        raise ValueError("A period of days is at least one day long.")
    if calendar is None:
        calendar = WorkingCalendar.load()
    return calendar.first_working_day_from(start + dt.timedelta(days=n))


def end_of_due_day(due_date: dt.date) -> dt.datetime:
    """24:00 Beijing time of the due day (Civil Code art. 203): the first moment that is late."""
    return dt.datetime.combine(due_date + ONE_DAY, dt.time.min, tzinfo=LEGAL_TIME_ZONE)


def is_late(due_date: dt.date | None, done_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the action was (``done_at``), or still undone at ``now`` is, after the end of the due day."""
    if due_date is None:
        return False
    moment = done_at if done_at is not None else now
    if moment.tzinfo is None:
        raise ValueError("is_late needs timezone-aware datetimes.")
    return moment >= end_of_due_day(due_date)


def days_overdue(due_date: dt.date | None, done_at: dt.datetime | None, now: dt.datetime) -> int:
    """Calendar days between the due day and the (Beijing) day of the action, or of ``now`` while undone."""
    if due_date is None or not is_late(due_date, done_at, now):
        return 0
    moment = done_at if done_at is not None else now
    return (moment.astimezone(LEGAL_TIME_ZONE).date() - due_date).days
