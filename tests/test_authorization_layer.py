"""One authorization layer per app: its ``permissions.py`` holds its one scope function and every set of roles it
checks, and the reads (selectors) never reach for a write (services).

The modules are found, not listed, so a new module that brings a scope function or a role set of its own fails here.
"""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from organisation import roles, scoping
from tests.permission_checks import (
    app_module_names,
    declared_role_sets,
    defined_scope_functions,
    is_role_set,
    permissions_modules,
    project_apps,
)

# The organisation app's records are the towns and villages themselves: its two scope functions are the mechanism's.
MECHANISM_MODULES = {scoping.__name__, roles.__name__}


def app_modules():
    for config in project_apps():
        for name in app_module_names(config):
            yield importlib.import_module(name)


@pytest.mark.parametrize("module", list(permissions_modules()), ids=lambda module: module.__name__)
def test_a_permissions_module_holds_at_most_one_scope_function(module):
    scopes = defined_scope_functions(module)
    assert len(scopes) <= 1, f"{module.__name__} has {len(scopes)} scope functions: {scopes}"


def test_no_other_module_defines_a_scope_function():
    # given every module of every app but the permissions modules and the mechanism
    elsewhere = [
        f"{module.__name__}.{function.__name__}"
        for module in app_modules()
        if not module.__name__.endswith(".permissions") and module.__name__ not in MECHANISM_MODULES
        for function in defined_scope_functions(module)
    ]
    # then none of them brings a scope function of its own
    assert not elsewhere, f"a scope function belongs in its app's permissions.py: {elsewhere}"


def role_sets_in(module):
    """The role sets a module holds at its top level or on its classes, with where."""
    for name, value in vars(module).items():
        if is_role_set(value):
            yield name, value
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            for attribute, class_value in vars(value).items():
                if is_role_set(class_value):
                    yield f"{name}.{attribute}", class_value


def test_every_role_set_is_declared_in_a_permissions_module():
    # given the role sets the permissions modules (and organisation.roles) declare
    declared = declared_role_sets()
    # when every other module's role sets are compared with them
    undeclared = [
        f"{module.__name__}.{name}"
        for module in app_modules()
        if not module.__name__.endswith(".permissions") and module.__name__ not in MECHANISM_MODULES
        for name, value in role_sets_in(module)
        if not any(value is role_set for role_set in declared)
    ]
    # then each is one of those (imported by name), none is made on the spot
    assert not undeclared, f"declare these role sets in the app's permissions.py: {undeclared}"


def test_selectors_import_no_services():
    # given every selectors module of every app
    offending = []
    for module in app_modules():
        if "selectors" not in module.__name__.split("."):
            continue
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            # then none imports a services module (or a service out of one)
            if any("services" in name.split(".") or name.split(".")[-1].endswith("_services") for name in names):
                offending.append(f"{module.__name__}: line {node.lineno}")
    assert not offending, f"a selector reads; it imports no service: {offending}"
