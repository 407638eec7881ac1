"""Money is shown the same way by Python and by PostgreSQL, and a sum of nothing still has its two places."""

from decimal import Decimal

import pytest
from django.db.models import Value

from organisation.models import Town
from organisation.money import MONEY, MONEY_FIELD, ZERO, money_text, money_text_sql
from tests.factories.organisation import TownFactory

AMOUNTS = ["0", "0.00", "0.05", "7.5", "999.99", "1000", "12345.60", "-2500.00", "999999999999.99"]


@pytest.mark.parametrize(
    ("amount", "text"),
    [("0", "0.00"), ("0.05", "0.05"), ("1000", "1,000.00"), ("12345.6", "12,345.60"), ("-2500", "-2,500.00")],
)
def test_an_amount_reads_with_thousands_separated_and_two_decimals(amount, text):
    assert money_text(Decimal(amount)) == text


@pytest.mark.django_db
@pytest.mark.parametrize("amount", AMOUNTS)
def test_the_database_shows_an_amount_as_python_does(amount):
    # given an amount as the database holds it (14 digits, 2 places)
    value = Value(Decimal(amount), output_field=MONEY_FIELD)
    town = TownFactory()
    # when PostgreSQL formats it
    text = Town.objects.filter(pk=town.pk).annotate(text=money_text_sql(value)).values_list("text", flat=True).get()
    # then it reads exactly as money_text says
    assert text == money_text(Decimal(amount))


def test_zero_keeps_two_places_and_money_fields_hold_fourteen_digits():
    assert str(ZERO) == "0.00"
    assert str(sum([], ZERO)) == "0.00"
    assert MONEY == {"max_digits": 14, "decimal_places": 2}
    assert (MONEY_FIELD.max_digits, MONEY_FIELD.decimal_places) == (14, 2)
