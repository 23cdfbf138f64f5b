"""Table and column comments (an empty comment counts as no comment)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from ...operations.ops import (
    AlterColumnOp,
    CreateTableCommentOp,
    DropTableCommentOp,
    ModifyTableOps,
)
from ..reflection import ReflectedColumn, ReflectedTable
from ..registry import comparators
from . import constraints  # noqa: F401 - registers first: Alembic's order, comments after them

if TYPE_CHECKING:
    from ..context import AutogenContext

PLUGIN = "dbshift.autogenerate.comments"
log = logging.getLogger("alembic.autogenerate.compare.comments")  # Alembic's logger name (README)


def _supports_comments(autogen_context: AutogenContext) -> bool:
    return bool(getattr(autogen_context.dialect, "supports_comments", False))


@comparators.dispatch_for("table", plugin=PLUGIN, element="comments")
def compare_table_comment(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """CreateTableCommentOp / DropTableCommentOp."""
    if not _supports_comments(autogen_context):
        return
    existing = conn_table.comment or None
    wanted = metadata_table.comment or None
    if existing == wanted:
        return
    if wanted is None:
        modify_ops.ops.append(DropTableCommentOp(tname, existing_comment=existing, schema=schema))
    else:
        modify_ops.ops.append(
            CreateTableCommentOp(tname, wanted, existing_comment=existing, schema=schema)
        )


@comparators.dispatch_for("column", plugin=PLUGIN, element="comments")
def compare_column_comment(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: ReflectedColumn,
    metadata_col: Any,
) -> None:
    """Column comment changes."""
    if not _supports_comments(autogen_context):
        return
    existing = conn_col.data.get("comment") or None
    wanted = metadata_col.comment or None
    if existing != wanted:
        alter_column_op.modify_comment = wanted
        log.info("Detected column comment '%s.%s'", tname, cname)
