"""Downgrade ops for autogenerate output without rebuilding ``Table`` objects.

``op.reverse()`` of a create op rebuilds a throw-away ``Table`` to describe what to drop; with
1,000 new tables that is most of the run. Autogenerate builds each create op from an object it
already holds, so it records the reverse op at that moment (:func:`with_reverse`) and
:func:`reverse_into` uses it; every other op falls back to its own ``reverse()``.
"""

from __future__ import annotations

from typing import Any

from ..operations.ops import (
    DowngradeOps,
    DropConstraintOp,
    DropIndexOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    UpgradeOps,
)

_ATTR = "_dbshift_autogen_reverse"


def with_reverse(op: MigrateOperation, reverse: MigrateOperation) -> MigrateOperation:
    """``op``, remembering ``reverse`` as the operation that undoes it."""
    setattr(op, _ATTR, reverse)
    return op


def reverse_op(op: Any) -> Any:
    """The operation undoing ``op`` (recorded, carried by a drop op, or ``op.reverse()``)."""
    if isinstance(op, ModifyTableOps):
        return ModifyTableOps(op.table_name, reverse_list(op.ops), schema=op.schema)
    recorded = getattr(op, _ATTR, None)
    if recorded is not None:
        return recorded
    if isinstance(op, (DropTableOp, DropIndexOp, DropConstraintOp)) and op._reverse is not None:
        return op._reverse
    return op.reverse()


def reverse_list(ops: list[Any]) -> list[Any]:
    """The reverse of each op, last first."""
    return [reverse_op(op) for op in reversed(ops)]


def reverse_into(upgrade_ops: UpgradeOps, downgrade_ops: DowngradeOps) -> DowngradeOps:
    """Fill ``downgrade_ops`` with the reverse of ``upgrade_ops``."""
    downgrade_ops.ops[:] = reverse_list(upgrade_ops.ops)
    return downgrade_ops
