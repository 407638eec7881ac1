"""Money, the same in every app: yuan as ``Decimal`` with two places, shown as "12,345.60".

``MONEY`` holds the arguments of every amount's ``DecimalField`` (and of a money expression's
``output_field``: ``MONEY_FIELD``); ``ZERO`` is the amount nothing, with its two places, so a sum of no
rows still reads "0.00". ``money_text`` shows an amount in Python, ``money_text_sql`` the same in a query.
"""

from decimal import Decimal
from typing import TypedDict

from django.db import models
from django.db.models import CharField, Func, Value


class MoneyDigits(TypedDict):
    """The keyword arguments of a money ``DecimalField``."""

    max_digits: int
    decimal_places: int


MONEY: MoneyDigits = {"max_digits": 14, "decimal_places": 2}
MONEY_FIELD: models.DecimalField = models.DecimalField(**MONEY)
ZERO = Decimal("0.00")

# to_char's picture of money_text: twelve digits before the point, as many as MONEY allows.
_SQL_PICTURE = "FM999,999,999,990.00"


def money_text(amount: Decimal) -> str:
    """An amount with thousands separated and two decimals: Decimal("12345.6") -> "12,345.60"."""
    return f"{amount:,.2f}"


def money_text_sql(expression) -> Func:
    """``money_text`` computed by PostgreSQL, for text built inside a query."""
    return Func(expression, Value(_SQL_PICTURE), function="to_char", output_field=CharField())
