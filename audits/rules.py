"""The rules of points 19 and 20 that the rectification ledger keeps, each in one function.

"实行“督办单”制度，对问题整改不到位的进行约谈，限期整改。建立整改台账，逐条逐项细化整改措施，明确责任主体，实行
销号管理" (point 20); "对审计反馈问题整改情况开展“回头看”，确保将问题全部整改到位" (point 19).

Days are counted as ``organisation.workdays`` counts them (the start day not counted; a calendar-day period
ending on a rest day runs to the next working day; the due day ends at 24:00 Beijing time).
"""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from audits.choices import SYSTEM_SOURCES, Source
from organisation.roles import Role
from organisation.workdays import Deadline, WorkingCalendar, add_calendar_days, add_working_days


def item_deadline(raised_on: dt.date, *, working_days: int, calendar: WorkingCalendar) -> Deadline:
    """限期整改: an item is due ``working_days`` working days after the day it was raised."""
    return add_working_days(raised_on, working_days, calendar=calendar)


def order_reply_deadline(issued_on: dt.date, *, working_days: int, calendar: WorkingCalendar) -> Deadline:
    """督办单: the addressed town replies within ``working_days`` working days of the order."""
    return add_working_days(issued_on, working_days, calendar=calendar)


def look_back_deadline(closed_on: dt.date, *, days: int, calendar: WorkingCalendar) -> Deadline:
    """回头看: a closed item is checked again ``days`` calendar days after its close-off (a rest day moves it to the
    next working day)."""
    return add_calendar_days(closed_on, days, calendar=calendar)


def order_number(year: int, sequence: int) -> str:
    """A supervision order's number: 兰扶督〔2018〕12号."""
    return f"兰扶督〔{year}〕{sequence}号"


def item_number(year: int, sequence: int) -> str:
    """A ledger item's number: ZG2018-0012 (整改)."""
    return f"ZG{year}-{sequence:04d}"


_ITEM_NUMBER = re.compile(r"^\s*ZG(\d{4})-(\d+)\s*$", re.IGNORECASE)


def item_number_parse(text: str) -> tuple[int, int] | None:
    """(year, sequence) of a typed item number such as ``ZG2018-0012``, or None for other text."""
    match = _ITEM_NUMBER.match(text)
    return (int(match[1]), int(match[2])) if match else None


# Who raises an item by hand, of which source (point 20; the system's own sources are raised by the daily scan only):
# the district office and the audit post any outside or hand-found problem, a town its self-check and the public's
# complaints about it.
HAND_RAISED_SOURCES = frozenset(set(Source) - SYSTEM_SOURCES)
TOWN_RAISED_SOURCES = frozenset({Source.SELF_CHECK, Source.PUBLIC_COMPLAINT})


def hand_raise_sources(role: Role | None) -> frozenset[Source]:
    """The sources of the items a post of ``role`` may raise by hand."""
    if role in (Role.DISTRICT_OFFICE, Role.AUDIT):
        return HAND_RAISED_SOURCES
    if role == Role.TOWN_STAFF:
        return TOWN_RAISED_SOURCES
    return frozenset()


PERCENT = Decimal("0.1")


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def rectification_rate(*, closed: int, total: int) -> Decimal | None:
    """整改完成率: the items closed off, in percent of all the items (None when there are none)."""
    return _percent(closed, total)


def rebound_rate(*, reopened: int, closed: int) -> Decimal | None:
    """反弹率: the items reopened after a look-back, in percent of the items closed off (None when none is)."""
    return _percent(reopened, closed)
