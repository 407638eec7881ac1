"""Writes to the working-day calendar. Each one has the stored deadlines recomputed once it commits.

The calendar belongs to the whole district: every write is the district office's (``CALENDAR_KEEPERS``), checked
here whoever calls (the calendar pages, the admin site).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from organisation.enqueue import enqueue_on_commit
from organisation.models import CalendarDay, CalendarDayKind, CalendarYear
from organisation.models.calendar import FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR, YEAR_RANGE_MESSAGE
from organisation.permissions import CALENDAR_KEEPERS
from organisation.tasks import recompute_deadlines
from organisation.validation import role_require
from organisation.workdays import ONE_DAY, default_is_working_day

# The words a pasted schedule may use for a kind: the State Council notice says 放假 and 上班.
KIND_WORDS = {
    "holiday": CalendarDayKind.HOLIDAY,
    "休": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "workday": CalendarDayKind.WORKDAY,
    "班": CalendarDayKind.WORKDAY,
    "上班": CalendarDayKind.WORKDAY,
}
RANGE_SEPARATOR = re.compile(r"\.\.|~|至")
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length


def calendar_year_check(year: int) -> None:
    if not FIRST_CALENDAR_YEAR <= year <= LAST_CALENDAR_YEAR:
        raise ValidationError(str(YEAR_RANGE_MESSAGE))


def make_up_workday_problem(day: dt.date) -> str | None:
    """Why ``day`` cannot be a make-up workday, if it cannot: it is a working day already."""
    if not default_is_working_day(day):
        return None
    return _("%(date)s is a %(weekday)s and already a working day; only a rest day can be a make-up workday.") % {
        "date": day.isoformat(),
        "weekday": WEEKDAYS[day.weekday()],
    }


def calendar_day_check(*, date: dt.date, kind: str, exclude_pk: int | None = None) -> None:
    """The rules for one entry of the office, shared by the service and the forms."""
    errors = {}
    if not FIRST_CALENDAR_YEAR <= date.year <= LAST_CALENDAR_YEAR:
        errors["date"] = str(YEAR_RANGE_MESSAGE)
    elif CalendarDay.objects.filter(date=date).exclude(pk=exclude_pk).exists():
        errors["date"] = _("%(date)s is already in the calendar; change that entry instead.") % {
            "date": date.isoformat()
        }
    if kind not in CalendarDayKind.values:
        errors["kind"] = _("Choose a public holiday or a make-up workday.")
    elif kind == CalendarDayKind.WORKDAY and (problem := make_up_workday_problem(date)):
        errors["kind"] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def calendar_day_save(
    *,
    day: CalendarDay | None = None,
    date: dt.date,
    kind: str,
    name: str = "",
    note: str = "",
    user,
) -> CalendarDay:
    """Enter a day (``day`` None) or correct the office's entry ``day``."""
    role_require(user, CALENDAR_KEEPERS)
    calendar_day_check(date=date, kind=kind, exclude_pk=day.pk if day else None)
    if day is None:
        entry, years = CalendarDay(), {date.year}
    else:
        entry = CalendarDay.objects.select_for_update().get(pk=day.pk)
        years = {entry.date.year, date.year}
    entry.date, entry.kind, entry.name, entry.note, entry.updated_by = date, kind, name.strip(), note.strip(), user
    entry.full_clean()
    entry.save()
    _recompute_after_commit(years)
    return entry


@transaction.atomic
def calendar_day_delete(*, user, day: CalendarDay) -> None:
    """Remove the office's entry: the package (or the weekday rule) decides the day again."""
    role_require(user, CALENDAR_KEEPERS)
    year = day.date.year
    day.delete()
    _recompute_after_commit({year})


@transaction.atomic
def calendar_year_mark(*, year: int, user, source: str = "", note: str = "") -> CalendarYear:
    """Record that the office has entered ``year``'s official schedule: its deadlines are no longer provisional."""
    role_require(user, CALENDAR_KEEPERS)
    calendar_year_check(year)
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first() or CalendarYear(year=year)
    calendar_year.source, calendar_year.note = source.strip(), note.strip()
    calendar_year.entered_by, calendar_year.entered_at = user, timezone.now()
    calendar_year.full_clean(validate_unique=False)
    calendar_year.save()
    _recompute_after_commit({year})
    return calendar_year


@transaction.atomic
def calendar_year_delete(*, user, calendar_year: CalendarYear) -> None:
    """Withdraw the mark: the year's deadlines become provisional again (its entered days stay)."""
    role_require(user, CALENDAR_KEEPERS)
    year = calendar_year.year
    calendar_year.delete()
    _recompute_after_commit({year})


@dataclass(frozen=True)
class ScheduleDay:
    date: dt.date
    kind: CalendarDayKind
    name: str


