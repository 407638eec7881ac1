"""The counting rule beside a due date: ``{% include "funds/due_rule.html" with record=transfer %}``."""

from django import template

from funds.rules import deadline_counting

register = template.Library()


@register.filter
def due_counting(record) -> str:
    """``deadline_counting`` of a record with a due date: a transfer by its hop, a report or a loan by working days."""
    return deadline_counting(getattr(record, "hop", None))
