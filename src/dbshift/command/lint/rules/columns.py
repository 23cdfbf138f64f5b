"""Rules on column operations: add, drop, alter (type, nullability, name)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ....ddl.mysql_alter_algorithm import type_change_algorithm
from ....ddl.postgresql_rewrites import (
    add_column_rewrite,
    default_is_volatile,
    set_not_null_skips_scan_with_check,
    type_change,
)
from ....operations import ops
from ..op_kinds import table_key
from .base import CheckContext, Item

__all__ = ["check_add_column", "check_alter_column", "check_drop_column", "label"]


def label(name: Any, schema: Any = None) -> str:
    """``schema.table`` or ``table``."""
    return f"{schema}.{name}" if schema else str(name)


def default_sql(server_default: Any, dialect: Any) -> str | None:
    """The SQL text of a column's server default (None for none)."""
    if server_default is None:
        return None
    arg = getattr(server_default, "arg", server_default)
    if isinstance(arg, str):
        return arg
    text = getattr(arg, "text", None)
    if isinstance(text, str):
        return text
    try:
        return str(arg.compile(dialect=dialect))
    except Exception:
        return None


def _is_serial(column: sa.Column) -> bool:
    if not column.primary_key or column.server_default is not None:
        return False
    if column.autoincrement not in (True, "auto"):
        return False
    return isinstance(column.type, sa.Integer)


def _generated(column: sa.Column) -> bool:
    return column.identity is not None or column.computed is not None


def check_add_column(item: Item, ctx: CheckContext) -> None:
    """not-null-column-without-default, volatile/constant-default-rewrites-table, and the index
    or UNIQUE constraint an ``index=True``/``unique=True`` column brings."""
    op = item.op
    assert isinstance(op, ops.AddColumnOp)
    target = ctx.target
    column = op.column
    table = label(op.table_name, op.schema)
    new = ctx.table_is_new(op.table_name, op.schema)
    line = item.record.line
    serial = target.postgresql and _is_serial(column)
    has_default = column.server_default is not None or _generated(column) or serial
    if not column.nullable and not has_default:
        if target.flavor == "sqlite" and not item.rebuilt_by_batch:
            ctx.report(
                "not-null-column-without-default", line,
                f"adding NOT NULL column {column.name} without a server default to {table}: "
                "SQLite refuses ALTER TABLE ADD COLUMN NOT NULL without a default, even on an "
                "empty table",
                fix="give the column a server_default, or add it inside batch_alter_table "
                "(which rebuilds the table)",
            )
        elif not new and target.mysql_family:
            ctx.report(
                "not-null-column-without-default", line,
                f"adding NOT NULL column {column.name} without a server default to {table}: "
                "MySQL/MariaDB fill the existing rows with the type's implicit default "
                "(0, '', ...)",
                severity="warning",
            )
        elif not new:
            ctx.report(
                "not-null-column-without-default", line,
                f"adding NOT NULL column {column.name} without a server default to {table} "
                "fails as soon as the table has a row",
            )
    if not target.postgresql or new or item.rebuilt_by_batch:
        return
    sql = default_sql(column.server_default, target.dialect)
    generated = _generated(column) or serial
    reason = add_column_rewrite(sql, target.server_version, generated=generated)
    if reason is not None:
        volatile = generated or (sql is not None and default_is_volatile(sql))
        ctx.report(
            "volatile-default-rewrites-table" if volatile else "constant-default-rewrites-table",
            line,
            f"adding column {column.name} to {table} rewrites every row under an ACCESS "
            f"EXCLUSIVE lock: {reason}",
        )
    if getattr(column, "index", None):
        ctx.report(
            "blocking-index-creation", line,
            f"Column({column.name!r}, index=True) added to {table} creates its index without "
            "CONCURRENTLY, blocking writes while it is built",
            fix="add the column without index=True, then create the index with "
            "postgresql_concurrently=True in an autocommit_block",
        )
    if getattr(column, "unique", None):
        ctx.report(
            "unique-constraint-blocks-writes", line,
            f"Column({column.name!r}, unique=True) added to {table} builds a UNIQUE index "
            "under an ACCESS EXCLUSIVE lock",
        )


