"""The yield rule (projects.rules): the 6% boundary, no investment, no income, arrears."""

import datetime as dt
from decimal import Decimal

import pytest

from organisation.periods import twelve_months_ending
from projects.models import YieldClass
from projects.rules import NO_INVESTMENT_MESSAGE, YIELD_FLOOR, classify, yield_percent, yield_rate

MILLION = Decimal("1000000.00")


def test_exactly_six_percent_meets_the_floor():
    # given income of exactly 6% of the investment
    income = Decimal("60000.00")
    # when classified
    # then it meets the floor, and shows as 6.00%
    assert classify(income, MILLION, None) == YieldClass.MEETING
    assert yield_rate(income, MILLION) == YIELD_FLOOR
    assert yield_percent(yield_rate(income, MILLION)) == "6.00%"


def test_a_fen_below_six_percent_is_weak():
    # then income a fen below 6% of the investment is weak
    assert classify(Decimal("59999.99"), MILLION, None) == YieldClass.WEAK


def test_five_point_nine_nine_nine_nine_percent_is_weak():
    # given 5.9999% of a million: 59,999 yuan
    income = Decimal("59999.00")
    # then its rate is below the floor and it is weak, though it shows as 6.00%
    assert yield_rate(income, MILLION) == Decimal("0.059999")
    assert classify(income, MILLION, None) == YieldClass.WEAK
    assert yield_percent(yield_rate(income, MILLION)) == "6.00%"  # the display rounds; the class does not


def test_zero_investment_gives_the_clear_message_not_an_error():
    # then without an investment there is no rate, the class says so, and the display gives the message
    assert yield_rate(Decimal("5000.00"), Decimal("0")) is None
    assert yield_rate(Decimal("5000.00"), None) is None
    assert classify(Decimal("5000.00"), None, None) == YieldClass.NO_INVESTMENT
    assert classify(Decimal("0"), Decimal("0"), Decimal("1000")) == YieldClass.NO_INVESTMENT
    assert yield_percent(None) == str(NO_INVESTMENT_MESSAGE)


def test_zero_income_is_idle_even_with_an_agreement():
    # then no income is idle, with or without an agreed income
    assert classify(Decimal("0"), MILLION, None) == YieldClass.IDLE
    assert classify(Decimal("0"), MILLION, Decimal("80000.00")) == YieldClass.IDLE


@pytest.mark.parametrize(
    ("income", "agreed", "expected"),
    [
        # paid less than agreed: in arrears, even with a yield above 6%
        (Decimal("79999.99"), Decimal("80000.00"), YieldClass.STRUGGLING),
        (Decimal("80000.00"), Decimal("80000.00"), YieldClass.MEETING),
        # paid what was agreed, but the agreement itself is below 6%: weak
        (Decimal("50000.00"), Decimal("50000.00"), YieldClass.WEAK),
        # an agreement of zero puts no one in arrears
        (Decimal("70000.00"), Decimal("0.00"), YieldClass.MEETING),
    ],
)
def test_arrears_come_before_the_yield(income, agreed, expected):
    # then a project paid less than agreed is struggling, whatever its yield
    assert classify(income, MILLION, agreed) == expected


def test_arrears_are_judged_on_the_agreed_share_of_the_months():
    # given six months of an 80,000-a-year agreement: 40,000
    # then 40,000 meets it over six months, and a fen less is in arrears
    assert classify(Decimal("40000.00"), Decimal("100000.00"), Decimal("80000.00"), months=6) == YieldClass.MEETING
    assert classify(Decimal("39999.99"), Decimal("100000.00"), Decimal("80000.00"), months=6) == (
        YieldClass.STRUGGLING
    )


def test_percent_rounds_half_up_to_two_decimals():
    # then a rate shows as a percent rounded half up to two decimals
    assert yield_percent(Decimal("0.123450")) == "12.35%"
    assert yield_percent(Decimal("0.123449")) == "12.34%"
    assert yield_percent(Decimal("0")) == "0.00%"


def test_the_twelve_months_ending_a_month():
    # then the twelve months ending a month's last day start on the first of the month a year before
    assert twelve_months_ending(dt.date(2024, 12, 31)) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert twelve_months_ending(dt.date(2024, 2, 29)) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
    assert twelve_months_ending(dt.date(2025, 1, 31)) == (dt.date(2024, 2, 1), dt.date(2025, 1, 31))
