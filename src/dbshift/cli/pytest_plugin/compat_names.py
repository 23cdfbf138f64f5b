"""``import pytest_alembic`` where pytest-alembic is not installed (it serves conftest files and
tests written for pytest-alembic; they get this plugin's objects under pytest-alembic's paths).

A finder appended to ``sys.meta_path`` answers only the names below, and only when nothing
earlier on the path does; each module is made on first import from this package's modules.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

__all__ = ["install"]

_HERE = __package__
#: pytest-alembic's module paths: the names each one offers, as (name, module, attribute).
_MODULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "pytest_alembic": (
        ("Config", "settings", "Config"),
        ("MigrationContext", "runner", "MigrationContext"),
        ("create_alembic_fixture", "fixtures", "create_alembic_fixture"),
        ("runner", "runner", "runner"),
    ),
    "pytest_alembic.config": (("Config", "settings", "Config"),),
    "pytest_alembic.runner": (
        ("MigrationContext", "runner", "MigrationContext"),
        ("RevisionSuccess", "runner", "RevisionSuccess"),
        ("runner", "runner", "runner"),
    ),
    "pytest_alembic.history": (("AlembicHistory", "history", "MigrationHistory"),),
    "pytest_alembic.revision_data": (
        ("RevisionData", "seed_data", "RevisionData"),
        ("RevisionSpec", "seed_data", "RevisionSpec"),
    ),
    "pytest_alembic.executor": (
        ("CommandExecutor", "executors", "CommandExecutor"),
        ("ConnectionExecutor", "executors", "ConnectionExecutor"),
    ),
    "pytest_alembic.plugin": (
        ("alembic_config", "fixtures", "alembic_config"),
        ("alembic_engine", "fixtures", "alembic_engine"),
        ("alembic_runner", "fixtures", "alembic_runner"),
    ),
    "pytest_alembic.plugin.error": (("AlembicTestFailure", "failure", "MigrationTestFailure"),),
    "pytest_alembic.plugin.fixtures": (
        ("alembic_config", "fixtures", "alembic_config"),
        ("alembic_engine", "fixtures", "alembic_engine"),
        ("alembic_runner", "fixtures", "alembic_runner"),
        ("create_alembic_fixture", "fixtures", "create_alembic_fixture"),
    ),
    "pytest_alembic.tests": tuple(
        (f"test_{name}", "default_tests", f"test_{name}")
        for name in ("model_definitions_match_ddl", "single_head_revision", "up_down_consistency",
                     "upgrade")
    ),
    "pytest_alembic.tests.experimental": (
        ("test_all_models_register_on_metadata", "model_registration",
         "test_all_models_register_on_metadata"),
        ("test_downgrade_leaves_no_trace", "downgrade_trace", "test_downgrade_leaves_no_trace"),
    ),
}
_MODULES["pytest_alembic.tests.default"] = _MODULES["pytest_alembic.tests"]
_PACKAGES = {"pytest_alembic", "pytest_alembic.plugin", "pytest_alembic.tests"}


class _NamesLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        names = []
        for name, source, attribute in _MODULES[module.__name__]:
            owner = importlib.import_module(f"{_HERE}.{source}")
            setattr(module, name, getattr(owner, attribute))
            names.append(name)
        module.__all__ = names  # type: ignore[attr-defined]


class _NamesFinder(importlib.abc.MetaPathFinder):
    """Answers ``pytest_alembic`` and its submodules listed in :data:`_MODULES`."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _MODULES:
            return None
        spec = importlib.machinery.ModuleSpec(
            fullname, _NamesLoader(), is_package=fullname in _PACKAGES
        )
        if fullname in _PACKAGES:
            spec.submodule_search_locations = []
        return spec


_FINDER = _NamesFinder()


def install() -> None:
    """Append the finder to ``sys.meta_path`` (once)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
