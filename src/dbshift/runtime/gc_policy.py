"""How a migration run treats Python's cyclic garbage collector.

By default nothing changes. A command-line process (the ``dbshift`` console script, which exits
when its command is done) turns on :func:`freeze_before_runs`: each run of migrations then starts
by moving every object alive at that point (SQLAlchemy's modules, the dialect, the revision graph,
env.py's engine) into the collector's permanent generation with :func:`gc.freeze`. Those objects
live until the process exits anyway; without the freeze every full collection during the run walks
all of them again. Objects the run creates are collected as usual, so memory does not grow. A
library caller (tests, an application calling :mod:`dbshift.command`) is left alone: frozen objects
are never collected, which a long-lived process should decide for itself.
"""

from __future__ import annotations

import gc

_freeze = False


def freeze_before_runs() -> None:
    """Freeze the collector's view of existing objects at the start of every migration run."""
    global _freeze
    _freeze = True


def before_run() -> None:
    """Called by :meth:`~dbshift.runtime.migration.MigrationContext.run_migrations`."""
    if _freeze:
        gc.freeze()
