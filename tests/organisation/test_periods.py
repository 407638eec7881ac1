"""Where months start and end: leap years, year ends, any day of the month."""

import datetime as dt

import pytest

from organisation.periods import (
    is_month_end,
    month_end,
    month_start,
    next_month,
    previous_month,
    twelve_months_ending,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2024-02-10", "2024-02-01", "2024-02-29"),  # a leap year's February
        ("2025-02-28", "2025-02-01", "2025-02-28"),
        ("2024-12-01", "2024-12-01", "2024-12-31"),
        ("2024-04-30", "2024-04-01", "2024-04-30"),
    ],
)
def test_a_month_starts_on_the_first_and_ends_on_its_last_day(day, start, end):
    assert (month_start(D(day)), month_end(D(day))) == (D(start), D(end))
    assert is_month_end(D(end))
    assert not is_month_end(D(end) - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        ("2025-01-15", "2024-12-01", "2025-02-01"),  # across the year's end
        ("2024-03-31", "2024-02-01", "2024-04-01"),  # from a month's last day
        ("2024-12-01", "2024-11-01", "2025-01-01"),  # from a month's first day
    ],
)
def test_the_months_before_and_after_are_named_by_their_first_day(day, before, after):
    assert (previous_month(D(day)), next_month(D(day))) == (D(before), D(after))


@pytest.mark.parametrize(
    ("period_end", "first", "last"),
    [
        ("2025-12-31", "2025-01-01", "2025-12-31"),
        ("2025-02-28", "2024-03-01", "2025-02-28"),
        ("2024-02-29", "2023-03-01", "2024-02-29"),
        ("2025-01-15", "2024-02-01", "2025-01-31"),
    ],
)
def test_twelve_months_end_with_the_month_of_the_period_end(period_end, first, last):
    assert twelve_months_ending(D(period_end)) == (D(first), D(last))
