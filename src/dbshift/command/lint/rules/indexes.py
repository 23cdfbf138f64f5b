"""Rules on indexes: building or dropping one without CONCURRENTLY, CONCURRENTLY inside the
migration's transaction."""

from __future__ import annotations

from ....operations import ops
from .base import CheckContext, Item
from .columns import label

__all__ = ["check_create_index", "check_drop_index"]


def _concurrently(op: ops.CreateIndexOp | ops.DropIndexOp) -> bool:
    return bool(op.kw.get("postgresql_concurrently"))


def _outside_transaction(item: Item, ctx: CheckContext, statement: str) -> None:
    """concurrently-inside-transaction for a CONCURRENTLY statement not in an autocommit block."""
    if not item.record.autocommit:
        ctx.report(
            "concurrently-inside-transaction", item.record.line,
            f"{statement} cannot run inside a transaction block; it fails at upgrade time",
        )


def check_create_index(item: Item, ctx: CheckContext) -> None:
    """blocking-index-creation and concurrently-inside-transaction (PostgreSQL)."""
    op = item.op
    assert isinstance(op, ops.CreateIndexOp)
    if not ctx.target.postgresql:
        return
    table = label(op.table_name, op.schema)
    line = item.record.line
    name = op.index_name or "(unnamed)"
    if _concurrently(op):
        _outside_transaction(item, ctx, f"CREATE INDEX CONCURRENTLY {name} on {table}")
        return
    if item.rebuilt_by_batch or ctx.table_is_new(op.table_name, op.schema):
        return
    ctx.report(
        "blocking-index-creation", line,
        f"creating index {name} on {table} without CONCURRENTLY blocks writes to {table} "
        "while the index is built",
    )


def check_drop_index(item: Item, ctx: CheckContext) -> None:
    """blocking-index-drop and concurrently-inside-transaction (PostgreSQL)."""
    op = item.op
    assert isinstance(op, ops.DropIndexOp)
    if not ctx.target.postgresql:
        return
    line = item.record.line
    name = op.index_name or "(unnamed)"
    if _concurrently(op):
        _outside_transaction(item, ctx, f"DROP INDEX CONCURRENTLY {name}")
        return
    if item.rebuilt_by_batch or str(op.index_name).lower() in ctx.state.created_indexes:
        return
    if op.table_name and ctx.table_is_new(op.table_name, op.schema):
        return
    where = f" on {label(op.table_name, op.schema)}" if op.table_name else ""
    ctx.report(
        "blocking-index-drop", line,
        f"dropping index {name}{where} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on "
        "its table",
    )