@transaction.atomic
def calendar_year_load(*, year: int, lines_text: str, user, source: str = "", note: str = "") -> CalendarYear:
    """Enter ``year``'s whole schedule from pasted lines, all or nothing.

    One day or range a line: ``2027-01-01 holiday 元旦``, ``2027-02-06..2027-02-13 holiday 春节``,
    ``2027-02-14 workday 春节调休`` (kinds also 休/放假 and 班/上班). The lines replace the office's
    entries of the year; for a year the package knows, they override it day by day.
    """
    role_require(user, CALENDAR_KEEPERS)
    calendar_year_check(year)
    schedule = schedule_parse(year=year, lines_text=lines_text)
    entries = {entry.date: entry for entry in CalendarDay.objects.select_for_update().filter(date__year=year)}
    now = timezone.now()
    new, changed = [], []
    for day in schedule:
        entry = entries.pop(day.date, None)
        if entry is None:
            new.append(CalendarDay(date=day.date, kind=day.kind, name=day.name, updated_by=user))
        elif (entry.kind, entry.name) != (day.kind, day.name):
            entry.kind, entry.name, entry.updated_by, entry.updated_at = day.kind, day.name, user, now
            changed.append(entry)
    CalendarDay.objects.filter(pk__in=[entry.pk for entry in entries.values()]).delete()
    CalendarDay.objects.bulk_update(changed, ["kind", "name", "updated_by", "updated_at"])
    CalendarDay.objects.bulk_create(new)
    return calendar_year_mark(year=year, user=user, source=source, note=note)


def schedule_parse(*, year: int, lines_text: str) -> list[ScheduleDay]:
    """The days of a pasted schedule; a ``ValidationError`` names every line with a problem."""
    errors, days, line_of_day = [], [], {}
    for number, line in enumerate(lines_text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parsed = _schedule_line_parse(year=year, line=line)
        except ValidationError as error:
            errors.extend(_("Line %(line)d: %(problem)s") % {"line": number, "problem": m} for m in error.messages)
            continue
        for day in parsed:
            if day.date in line_of_day:
                problem = _("%(date)s is already listed on line %(first)d.") % {
                    "date": day.date.isoformat(),
                    "first": line_of_day[day.date],
                }
                errors.append(_("Line %(line)d: %(problem)s") % {"line": number, "problem": problem})
                break
            line_of_day[day.date] = number
            days.append(day)
    if not errors and not days:
        errors.append(_("Paste at least one line of the schedule."))
    if errors:
        raise ValidationError({"lines_text": errors})
    return sorted(days, key=lambda day: day.date)


def schedule_text(entries: list[CalendarDay]) -> str:
    """The office's entries as a pasted schedule (the inverse of :func:`schedule_parse`), runs of days as ranges."""
    lines, run = [], []
    for entry in sorted(entries, key=lambda entry: entry.date):
        if run and (entry.date - run[-1].date, entry.kind, entry.name) != (ONE_DAY, run[0].kind, run[0].name):
            lines.append(_schedule_line(run))
            run = []
        run.append(entry)
    if run:
        lines.append(_schedule_line(run))
    return "\n".join(lines)


def _schedule_line(run: list[CalendarDay]) -> str:
    dates = run[0].date.isoformat() if len(run) == 1 else f"{run[0].date.isoformat()}..{run[-1].date.isoformat()}"
    return f"{dates} {run[0].kind} {run[0].name}".rstrip()


def _schedule_line_parse(*, year: int, line: str) -> list[ScheduleDay]:
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise ValidationError(_("write a date or a range of dates, then holiday or workday, then the holiday name."))
    dates_text, kind_text = parts[0], parts[1]
    name = parts[2].strip() if len(parts) == 3 else ""
    bounds = RANGE_SEPARATOR.split(dates_text)
    if len(bounds) > 2:
        raise ValidationError(_("“%(text)s” is not a date or a range of dates.") % {"text": dates_text})
    first, last = (_date_parse(text) for text in (bounds[0], bounds[-1]))
    if last < first:
        raise ValidationError(
            _("the range ends on %(last)s, before it starts on %(first)s.")
            % {"first": first.isoformat(), "last": last.isoformat()}
        )
    for day in (first, last):
        if day.year != year:
            raise ValidationError(_("%(date)s is not in %(year)d.") % {"date": day.isoformat(), "year": year})
    kind = KIND_WORDS.get(kind_text.lower())
    if kind is None:
        raise ValidationError(
            _("“%(text)s” is not a kind of day; write holiday (休, 放假) or workday (班, 上班).") % {"text": kind_text}
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(_("the name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    days = []
    day = first
    while day <= last:
        if kind == CalendarDayKind.WORKDAY and (problem := make_up_workday_problem(day)):
            raise ValidationError(problem)
        days.append(ScheduleDay(date=day, kind=kind, name=name))
        day += ONE_DAY
    return days


def _date_parse(text: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("“%(text)s” is not a date; write it as YYYY-MM-DD.") % {"text": text}) from None


def _recompute_after_commit(years: set[int]) -> None:
    # A broker that is down must not turn a saved calendar into an error page; the failure is logged.
    enqueue_on_commit(recompute_deadlines, args=[sorted(years)])
