"""Rules on whole tables: dropping or renaming one that exists."""

from __future__ import annotations

from ....operations import ops
from .base import CheckContext, Item
from .columns import label

__all__ = ["check_drop_table", "check_rename_table"]


def check_drop_table(item: Item, ctx: CheckContext) -> None:
    """drop-table-loses-data."""
    op = item.op
    assert isinstance(op, ops.DropTableOp)
    if ctx.table_is_new(op.table_name, op.schema):
        return
    ctx.report(
        "drop-table-loses-data", item.record.line,
        f"dropping table {label(op.table_name, op.schema)} loses its rows, and code still "
        "running that uses it fails",
    )


def check_rename_table(item: Item, ctx: CheckContext) -> None:
    """rename-table-breaks-code."""
    op = item.op
    assert isinstance(op, ops.RenameTableOp)
    if ctx.table_is_new(op.table_name, op.schema):
        return
    ctx.report(
        "rename-table-breaks-code", item.record.line,
        f"renaming table {label(op.table_name, op.schema)} to {op.new_table_name}: "
        "application code still running that uses the old name fails",
    )
