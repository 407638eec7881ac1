from django import template

from history.selectors import object_history

register = template.Library()

HISTORY_TAB_LIMIT = 200


@register.inclusion_tag("history/tab.html")
def history_tab(obj):
    """The object's history, newest first; the view that renders it has already scoped the object."""
    return {"history": object_history(obj=obj, limit=HISTORY_TAB_LIMIT)}
