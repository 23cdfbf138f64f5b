"""The import hook that maps ``alembic.<x>`` to ``dbshift.<x>``.

``alembic.<x>`` is served as the module object ``dbshift.<x>`` itself: ``sys.modules`` holds the
same object under both names, so a plugin that subclasses ``alembic.operations.MigrateOperation``
or registers on ``alembic.autogenerate.renderers`` reaches dbshift's own class and registry.

The finder sits at the front of ``sys.meta_path``. It must answer ``alembic.<x>`` before the
path finder does: an aliased package keeps dbshift's ``__path__``, where the path finder would
find the same file and execute it a second time as a new module. It answers ``alembic`` itself
only when no other finder can find a real Alembic (or when forced, see :mod:`dbshift.compat`),
and ``alembic.<x>`` only while ``alembic`` is the alias: a real Alembic keeps its submodules.

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
    "alembic.__main__": "dbshift.__main__",
}

#: The attribute that marks a module served under an ``alembic`` name.
ALIAS_MARK = "__dbshift_alias__"
#: The attribute that marks dbshift's start-up hook (the ``.pth`` file's finder).
STARTUP_HOOK_MARK = "dbshift_startup_hook"


def dbshift_name_for(alembic_name: str) -> str:
    """The dbshift module that serves ``alembic_name``."""
    if alembic_name in _RENAMED:
        return _RENAMED[alembic_name]
    return "dbshift" + alembic_name[len("alembic"):]


def is_alembic_name(name: str) -> bool:
    """Whether ``name`` is ``alembic`` or one of its submodules."""
    return name == "alembic" or name.startswith("alembic.")


def is_alias(module: object) -> bool:
    """Whether ``module`` is a dbshift module (served under an ``alembic`` name)."""
    return bool(getattr(module, ALIAS_MARK, False))


class _AliasLoader:
    """Loads ``alembic.<x>`` as the already importable ``dbshift.<x>`` module itself."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.target)
        # The import system sets ``__spec__`` of what this returns to the alias spec (it keeps
        # the other attributes); exec_module puts the module's own spec back, else relative
        # imports run later in the module see ``__package__ != __spec__.parent`` (ImportWarning).
        self._own_spec = module.__spec__
        try:
            setattr(module, ALIAS_MARK, True)
        except (AttributeError, TypeError):  # pragma: no cover - frozen modules
            pass
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        if self._own_spec is not None:
            module.__spec__ = self._own_spec

    def get_code(self, fullname: str) -> Any:
        """The target module's code (``python -m alembic`` runs ``dbshift.__main__``'s)."""
        spec = importlib.util.find_spec(self.target)
        loader = getattr(spec, "loader", None)
        get_code = getattr(loader, "get_code", None)
        if get_code is None:
            raise ImportError(f"no code for {fullname} ({self.target})", name=fullname)
        return get_code(self.target)


class AlembicAliasFinder:
    """Finds ``alembic`` and ``alembic.*`` as the matching dbshift modules.

    ``force`` serves ``alembic`` even where a real Alembic is installed, and so does
    ``serving`` while dbshift runs a project's files there; ``runs`` counts those runs (see
    :class:`dbshift.compat.serving_project_files`).
    """

    def __init__(self, force: bool = False) -> None:
        self.force = force
        self.serving = False
        self.runs = 0

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not fullname.startswith("alembic"):
            return None
        if fullname == "alembic":
            if not (self.force or self.serving) and real_alembic_exists(self):
                return None
        elif fullname.startswith("alembic."):
            if not is_alias(sys.modules.get("alembic")):
                return None
        else:
            return None
        return alias_spec(fullname)


def alias_spec(fullname: str) -> importlib.machinery.ModuleSpec | None:
    """The spec that loads ``fullname`` as its dbshift module, or None if dbshift has none."""
    target_name = dbshift_name_for(fullname)
    try:
        found = importlib.util.find_spec(target_name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        return None
    is_package = fullname == "alembic" or found.submodule_search_locations is not None
    spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(target_name), is_package=is_package)
    if is_package:
        spec.submodule_search_locations = []
    return spec


def real_alembic_exists(skip: object = None) -> bool:
    """Whether a finder other than dbshift's own can find a top-level ``alembic`` module."""
    for finder in list(sys.meta_path):
        if finder is skip or getattr(finder, STARTUP_HOOK_MARK, False):
            continue
        if isinstance(finder, AlembicAliasFinder):
            continue
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            if find_spec("alembic", None) is not None:
                return True
        except (ImportError, ValueError):
            continue
    return False


# importlib.util is a submodule that must be imported explicitly.
import importlib.util  # noqa: E402
