"""The statement kinds an operation object runs, in the vocabulary of
:mod:`dbshift.ddl.statement_kinds`, with the table each one changes.

The dialect tables (:mod:`dbshift.ddl.postgresql_locks`, :mod:`dbshift.ddl.mysql_alter_algorithm`)
are keyed by kind; this module says which kinds an ``op.*`` call amounts to, so that the rules
can ask, for instance, whether an operation takes an ACCESS EXCLUSIVE lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...operations import ops

__all__ = ["OpStatement", "TableKey", "op_statements", "table_key"]

#: A table as the rules compare them: (schema or None, name), both lower case.
TableKey = tuple[str | None, str]


def table_key(name: Any, schema: Any = None) -> TableKey:
    """The comparable key of a table name."""
    return (str(schema).lower() if schema else None, str(name).lower())


@dataclass(frozen=True)
class OpStatement:
    """One statement an operation runs: its kind and the table it changes (None when it changes
    none, such as ``CREATE TYPE``)."""

    kind: str
    table: TableKey | None


def _constraint_kind(operation: Any, valid: str, not_valid: str) -> str:
    return not_valid if operation.kw.get("postgresql_not_valid") else valid


def op_statements(operation: ops.MigrateOperation) -> list[OpStatement]:
    """The statements ``operation`` runs (empty for ops dbshift does not know)."""
    if isinstance(operation, ops.AddColumnOp):
        key = table_key(operation.table_name, operation.schema)
        found = [OpStatement("add_column", key)]
        column = operation.column
        if getattr(column, "index", None):
            found.append(OpStatement("create_index", key))
        if getattr(column, "unique", None):
            found.append(OpStatement("add_unique", key))
        return found
    if isinstance(operation, ops.DropColumnOp):
        return [OpStatement("drop_column", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.AlterColumnOp):
        return _alter_column(operation)
    if isinstance(operation, ops.CreateIndexOp):
        kind = "create_index_concurrently" if operation.kw.get(
            "postgresql_concurrently"
        ) else "create_index"
        return [OpStatement(kind, table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.DropIndexOp):
        kind = "drop_index_concurrently" if operation.kw.get(
            "postgresql_concurrently"
        ) else "drop_index"
        table = table_key(operation.table_name, operation.schema) if operation.table_name else None
        return [OpStatement(kind, table)]
    if isinstance(operation, ops.CreateForeignKeyOp):
        kind = _constraint_kind(operation, "add_foreign_key", "add_foreign_key_not_valid")
        return [
            OpStatement(kind, table_key(operation.source_table, operation.kw.get("source_schema")))
        ]
    if isinstance(operation, ops.CreateCheckConstraintOp):
        kind = _constraint_kind(operation, "add_check", "add_check_not_valid")
        return [OpStatement(kind, table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.CreateUniqueConstraintOp):
        return [OpStatement("add_unique", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.CreatePrimaryKeyOp):
        return [OpStatement("add_primary_key", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.CreateExcludeConstraintOp):
        return [OpStatement("add_exclude", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.DropConstraintOp):
        return [OpStatement("drop_constraint", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.ValidateConstraintOp):
        key = table_key(operation.table_name, operation.schema)
        return [OpStatement("validate_constraint", key)]
    if isinstance(operation, ops.CreateTableOp):
        return [OpStatement("create_table", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.DropTableOp):
        return [OpStatement("drop_table", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.RenameTableOp):
        return [OpStatement("rename_table", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, (ops.CreateTableCommentOp, ops.DropTableCommentOp)):
        return [OpStatement("comment", table_key(operation.table_name, operation.schema))]
    if isinstance(operation, ops.BulkInsertOp):
        table = getattr(operation.table, "name", None)
        schema = getattr(operation.table, "schema", None)
        return [OpStatement("insert", table_key(table, schema) if table else None)]
    if isinstance(operation, ops.RecreateEnumTypeOp):
        return [OpStatement("create_type", None)] + [
            OpStatement("alter_column_type", table_key(table, schema))
            for schema, table, _column, _default in operation.columns
        ]
    if isinstance(operation, ops.AddEnumValueOp):
        return [OpStatement("alter_type_add_value", None)]
    if isinstance(operation, (ops.CreateEnumTypeOp, ops.DropEnumTypeOp)):
        kind = "create_type" if isinstance(operation, ops.CreateEnumTypeOp) else "drop_type"
        return [OpStatement(kind, None)]
    return []


def _alter_column(operation: ops.AlterColumnOp) -> list[OpStatement]:
    key = table_key(operation.table_name, operation.schema)
    found: list[OpStatement] = []
    if operation.modify_type is not None:
        found.append(OpStatement("alter_column_type", key))
    if operation.modify_nullable is not None:
        kind = "drop_not_null" if operation.modify_nullable else "set_not_null"
        found.append(OpStatement(kind, key))
    if operation.modify_server_default is not False:
        kind = "drop_default" if operation.modify_server_default is None else "set_default"
        found.append(OpStatement(kind, key))
    if operation.modify_comment is not False:
        found.append(OpStatement("comment", key))
    if operation.modify_name is not None:
        found.append(OpStatement("rename_column", key))
    return found
