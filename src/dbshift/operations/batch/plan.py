"""The plan of a rebuilt table: its columns, constraints and indexes as plain values.

A batch rebuild reads the old table into these plans, lets the queued ops edit them, and turns
them back into a SQLAlchemy ``Table``. The functions here convert between plans and SQLAlchemy
objects.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    Column,
    Computed,
    Identity,
    Index,
    MetaData,
    Table,
)
from sqlalchemy.sql.base import _NONE_NAME
from sqlalchemy.sql.naming import ConventionDict, _constraint_name_for_table, _get_convention
from sqlalchemy.sql.schema import SchemaEventTarget
from sqlalchemy.types import NULLTYPE


class ColumnPlan:
    """One column of the new table and where its values come from.

    Plain classes (no ``@dataclass``): a batch imports this module on first use, and generating
    dataclass methods costs more than the rest of the module. Plans compare by identity.
    """

    __slots__ = (
        "name", "type", "nullable", "server_default", "computed", "identity", "autoincrement",
        "comment", "dialect_kwargs", "source", "transfer", "lossless_check", "guard",
        "guard_check", "existing_type",
    )

    def __init__(
        self,
        name: str,
        type: Any,
        nullable: bool = True,
        server_default: Any = None,
        computed: Computed | None = None,
        identity: Identity | None = None,
        autoincrement: Any = "auto",
        comment: str | None = None,
        dialect_kwargs: dict[str, Any] | None = None,
        source: str | None = None,
        transfer: Any = None,
        lossless_check: Any = None,
        guard: str | None = None,
        guard_check: Any = None,
        existing_type: bool = False,
    ) -> None:
        self.name = name
        self.type = type
        self.nullable = nullable
        self.server_default = server_default
        self.computed = computed
        self.identity = identity
        self.autoincrement = autoincrement
        self.comment = comment
        self.dialect_kwargs: dict[str, Any] = dialect_kwargs if dialect_kwargs is not None else {}
        #: Column of the old table that fills it (None: a new or generated column).
        self.source = source
        #: SELECT expression for the copy when it is not the plain source column.
        self.transfer = transfer
        #: Condition that every copied row must meet for the type change to be lossless.
        self.lossless_check = lossless_check
        #: Affinity a dialect guard (a temporary CHECK) holds the copied value to, instead of
        #: ``transfer``; ``guard_check`` is ``lossless_check`` for that guard.
        self.guard = guard
        self.guard_check = guard_check
        #: The type is the old table's (a named type such as a PostgreSQL ENUM exists already).
        self.existing_type = existing_type

    def __repr__(self) -> str:
        return f"ColumnPlan({self.name!r}, {self.type!r}, source={self.source!r})"

    def to_column(self) -> Column:
        """The SQLAlchemy Column of the new table."""
        type_ = self.type.copy() if isinstance(self.type, SchemaEventTarget) else self.type
        if self.existing_type and getattr(type_, "create_type", None):
            type_.create_type = False
        args: list[Any] = []
        if self.computed is not None:
            args.append(Computed(self.computed.sqltext, persisted=self.computed.persisted))
        if self.identity is not None:
            args.append(copy_identity(self.identity))
        return Column(
            self.name,
            type_,
            *args,
            nullable=self.nullable,
            server_default=self.server_default,
            autoincrement=self.autoincrement,
            comment=self.comment,
            **self.dialect_kwargs,
        )


class ConstraintPlan:
    """A constraint of the new table: its kind, name, columns and options."""

    __slots__ = ("kind", "name", "columns", "targets", "sqltext", "options", "original")

    def __init__(
        self,
        kind: str,  # "primary" | "unique" | "foreignkey" | "check" | "other"
        name: str | None,
        columns: list[str] | None = None,
        targets: list[str] | None = None,
        sqltext: Any = None,
        options: dict[str, Any] | None = None,
        original: Any = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.columns: list[str] = columns if columns is not None else []
        self.targets: list[str] = targets if targets is not None else []
        self.sqltext = sqltext
        self.options: dict[str, Any] = options if options is not None else {}
        self.original = original

    def __repr__(self) -> str:
        return f"ConstraintPlan({self.kind!r}, {self.name!r}, {self.columns!r})"

    def mentions(self, column_name: str) -> bool:
        """Whether the constraint uses the column (by name, or in its CHECK text)."""
        if column_name in self.columns:
            return True
        if self.kind == "check" and self.sqltext is not None:
            return names_identifier(str(self.sqltext), column_name)
        return False


class IndexPlan:
    """An index of the new table: column names or expressions."""

    __slots__ = ("name", "elements", "unique", "options", "sql")

    def __init__(
        self,
        name: str | None,
        elements: list[Any],
        unique: bool = False,
        options: dict[str, Any] | None = None,
        sql: str | None = None,
    ) -> None:
        self.name = name
        self.elements = elements
        self.unique = unique
        self.options: dict[str, Any] = options if options is not None else {}
        #: Verbatim CREATE INDEX (SQLite expression indexes reflection cannot describe).
        self.sql = sql

    def __repr__(self) -> str:
        return f"IndexPlan({self.name!r}, {self.elements!r})"


def column_plan(col: Column) -> ColumnPlan:
    """The plan of an existing column: same definition, filled from itself."""
    server_default = None
    if col.server_default is not None and col.computed is None and col.identity is None:
        server_default = getattr(col.server_default, "arg", None)
    return ColumnPlan(
        name=col.name,
        type=col.type,
        nullable=col.nullable,
        server_default=server_default,
        computed=col.computed,
        identity=col.identity,
        autoincrement=col.autoincrement,
        comment=col.comment,
        dialect_kwargs=dict(col.dialect_kwargs),
        source=col.name,
        existing_type=True,
    )


def copy_identity(identity: Identity) -> Identity:
    """A fresh Identity with the options of ``identity`` (one can belong to one column only)."""
    return Identity(
        always=identity.always,
        on_null=identity.on_null,
        start=identity.start,
        increment=identity.increment,
        minvalue=identity.minvalue,
        maxvalue=identity.maxvalue,
        nominvalue=identity.nominvalue,
        nomaxvalue=identity.nomaxvalue,
        cycle=identity.cycle,
        cache=identity.cache,
        order=identity.order,
    )


def all_constraints(table: Table) -> list[Any]:
    """The table's constraints, primary key first, then by kind and name, then column-level ones."""
    found: list[Any] = []
    seen: set[int] = set()
    pk = table.primary_key
    for const in [pk, *sorted(table.constraints, key=_constraint_sort_key)]:
        if id(const) not in seen:
            seen.add(id(const))
            found.append(const)
    for col in table.columns:
        for const in col.constraints:
            if id(const) not in seen:
                seen.add(id(const))
                found.append(const)
    return found


