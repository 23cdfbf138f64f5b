"""Throw-away SQLAlchemy schema objects built from plain names.

Directives are given table, column and constraint *names*; the dialect compilers need ``Table``,
``Column`` and ``Constraint`` objects. :class:`SchemaObjects` builds just enough of them, in a fresh
``MetaData`` that carries the project's naming convention, so that ``name=None`` plus a convention
produces the conventional name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import ColumnElement, TextClause
from sqlalchemy.sql.schema import Constraint
from sqlalchemy.sql.visitors import replacement_traverse
from sqlalchemy.types import NULLTYPE, Integer

if TYPE_CHECKING:
    from .running_migration import RunningMigration

_CONSTRAINT_TYPES = {
    "foreignkey": lambda name: ForeignKeyConstraint([], [], name=name),
    "primary": lambda name: PrimaryKeyConstraint(name=name),
    "unique": lambda name: UniqueConstraint(name=name),
    "check": lambda name: CheckConstraint("", name=name),
    None: lambda name: Constraint(name=name),
}


def _owning_table(item: Any) -> Table | None:
    """The table a constraint or index belongs to, or None (unbound constraints raise)."""
    try:
        return item.table  # type: ignore[no-any-return]
    except (AttributeError, sa_exc.InvalidRequestError):
        return None


def copy_column(column: Column, constraints_included: bool = False) -> Column:
    """A detached copy of ``column``, keeping its single-column foreign keys.

    SQLAlchemy's own column copy drops foreign keys that belong to a table's constraint; a
    column added on its own must keep them. With ``constraints_included`` the caller passes
    the table's constraints itself, so neither the foreign keys nor the ``unique``/``index``
    flags are carried over (they would be made twice).
    """
    copied = column._copy()
    if constraints_included:
        copied.unique = copied.index = False
        return copied
    for fk in column.foreign_keys:
        if fk.constraint is not None and len(fk.constraint.columns) == 1:
            copied.append_foreign_key(fk._copy())
    return copied


class SchemaObjects:
    """Factory of temporary schema objects for one migration context."""

    def __init__(self, migration_context: RunningMigration | None = None) -> None:
        self.migration_context = migration_context

    # ------------------------------------------------------------------ metadata

    def metadata(self) -> MetaData:
        """A fresh ``MetaData`` carrying ``target_metadata``'s naming convention, if any."""
        convention = self._naming_convention()
        if convention:
            return MetaData(naming_convention=convention)
        return MetaData()

    def _naming_convention(self) -> dict[str, Any] | None:
        ctx = self.migration_context
        if ctx is None:
            return None
        target = ctx.opts.get("target_metadata")
        if target is None:
            return None
        if isinstance(target, Sequence):
            target = target[0] if target else None
        return getattr(target, "naming_convention", None)

    # ------------------------------------------------------------------ tables and columns

    def table(self, name: str, *columns: Any, **kw: Any) -> Table:
        """A ``Table`` holding ``columns``; FK targets get stub tables so constraints compile.

        Columns and constraints that already belong to another table (for example those of an
        op built by ``CreateTableOp.from_table``) are copied, so the same op can be turned into
        a table any number of times. With ``_constraints_included`` the items already list the
        constraints that ``Column(unique=True/index=True)`` and schema types (Boolean/Enum
        CHECKs) produced, so the copies do not produce them a second time.
        """
        metadata = self.metadata()
        constraints_included = kw.pop("_constraints_included", False)
        column_objs = [
            copy_column(col, constraints_included) if col.table is not None or constraints_included
            else col
            for col in columns
            if isinstance(col, Column)
        ]
        table = Table(name, metadata, *column_objs, **kw)
        for item in columns:
            if isinstance(item, Column):
                continue
            parent = _owning_table(item)
            if parent is not None and parent is not table:
                if getattr(item, "_type_bound", False):
                    continue  # the copied column's type makes it again
                if getattr(item, "_column_flag", False) and not constraints_included:
                    continue  # the copied column's unique=True makes it again
                item = item._copy(target_table=table)
            table.append_constraint(item)
        for fk in table.foreign_keys:
            self._ensure_table_for_fk(metadata, fk)
        return table

    def column(self, name: str, type_: Any, **kw: Any) -> Column:
        """A detached ``Column``."""
        return Column(name, type_, **kw)

    def _ensure_table_for_fk(self, metadata: MetaData, fk: Any) -> None:
        """Give the FK's referent table (and column) a stub in ``metadata`` so it can render."""
        spec = fk._colspec if isinstance(fk._colspec, str) else None
        if spec is None:
            return
        parts = spec.split(".")
        if len(parts) < 2:
            return
        colname = parts[-1]
        tname = parts[-2]
        sname = ".".join(parts[:-2]) or None
        key = f"{sname}.{tname}" if sname else tname
        if key in metadata.tables:
            referent = metadata.tables[key]
        else:
            referent = Table(tname, metadata, schema=sname)
        if colname not in referent.c:
            referent.append_column(Column(colname, NULLTYPE))

    # ------------------------------------------------------------------ constraints

    def primary_key_constraint(
        self, name: str | None, table_name: str, cols: Sequence[str], schema: str | None = None,
        **dialect_kw: Any,
    ) -> PrimaryKeyConstraint:
        """A named PRIMARY KEY on a stub table."""
        table = self.table(table_name, *(Column(c, NULLTYPE) for c in cols), schema=schema)
        constraint = PrimaryKeyConstraint(*[table.c[c] for c in cols], name=name, **dialect_kw)
        table.append_constraint(constraint)
        return constraint

    def foreign_key_constraint(
        self,
        name: str | None,
        source: str,
        referent: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> ForeignKeyConstraint:
        """A FOREIGN KEY between two stub tables (a self-reference shares one table)."""
        metadata = self.metadata()
        self_referential = source == referent and source_schema == referent_schema
        if self_referential:
            names = list(dict.fromkeys([*local_cols, *remote_cols]))
            source_table = Table(
                source, metadata, *(Column(n, NULLTYPE) for n in names), schema=source_schema
            )
        else:
            source_table = Table(
                source, metadata, *(Column(n, NULLTYPE) for n in local_cols), schema=source_schema
            )
            Table(
                referent,
                metadata,
                *(Column(n, NULLTYPE) for n in remote_cols),
                schema=referent_schema,
            )
        prefix = f"{referent_schema}.{referent}" if referent_schema else referent
        constraint = ForeignKeyConstraint(
            list(local_cols),
            [f"{prefix}.{c}" for c in remote_cols],
            name=name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            **dialect_kw,
        )
        source_table.append_constraint(constraint)
        return constraint

    def unique_constraint(
        self, name: str | None, source: str, local_cols: Sequence[str], schema: str | None = None,
        **kw: Any,
    ) -> UniqueConstraint:
        """A UNIQUE constraint on a stub table."""
        table = self.table(source, *(Column(c, NULLTYPE) for c in local_cols), schema=schema)
        constraint = UniqueConstraint(*[table.c[c] for c in local_cols], name=name, **kw)
        table.append_constraint(constraint)
        return constraint

    def check_constraint(
        self, name: str | None, source: str, condition: Any, schema: str | None = None, **kw: Any
    ) -> CheckConstraint:
        """A CHECK constraint on a stub table (the condition may be a string or an expression)."""
        table = self.table(source, Column("x", Integer), schema=schema)
        constraint = CheckConstraint(condition, name=name, **kw)
        table.append_constraint(constraint)
        return constraint

    def generic_constraint(
        self, name: str | None, table_name: str, type_: str | None, schema: str | None = None,
        **kw: Any,
    ) -> Constraint:
        """A constraint known only by name and kind (for DROP CONSTRAINT)."""
        try:
            factory = _CONSTRAINT_TYPES[type_]
        except KeyError:
            raise TypeError(
                f"'type_' for constraint {name!r} must be one of 'foreignkey', 'primary', "
                f"'unique', 'check' or None, not {type_!r}"
            ) from None
        table = self.table(table_name, schema=schema)
        constraint = factory(name)
        table.append_constraint(constraint)
        return constraint

    # ------------------------------------------------------------------ indexes

    def index(
        self,
        name: str | None,
        tablename: str | None,
        columns: Sequence[Any],
        schema: str | None = None,
        **kw: Any,
    ) -> Index:
        """An ``Index`` on a stub table; string columns become table columns, others expressions."""
        if columns and all(type(col) is str or isinstance(col, Column) for col in columns):
            return self._index_on_named_columns(name, tablename, columns, schema, kw)
        table = self.table(tablename or "no_table", schema=schema)
        exprs = []
        for col in columns:
            exprs.append(self._index_element(table, col))
        for include_key in ("postgresql_include", "mssql_include"):
            for extra in kw.get(include_key) or ():
                if isinstance(extra, str) and extra not in table.c:
                    table.append_column(Column(extra, NULLTYPE))
        index = Index(name, *exprs, _table=table, **kw)
        return index

    def _index_on_named_columns(
        self,
        name: str | None,
        tablename: str | None,
        columns: Sequence[Any],
        schema: str | None,
        kw: dict[str, Any],
    ) -> Index:
        """The same index as :meth:`index` builds, for columns given only as names or ``Column``
        objects: the stub table is made with its columns in one go, and the index attaches itself
        to it once (through the columns, so naming conventions apply) instead of twice."""
        stubs: dict[str, Any] = {}
        names = []
        for col in columns:
            if type(col) is str:
                stubs.setdefault(col, NULLTYPE)
                names.append(col)
            else:
                stubs.setdefault(col.name, col.type)
                names.append(col.name)
        for include_key in ("postgresql_include", "mssql_include"):
            for extra in kw.get(include_key) or ():
                if isinstance(extra, str):
                    stubs.setdefault(extra, NULLTYPE)
        table = Table(
            tablename or "no_table",
            self.metadata(),
            *(Column(n, t) for n, t in stubs.items()),
            schema=schema,
        )
        return Index(name, *(table.c[n] for n in names), **kw)

    def _index_element(self, table: Table, col: Any) -> Any:
        if isinstance(col, str):
            return self._stub_column(table, col, NULLTYPE)
        if isinstance(col, Column):
            return self._stub_column(table, col.name, col.type)
        if isinstance(col, TextClause):
            return col
        if isinstance(col, ColumnElement):
            return self._rehome_expression(table, col)
        return text(str(col))

    def _stub_column(self, table: Table, name: str, type_: Any) -> Column:
        if name not in table.c:
            table.append_column(Column(name, type_))
        return table.c[name]

    def _rehome_expression(self, table: Table, expr: ColumnElement) -> ColumnElement:
        """``expr`` with every column of another table replaced by the stub table's column."""

        def replace(element: Any) -> Any:
            if isinstance(element, Column) and element.table is not table:
                return self._stub_column(table, element.name, element.type)
            return None

        return replacement_traverse(expr, {}, replace)
