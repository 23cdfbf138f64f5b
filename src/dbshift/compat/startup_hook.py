"""dbshift's start-up hook: ``import alembic`` in any program, when Alembic is not installed.

The build writes this source (without its docstrings), then a call of :func:`add_startup_hook`,
as one line of ``dbshift-alembic-alias.pth`` beside the package, for wheel and editable installs
alike (``setup.py``; an editable install keeps the copy made when it was installed: reinstall
after changing this file). Python's ``site`` module runs it at every interpreter start. It must cost nothing measurable there: it imports nothing (``os`` and
``sys`` are loaded already) and only appends :class:`StartupHook` to ``sys.meta_path``, *after*
the path finder, so it is asked only for an ``alembic`` that nothing else found (a real Alembic
always wins) and never for any other module. dbshift itself is imported on that first
``import alembic`` only. Importing this module does not add the hook.
"""

import os
import sys


class StartupHook:
    """The finder the ``.pth`` file adds: hands ``alembic`` over to :mod:`dbshift.compat`."""

    dbshift_startup_hook = True

    @staticmethod
    def find_spec(name, path=None, target=None):
        """The alias spec for ``alembic`` (and its submodules), else None."""
        if name != "alembic" and not name.startswith("alembic."):
            return None
        try:
            from dbshift.compat import find_spec_for_startup_hook
        except ImportError:
            return None
        return find_spec_for_startup_hook(name)


def add_startup_hook(environ=os.environ, meta_path=sys.meta_path):
    """Add :class:`StartupHook` to ``meta_path`` as ``DBSHIFT_ALEMBIC_SHIM`` says: nothing for
    ``off``, first for ``force`` (dbshift serves ``alembic`` even where Alembic is installed),
    else last. Once only: ``site`` may read the file twice (``lib64`` linked to ``lib``)."""
    mode = environ.get("DBSHIFT_ALEMBIC_SHIM", "auto").strip().lower()
    if mode == "off":
        return
    for finder in meta_path:
        if getattr(finder, "dbshift_startup_hook", False):
            return
    if mode == "force":
        meta_path.insert(0, StartupHook)
    else:
        meta_path.append(StartupHook)

