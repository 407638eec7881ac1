from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Models that exist only in the test suite, to exercise shared machinery before a domain uses it."""

    name = "tests.testapp"
    label = "testapp"
