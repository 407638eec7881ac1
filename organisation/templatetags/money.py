"""``{{ amount|money }}``: an amount as the house shows it on every page ("2,000,000.00"; "—" for none), by
``organisation.money.money_text``, whatever the language's number format."""

from django import template

from organisation.money import money_text

register = template.Library()


@register.filter
def money(amount) -> str:
    return "—" if amount is None or amount == "" else money_text(amount)