def _constraint_sort_key(const: Any) -> tuple[int, str]:
    order = {"primary_key_constraint": 0, "unique_constraint": 1, "foreign_key_constraint": 2}
    name = const.name if isinstance(const.name, str) else ""
    return (order.get(const.__visit_name__, 3), name)


def resolved_name(const: Any, table: Any, convention: Any) -> str | None:
    """The constraint's name: given, from the table's naming convention, or from ``convention``."""
    name = const.name
    if isinstance(name, str) and name is not _NONE_NAME and name:
        return str(name)
    if table is not None and isinstance(table, Table):
        try:
            resolved = _constraint_name_for_table(const, table)
        except Exception:
            resolved = None
        if resolved:
            return str(resolved)
        if convention:
            template = _get_convention(convention, type(const))
            if template is not None and template is not _NONE_NAME:
                try:
                    return str(template % ConventionDict(const, table, convention))
                except Exception:
                    return None
    return None


def fk_target(element: Any) -> str:
    """A foreign key element's target as ``[schema.]table.column``."""
    spec = element.target_fullname
    return str(spec)


def stub_referent(metadata: MetaData, target: str) -> None:
    """Add a stub of the referenced table/column to ``metadata`` so an FK to ``target`` compiles."""
    parts = target.split(".")
    colname, tname = parts[-1], parts[-2]
    schema = ".".join(parts[:-2]) or None
    key = f"{schema}.{tname}" if schema else tname
    referent = metadata.tables.get(key)
    if referent is None:
        referent = Table(tname, metadata, schema=schema)
    if colname not in referent.c:
        referent.append_column(Column(colname, NULLTYPE))


def index_plan(index: Index) -> IndexPlan:
    """The plan of an index: column names, or the expressions as they are."""
    elements: list[Any] = []
    for expr in index.expressions:
        if isinstance(expr, Column):
            elements.append(expr.name)
        else:
            elements.append(expr)
    return IndexPlan(
        index.name, elements, unique=bool(index.unique), options=dict(index.dialect_kwargs)
    )


def names_identifier(sql: str, name: str) -> bool:
    """Whether ``sql`` (string literals aside) names the identifier ``name``."""
    pattern = r'(?<![\w$])"?' + re.escape(name) + r'"?(?![\w$])'
    return re.search(pattern, re.sub(r"'(?:[^']|'')*'", "''", sql), re.IGNORECASE) is not None


def qualified_name(impl: Any, name: str, schema: str | None) -> str:
    """The quoted, schema-qualified table name for hand-written DDL."""
    preparer = impl.dialect.identifier_preparer
    if schema:
        return preparer.quote_schema(schema) + "." + preparer.quote(name)
    return preparer.quote(name)

