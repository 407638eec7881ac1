"""``{% allowed_url 'app:name' as link %}``: the URL of a page, or "" when the page does not exist or the signed-in
user's post may not open it, so a menu shows only what the role may open.

A view says who may open it with a ``may_open(user)`` class method (``RoleRequiredMixin`` has one from its
``allowed_roles``); a view without one is open to every signed-in user and narrows what it shows by scope.
"""

from django import template
from django.urls import NoReverseMatch, resolve, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_url(context, name: str, *args) -> str:
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    user = context.get("user")
    view_class = getattr(resolve(path).func, "view_class", None)
    may_open = getattr(view_class, "may_open", None)
    if user is None or (may_open is not None and not may_open(user)):
        return ""
    return path
