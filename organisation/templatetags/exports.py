"""``{% export_button "kind" %}``: the "export to Excel" button of a list (``organisation.exports``), posting the
list's current query string; nothing for a user who may not export it, so a page shows only what the role may do."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from organisation.exports import export_of, list_params

register = template.Library()


@register.inclusion_tag("organisation/_export_button.html", takes_context=True)
def export_button(context, kind: str) -> dict:
    request = context.get("request")
    export = export_of(kind)
    user = getattr(request, "user", None)
    if request is None or export is None or user is None or not export.may_export(user):
        return {"export_url": ""}
    query = urlencode(list_params(request.GET))
    url = reverse("organisation:export_ask", args=[kind]) + (f"?{query}" if query else "")
    return {"export_url": url, "may_full_ids": export.may_ask_full_ids(user), "csrf_token": context.get("csrf_token")}


@register.filter
def urlencode_params(params: dict) -> str:
    """A stored query string (a dict) as a URL's query."""
    return urlencode(params)
