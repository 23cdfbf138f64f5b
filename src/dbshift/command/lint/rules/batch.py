"""Rules on ``batch_alter_table`` blocks: a rebuild copies the whole table."""

from __future__ import annotations

from ..recording import BatchRecord
from .base import CheckContext
from .columns import label

__all__ = ["check_batch"]


def check_batch(batch: BatchRecord, ctx: CheckContext) -> None:
    """batch-rebuilds-table, for a rebuild of a table the revision did not create."""
    if not batch.rebuilds or ctx.table_is_new(batch.table_name, batch.schema):
        return
    table = label(batch.table_name, batch.schema)
    how = "SQLite cannot ALTER this in place" if ctx.target.flavor == "sqlite" else (
        "recreate='always'" if batch.recreate == "always" else "the database needs a rebuild"
    )
    ctx.report(
        "batch-rebuilds-table", batch.line,
        f"batch_alter_table({batch.table_name!r}) rebuilds {table} ({how}): every row is "
        "copied into a new table while writes wait",
    )
