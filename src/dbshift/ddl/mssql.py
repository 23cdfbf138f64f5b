"""SQL Server: default-constraint lookup and drop, sp_rename, GO separators offline.

SQL Server spells most ALTERs differently from the ANSI forms in :mod:`dbshift.ddl.elements`:

* ``ALTER TABLE t ALTER COLUMN c <type> NULL | NOT NULL`` restates the type, so nullability needs
  ``existing_type`` (or ``type_``);
* a server default is a named DEFAULT constraint: it is added with ``ADD DEFAULT x FOR c`` and
  removed by looking its (usually generated) name up in ``sys.default_constraints``;
* renames go through ``EXEC sp_rename``; comments are ``MS_Description`` extended properties;
* offline scripts separate batches with ``GO`` (``mssql_batch_separator``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.types import NVARCHAR

from ..util.exc import CommandError
from . import elements
from .elements import (
    AddColumn,
    AlterTable,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    RenameTable,
    alter_column_clause,
    alter_table,
    format_column_name,
    format_server_default,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Index

#: Catalog joins that find a column's constraint of each kind, keyed by ``kind``.
_CONSTRAINT_LOOKUPS = {
    "default": (
        "sys.default_constraints as k "
        "join sys.columns as col on col.object_id = k.parent_object_id "
        "and col.column_id = k.parent_column_id"
    ),
    "check": (
        "sys.check_constraints as k "
        "join sys.columns as col on col.object_id = k.parent_object_id "
        "and col.column_id = k.parent_column_id"
    ),
    "foreign_key": (
        "sys.foreign_keys as k "
        "join sys.foreign_key_columns as fkc on fkc.constraint_object_id = k.object_id "
        "join sys.columns as col on col.object_id = fkc.parent_object_id "
        "and col.column_id = fkc.parent_column_id"
    ),
}


class DropColumnConstraint(AlterTable):
    """Drop the DEFAULT, CHECK or FOREIGN KEY constraint on one column, whatever its name.

    SQL Server generates names such as ``DF__t__c__2B0A656D``; this T-SQL block looks the name up
    in the ``sys`` catalogs and drops the constraint with dynamic SQL. ``kind`` is ``"default"``,
    ``"check"`` or ``"foreign_key"``.
    """

    def __init__(
        self, table_name: str, column_name: str, kind: str, schema: str | None = None
    ) -> None:
        if kind not in _CONSTRAINT_LOOKUPS:
            raise ValueError(f"kind must be one of {sorted(_CONSTRAINT_LOOKUPS)}, not {kind!r}")
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.kind = kind


class ExtendedPropertyComment(ExecutableDDLElement):
    """Add, update or drop the ``MS_Description`` extended property (a table or column comment).

    ``action`` is ``"add"``, ``"update"`` or ``"drop"``; ``column_name`` None targets the table.
    """

    def __init__(
        self,
        action: str,
        table_name: str,
        schema: str | None,
        comment: str | None = None,
        column_name: str | None = None,
    ) -> None:
        if action not in ("add", "update", "drop"):
            raise ValueError(f"action must be 'add', 'update' or 'drop', not {action!r}")
        self.action = action
        self.table_name = table_name
        self.schema = schema
        self.comment = comment
        self.column_name = column_name


class MSSQLImpl(DefaultImpl):
    """SQL Server implementation."""

    __dialect__ = "mssql"
    transactional_ddl = True
    type_synonyms = DefaultImpl.type_synonyms + ({"VARCHAR", "NVARCHAR"},)
    add_column_if_not_exists = False

    def __init__(self, *arg: Any, **kw: Any) -> None:
        super().__init__(*arg, **kw)
        #: Written after each statement offline (``mssql_batch_separator``; None/"" for none).
        self.batch_separator: str | None = self.context_opts.get("mssql_batch_separator", "GO")

    # ------------------------------------------------------------------ offline output

    def after_offline_statement(self) -> None:
        """End the batch with ``GO`` (or the configured separator)."""
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def emit_begin(self) -> None:
        """``BEGIN TRANSACTION`` (plain ``BEGIN`` starts a T-SQL block, not a transaction)."""
        self.static_output("BEGIN TRANSACTION" + self.command_terminator)

    def emit_commit(self) -> None:
        """``COMMIT`` followed by the batch separator."""
        super().emit_commit()
        self.after_offline_statement()

    # ------------------------------------------------------------------ columns

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """Alter a column the SQL Server way.

        Nullability and type share one ``ALTER COLUMN c <type> [NOT] NULL``. Before a default or
        type change, the column's DEFAULT constraint is dropped by catalog lookup; a new default
        is added with ``ADD DEFAULT x FOR c``, and on a type-only change a known
        ``existing_server_default`` is put back. Then comment, then ``sp_rename``.
        """
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                stacklevel=3,
            )
        if nullable is None and type_ is not None:
            if existing_nullable is not None:
                nullable = existing_nullable
            else:
                warnings.warn(
                    f"SQL Server ALTER COLUMN {table_name}.{column_name} changes the type without "
                    "nullable= or existing_nullable=; the column will become NULL-able",
                    stacklevel=3,
                )
        if nullable is not None and type_ is None and existing_type is None:
            raise CommandError(
                f"SQL Server needs existing_type= or type_= to change the nullability of "
                f"{table_name}.{column_name} (ALTER COLUMN restates the type)"
            )

        existing = {
            "schema": schema,
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
        }
        special_default = server_default is not False and (
            elements.server_default_changes_kind(server_default, existing_server_default)
            != "plain"
        )
        changes_default = server_default is not False and not special_default
        restore_default = (
            server_default is False
            and type_ is not None
            and existing_server_default is not None
            and elements.server_default_changes_kind(None, existing_server_default) == "plain"
        )

        if changes_default or restore_default:
            self._exec(DropColumnConstraint(table_name, column_name, "default", schema=schema))
        if nullable is not None:
            self._exec(
                ColumnNullable(
                    table_name,
                    column_name,
                    nullable,
                    **{**existing, "existing_type": type_ if type_ is not None else existing_type},
                )
            )
        elif type_ is not None:
            self._exec(ColumnType(table_name, column_name, type_, **existing))
        if special_default:
            self._exec(
                self._default_change(
                    table_name, column_name, server_default, existing_server_default, existing
                )
            )
        elif changes_default and server_default is not None:
            self._exec(ColumnDefault(table_name, column_name, server_default, **existing))
        elif restore_default:
            self._exec(ColumnDefault(table_name, column_name, existing_server_default, **existing))
        if comment is not False:
            self._alter_column_comment(table_name, column_name, comment, existing)
        if name is not None:
            self._exec(ColumnName(table_name, column_name, name, **existing))

    def _alter_column_comment(
        self, table_name: str, column_name: str, comment: str | None, existing: dict[str, Any]
    ) -> None:
        if comment is None:
            action = "drop"
        elif existing["existing_comment"] is not None:
            action = "update"
        else:
            action = "add"
        self._exec(
            ExtendedPropertyComment(
                action, table_name, existing["schema"], comment, column_name=column_name
            )
        )

    def add_column(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        """``ALTER TABLE t ADD <colspec>`` (no COLUMN keyword; SQL Server has no IF NOT EXISTS)."""
        super().add_column(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def drop_column(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """``DROP COLUMN``, first dropping the column's constraints that SQL Server would refuse
        to drop implicitly: ``mssql_drop_default``, ``mssql_drop_check``,
        ``mssql_drop_foreign_key`` (each True runs a lookup-and-drop block)."""
        for flag, kind in (
            ("mssql_drop_default", "default"),
            ("mssql_drop_check", "check"),
            ("mssql_drop_foreign_key", "foreign_key"),
        ):
            if kw.pop(flag, False):
                self._exec(DropColumnConstraint(table_name, column.name, kind, schema=schema))
        super().drop_column(table_name, column, schema=schema, if_exists=if_exists, **kw)

    # ------------------------------------------------------------------ comments

    def create_column_comment(self, column: Column) -> None:
        """Add (or, with ``comment=None``, drop) a column's ``MS_Description``."""
        table = column.table
        self._exec(
            ExtendedPropertyComment(
                "add" if column.comment is not None else "drop",
                table.name,
                table.schema,
                column.comment,
                column_name=column.name,
            )
        )

    def create_table_comment(self, table: Table) -> None:
        """Add the table's ``MS_Description``."""
        self._exec(ExtendedPropertyComment("add", table.name, table.schema, table.comment))

    def drop_table_comment(self, table: Table) -> None:
        """Drop the table's ``MS_Description``."""
        self._exec(ExtendedPropertyComment("drop", table.name, table.schema))

    # ------------------------------------------------------------------ indexes

    def drop_index(self, index: Index, **kw: Any) -> None:
        """``DROP INDEX ix ON t``: SQL Server index names are per table, so the table is needed."""
        self._drop_index_within_table(index, **kw)

    # ------------------------------------------------------------------ data

    # ------------------------------------------------------------------ autogenerate

    def compare_identity_default(
        self, metadata_column: Column, reflected_identity: dict[str, Any] | None
    ) -> bool | None:
        """An autoincrement integer primary key is ``IDENTITY(1,1)`` in SQL Server without the
        model saying so: that implicit identity is no change."""
        if (
            metadata_column.identity is None
            and reflected_identity is not None
            and metadata_column.primary_key
            and metadata_column.autoincrement in (True, "auto")
            and reflected_identity.get("start") in (None, 1)
            and reflected_identity.get("increment") in (None, 1)
        ):
            return False
        return None

    def autogen_is_system_schema(self, schema: str) -> bool:
        """SQL Server's own schemas (``sys``, ``INFORMATION_SCHEMA``, ``guest``, ``db_*`` roles)."""
        lowered = schema.lower()
        return lowered in ("sys", "information_schema", "guest") or lowered.startswith("db_")

    def bulk_insert(
        self,
        table: Table | Any,
        rows: Iterable[Mapping[str, Any]],
        multiinsert: bool = True,
    ) -> None:
        """INSERT rows; offline, inside ``SET IDENTITY_INSERT t ON`` / ``OFF`` so that explicit
        values for an IDENTITY column are accepted.

        The wrap is left out when the table is a full ``Table`` whose IDENTITY column the rows do
        not set (SQL Server rejects IDENTITY_INSERT ON then); a lightweight ``table()`` is always
        wrapped, since its identity column cannot be known.
        """
        rows = list(rows)
        if not (self.as_sql and rows and self._rows_set_identity(table, rows)):
            super().bulk_insert(table, rows, multiinsert=multiinsert)
            return
        name = self.dialect.identifier_preparer.format_table(table)
        self._exec(f"SET IDENTITY_INSERT {name} ON")
        super().bulk_insert(table, rows, multiinsert=multiinsert)
        self._exec(f"SET IDENTITY_INSERT {name} OFF")

    @staticmethod
    def _rows_set_identity(table: Any, rows: list[Mapping[str, Any]]) -> bool:
        if not isinstance(table, Table):
            return True
        identity = [
            c
            for c in table.columns
            if c.identity is not None or c is table.autoincrement_column
        ]
        return any(c.key in row or c.name in row for c in identity for row in rows)


