"""Filters of the dashboards' lists: money as the house shows it, days overdue, a project's yield."""

from django import template

from organisation.templatetags.money import money
from projects.rules import yield_percent

register = template.Library()
register.filter("money", money)


@register.filter
def days_since(day, today) -> int | str:
    """Whole days from ``day`` to ``today`` (how long a due date has passed)."""
    return "" if day is None else (today - day).days


@register.filter
def yield_text(rate) -> str:
    """A project's yield as a percentage with two decimals ("4.50%")."""
    return yield_percent(rate)
