"""Filters of the dashboards' lists: money as the house shows it, days overdue, a project's yield."""

from django import template

from organisation.money import money_text
from projects.rules import yield_percent

register = template.Library()


@register.filter
def money(amount) -> str:
    return "—" if amount is None else money_text(amount)


@register.filter
def days_since(day, today) -> int | str:
    """Whole days from ``day`` to ``today`` (how long a due date has passed)."""
    return "" if day is None else (today - day).days


@register.filter
def yield_text(rate) -> str:
    """A project's yield as a percentage with two decimals ("4.50%")."""
    return yield_percent(rate)