# ---------------------------------------------------------------------------------------------
# Spellings


def _nstring(value: str) -> str:
    """A T-SQL Unicode string literal."""
    return "N'" + value.replace("'", "''") + "'"


@compiles(DropColumnConstraint, "mssql")
def _drop_column_constraint(element: DropColumnConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table_name(compiler, element.table_name, element.schema)
    return (
        "declare @const_name nvarchar(258)\n"
        "select @const_name = quotename(k.name)\n"
        f"from {_CONSTRAINT_LOOKUPS[element.kind]}\n"
        f"where k.parent_object_id = object_id({_nstring(table)}) "
        f"and col.name = {_nstring(element.column_name)}\n"
        f"exec('alter table {table.replace(chr(39), chr(39) * 2)} drop constraint ' + @const_name)"
    )


@compiles(DropColumnConstraint)
def _drop_column_constraint_generic(
    element: DropColumnConstraint, compiler: DDLCompiler, **kw: Any
) -> str:
    raise sa_exc.CompileError("Constraint lookup-and-drop blocks are SQL Server only")


@compiles(ExtendedPropertyComment, "mssql")
def _extended_property(element: ExtendedPropertyComment, compiler: DDLCompiler, **kw: Any) -> str:
    preparer = compiler.preparer
    dialect = compiler.dialect
    schema = element.schema or dialect.default_schema_name or dialect.schema_name  # type: ignore[attr-defined]
    text = f"execute sp_{element.action}extendedproperty 'MS_Description', "
    if element.action != "drop":
        text += compiler.sql_compiler.render_literal_value(element.comment, NVARCHAR()) + ", "
    text += f"'schema', {preparer.quote_schema(schema)}, 'table', {preparer.quote(element.table_name)}"
    if element.column_name is not None:
        text += f", 'column', {preparer.quote(element.column_name)}"
    return text


@compiles(AddColumn, "mssql")
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    if element.if_not_exists:
        raise sa_exc.CompileError("SQL Server has no ALTER TABLE ... ADD IF NOT EXISTS")
    return "{} {}".format(
        alter_table(compiler, element.table_name, element.schema),
        elements.add_column_clause(
            compiler,
            element.column,
            inline_references=element.inline_references,
            inline_primary_key=element.inline_primary_key,
            keyword="ADD",
        ),
    )


@compiles(ColumnNullable, "mssql")
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    if element.existing_type is None:
        raise sa_exc.CompileError(
            f"SQL Server needs the column type to change the nullability of "
            f"{element.table_name}.{element.column_name}"
        )
    return "{} {} {} {}".format(
        alter_table(compiler, element.table_name, element.schema),
        alter_column_clause(compiler, element.column_name),
        format_type(compiler, element.existing_type),
        "NULL" if element.nullable else "NOT NULL",
    )


@compiles(ColumnType, "mssql")
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    column = alter_column_clause(compiler, element.column_name)
    return f"{table} {column} {format_type(compiler, element.type_)}"


@compiles(ColumnDefault, "mssql")
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return _drop_column_constraint(
            DropColumnConstraint(
                element.table_name, element.column_name, "default", schema=element.schema
            ),
            compiler,
        )
    table = alter_table(compiler, element.table_name, element.schema)
    default = format_server_default(compiler, element.default)
    return f"{table} ADD DEFAULT {default} FOR {format_column_name(compiler, element.column_name)}"


@compiles(ColumnName, "mssql")
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table_name(compiler, element.table_name, element.schema)
    target = f"{table}.{format_column_name(compiler, element.column_name)}"
    return f"EXEC sp_rename {_nstring(target)}, {_nstring(element.newname)}, 'COLUMN'"


@compiles(RenameTable, "mssql")
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    target = format_table_name(compiler, element.table_name, element.schema)
    return f"EXEC sp_rename {_nstring(target)}, {_nstring(element.new_table_name)}"
