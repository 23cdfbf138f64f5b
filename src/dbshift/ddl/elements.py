"""ALTER statements as SQLAlchemy DDL elements, with their generic (ANSI-ish) spelling.

Each construct is a small :class:`~sqlalchemy.schema.ExecutableDDLElement`; how a dialect spells it is a
compile function registered with :func:`sqlalchemy.ext.compiler.compiles`. The generic spellings live
here; each dialect module overrides the ones it spells differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Column, Computed, ExecutableDDLElement, Identity
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.types import TypeEngine

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import DDLCompiler


class AlterTable(ExecutableDDLElement):
    """Base of every ``ALTER TABLE <name> ...`` statement built from a plain table name."""

    def __init__(self, table_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    """``ALTER TABLE old RENAME TO new``."""

    def __init__(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name


class AlterColumn(AlterTable):
    """Base of the single-aspect ``ALTER TABLE t ALTER COLUMN c ...`` statements.

    The ``existing_*`` values describe the column as it is; dialects that must restate the whole
    column (MySQL, SQL Server) read them.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        schema: str | None = None,
        existing_type: TypeEngine | None = None,
        existing_nullable: bool | None = None,
        existing_server_default: Any = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = _as_type(existing_type)
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumn):
    """Set or drop NOT NULL."""

    def __init__(self, table_name: str, column_name: str, nullable: bool, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumn):
    """Change a column's type."""

    def __init__(self, table_name: str, column_name: str, type_: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.type_ = _as_type(type_)


class ColumnName(AlterColumn):
    """Rename a column."""

    def __init__(self, table_name: str, column_name: str, newname: str, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.newname = newname


class ColumnDefault(AlterColumn):
    """Set (or, with ``default=None``, drop) a server default."""

    def __init__(self, table_name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class ComputedColumnDefault(AlterColumn):
    """Change a ``GENERATED ALWAYS AS`` expression; no database supports this as an ALTER."""

    def __init__(self, table_name: str, column_name: str, default: Computed | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class IdentityColumnDefault(AlterColumn):
    """Add, change or drop an IDENTITY; ``impl`` decides which options really changed."""

    def __init__(
        self, table_name: str, column_name: str, default: Identity | None, impl: Any, **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default
        self.impl = impl


class ColumnComment(AlterColumn):
    """Set or remove a column comment, for dialects that spell it as an ALTER."""

    def __init__(self, table_name: str, column_name: str, comment: str | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.comment = comment


class AddColumn(AlterTable):
    """``ALTER TABLE t ADD COLUMN <colspec>`` with optional inline PRIMARY KEY / REFERENCES."""

    def __init__(
        self,
        table_name: str,
        column: Column,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    """``ALTER TABLE t DROP COLUMN c``."""

    def __init__(
        self, table_name: str, column: Column, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_exists = if_exists


def _as_type(type_: Any) -> TypeEngine | None:
    if type_ is None:
        return None
    if isinstance(type_, type):
        return type_()
    return type_


# ---------------------------------------------------------------------------------------------
# Formatting helpers shared by the dialect modules


def format_table_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """The quoted, optionally schema-qualified table name."""
    quoted = compiler.preparer.quote(name)
    if schema:
        return compiler.preparer.quote_schema(schema) + "." + quoted
    return quoted


def format_column_name(compiler: DDLCompiler, name: str | quoted_name) -> str:
    """The quoted column name."""
    return compiler.preparer.quote(name)


def format_type(compiler: DDLCompiler, type_: TypeEngine) -> str:
    """The type as the dialect spells it in DDL."""
    return compiler.dialect.type_compiler_instance.process(type_)


def format_server_default(compiler: DDLCompiler, default: Any) -> str:
    """A server default as it appears after ``DEFAULT``."""
    column = Column("_", server_default=default)
    rendered = compiler.get_column_default_string(column)
    if rendered is None:
        raise sa_exc.CompileError(f"Cannot render server default {default!r}")
    return rendered


def alter_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """``ALTER TABLE <name>``."""
    return f"ALTER TABLE {format_table_name(compiler, name, schema)}"


def alter_column_clause(compiler: DDLCompiler, name: str) -> str:
    """``ALTER COLUMN <name>``."""
    return f"ALTER COLUMN {format_column_name(compiler, name)}"


def add_column_clause(
    compiler: DDLCompiler,
    column: Column,
    if_not_exists: bool | None = None,
    inline_references: bool | None = None,
    inline_primary_key: bool | None = None,
    keyword: str = "ADD COLUMN",
    named_references: bool = True,
) -> str:
    """``ADD COLUMN [IF NOT EXISTS] <colspec> [PRIMARY KEY] [[CONSTRAINT name] REFERENCES ...]``.

    ``named_references=False`` leaves out the foreign key's name, for a dialect whose column
    definition has no ``CONSTRAINT name`` before ``REFERENCES`` (MySQL).
    """
    text = keyword + " "
    if if_not_exists:
        text += "IF NOT EXISTS "
    text += compiler.get_column_specification(column)
    if inline_primary_key and column.primary_key:
        text += " PRIMARY KEY"
    if inline_references:
        fks = list(column.foreign_keys)
        if len(fks) == 1 and len(fks[0].constraint.columns) == 1:
            text += " " + inline_references_clause(compiler, fks[0], named=named_references)
    const = " ".join(
        compiler.process(constraint) for constraint in column.constraints
    )
    if const:
        text += " " + const
    return text


def inline_references_clause(compiler: DDLCompiler, fk: Any, *, named: bool = True) -> str:
    """``[CONSTRAINT name] REFERENCES t (c) [MATCH ..] [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE]
    [INITIALLY ..]``.

    The name (explicit or from the naming convention) is kept when ``named``: the SQL standard,
    SQLite, PostgreSQL, Oracle and SQL Server accept ``CONSTRAINT name`` in a column definition,
    and without it the database makes up a name that a later ``drop_constraint`` can't know.
    """
    constraint = fk.constraint
    remote_table = fk.column.table
    text = ""
    if named and constraint.name is not None:
        name = compiler.preparer.format_constraint(constraint)
        if name is not None:
            text = f"CONSTRAINT {name} "
    text += f"REFERENCES {compiler.preparer.format_table(remote_table)} ({compiler.preparer.quote(fk.column.name)})"
    text += compiler.define_constraint_match(constraint)
    text += compiler.define_constraint_cascades(constraint)
    text += compiler.define_constraint_deferrability(constraint)
    return text


def is_computed(default: Any) -> bool:
    """True for a ``Computed`` server default."""
    return isinstance(default, Computed)


def is_identity(default: Any) -> bool:
    """True for an ``Identity`` server default."""
    return isinstance(default, Identity)


# ---------------------------------------------------------------------------------------------
# Generic spellings


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{alter_table(compiler, element.table_name, element.schema)} RENAME TO {format_table_name(compiler, element.new_table_name, element.schema)}"


@compiles(AddColumn)
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return "{} {}".format(
        alter_table(compiler, element.table_name, element.schema),
        add_column_clause(
            compiler,
            element.column,
            if_not_exists=element.if_not_exists,
            inline_references=element.inline_references,
            inline_primary_key=element.inline_primary_key,
        ),
    )


@compiles(DropColumn)
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return "{} DROP COLUMN {}{}".format(
        alter_table(compiler, element.table_name, element.schema),
        "IF EXISTS " if element.if_exists else "",
        format_column_name(compiler, element.column.name),
    )


@compiles(ColumnNullable)
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return "{} {} {}".format(
        alter_table(compiler, element.table_name, element.schema),
        alter_column_clause(compiler, element.column_name),
        "DROP NOT NULL" if element.nullable else "SET NOT NULL",
    )


@compiles(ColumnType)
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{alter_table(compiler, element.table_name, element.schema)} {alter_column_clause(compiler, element.column_name)} TYPE {format_type(compiler, element.type_)}"


@compiles(ColumnName)
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{alter_table(compiler, element.table_name, element.schema)} RENAME {format_column_name(compiler, element.column_name)} TO {format_column_name(compiler, element.newname)}"


@compiles(ColumnDefault)
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    return "{} {} {}".format(
        alter_table(compiler, element.table_name, element.schema),
        alter_column_clause(compiler, element.column_name),
        "SET DEFAULT " + format_server_default(compiler, element.default)
        if element.default is not None
        else "DROP DEFAULT",
    )


@compiles(ComputedColumnDefault)
def _computed_default(element: ComputedColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    raise sa_exc.CompileError(
        f"Adding or removing a computed expression on column {element.table_name}."
        f"{element.column_name} is not supported by {compiler.dialect.name}; "
        "drop and re-add the column instead"
    )


@compiles(IdentityColumnDefault)
def _identity_default(element: IdentityColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    raise sa_exc.CompileError(
        f"Adding, removing or changing an IDENTITY on column {element.table_name}."
        f"{element.column_name} is not supported by {compiler.dialect.name}"
    )


@compiles(ColumnComment)
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    raise sa_exc.CompileError(
        f"Column comments as ALTER statements are not supported by {compiler.dialect.name}"
    )


def server_default_changes_kind(
    server_default: Any, existing_server_default: Any
) -> str:
    """Classify a server default change as ``"computed"``, ``"identity"`` or ``"plain"``."""
    if is_computed(server_default) or is_computed(existing_server_default):
        return "computed"
    if is_identity(server_default) or is_identity(existing_server_default):
        return "identity"
    return "plain"


__all__ = [
    "AddColumn",
    "AlterColumn",
    "AlterTable",
    "ColumnComment",
    "ColumnDefault",
    "ColumnName",
    "ColumnNullable",
    "ColumnType",
    "ComputedColumnDefault",
    "DropColumn",
    "IdentityColumnDefault",
    "RenameTable",
]
