"""The reusable check that a record's URL holds against users of another town, and where the checks of the
authorization layer find each app's scope function and role sets.

    assert_other_town_refused(client, url, role=Role.TOWN_STAFF, method="post", data={...})

logs in a user holding ``role`` in a freshly made town (or one of its villages, for a village
clerk), requests ``url`` and asserts the answer is 403 or 404 and that nothing was written: every
write to a tracked record appends a history seal, so an unchanged chain head proves it.
"""

import importlib
import inspect
import pkgutil

from django.apps import apps
from django.conf import settings

from history.models import Seal
from organisation import roles, scoping
from organisation.roles import LEVEL_OF_ROLE, Level, Role
from tests.factories.organisation import TownFactory, VillageFactory, post_user


def history_head() -> tuple[int, int]:
    last = Seal.objects.order_by("-id").values_list("id", flat=True).first()
    return (Seal.objects.count(), last or 0)


def stranger(role: Role):
    """A user holding ``role`` somewhere the record under test is not."""
    town = TownFactory()
    if LEVEL_OF_ROLE[role] == Level.VILLAGE:
        return post_user(role, village=VillageFactory(town=town))
    if LEVEL_OF_ROLE[role] == Level.TOWN:
        return post_user(role, town=town)
    raise ValueError(f"{role} reaches the whole district; there is no other town to be refused from.")


def assert_other_town_refused(client, url: str, *, role: Role, method: str = "get", data: dict | None = None):
    client.force_login(stranger(role))
    before = history_head()
    response = getattr(client, method)(url, data or {})
    assert response.status_code in (403, 404), f"{role} of another town got {response.status_code} at {method} {url}"
    assert history_head() == before, f"{method} {url} by another town's {role} wrote to the database"
    return response


# --- Where authorization is declared: each app's permissions.py ------------------------------------------------------


def project_apps():
    """The apps of this project (not Django's, not third parties', not the tests')."""
    base = str(settings.BASE_DIR)
    return [
        config
        for config in apps.get_app_configs()
        if config.path.startswith(base) and not config.name.startswith("tests") and ".venv" not in config.path
    ]


def app_module_names(config) -> list[str]:
    """Every module of an app, migrations and settings (one per environment) left out."""
    package = importlib.import_module(config.name)
    names = [config.name]
    if hasattr(package, "__path__"):
        names += [
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}.")
            if ".migrations" not in info.name and ".settings" not in info.name
        ]
    return names


def permissions_modules():
    for config in project_apps():
        try:
            yield importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue


def defined_scope_functions(module) -> list:
    return [
        function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.endswith("_scope") and function.__module__ == module.__name__
    ]


def scope_functions() -> set:
    """Each app's one scope function, and the organisation app's two (its records are the towns and villages)."""
    found = {function for module in permissions_modules() for function in defined_scope_functions(module)}
    return found | {scoping.towns_scope, scoping.villages_scope}


def is_role_set(value) -> bool:
    return isinstance(value, frozenset | set) and bool(value) and all(isinstance(item, Role) for item in value)


def declared_role_sets() -> list[frozenset]:
    """The role sets named in the apps' permissions modules and in organisation.roles (the district's readers and
    writers every scope shares)."""
    modules = [*permissions_modules(), roles]
    return [value for module in modules for value in vars(module).values() if is_role_set(value)]
