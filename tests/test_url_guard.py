"""Every URL of the app is guarded: a view either takes its records from its app's scope function
(ScopedMixin), is limited to some roles (RoleRequiredMixin), or declares that it shows no records.
A new view that does none of these fails here before it can leak another town's records."""

import pytest
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organisation.access import RoleRequiredMixin, ScopedMixin

# Namespaces and views that guard themselves (Django's own admin, login, language switch).
SELF_GUARDED_NAMESPACES = {"admin"}
PUBLIC_URL_NAMES = {"login", "logout", "set_language"}


def walk(patterns, namespace=None, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, entry.namespace or namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def app_urls():
    for namespace, pattern, route in walk(get_resolver().url_patterns):
        if namespace in SELF_GUARDED_NAMESPACES or pattern.name in PUBLIC_URL_NAMES:
            continue
        yield pytest.param(namespace, pattern, route, id=f"{namespace}:{pattern.name}" if namespace else pattern.name)


@pytest.mark.parametrize(("namespace", "pattern", "route"), list(app_urls()))
def test_every_view_is_scoped_or_role_limited_or_record_free(namespace, pattern, route):
    view_class = getattr(pattern.callback, "view_class", None)
    assert view_class is not None, f"{route}: use a class-based view so its guard can be checked"
    assert issubclass(view_class, LoginRequiredMixin), f"{route}: {view_class.__name__} must require login"
    if issubclass(view_class, ScopedMixin):
        assert view_class.scope is not None, f"{route}: {view_class.__name__} names no scope function"
    else:
        assert issubclass(view_class, RoleRequiredMixin) or getattr(view_class, "record_free", False), (
            f"{route}: {view_class.__name__} is neither scoped, role-limited nor record-free"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("namespace", "pattern", "route"), list(app_urls()))
def test_every_view_sends_anonymous_users_to_login(client, namespace, pattern, route):
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    kwargs = {key: 1 for key in pattern.pattern.converters}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
