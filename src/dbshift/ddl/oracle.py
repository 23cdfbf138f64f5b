"""Oracle: MODIFY, RENAME COLUMN, '/' separators offline.

Oracle changes a column with ``ALTER TABLE t MODIFY c ...`` (nullability, type, default and
identity alike), renames one with ``RENAME COLUMN``, and adds one with ``ADD <colspec>``. Offline
scripts are meant for SQL*Plus: no ``;`` terminator, a ``/`` line (``oracle_batch_separator``)
after each statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy import schema as sa_schema
from sqlalchemy.ext.compiler import compiles

from .elements import (
    AddColumn,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    IdentityColumnDefault,
    RenameTable,
    add_column_clause,
    alter_table,
    format_column_name,
    format_server_default,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import DDLCompiler

    from .elements import AlterColumn


# The current user's schema structure (not its data), read by the statement journal.
_SCHEMA_FINGERPRINT = " UNION ALL ".join(
    (
        "SELECT 'C|' || table_name || '|' || column_name || '|' || column_id || '|' || data_type "
        "|| '|' || data_length || '|' || data_precision || '|' || data_scale || '|' || nullable "
        "FROM user_tab_columns",
        "SELECT 'I|' || index_name || '|' || table_name || '|' || column_name || '|' || "
        "column_position FROM user_ind_columns",
        "SELECT 'K|' || constraint_name || '|' || table_name || '|' || constraint_type || '|' || "
        "status FROM user_constraints",
        "SELECT 'O|' || object_type || '|' || object_name || '|' || status || '|' || "
        "TO_CHAR(last_ddl_time, 'YYYYMMDDHH24MISS') FROM user_objects "
        "WHERE object_type IN ('VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION', 'PACKAGE', "
        "'PACKAGE BODY', 'SEQUENCE', 'SYNONYM', 'TYPE')",
    )
)


class OracleImpl(DefaultImpl):
    """Oracle implementation."""

    __dialect__ = "oracle"
    transactional_ddl = False
    command_terminator = ""
    type_synonyms = DefaultImpl.type_synonyms + (
        {"VARCHAR", "VARCHAR2"},
        {"BIGINT", "INTEGER", "SMALLINT", "DECIMAL", "NUMERIC", "NUMBER"},
        {"DOUBLE", "FLOAT", "DOUBLE_PRECISION"},
    )
    reflects_fk_deferral = True
    add_column_if_not_exists = False

    def __init__(self, *arg: Any, **kw: Any) -> None:
        super().__init__(*arg, **kw)
        #: Written after each statement offline (``oracle_batch_separator``; None/"" for none).
        self.batch_separator: str | None = self.context_opts.get("oracle_batch_separator", "/")

    def journal_noop_sql(self) -> str | None:
        return "BEGIN NULL; END;"

    def schema_fingerprint_sql(self) -> tuple[str, ...]:
        return (_SCHEMA_FINGERPRINT,)

    def after_offline_statement(self) -> None:
        """End the statement with ``/`` (or the configured separator)."""
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def emit_begin(self) -> None:
        """``SET TRANSACTION READ WRITE`` (Oracle has no BEGIN statement)."""
        self._exec("SET TRANSACTION READ WRITE")

    def emit_commit(self) -> None:
        """``COMMIT`` as a statement, followed by the separator."""
        self._exec("COMMIT")

    def create_column_comment(self, column: Column) -> None:
        """``COMMENT ON COLUMN t.c IS '...'``; removing a comment sets it to ``''`` because
        Oracle rejects ``IS NULL`` (ORA-01780: string literal required)."""
        if column.comment is not None:
            super().create_column_comment(column)
            return
        table = column.table
        blank = Column(column.name, column.type, comment="")
        Table(table.name, MetaData(), blank, schema=table.schema)
        self._exec(sa_schema.SetColumnComment(blank))


# ---------------------------------------------------------------------------------------------
# Spellings


def _modify(compiler: DDLCompiler, element: AlterColumn) -> str:
    """``ALTER TABLE t MODIFY c``."""
    table = alter_table(compiler, element.table_name, element.schema)
    return f"{table} MODIFY {format_column_name(compiler, element.column_name)}"


@compiles(AddColumn, "oracle")
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    if element.if_not_exists:
        raise sa_exc.CompileError(
            f"Oracle has no ALTER TABLE ... ADD IF NOT EXISTS (column {element.column.name})"
        )
    clause = add_column_clause(
        compiler,
        element.column,
        inline_references=element.inline_references,
        inline_primary_key=element.inline_primary_key,
        keyword="ADD",
    )
    return f"{alter_table(compiler, element.table_name, element.schema)} {clause}"


@compiles(ColumnNullable, "oracle")
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{_modify(compiler, element)} {'NULL' if element.nullable else 'NOT NULL'}"


@compiles(ColumnType, "oracle")
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{_modify(compiler, element)} {format_type(compiler, element.type_)}"


@compiles(ColumnDefault, "oracle")
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return f"{_modify(compiler, element)} DEFAULT NULL"
    return f"{_modify(compiler, element)} DEFAULT {format_server_default(compiler, element.default)}"


@compiles(IdentityColumnDefault, "oracle")
def _identity_default(element: IdentityColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return f"{_modify(compiler, element)} DROP IDENTITY"
    return f"{_modify(compiler, element)} {compiler.process(element.default)}"


@compiles(ColumnName, "oracle")
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    old = format_column_name(compiler, element.column_name)
    new = format_column_name(compiler, element.newname)
    return f"{alter_table(compiler, element.table_name, element.schema)} RENAME COLUMN {old} TO {new}"


@compiles(RenameTable, "oracle")
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    # the new name must not be schema-qualified: a table cannot move to another schema
    new_name = format_table_name(compiler, element.new_table_name, None)
    return f"{alter_table(compiler, element.table_name, element.schema)} RENAME TO {new_name}"
