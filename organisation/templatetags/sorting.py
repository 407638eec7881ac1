"""``{% sort_header sorting "key" "label" %}``: a list's column header that sorts by the column (organisation.sorting),
keeping the list's filters and going back to page 1."""

from django import template
from django.utils.html import format_html

from organisation.sorting import SORT_PARAM

register = template.Library()

ARROWS = {"asc": " ▲", "desc": " ▼", "": ""}


@register.simple_tag(takes_context=True)
def sort_header(context, sorting, key: str, label) -> str:
    params = context["request"].GET.copy()
    params[SORT_PARAM] = sorting.next_value(key)
    params.pop("page", None)
    state = sorting.state(key)
    return format_html(
        '<a class="link-dark text-decoration-none" href="?{}" data-sort="{}" aria-sort="{}">{}{}</a>',
        params.urlencode(),
        key,
        {"asc": "ascending", "desc": "descending"}.get(state, "none"),
        label,
        ARROWS[state],
    )
