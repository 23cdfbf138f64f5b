"""SQLite: what it can and cannot ALTER, transactional DDL, and its hooks for batch and autogenerate.

SQLite can ADD COLUMN (with an inline ``REFERENCES``), RENAME COLUMN, RENAME TABLE and CREATE/DROP
INDEX; everything else (constraints, type, nullability, default changes) needs batch mode, which
rebuilds the table ("move and copy"). :class:`SQLiteImpl` decides when a batch must rebuild and how a
type change is cast; the rebuild itself (table options, views/triggers/expression indexes kept as SQL
in ``sqlite_master``, foreign-key pragmas, the swap) is :mod:`dbshift.ddl.sqlite_rebuild`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Time,
    case,
    cast,
    literal_column,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement

from . import elements
from .impl import DefaultImpl
from .sqlite_sql import column_affinity
from .sqlite_sql import quote as _quote

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Constraint

    from .sqlite_rebuild import SQLiteRebuild

_USE_BATCH = (
    "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode "
    "feature (op.batch_alter_table) which allows for SQLite migrations using a copy-and-move "
    "strategy."
)

#: The value ``abs()`` of which raises "integer overflow": the batch copy's way to stop on a lossy cast.
LOSSY_CAST_SENTINEL = "abs(-9223372036854775807 - 1)"

class SQLiteImpl(DefaultImpl):
    """SQLite implementation.

    Unlike Alembic, DDL is transactional here: :meth:`on_transaction_begin` opens a real
    transaction at the driver level, so a failing migration leaves neither DDL nor a version change.
    """

    __dialect__ = "sqlite"
    transactional_ddl = True

    # ------------------------------------------------------------------ transactions

    def on_transaction_begin(self, connection: Connection) -> None:
        """BEGIN on the driver connection: pysqlite's legacy mode would not BEGIN before DDL."""
        fairy = connection.connection
        if not getattr(fairy.driver_connection, "in_transaction", True):
            # through the DB-API cursor, which SQLAlchemy's async adapters (aiosqlite) keep sync
            cursor = fairy.dbapi_connection.cursor()
            try:
                cursor.execute("BEGIN")
            finally:
                cursor.close()

    # ------------------------------------------------------------------ constraints

    def add_constraint(self, const: Constraint) -> None:
        """Refused (SQLite has no ADD CONSTRAINT); a type-bound CHECK is skipped with a warning."""
        if _is_type_bound(const):
            warnings.warn(
                "Skipping unsupported ALTER for creation of implicit constraint "
                f"{const.name!r}; SQLite creates it only with the table (use batch mode)",
                stacklevel=3,
            )
            return
        raise NotImplementedError(_USE_BATCH)

    def drop_constraint(self, const: Constraint, *, if_exists: bool | None = None) -> None:
        """Refused (SQLite has no DROP CONSTRAINT); a type-bound CHECK is skipped with a warning."""
        if _is_type_bound(const):
            warnings.warn(
                "Skipping unsupported ALTER for drop of implicit constraint "
                f"{const.name!r}; SQLite drops it only with the table (use batch mode)",
                stacklevel=3,
            )
            return
        raise NotImplementedError(_USE_BATCH)

    # ------------------------------------------------------------------ columns

    def add_column(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """ADD COLUMN; the column's foreign key, when it is its only one, is rendered inline.

        SQLite accepts ``REFERENCES`` in ADD COLUMN (and nothing else adds a foreign key short of a
        rebuild), so dbshift renders it there instead of refusing a separate ADD CONSTRAINT the way
        Alembic does. A constraint that would need an ALTER of its own (a second or composite
        foreign key, one with ``inline_references=False``, a UNIQUE) raises NotImplementedError
        (use batch mode) before any statement runs, so nothing is half applied.
        """
        if inline_references is None and _inline_fk(column) is not None:
            inline_references = True
        inline = _inline_fk(column) if inline_references else None
        for const in _constraints_of_new_column(column):
            if not self._added_with_column(const, inline):
                label = repr(const.name) if isinstance(const.name, str) else "(unnamed)"
                raise NotImplementedError(
                    f"SQLite can't add {type(const).__name__} {label} of new column "
                    f"{table_name}.{column.name} with ALTER. {_USE_BATCH}"
                )
        super().add_column(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def column_constraint_rendered_inline(self, constraint: Constraint) -> bool:
        """A column's only foreign key (single-column) and column-level CHECKs are part of ADD COLUMN."""
        if isinstance(constraint, ForeignKeyConstraint):
            return (
                len(constraint.elements) == 1
                and _inline_fk(constraint.elements[0].parent) is not None
            )
        if isinstance(constraint, CheckConstraint) and not _is_type_bound(constraint):
            return any(constraint in col.constraints for col in constraint.columns) or any(
                constraint in col.constraints
                for col in getattr(constraint.table, "columns", ())
            )
        return False

    # ------------------------------------------------------------------ comments

    def create_table_comment(self, table: Table) -> None:
        """Skipped with a warning: SQLite has no comments (SQLAlchemy's ``supports_comments`` is
        False and CREATE TABLE drops them silently); ``COMMENT ON`` would fail when run."""
        _warn_no_comments(f"table {table.name}")

    def drop_table_comment(self, table: Table) -> None:
        """Skipped with a warning, as :meth:`create_table_comment`."""
        _warn_no_comments(f"table {table.name}")

    def create_column_comment(self, column: Column) -> None:
        """Skipped with a warning, as :meth:`create_table_comment`; ``alter_column(comment=...)``
        comes here, and the rest of the same ``alter_column`` (a rename) still runs."""
        table = getattr(column, "table", None)
        owner = f"{table.name}." if table is not None and hasattr(table, "name") else ""
        _warn_no_comments(f"column {owner}{column.name}")

    def _added_with_column(self, const: Constraint, inline_fk: Any) -> bool:
        """Whether ADD COLUMN takes care of ``const`` (rendered inline, skipped or warned about)."""
        if isinstance(const, PrimaryKeyConstraint) or _is_type_bound(const):
            return True
        if isinstance(const, ForeignKeyConstraint):
            return inline_fk is not None and const is inline_fk.constraint
        return self.column_constraint_rendered_inline(const)

    def alter_column(self, table_name: str, column_name: str, **kw: Any) -> None:
        """Only renames are native; other changes need batch mode."""
        unsupported = [
            aspect
            for aspect, value, unchanged in (
                ("nullable", kw.get("nullable"), None),
                ("server_default", kw.get("server_default", False), False),
                ("type_", kw.get("type_"), None),
            )
            if value is not unchanged
        ]
        if unsupported and not self.as_sql:
            raise NotImplementedError(
                f"SQLite cannot ALTER {', '.join(unsupported)} of column {table_name}.{column_name}; "
                "use op.batch_alter_table(), which rebuilds the table"
            )
        super().alter_column(table_name, column_name, **kw)

    # ------------------------------------------------------------------ autogenerate

    def correct_for_autogen_constraints(
        self,
        conn_unique_constraints: list[dict[str, Any]],
        conn_indexes: list[dict[str, Any]],
        metadata_unique_constraints: list[Any],
        metadata_indexes: list[Any],
        *,
        conn_foreign_keys: Any = (),
    ) -> None:
        """SQLite's reflection skips expression indexes, so the model's are not compared (warned)."""
        self._skip_autogen_expression_indexes(metadata_indexes)

    def autogen_reflect(self, schema: str | None, table_names: list[str] | None) -> dict[str, Any]:
        """Every kind of reflected data for ``table_names`` (None: all) in a few bulk queries
        (see :mod:`dbshift.ddl.sqlite_reflection`), keyed like ``Inspector.get_multi_*``."""
        from .sqlite_reflection import reflect_bulk

        assert self.connection is not None
        return reflect_bulk(self.connection, schema, table_names)

    # ------------------------------------------------------------------ batch

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """True unless every queued op is an index change or a plain ADD COLUMN."""
        for opname, args, kw in batch_op.batch:
            if opname == "add_column":
                col = args[1]
                default = col.server_default
                if col.computed is not None and col.computed.persisted:
                    return True
                if (
                    default is not None
                    and col.computed is None
                    and col.identity is None
                    and isinstance(getattr(default, "arg", None), ClauseElement)
                ):
                    # a SQL expression default, even a literal one (``text("'x'")``): rebuilt,
                    # as under Alembic, so the stored CREATE TABLE is the one Alembic leaves
                    return True
                if kw.get("insert_before") or kw.get("insert_after"):
                    return True
            elif opname not in ("create_index", "drop_index"):
                return True
        return False

    def cast_for_batch_migrate(self, existing: Column, existing_transfer: dict, new_type: Any) -> None:
        """CAST on a type change, guarded so that a value the CAST would change raises an error.

        Nothing to do when SQLite gives both declared types the same affinity (it stores the
        values alike). Otherwise SQLite's CAST never fails ('abc' becomes 0, 1.5 becomes 1), so the
        copy evaluates ``CASE WHEN v IS NULL OR v = CAST(v AS T) THEN CAST(v AS T) ELSE <integer
        overflow> END``: the comparison applies SQLite's lossless affinity rules to ``v``, so only
        values that would change make the statement fail. No CAST to JSON, and none to
        DATE/DATETIME/TIME, which SQLAlchemy stores as ISO text that a NUMERIC cast would destroy.

        Towards INTEGER and NUMERIC affinity a cheaper guard exists, which an online rebuild uses
        instead (``existing_transfer["guard"]``): copy ``v`` as it is (the new column's affinity
        converts exactly the values that convert losslessly) and let a temporary CHECK on the new
        table reject any value that kept another type (``SQLiteRebuild.create_guarded``).
        ``guard_check`` is the same test written on the old column, to count the rows that fail.
        """
        if isinstance(new_type, (JSON, Date, DateTime, Time)):
            return
        old_affinity = column_affinity(existing.type, self.dialect)
        new_affinity = column_affinity(new_type, self.dialect)
        if old_affinity is None or new_affinity is None:
            if existing.type._type_affinity is new_type._type_affinity:
                return
        elif old_affinity == new_affinity:
            return
        expr = existing_transfer["expr"]
        casted = cast(expr, new_type)
        existing_transfer["expr"] = case(
            (or_(expr.is_(None), expr == cast(expr, new_type)), casted),
            else_=literal_column(LOSSY_CAST_SENTINEL),
        )
        existing_transfer["lossless_check"] = or_(expr.is_(None), expr == cast(expr, new_type))
        if new_affinity in ("INTEGER", "NUMERIC"):
            existing_transfer["guard"] = new_affinity
            existing_transfer["guard_check"] = or_(
                expr.is_(None),
                literal_column(
                    f"CAST(CAST({_quote(existing.name)} AS NUMERIC) AS {new_affinity})"
                ) == expr,
            )

    def batch_rebuild_support(self, table_name: str, schema: str | None) -> SQLiteRebuild | None:
        """The SQLite side of a batch rebuild of ``table_name`` (online only)."""
        if self.as_sql or self.connection is None:
            return None
        from .sqlite_rebuild import SQLiteRebuild

        return SQLiteRebuild(self, table_name, schema)



@compiles(elements.ColumnName, "sqlite")
def _rename_column(element: elements.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"{elements.alter_table(compiler, element.table_name, element.schema)} RENAME COLUMN "
        f"{elements.format_column_name(compiler, element.column_name)} TO "
        f"{elements.format_column_name(compiler, element.newname)}"
    )


@compiles(elements.RenameTable, "sqlite")
def _rename_table(element: elements.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    # SQLite's RENAME TO takes a bare name: the table stays in its schema (attached database).
    return (
        f"{elements.alter_table(compiler, element.table_name, element.schema)} RENAME TO "
        f"{elements.format_table_name(compiler, element.new_table_name, None)}"
    )




def _inline_fk(col: Column) -> Any:
    fks = list(col.foreign_keys)
    if len(fks) == 1 and len(fks[0].constraint.elements) == 1:
        return fks[0]
    return None


def _warn_no_comments(target: str) -> None:
    warnings.warn(
        f"SQLite has no comments; skipping the comment of {target}", UserWarning, stacklevel=4
    )


def _constraints_of_new_column(column: Column) -> list[Any]:
    """The constraints ``op.add_column`` would add along with ``column`` (those of its table)."""
    found = list(getattr(column.table, "constraints", ()))
    for fk in column.foreign_keys:
        if fk.constraint is not None and fk.constraint not in found:
            found.append(fk.constraint)
    return found


def _is_type_bound(const: Constraint) -> bool:
    return bool(getattr(const, "_type_bound", False)) or (
        getattr(const, "_create_rule", None) is not None
    )


__all__ = ["SQLiteImpl"]
