"""Rules on PostgreSQL ENUM types: recreating one converts every column that uses it."""

from __future__ import annotations

from ....operations import ops
from .base import CheckContext, Item
from .columns import label

__all__ = ["check_recreate_enum"]


def check_recreate_enum(item: Item, ctx: CheckContext) -> None:
    """enum-value-removal-rewrites."""
    op = item.op
    assert isinstance(op, ops.RecreateEnumTypeOp)
    if not ctx.target.postgresql:
        return
    tables = sorted(
        {label(table, schema) for schema, table, _column, _default in op.columns
         if not ctx.table_is_new(table, schema)}
    )
    if not tables:
        return
    removed = [v for v in op.existing_values if v not in op.values]
    if removed:
        what = f"removes value(s) {', '.join(removed)} from"
    elif op.existing_values and op.values[: len(op.existing_values)] != op.existing_values:
        what = "reorders the values of"
    else:
        what = "recreates"
    ctx.report(
        "enum-value-removal-rewrites", item.record.line,
        f"recreate_enum_type {what} ENUM {op.type_name}: every row of {', '.join(tables)} is "
        "converted through text under an ACCESS EXCLUSIVE lock",
    )