def check_drop_column(item: Item, ctx: CheckContext) -> None:
    """drop-column-breaks-code."""
    op = item.op
    assert isinstance(op, ops.DropColumnOp)
    if ctx.table_is_new(op.table_name, op.schema):
        return
    ctx.report(
        "drop-column-breaks-code", item.record.line,
        f"dropping column {label(op.table_name, op.schema)}.{op.column_name}: application code "
        "still running that reads it fails",
    )


def check_alter_column(item: Item, ctx: CheckContext) -> None:
    """rename-column-breaks-code, column-type-rewrites-table, enum-value-removal-rewrites
    (MySQL), set-not-null-scans-table."""
    op = item.op
    assert isinstance(op, ops.AlterColumnOp)
    if ctx.table_is_new(op.table_name, op.schema):
        return
    table = label(op.table_name, op.schema)
    line = item.record.line
    if op.modify_name is not None:
        ctx.report(
            "rename-column-breaks-code", line,
            f"renaming column {table}.{op.column_name} to {op.modify_name}: application code "
            "still running that uses the old name fails",
        )
    if item.rebuilt_by_batch:
        return
    if op.modify_type is not None:
        _check_type_change(op, ctx, table, line)
    if op.modify_nullable is False and ctx.target.postgresql:
        key = (table_key(op.table_name, op.schema), op.column_name.lower())
        version = ctx.target.server_version
        proven = key in ctx.state.proven_not_null
        if proven and set_not_null_skips_scan_with_check(version):
            return
        detail = (
            " (before PostgreSQL 12 a valid CHECK does not spare the scan)" if proven else ""
        )
        ctx.report(
            "set-not-null-scans-table", line,
            f"SET NOT NULL on {table}.{op.column_name} scans the whole table under an ACCESS "
            f"EXCLUSIVE lock{detail}",
        )


def _check_type_change(op: ops.AlterColumnOp, ctx: CheckContext, table: str, line: int) -> None:
    target = ctx.target
    column = f"{table}.{op.column_name}"
    if target.postgresql:
        change = type_change(
            op.existing_type, op.modify_type, target.dialect,
            using=op.kw.get("postgresql_using") is not None,
        )
        if change.rewrites:
            ctx.report(
                "column-type-rewrites-table", line,
                f"changing the type of {column} rewrites {table} and its indexes under an "
                f"ACCESS EXCLUSIVE lock: {change.reason}",
            )
        elif change.rewrites is None:
            ctx.report(
                "column-type-rewrites-table", line,
                f"changing the type of {column} may rewrite {table} under an ACCESS EXCLUSIVE "
                f"lock: {change.reason}",
                severity="warning",
            )
        return
    if not target.mysql_family:
        return
    old, new = op.existing_type, op.modify_type
    if isinstance(old, sa.Enum) and isinstance(new, sa.Enum):
        old_values, new_values = list(old.enums), list(new.enums)
        if new_values[: len(old_values)] != old_values:
            ctx.report(
                "enum-value-removal-rewrites", line,
                f"changing the ENUM values of {column} removes or reorders values: every row "
                f"of {table} is converted in a table copy",
            )
        return
    algorithm = type_change_algorithm(old, new, target.dialect)
    if algorithm.name == "COPY":
        may = "may copy" if old is None else "copies"
        ctx.report(
            "column-type-rewrites-table", line,
            f"changing the type of {column} {may} {table} (ALGORITHM=COPY): "
            f"{algorithm.reason}; writes wait until the copy is done",
            fix="use an online schema change tool (gh-ost, pt-online-schema-change) for big "
            "tables, or add a new column and backfill it",
            severity="warning" if old is None else None,
        )
