"""Diff tuples for ``compare_metadata`` without rebuilding the model's objects.

``CreateTableOp.to_diff_tuple()`` builds a new ``Table`` (and ``CreateIndexOp`` a new ``Index``)
from the op's items; for 1,000 new tables that is most of ``compare_metadata``. Autogenerate
builds these ops from the model's own ``Table``/``Index``, so it records that object
(:func:`remember_source`), and :func:`diffs_of` hands it out as long as the op still holds the
same items (a hook or the ENUM stand-in that changed them gets a rebuilt object, as before).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..operations.ops import CreateIndexOp, CreateTableOp, MigrateOperation, OpContainer

_ATTR = "_dbshift_autogen_source"


def remember_source(op: MigrateOperation, source: Any) -> MigrateOperation:
    """``op``, remembering the model object (``Table``/``Index``) it was built from."""
    items = op.columns if isinstance(op, (CreateTableOp, CreateIndexOp)) else None
    setattr(op, _ATTR, (source, list(items) if items is not None else None))
    return op


def _unchanged_source(op: Any) -> Any:
    recorded = op.__dict__.get(_ATTR)
    if recorded is None:
        return None
    source, items = recorded
    current = op.columns
    if items is None or len(current) != len(items):
        return None
    if any(a is not b for a, b in zip(current, items, strict=True)):
        return None
    if isinstance(op, CreateTableOp):
        if op.table_name != source.name or op.schema != source.schema:
            return None
        return ("add_table", source)
    if op.index_name != source.name or bool(op.unique) != bool(source.unique):
        return None
    return ("add_index", source)


def diffs_of(container: OpContainer) -> list[Any]:
    """The flattened diff tuples of ``container`` (as ``container.as_diffs()``)."""
    return list(_flatten(container))


def _flatten(container: OpContainer) -> Iterator[Any]:
    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _flatten(op)
            continue
        found = _unchanged_source(op) if isinstance(op, (CreateTableOp, CreateIndexOp)) else None
        yield found if found is not None else op.to_diff_tuple()
