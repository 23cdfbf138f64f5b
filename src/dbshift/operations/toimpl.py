"""Default implementations: how each op class is carried out through the dialect impl."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, PrimaryKeyConstraint, Table, text

from ..ddl.impl import DefaultImpl
from . import ops
from .base import Operations
from .ops.enums import escape_colons

if TYPE_CHECKING:
    from sqlalchemy.sql.schema import Constraint


def _is_emitted(constraint: Constraint, operations: Operations) -> bool:
    """Whether a type-bound constraint (Boolean/Enum CHECK) would be emitted on this dialect."""
    if isinstance(constraint, PrimaryKeyConstraint):
        return False
    rule = constraint._create_rule  # type: ignore[attr-defined]
    return rule is None or bool(rule(operations.impl))


def _database_impl(
    operations: Operations, operation: ops.MigrateOperation, op_class: type
) -> DefaultImpl | None:
    """The database implementation, for an ``operation`` of exactly ``op_class``: None for a
    subclass (it may build its objects its own way) and inside batch operations (whose
    implementation queues the ops)."""
    impl = operations.impl
    if type(operation) is op_class and isinstance(impl, DefaultImpl):
        return impl
    return None


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations: Operations, operation: ops.AlterColumnOp) -> None:
    """Drop the old type's CHECK, alter the column, add the new type's CHECK."""
    ctx = operations.migration_context
    schema = operation.schema
    type_ = operation.modify_type
    existing_type = operation.existing_type
    if existing_type is not None and type_ is not None:
        old = operations.schema_obj.table(
            operation.table_name, Column(operation.column_name, existing_type), schema=schema
        )
        for constraint in old.constraints:
            if _is_emitted(constraint, operations):
                operations.impl.drop_constraint(constraint)
    existing_server_default = operation.existing_server_default
    if existing_server_default is False:
        existing_server_default = None
    operations.impl.alter_column(
        operation.table_name,
        operation.column_name,
        nullable=operation.modify_nullable,
        server_default=operation.modify_server_default,
        name=operation.modify_name,
        type_=type_,
        schema=schema,
        existing_type=existing_type,
        existing_server_default=existing_server_default,
        existing_nullable=operation.existing_nullable,
        comment=operation.modify_comment,
        existing_comment=operation.existing_comment,
        **operation.kw,
    )
    if type_ is not None:
        new = operations.schema_obj.table(
            operation.table_name,
            Column(operation.modify_name or operation.column_name, type_),
            schema=schema,
        )
        for constraint in new.constraints:
            if _is_emitted(constraint, operations):
                operations.impl.add_constraint(constraint)
    del ctx


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations: Operations, operation: ops.DropTableOp) -> None:
    """DROP TABLE."""
    operations.impl.drop_table(
        operation.to_table(operations.migration_context), if_exists=operation.if_exists
    )


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations: Operations, operation: ops.DropColumnOp) -> None:
    """DROP COLUMN."""
    column = operation.to_column(operations.migration_context)
    operations.impl.drop_column(
        operation.table_name, column, schema=operation.schema, **operation.kw
    )


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations: Operations, operation: ops.CreateIndexOp) -> None:
    """CREATE INDEX (offline, the database implementation writes plain ones from its cache)."""
    impl = _database_impl(operations, operation, ops.CreateIndexOp)
    if impl is not None and impl.create_index_from_cache(
        operation.index_name,
        operation.table_name,
        operation.columns,
        schema=operation.schema,
        unique=operation.unique,
        if_not_exists=operation.if_not_exists,
        naming_convention=operations.schema_obj._naming_convention(),
        **operation.kw,
    ):
        return
    index = operation.to_index(operations.migration_context)
    kw: dict[str, Any] = {}
    if operation.if_not_exists is not None:
        kw["if_not_exists"] = operation.if_not_exists
    operations.impl.create_index(index, **kw)


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations: Operations, operation: ops.DropIndexOp) -> None:
    """DROP INDEX."""
    kw: dict[str, Any] = {}
    if operation.if_exists is not None:
        kw["if_exists"] = operation.if_exists
    operations.impl.drop_index(operation.to_index(operations.migration_context), **kw)


@Operations.implementation_for(ops.CreateTableOp)
def create_table(operations: Operations, operation: ops.CreateTableOp) -> Table:
    """CREATE TABLE; returns the Table."""
    table = operation.to_table(operations.migration_context)
    operations.impl.create_table(table, if_not_exists=operation.if_not_exists)
    return table


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations: Operations, operation: ops.RenameTableOp) -> None:
    """ALTER TABLE ... RENAME TO."""
    operations.impl.rename_table(
        operation.table_name, operation.new_table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(operations: Operations, operation: ops.CreateTableCommentOp) -> None:
    """Set a table comment."""
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations: Operations, operation: ops.DropTableCommentOp) -> None:
    """Remove a table comment."""
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations: Operations, operation: ops.AddColumnOp) -> None:
    """ADD COLUMN, then its separate constraints, indexes and comment (offline, the database
    implementation writes plain columns from its cache)."""
    impl = _database_impl(operations, operation, ops.AddColumnOp)
    if impl is not None and impl.add_column_from_cache(
        operation.table_name,
        operation.column,
        schema=operation.schema,
        if_not_exists=operation.if_not_exists,
        inline_references=operation.inline_references,
        inline_primary_key=operation.inline_primary_key,
        **operation.kw,
    ):
        return
    table = operations.schema_obj.table(
        operation.table_name, operation.column, schema=operation.schema
    )
    column = table.c[operation.column.key]
    operations.impl.add_column(
        operation.table_name,
        column,
        schema=operation.schema,
        if_not_exists=operation.if_not_exists,
        inline_references=operation.inline_references,
        inline_primary_key=operation.inline_primary_key,
        **operation.kw,
    )
    inline_fk = None
    if operation.inline_references:
        fks = list(column.foreign_keys)
        if len(fks) == 1 and len(fks[0].constraint.columns) == 1:
            inline_fk = fks[0].constraint
    for constraint in table.constraints:
        if constraint is inline_fk or isinstance(constraint, PrimaryKeyConstraint):
            continue
        if operations.impl.column_constraint_rendered_inline(constraint):
            continue
        operations.impl.add_constraint(constraint)
    for index in table.indexes:
        operations.impl.create_index(index)
    dialect = operations.migration_context.dialect
    if column.comment and dialect.supports_comments and not dialect.inline_comments:
        operations.impl.create_column_comment(column)


@Operations.implementation_for(ops.AddConstraintOp)
def create_constraint(operations: Operations, operation: ops.AddConstraintOp) -> None:
    """ADD CONSTRAINT."""
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations: Operations, operation: ops.DropConstraintOp) -> None:
    """DROP CONSTRAINT."""
    kw: dict[str, Any] = {}
    if operation.if_exists is not None:
        kw["if_exists"] = operation.if_exists
    operations.impl.drop_constraint(
        operations.schema_obj.generic_constraint(
            operation.constraint_name,
            operation.table_name,
            operation.constraint_type,
            schema=operation.schema,
        ),
        **kw,
    )


@Operations.implementation_for(ops.ValidateConstraintOp)
def validate_constraint(operations: Operations, operation: ops.ValidateConstraintOp) -> None:
    """VALIDATE CONSTRAINT (PostgreSQL; nothing elsewhere)."""
    operations.impl.validate_constraint(
        operation.constraint_name, operation.table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations: Operations, operation: ops.BulkInsertOp) -> None:
    """INSERT rows."""
    operations.impl.bulk_insert(operation.table, operation.rows, multiinsert=operation.multiinsert)


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations: Operations, operation: ops.ExecuteSQLOp) -> None:
    """Run SQL. Before a COMMIT/END the version rows of the steps so far are written, so the
    migration's own COMMIT commits them with their DDL."""
    context = operations.migration_context
    sql = operation.sqltext
    text = sql if isinstance(sql, str) else getattr(sql, "text", None)
    if isinstance(text, str) and _ENDS_TRANSACTION.match(text):
        context.write_pending_versions()
    context.impl.execute(sql, execution_options=operation.execution_options)


_ENDS_TRANSACTION = re.compile(r"\s*(COMMIT|END)\b", re.IGNORECASE)


@Operations.implementation_for(ops.EnumTypeOp)
def run_enum_type_op(operations: Operations, operation: ops.EnumTypeOp) -> None:
    """CREATE/ALTER/DROP TYPE of a PostgreSQL ENUM; ADD VALUE runs in an autocommit block."""
    statements = operation.statements(operations.migration_context.dialect)

    def run() -> None:
        for sql in statements:
            operations.impl._exec(text(escape_colons(sql)))

    if operation.needs_autocommit:
        with operations.migration_context.autocommit_block():
            run()
    else:
        run()
