"""Every URL of the app is guarded: a view either takes its records from its app's scope function
(ScopedMixin), is limited to some roles (RoleRequiredMixin), or declares that it shows no records.
A new view that does none of these fails here before it can leak another town's records. The scope it names
must be an app's one scope function (``<app>/permissions.py``, or the organisation app's towns_scope and
villages_scope), and the roles it allows one of the role sets the permissions modules declare, so a view
cannot bring a scope or a set of roles of its own.

The one exception is the "public" namespace (the page without login): its views declare ``public_page = True``,
require no login, and answer GET only."""

import pytest
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organisation.access import RoleRequiredMixin, ScopedMixin
from tests.permission_checks import declared_role_sets, scope_functions

# Namespaces and views that guard themselves (Django's own admin, login, language switch).
SELF_GUARDED_NAMESPACES = {"admin"}
PUBLIC_URL_NAMES = {"login", "logout", "set_language"}
# The page meant for the internet, without login: read-only, checked by its own tests below.
PUBLIC_NAMESPACE = "public"
# The public's forms without login (the evaluation form of point 15): GET and a CSRF-protected POST, checked below.
PUBLIC_FORMS_NAMESPACE = "public_forms"


def walk(patterns, namespace=None, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, entry.namespace or namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def app_urls():
    for namespace, pattern, route in walk(get_resolver().url_patterns):
        if (
            namespace in SELF_GUARDED_NAMESPACES | {PUBLIC_NAMESPACE, PUBLIC_FORMS_NAMESPACE}
            or pattern.name in PUBLIC_URL_NAMES
        ):
            continue
        yield pytest.param(namespace, pattern, route, id=f"{namespace}:{pattern.name}" if namespace else pattern.name)


def public_urls():
    for namespace, pattern, route in walk(get_resolver().url_patterns):
        if namespace == PUBLIC_NAMESPACE:
            yield pytest.param(pattern, route, id=f"{namespace}:{pattern.name}")


@pytest.mark.parametrize(("namespace", "pattern", "route"), list(app_urls()))
def test_every_view_is_scoped_or_role_limited_or_record_free(namespace, pattern, route):
    view_class = getattr(pattern.callback, "view_class", None)
    assert view_class is not None, f"{route}: use a class-based view so its guard can be checked"
    assert issubclass(view_class, LoginRequiredMixin), f"{route}: {view_class.__name__} must require login"
    if issubclass(view_class, ScopedMixin):
        assert view_class.scope is not None, f"{route}: {view_class.__name__} names no scope function"
        assert view_class.scope in scope_functions(), (
            f"{route}: {view_class.__name__}.scope is {view_class.scope.__qualname__}, no app's scope function"
        )
    else:
        assert issubclass(view_class, RoleRequiredMixin) or getattr(view_class, "record_free", False), (
            f"{route}: {view_class.__name__} is neither scoped, role-limited nor record-free"
        )
    if issubclass(view_class, RoleRequiredMixin):
        assert any(view_class.allowed_roles is declared for declared in declared_role_sets()), (
            f"{route}: {view_class.__name__}.allowed_roles is no role set of a permissions module"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("namespace", "pattern", "route"), list(app_urls()))
def test_every_view_sends_anonymous_users_to_login(client, namespace, pattern, route):
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    kwargs = {key: 1 for key in pattern.pattern.converters}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_public_namespace_has_its_page():
    assert list(public_urls()), "the public page is missing from the URL configuration"


@pytest.mark.parametrize(("pattern", "route"), list(public_urls()))
def test_every_public_view_declares_itself_public_needs_no_login_and_answers_get_only(pattern, route):
    view_class = getattr(pattern.callback, "view_class", None)
    assert view_class is not None, f"{route}: use a class-based view so its guard can be checked"
    assert getattr(view_class, "public_page", False) is True, (
        f"{route}: {view_class.__name__} must declare public_page"
    )
    assert not issubclass(view_class, LoginRequiredMixin | ScopedMixin | RoleRequiredMixin), (
        f"{route}: a public view takes no login and no user's scope"
    )
    assert list(view_class.http_method_names) == ["get"], f"{route}: a public view answers GET only"


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "route"), list(public_urls()))
def test_every_public_view_answers_anonymous_get_and_refuses_every_other_method(client, pattern, route):
    url = reverse(f"{PUBLIC_NAMESPACE}:{pattern.name}", kwargs={key: 1 for key in pattern.pattern.converters})
    assert client.get(url).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 405, f"{method.upper()} {route} must be refused"


def public_form_urls():
    for namespace, pattern, route in walk(get_resolver().url_patterns):
        if namespace == PUBLIC_FORMS_NAMESPACE:
            yield pytest.param(pattern, route, id=f"{namespace}:{pattern.name}")


@pytest.mark.parametrize(("pattern", "route"), list(public_form_urls()))
def test_every_public_form_declares_itself_needs_no_login_and_answers_get_and_post_only(pattern, route):
    view_class = getattr(pattern.callback, "view_class", None)
    assert view_class is not None, f"{route}: use a class-based view so its guard can be checked"
    assert getattr(view_class, "public_form", False) is True, (
        f"{route}: {view_class.__name__} must declare public_form"
    )
    assert not issubclass(view_class, LoginRequiredMixin | ScopedMixin | RoleRequiredMixin), (
        f"{route}: a public form takes no login and no user's scope"
    )
    assert sorted(view_class.http_method_names) == ["get", "post"], f"{route}: a public form answers GET and POST only"


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "route"), list(public_form_urls()))
def test_every_public_form_refuses_a_post_without_its_csrf_token(pattern, route):
    from django.test import Client

    url = reverse(f"{PUBLIC_FORMS_NAMESPACE}:{pattern.name}", kwargs={key: 1 for key in pattern.pattern.converters})
    client = Client(enforce_csrf_checks=True)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    for method in ("put", "patch", "delete"):
        # Refused by the CSRF check first (403), or by the view (405).
        assert getattr(client, method)(url).status_code in (403, 405), f"{method.upper()} {route} must be refused"
