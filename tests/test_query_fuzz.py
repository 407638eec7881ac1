"""Every list page's GET parameters are parsed so that a bad value is answered 400 or ignored, never 500: a NUL byte
(PostgreSQL text cannot hold it), an integer too large for any column or date, a date that does not exist, a choice
that is no choice and a negative page. The pages are found by walking the URL resolver (as tests/test_url_guard.py
does): every URL without arguments that answers GET; the parameters each page reads are those of the forms bound to
its query string, and the ones every list shares (q, page, sort, year, month, town, village, status)."""

import pytest
from django import forms
from django.urls import get_resolver, reverse

from organisation.roles import Role
from tests.factories.organisation import post_user
from tests.test_url_guard import PUBLIC_URL_NAMES, SELF_GUARDED_NAMESPACES, walk

COMMON_PARAMETERS = ("q", "page", "sort", "year", "month", "town", "village", "status")
BAD_VALUES = ("9" * 23, "99999", "-1", "2026-13-45", "不存在的选项")
# Pages that are not lists (downloads, actions, logins) answer GET with a file or a redirect; they are still fuzzed.
SKIP_NAMES = {"logout", "set_language"}


def list_urls():
    for namespace, pattern, _route in walk(get_resolver().url_patterns):
        if pattern.pattern.converters or namespace in SELF_GUARDED_NAMESPACES or pattern.name in SKIP_NAMES:
            continue
        if pattern.name is None or pattern.name in PUBLIC_URL_NAMES - {"login"}:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        yield pytest.param(name, id=name)


def parameters_read(response) -> set[str]:
    """The fields of every form of the page's context bound to its query string, and the common ones."""
    names = set(COMMON_PARAMETERS)
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, forms.BaseForm) and value.is_bound:
                names.update(value.fields)
    return names


@pytest.fixture
def office(db, town, village):
    return post_user(Role.DISTRICT_OFFICE)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(list_urls()))
def test_no_get_parameter_makes_a_list_page_fail(client, office, name):
    client.force_login(office)
    client.raise_request_exception = False
    url = reverse(name)
    first = client.get(url)
    if first.status_code == 405:
        pytest.skip("answers no GET")
    assert first.status_code < 500
    # a NUL byte anywhere in the query string is a 400
    assert client.get(url, {"q": "a\x00b"}).status_code == 400
    # every other bad value of every parameter the page reads is answered, not a 500
    failures = []
    for parameter in sorted(parameters_read(client.get(url, {"q": "x"}))):
        for value in BAD_VALUES:
            status = client.get(url, {parameter: value}).status_code
            if status >= 500:
                failures.append(f"{parameter}={value!r}: {status}")
    assert not failures, failures
