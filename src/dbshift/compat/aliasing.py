"""The import hook that maps ``alembic.<x>`` to ``dbshift.<x>``.

The finder and loader implement the import protocols without subclassing ``importlib.abc``,
whose import (it pulls in ``importlib.resources``) would cost every command that loads a
revision module about 9 ms.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from typing import Any

#: Alembic module paths whose dbshift module has another name; the rest map one to one.
_RENAMED = {
    "alembic": "dbshift.compat.alembic_root",
    "alembic.script.base": "dbshift.script.directory",
    "alembic.ddl.base": "dbshift.ddl.elements",
    "alembic.operations.batch": "dbshift.operations.batch",
    "alembic.autogenerate.api": "dbshift.autogenerate",
    "alembic.config": "dbshift.cli.alembic_config",
}


def dbshift_name_for(alembic_name: str) -> str:
    """The dbshift module that serves ``alembic_name``."""
    if alembic_name in _RENAMED:
        return _RENAMED[alembic_name]
    return "dbshift" + alembic_name[len("alembic"):]


class _AliasLoader:
    """Loads ``alembic.<x>`` as the already importable ``dbshift.<x>`` module itself."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.target)
        try:
            module.__dbshift_alias__ = True  # type: ignore[attr-defined]
        except (AttributeError, TypeError):  # pragma: no cover - frozen modules
            pass
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class AlembicAliasFinder:
    """Finds ``alembic`` and ``alembic.*`` as the matching dbshift modules."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "alembic" and not fullname.startswith("alembic."):
            return None
        target_name = dbshift_name_for(fullname)
        try:
            found = importlib.util.find_spec(target_name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            return None
        is_package = fullname == "alembic" or found.submodule_search_locations is not None
        spec = importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(target_name), is_package=is_package
        )
        if is_package:
            spec.submodule_search_locations = []
        return spec


# importlib.util is a submodule that must be imported explicitly.
import importlib.util  # noqa: E402

del sys
