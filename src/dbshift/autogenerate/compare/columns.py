"""Columns added, removed, and changed (the ``"column"`` comparator chain runs per column)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Computed, DefaultClause, Identity, Table, text

from ...operations.ops import AddColumnOp, AlterColumnOp, DropColumnOp, ModifyTableOps
from ..notes import add_note
from ..reflection import ReflectedColumn, ReflectedTable
from ..registry import DispatchPriority, comparators
from .tables import PLUGIN, detached_column

if TYPE_CHECKING:
    from ..context import AutogenContext

NULLABLE_PLUGIN = "dbshift.autogenerate.constraints"
# Alembic's logger names (README): the column lines come from its tables and constraints modules
log = logging.getLogger("alembic.autogenerate.compare.tables")
nullable_log = logging.getLogger("alembic.autogenerate.compare.constraints")


@comparators.dispatch_for("table", plugin=PLUGIN, element="columns", priority=DispatchPriority.FIRST)
def compare_columns(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """AddColumnOp, DropColumnOp, and one AlterColumnOp per column the comparators change."""
    ctx = autogen_context
    parent = {"schema_name": schema, "table_name": tname}
    conn_cols = {
        c["name"]: c
        for c in conn_table.columns
        if ctx.run_name_filters(c["name"], "column", parent)
    }
    filtering = ctx.has_object_filters
    display = f"{schema}.{tname}" if schema else tname
    removed: list[tuple[str, Any]] = []
    added_columns: list[Any] = []
    from .enums import column_type_without_events

    for column in metadata_table.c:
        if column.name in conn_cols:
            continue
        if filtering and not ctx.run_object_filters(column, column.name, "column", False, None):
            continue
        new_type = column_type_without_events(ctx, column.type)
        # the model's own Column, as Alembic; a copy only where a named ENUM type needs the
        # stand-in that does not create the type (dbshift's PostgreSQL ENUM management)
        added = column if new_type is None else detached_column(column, new_type)
        modify_ops.ops.append(AddColumnOp.from_column_and_tablename(schema, tname, added))
        added_columns.append(column)
        log.info("Detected added column '%s.%s'", display, column.name)

    for name in conn_cols:
        if name in metadata_table.c:
            continue
        column = conn_table.column(name)
        if filtering and not ctx.run_object_filters(column, name, "column", True, None):
            continue
        removed.append((name, DropColumnOp.from_column_and_tablename(schema, tname, column)))

    column_chain = ctx.dispatch("column")
    for column in metadata_table.c:
        data = conn_cols.get(column.name)
        if data is None:
            continue
        conn_col = ReflectedColumn(conn_table, data)
        if filtering and not ctx.run_object_filters(column, column.name, "column", False, conn_col):
            continue
        alter = AlterColumnOp(
            tname,
            column.name,
            schema=schema,
            existing_type=data["type"],
            existing_nullable=data.get("nullable", True),
            existing_server_default=existing_server_default(data, column),
            existing_comment=data.get("comment") or None,
        )
        alter.kw.update(ctx.impl.autogen_alter_column_existing(data))
        column_chain(ctx, alter, schema, tname, column.name, conn_col, column)
        if alter.has_changes():
            modify_ops.ops.append(alter)
    for name, op in removed:
        modify_ops.ops.append(op)
        log.info("Detected removed column '%s.%s'", display, name)
    _note_possible_renames(ctx, modify_ops, display, added_columns, removed, conn_cols)


def _note_possible_renames(
    ctx: AutogenContext,
    modify_ops: ModifyTableOps,
    display: str,
    added: list[Any],
    removed: list[tuple[str, Any]],
    conn_cols: dict[str, dict[str, Any]],
) -> None:
    """A dropped and an added column of the same type may be a rename: say so (a warning and a
    comment in the file); the ops stay a drop and an add, as Alembic writes them."""
    if not added or not removed or ctx.dialect is None:
        return
    from .types_defaults import types_differ

    taken: set[str] = set()
    for name, _ in removed:
        conn_type = conn_cols[name]["type"]
        match = next(
            (
                col for col in added
                if col.name not in taken and not types_differ(ctx, conn_type, col.type)
            ),
            None,
        )
        if match is None:
            continue
        taken.add(match.name)
        text = (
            f"possible rename of column '{display}.{name}' to '{display}.{match.name}' (same "
            f"type): as generated, the column is dropped with its data; to keep the data use "
            f"op.alter_column({modify_ops.table_name!r}, {name!r}, new_column_name={match.name!r})"
        )
        add_note(modify_ops, text)
        log.warning("Detected %s", text)


def existing_server_default(data: dict[str, Any], metadata_col: Any) -> Any:
    """The database column's default as Alembic's ``AlterColumnOp`` carries it: the reflected
    default (``Computed``/``Identity`` included), ``None`` when only the model has one, and
    ``False`` when neither side has one."""
    computed = data.get("computed")
    if computed:
        return Computed(computed["sqltext"], persisted=computed.get("persisted"))
    identity = data.get("identity")
    if identity:
        return Identity(**{k: v for k, v in identity.items() if v is not None})
    default = data.get("default")
    if default is not None:
        return DefaultClause(text(default))
    return None if metadata_col.server_default is not None else False


@comparators.dispatch_for("column", plugin=NULLABLE_PLUGIN, element="nullable",
                          priority=DispatchPriority.FIRST)
def compare_nullable(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: ReflectedColumn,
    metadata_col: Any,
) -> None:
    """NULL / NOT NULL."""
    conn_nullable = bool(conn_col.data.get("nullable", True))
    if metadata_col.computed is not None or metadata_col.identity is not None:
        return
    pk_columns = conn_col.table_data.pk.get("constrained_columns") or ()
    if metadata_col.primary_key and cname in pk_columns:
        return  # a key column cannot be NULL, whatever SQLite reflects for INTEGER PRIMARY KEY
    if conn_nullable != bool(metadata_col.nullable):
        alter_column_op.modify_nullable = bool(metadata_col.nullable)
        nullable_log.info(
            "Detected %s on column '%s.%s'", "NULL" if metadata_col.nullable else "NOT NULL",
            tname, cname,
        )
