"""``batch_alter_table``: queue the changes to one table, then apply them as ALTERs or a rebuild.

- :mod:`.queue` — :class:`BatchOperationsImpl`: the queue, the choice between plain ALTERs and a
  rebuild, the flush;
- :mod:`.rebuild` — :class:`TableRebuild`: the "move and copy" (new table, copy, swap, safety);
- :mod:`.plan` — the rebuilt table's columns, constraints and indexes as plain values;
- :mod:`.ordering` — where the columns go (``insert_before``/``insert_after``, ``partial_reordering``);
- :mod:`.server_rebuild` — the swap sequence on PostgreSQL, MariaDB/MySQL and other servers;
- :mod:`.diagnosis` — why a copy failed, in rows and constraint names.

SQLite's side of a rebuild lives with its dialect (``dbshift.ddl.sqlite_rebuild.SQLiteRebuild``).
Only :class:`BatchOperationsImpl` is imported eagerly: the rebuild loads when a batch needs it.
"""

from __future__ import annotations

from typing import Any

from .queue import BatchOperationsImpl

_LAZY = {
    "TableRebuild": "rebuild",
    "temp_table_name": "rebuild",
    "ServerRebuild": "server_rebuild",
    "ColumnPlan": "plan",
    "ConstraintPlan": "plan",
    "IndexPlan": "plan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "BatchOperationsImpl",
    "ColumnPlan",
    "ConstraintPlan",
    "IndexPlan",
    "ServerRebuild",
    "TableRebuild",
    "temp_table_name",
]
