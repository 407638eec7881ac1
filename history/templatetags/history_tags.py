from django import template

from history.selectors import object_history

register = template.Library()

HISTORY_TAB_LIMIT = 200


@register.inclusion_tag("history/tab.html", takes_context=True)
def history_tab(context, obj):
    """The object's history, newest first; the view that renders it has already scoped the object. A view whose reader
    may not follow some of the object's fields names them in its context as ``history_hidden``."""
    hidden = context.get("history_hidden") or ()
    return {"history": object_history(obj=obj, limit=HISTORY_TAB_LIMIT, hidden=hidden)}
