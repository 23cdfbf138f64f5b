"""Serve ``import alembic`` from dbshift when Alembic itself is not installed.

:func:`install` puts an aliasing finder on ``sys.meta_path``. By default it is placed *last*, so a
real Alembic installation (found by the normal path finder first) always wins; with
``DBSHIFT_ALEMBIC_SHIM=force`` (or ``install(force=True)``) it goes first and dbshift serves
``alembic`` even where Alembic is installed; ``DBSHIFT_ALEMBIC_SHIM=off`` disables it. The alias is
one import hook: ``alembic.op`` *is* ``dbshift.op``, no code is copied.
"""

from __future__ import annotations

import os

from .aliasing import AlembicAliasFinder, dbshift_name_for

__all__ = ["AlembicAliasFinder", "dbshift_name_for", "install", "uninstall", "is_installed"]

_finder: AlembicAliasFinder | None = None


def install(force: bool | None = None) -> bool:
    """Install the ``alembic`` alias finder; returns whether it is active.

    ``force=None`` reads ``DBSHIFT_ALEMBIC_SHIM`` (``off``, ``force``, anything else = auto).
    """
    import sys

    global _finder
    mode = os.environ.get("DBSHIFT_ALEMBIC_SHIM", "auto").strip().lower()
    if force is None:
        if mode == "off":
            return False
        force = mode == "force"
    if _finder is not None and _finder in sys.meta_path:
        at_front = sys.meta_path[0] is _finder
        if at_front == force:
            return True
        sys.meta_path.remove(_finder)
    _finder = AlembicAliasFinder()
    if force:
        for name in [n for n in sys.modules if n == "alembic" or n.startswith("alembic.")]:
            module = sys.modules[name]
            if not getattr(module, "__dbshift_alias__", False):
                del sys.modules[name]
        sys.meta_path.insert(0, _finder)
    else:
        sys.meta_path.append(_finder)
    return True


def uninstall() -> None:
    """Remove the finder and forget aliased ``alembic`` modules."""
    import sys

    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if n == "alembic" or n.startswith("alembic.")]:
        if getattr(sys.modules[name], "__dbshift_alias__", False) or sys.modules[name] is None:
            del sys.modules[name]


def is_installed() -> bool:
    """Whether the alias finder is on ``sys.meta_path``."""
    import sys

    return _finder is not None and _finder in sys.meta_path
