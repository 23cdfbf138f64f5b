"""PostgreSQL: USING casts, identity columns, unqualified RENAME TO, INCLUDE columns, batch prep.

Everything else PostgreSQL needs is spelled by SQLAlchemy's own PostgreSQL compiler: ``COMMENT ON``,
``CREATE INDEX CONCURRENTLY ... USING ... INCLUDE ... WHERE``, ``UNIQUE NULLS NOT DISTINCT``,
``EXCLUDE`` constraints and ``CREATE TYPE`` for ENUM columns (fired by the table create events).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Identity
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import NULLTYPE

from ..util.exc import CommandError
from . import elements
from .elements import (
    alter_column_clause,
    alter_table,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Index

#: Identity/sequence options that can be changed one by one with ``SET <option>``.
IDENTITY_OPTIONS: tuple[str, ...] = (
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
    "on_null",
)


class PostgresqlImpl(DefaultImpl):
    """PostgreSQL implementation (transactional DDL)."""

    __dialect__ = "postgresql"
    transactional_ddl = True
    type_synonyms = DefaultImpl.type_synonyms + ({"FLOAT", "DOUBLE PRECISION"},)

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
        """Like the generic ALTERs, but the type change (with ``postgresql_using``) comes first.

        An identity change whose options all equal the existing ones emits nothing.
        """
        using = kw.pop("postgresql_using", None)
        if using is not None and type_ is None:
            raise CommandError(
                f"alter_column of {table_name}.{column_name}: postgresql_using needs type_"
            )
        if type_ is not None:
            self._exec(
                PostgresqlColumnType(
                    table_name,
                    column_name,
                    type_,
                    using=using,
                    schema=schema,
                    existing_type=existing_type,
                    existing_nullable=existing_nullable,
                    existing_server_default=existing_server_default,
                    existing_comment=existing_comment,
                )
            )
        if (
            isinstance(server_default, Identity)
            and isinstance(existing_server_default, Identity)
            and not identity_changes(
                server_default, existing_server_default, self.identity_attrs_ignore
            )
        ):
            server_default = False
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            name=name,
            type_=None,
            schema=schema,
            autoincrement=autoincrement,
            comment=comment,
            existing_comment=existing_comment,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_autoincrement=existing_autoincrement,
            **kw,
        )

    # ------------------------------------------------------------------ indexes

    def create_index(self, index: Index, **kw: Any) -> None:
        """CREATE INDEX; ``postgresql_include`` columns missing from the stub table are added."""
        table = index.table
        if table is not None:
            for name in index.kwargs.get("postgresql_include") or ():
                if isinstance(name, str) and name not in table.c:
                    table.append_column(Column(name, NULLTYPE))
        super().create_index(index, **kw)

    # ------------------------------------------------------------------ batch

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Drop the old table's named constraints before a batch rebuild re-creates them.

        PostgreSQL constraint names are unique per schema, so the new table could not reuse them
        while the old one still holds them. Only the names the new table carries over
        (``batch_impl.named_constraints``, when the batch impl has it) are dropped.
        """
        wanted = getattr(batch_impl, "named_constraints", None)
        for constraint in list(table.constraints):
            name = constraint.name
            if not isinstance(name, str) or not name:
                continue
            if wanted is not None and name not in wanted:
                continue
            self.drop_constraint(constraint)


# ---------------------------------------------------------------------------------------------
# Identity comparison


def identity_changes(new: Identity, existing: Identity, ignore: Sequence[str] = ()) -> list[str]:
    """Names of the identity options that ``new`` really changes on ``existing``, sorted.

    An option left at its default (``None``) in ``new`` is not a change; ``always`` counts
    ``None`` and ``False`` as the same.
    """
    changed = set()
    for attr in IDENTITY_OPTIONS:
        wanted = getattr(new, attr, None)
        if wanted is not None and wanted != getattr(existing, attr, None):
            changed.add(attr)
    if bool(getattr(new, "always", False)) != bool(getattr(existing, "always", False)):
        changed.add("always")
    return sorted(changed.difference(ignore))


# ---------------------------------------------------------------------------------------------
# DDL elements and their PostgreSQL spelling


class PostgresqlColumnType(elements.ColumnType):
    """``ALTER COLUMN c TYPE t [USING expr]``."""

    def __init__(
        self, table_name: str, column_name: str, type_: Any, using: Any = None, **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, type_, **kw)
        self.using = using


@compiles(PostgresqlColumnType, "postgresql")
def _column_type(element: PostgresqlColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    column = alter_column_clause(compiler, element.column_name)
    text = f"{table} {column} TYPE {format_type(compiler, element.type_)}"
    if element.using is not None:
        using = element.using
        if isinstance(using, ClauseElement):
            using = compiler.sql_compiler.process(using, literal_binds=True)
        text += f" USING {using}"
    return text


@compiles(elements.RenameTable, "postgresql")
def _rename_table(element: elements.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    return f"{table} RENAME TO {format_table_name(compiler, element.new_table_name, None)}"


@compiles(elements.IdentityColumnDefault, "postgresql")
def _identity_default(
    element: elements.IdentityColumnDefault, compiler: DDLCompiler, **kw: Any
) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    prefix = f"{table} {alter_column_clause(compiler, element.column_name)}"
    new = element.default
    existing = element.existing_server_default
    if new is None:
        return f"{prefix} DROP IDENTITY"
    if not isinstance(existing, Identity):
        return f"{prefix} ADD {compiler.visit_identity_column(new)}"
    ignore = getattr(element.impl, "identity_attrs_ignore", ())
    clauses = []
    for attr in identity_changes(new, existing, ignore):
        if attr == "always":
            clauses.append("SET GENERATED " + ("ALWAYS" if new.always else "BY DEFAULT"))
        else:
            option = compiler.get_identity_options(Identity(**{attr: getattr(new, attr)}))
            if option:
                clauses.append(f"SET {option}")
    return f"{prefix} {' '.join(clauses)}"


__all__ = ["IDENTITY_OPTIONS", "PostgresqlColumnType", "PostgresqlImpl", "identity_changes"]
