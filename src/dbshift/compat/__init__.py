"""Serve ``import alembic`` from dbshift.

- **Any program**, when Alembic is not installed: dbshift's start-up hook (the
  ``dbshift-alembic-alias.pth`` file installed beside the package) appends a tiny finder to
  ``sys.meta_path``; the first ``import alembic`` that nothing else can answer calls
  :func:`install`, and from then on ``alembic.<x>`` *is* ``dbshift.<x>`` (the same module
  objects, no code copied). A real Alembic, when installed, is always found first.
- **A project dbshift runs**: while dbshift executes the project's ``env.py`` and revision files
  (:class:`serving_project_files`), ``alembic`` is dbshift's even where Alembic is installed,
  and afterwards the real one is back in ``sys.modules``.

``DBSHIFT_ALEMBIC_SHIM`` chooses the mode: ``auto`` (the default: the above), ``force`` (dbshift
serves ``alembic`` in every program, also where Alembic is installed; ``install(force=True)`` does
the same for one process, until :func:`uninstall`), ``off`` (nothing is served: no start-up hook,
``install()`` does nothing, and a project dbshift runs imports whatever ``alembic`` there is).
"""

from __future__ import annotations

import os
import sys

from .aliasing import (
    AlembicAliasFinder,
    dbshift_name_for,
    is_alembic_name,
    is_alias,
    real_alembic_exists,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import importlib.machinery
    from types import TracebackType

__all__ = [
    "AlembicAliasFinder",
    "dbshift_name_for",
    "install",
    "is_installed",
    "serving_project_files",
    "uninstall",
]

_finder: AlembicAliasFinder | None = None


def _mode() -> str:
    return os.environ.get("DBSHIFT_ALEMBIC_SHIM", "auto").strip().lower()


def install(force: bool | None = None) -> bool:
    """Put the ``alembic`` alias finder at the front of ``sys.meta_path``; returns whether it
    is active.

    ``force=None`` reads ``DBSHIFT_ALEMBIC_SHIM`` (``off``: nothing is installed and this returns
    False; ``force``; anything else: auto). In auto mode a real Alembic is served when one is
    installed. ``force=True`` serves dbshift even then, forgetting real ``alembic`` modules
    already imported, and sticks: a later ``install()`` keeps it until :func:`uninstall`.
    """
    global _finder
    if force is None:
        mode = _mode()
        if mode == "off":
            return False
        force = mode == "force"
    if _finder is None or _finder not in sys.meta_path:
        _finder = AlembicAliasFinder(force=force)
        sys.meta_path.insert(0, _finder)
    elif force and not _finder.force:
        _finder.force = True
    else:
        return True
    if force:
        _forget(lambda module: not is_alias(module))
    return True


def uninstall() -> None:
    """Remove the finder and forget aliased ``alembic`` modules."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    _forget(lambda module: module is None or is_alias(module))


def is_installed() -> bool:
    """Whether the alias finder is on ``sys.meta_path``."""
    return _finder is not None and _finder in sys.meta_path


def _forget(which: object) -> dict[str, object]:
    """Remove the ``alembic`` entries of ``sys.modules`` that ``which(module)`` selects; returns
    them by name."""
    removed = {
        name: module
        for name, module in list(sys.modules.items())
        if is_alembic_name(name) and which(module)  # type: ignore[operator]
    }
    for name in removed:
        del sys.modules[name]
    return removed


class serving_project_files:  # noqa: N801 - used like a function: ``with serving_project_files():``
    """While dbshift runs a project's ``env.py`` and revision files, ``alembic`` is dbshift's.

    Where Alembic is not installed the alias serves it anyway and this does nothing more than
    :func:`install`. Where it is, the real ``alembic`` modules already imported leave
    ``sys.modules`` for the duration and come back afterwards, so the project's files (and every
    ``alembic.*`` they import while they run) get dbshift's, and the rest of the program keeps
    Alembic. Runs nest (env.py loads the revision files): the outermost one decides, once. Not
    for threads that use Alembic while dbshift runs in another.
    """

    def __init__(self) -> None:
        self._finder: AlembicAliasFinder | None = None
        self._saved: dict[str, object] | None = None

    def __enter__(self) -> None:
        if not install():
            return
        finder = self._finder = _finder
        assert finder is not None
        finder.runs += 1
        if finder.runs > 1 or finder.force or is_alias(sys.modules.get("alembic")):
            return  # an outer run decided, or dbshift serves ``alembic`` here anyway
        if "alembic" not in sys.modules and not real_alembic_exists():
            return
        self._saved = _forget(lambda module: not is_alias(module))
        finder.serving = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        finder, saved = self._finder, self._saved
        if finder is None:
            return
        self._finder = self._saved = None
        finder.runs -= 1
        if saved is not None:
            finder.serving = False
            _forget(lambda module: True)
            sys.modules.update(saved)  # type: ignore[arg-type]


def find_spec_for_startup_hook(fullname: str) -> importlib.machinery.ModuleSpec | None:
    """What dbshift's start-up hook answers for ``fullname`` (an ``alembic`` name that no other
    finder found): installs the alias and serves it, unless ``DBSHIFT_ALEMBIC_SHIM=off``."""
    if not install():
        return None
    assert _finder is not None
    return _finder.find_spec(fullname)

