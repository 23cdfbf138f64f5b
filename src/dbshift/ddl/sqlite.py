"""SQLite: what it can and cannot ALTER, transactional DDL, and the quirks of a batch rebuild.

SQLite can ADD COLUMN (with an inline ``REFERENCES``), RENAME COLUMN, RENAME TABLE and CREATE/DROP
INDEX; everything else (constraints, type, nullability, default changes) needs batch mode, which
rebuilds the table ("move and copy"). :class:`SQLiteRebuild` holds what only SQLite needs for that
rebuild: its table options, the views/triggers/expression indexes kept as SQL in ``sqlite_master``,
the foreign-key pragmas and a guard against lossy casts.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Time,
    case,
    cast,
    literal_column,
    or_,
    text,
)
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable

from ..util.exc import CommandError
from . import elements
from .impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Constraint

_USE_BATCH = (
    "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode "
    "feature (op.batch_alter_table) which allows for SQLite migrations using a copy-and-move "
    "strategy."
)

#: The value ``abs()`` of which raises "integer overflow": the batch copy's way to stop on a lossy cast.
LOSSY_CAST_SENTINEL = "abs(-9223372036854775807 - 1)"

#: Name prefix of the temporary CHECKs that guard a type change during the copy.
GUARD_PREFIX = "_dbshift_lossless_"


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
                    and not _is_literal_default(default)
                ):
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
        table reject any value that kept another type (:meth:`SQLiteRebuild.create_guarded`).
        ``guard_check`` is the same test written on the old column, to count the rows that fail.
        """
        if isinstance(new_type, (JSON, Date, DateTime, Time)):
            return
        old_affinity = self.column_affinity(existing.type)
        new_affinity = self.column_affinity(new_type)
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

    def column_affinity(self, type_: Any) -> str | None:
        """SQLite's affinity for a column of ``type_`` (its rules on the declared type), or None."""
        try:
            declared = str(type_.compile(dialect=self.dialect)).upper()
        except Exception:
            return None
        if "INT" in declared:
            return "INTEGER"
        if "CHAR" in declared or "CLOB" in declared or "TEXT" in declared:
            return "TEXT"
        if "BLOB" in declared or not declared.strip():
            return "BLOB"
        if "REAL" in declared or "FLOA" in declared or "DOUB" in declared:
            return "REAL"
        return "NUMERIC"

    def batch_rebuild_support(self, table_name: str, schema: str | None) -> SQLiteRebuild | None:
        """The SQLite side of a batch rebuild of ``table_name`` (online only)."""
        if self.as_sql or self.connection is None:
            return None
        return SQLiteRebuild(self, table_name, schema)


class SQLiteRebuild:
    """What a batch "move and copy" of one SQLite table needs beyond generic DDL.

    Called by the batch rebuild in this order: :meth:`rename_columns`, :meth:`complete_reflection`,
    :meth:`expression_indexes`, :meth:`before_create`, :meth:`create_guarded` + :meth:`drop_guards`
    (when type changes are guarded), :meth:`swap` (replaces DROP + RENAME), :meth:`after_swap`.
    ``sqlite_master`` is read once (again only after this class changed it).
    """

    def __init__(self, impl: SQLiteImpl, table_name: str, schema: str | None) -> None:
        self.impl = impl
        self.table_name = table_name
        self.schema = schema
        self._master = f"{_quote(schema)}.sqlite_master" if schema else "sqlite_master"
        self._pragma = f"{_quote(schema)}." if schema else ""
        self._rows: list[Any] | None = None
        self._dependents: list[tuple[str, str, str]] = []
        self._sequence: int | None = None
        self._children: list[str] = []
        self._guard_sql: str | None = None
        self.foreign_keys_on = False

    @property
    def _conn(self) -> Connection:
        assert self.impl.connection is not None
        return self.impl.connection

    def _qualified(self, name: str) -> str:
        return f"{_quote(self.schema)}.{_quote(name)}" if self.schema else _quote(name)

    def master_rows(self) -> list[Any]:
        """``(type, name, tbl_name, sql)`` of every schema object, in creation order."""
        if self._rows is None:
            self._rows = self._conn.exec_driver_sql(
                f"SELECT type, name, tbl_name, sql FROM {self._master} ORDER BY rowid"
            ).fetchall()
        return self._rows

    def table_sql(self, name: str | None = None) -> str:
        """A table's CREATE TABLE statement as SQLite stores it (default: the rebuilt table)."""
        wanted = (name or self.table_name).lower()
        for type_, row_name, _tbl, sql in self.master_rows():
            if type_ == "table" and row_name.lower() == wanted and sql:
                return str(sql)
        raise CommandError(f"batch_alter_table: no table {name or self.table_name!r} in the database")

    # ------------------------------------------------------------------ before the rebuild

    def rename_columns(self, renames: list[tuple[str, str]]) -> bool:
        """Rename columns natively first, so SQLite rewrites every index, view, trigger, CHECK and
        foreign key (of other tables too) that names them; returns True when done."""
        if not renames:
            return False
        for old, new in renames:
            self.impl._exec(
                f"ALTER TABLE {self._qualified(self.table_name)} RENAME COLUMN {_quote(old)} TO {_quote(new)}"
            )
        self._rows = None
        return True

    def complete_reflection(self, table: Table) -> None:
        """Add what SQLAlchemy's reflection leaves out: AUTOINCREMENT and unknown declared types."""
        sql = self.table_sql()
        if re.search(r"\bAUTOINCREMENT\b", _strip_literals(sql), re.IGNORECASE):
            table.dialect_kwargs["sqlite_autoincrement"] = True
        unknown = [
            col for col in table.columns
            if isinstance(col.type, sqltypes.NullType) or "ANY" in sql.upper()
        ]
        if unknown:
            declared = {
                row[1]: row[2]
                for row in self._conn.exec_driver_sql(
                    f"PRAGMA {self._pragma}table_xinfo({_quote(self.table_name)})"
                )
            }
            for col in unknown:
                spelled = (declared.get(col.name) or "").strip()
                if spelled.upper() == "ANY" or (isinstance(col.type, sqltypes.NullType) and spelled):
                    col.type = DeclaredType(spelled)
        if _GENERATED.search(_strip_literals(sql)):
            for name, (sqltext, persisted) in generated_columns(sql).items():
                if name in table.c:
                    table.c[name].computed = Computed(text(sqltext), persisted=persisted)

    def expression_indexes(self) -> dict[str, str]:
        """Indexes SQLAlchemy cannot reflect (on expressions), as their CREATE INDEX SQL by name."""
        found: dict[str, str] = {}
        for type_, name, tbl_name, sql in self.master_rows():
            if type_ != "index" or not sql or tbl_name.lower() != self.table_name.lower():
                continue
            info = self._conn.exec_driver_sql(
                f"PRAGMA {self._pragma}index_xinfo({_quote(name)})"
            ).fetchall()
            if any(row[1] == -2 for row in info):
                found[name] = sql
        return found

    def before_create(self) -> None:
        """Note the foreign-key pragma and the tables whose foreign keys point here; save the
        AUTOINCREMENT counter; save and drop the views and triggers that use the table."""
        self.foreign_keys_on = bool(self._conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
        if self.foreign_keys_on:
            self._children = [
                name for name in self._referencing_tables()
                if name.lower() != self.table_name.lower()
            ]
        if any(r[0] == "table" and r[1] == "sqlite_sequence" for r in self.master_rows()):
            self._sequence = self._conn.exec_driver_sql(
                f"SELECT seq FROM {self._seq_table()} WHERE name = ?", (self.table_name,)
            ).scalar()
        self._dependents = self._dependent_objects()
        for type_, name, _sql in reversed(self._dependents):
            self.impl._exec(f"DROP {type_.upper()} IF EXISTS {self._qualified(name)}")
        self._rows = None

    def undo_before_create(self) -> None:
        """Nothing to undo: SQLite's DDL is transactional (the savepoint rolls it back)."""

    def _referencing_tables(self) -> list[str]:
        """Tables (this one included) whose foreign keys point at the table."""
        found = []
        target = self.table_name.lower()
        for type_, name, _tbl, sql in self.master_rows():
            if type_ != "table" or not sql or not _mentions(sql, {target}):
                continue
            for row in self._conn.exec_driver_sql(
                f"PRAGMA {self._pragma}foreign_key_list({_quote(name)})"
            ):
                if str(row[2]).lower() == target:
                    found.append(name)
                    break
        return found

    def _dependent_objects(self) -> list[tuple[str, str, str]]:
        """Views and triggers that mention the table, directly or through another such view."""
        rows = [r for r in self.master_rows() if r[0] in ("view", "trigger") and r[3]]
        names = {self.table_name.lower()}
        chosen: dict[str, tuple[str, str, str]] = {}
        changed = True
        while changed:
            changed = False
            for type_, name, tbl_name, sql in rows:
                if name in chosen:
                    continue
                if tbl_name.lower() in names or _mentions(sql, names):
                    chosen[name] = (type_, name, sql)
                    if type_ == "view":
                        names.add(name.lower())
                    changed = True
        order = [name for _t, name, _tb, _s in rows]
        return sorted(chosen.values(), key=lambda item: order.index(item[1]))

    # ------------------------------------------------------------------ guarded type changes

    def can_guard(self) -> bool:
        """Whether the schema text may be edited (``writable_schema``; not in defensive mode)."""
        import sqlite3

        driver = getattr(self._conn.connection, "driver_connection", None)
        getconfig = getattr(driver, "getconfig", None)
        flag = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
        if getconfig is not None and flag is not None:
            try:
                return not getconfig(flag)
            except Exception:  # pragma: no cover - unknown driver
                return False
        return True

    def create_guarded(self, table: Table, guards: list[tuple[str, str]]) -> None:
        """CREATE the new table with a temporary CHECK per guarded column: ``c = CAST(c AS A)``.

        ``guards`` holds ``(column, affinity)``. Values the column's affinity could not convert
        (text into an INTEGER column, 1.5 into INTEGER) fail that CHECK, so the copy stops with
        SQLite's own error; :meth:`drop_guards` removes the CHECKs once the rows are in.
        """
        ddl = str(CreateTable(table).compile(dialect=self.impl.dialect)).strip()
        close = ddl.rfind(")")
        self._guard_sql = "".join(
            f", CONSTRAINT {_quote(f'{GUARD_PREFIX}{column}')} "
            f"CHECK ({_quote(column)} = CAST({_quote(column)} AS {affinity}))"
            for column, affinity in guards
        )
        self._conn.exec_driver_sql(ddl[:close] + self._guard_sql + ddl[close:])

    def drop_guards(self, temp_name: str) -> None:
        """Take the guard CHECKs out of the new table's stored SQL.

        SQLite documents editing ``sqlite_master`` (``writable_schema`` + a ``schema_version``
        bump) as the way to remove a CHECK: the rows on disk do not change. The text left is
        exactly the CREATE TABLE a plain rebuild would have stored.
        """
        assert self._guard_sql is not None
        self._rows = None
        sql = self.table_sql(temp_name)
        if sql.count(self._guard_sql) != 1:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): the new table's SQL is not the one "
                f"dbshift created; can't remove its temporary CHECK constraints"
            )
        self.rewrite_schema({temp_name: sql.replace(self._guard_sql, "", 1)})

    def rewrite_schema(self, tables: dict[str, str]) -> None:
        """Replace the stored CREATE TABLE text of ``tables`` (name -> SQL) and make SQLite reload.

        Only for changes that leave the on-disk format alone (dropping a CHECK, restoring a
        REFERENCES clause), as SQLite's ALTER TABLE documentation describes.
        """
        if not tables:
            return
        conn = self._conn
        version = conn.exec_driver_sql(f"PRAGMA {self._pragma}schema_version").scalar()
        conn.exec_driver_sql("PRAGMA writable_schema = ON")
        try:
            for name, sql in tables.items():
                conn.exec_driver_sql(
                    f"UPDATE {self._master} SET sql = ? WHERE type = 'table' AND name = ?",
                    (sql, name),
                )
            conn.exec_driver_sql(f"PRAGMA {self._pragma}schema_version = {int(version) + 1}")
        finally:
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        self._rows = None

    # ------------------------------------------------------------------ the swap

    def swap(self, temp_name: str) -> None:
        """Replace the old table by the new one, keeping other tables' foreign keys on it.

        ``legacy_alter_table`` keeps RENAME from re-checking the whole schema and rewriting other
        tables' references (those still name the original table, which is right once the new table
        takes that name). With ``PRAGMA foreign_keys=ON`` (which can't be switched off inside a
        transaction) dropping a referenced table would fire its children's ON DELETE actions, and
        any RENAME rewrites their REFERENCES: so the old table is renamed aside, the REFERENCES
        clauses that rename rewrote are put back as they were (naming the original table), the new
        table takes the name and the old one, referenced by nothing now, is dropped.
        """
        legacy = "PRAGMA legacy_alter_table = "
        if not self._children:
            self.impl._exec(f"DROP TABLE {self._qualified(self.table_name)}")
            self.impl._exec(legacy + "ON")
            try:
                self.impl._exec(
                    f"ALTER TABLE {self._qualified(temp_name)} RENAME TO {_quote(self.table_name)}"
                )
            finally:
                self.impl._exec(legacy + "OFF")
            return
        aside = ("_dbshift_old_" + self.table_name)[:60]
        self._rows = None
        before = {r[1]: r[3] for r in self.master_rows() if r[0] == "table"}
        self.impl._exec(legacy + "ON")
        try:
            self.impl._exec(f"ALTER TABLE {self._qualified(self.table_name)} RENAME TO {_quote(aside)}")
            self._rows = None
            rewritten = {
                name: before[name]
                for type_, name, _tbl, sql in self.master_rows()
                if type_ == "table" and name in before and sql != before[name]
                and name.lower() != aside.lower()
            }
            self.rewrite_schema(rewritten)
            self.impl._exec(
                f"ALTER TABLE {self._qualified(temp_name)} RENAME TO {_quote(self.table_name)}"
            )
        finally:
            self.impl._exec(legacy + "OFF")
        self.impl._exec(f"DROP TABLE {self._qualified(aside)}")

    def after_swap(self, expression_indexes: list[tuple[str, str]], check_foreign_keys: bool) -> None:
        """Re-create expression indexes, views and triggers; restore AUTOINCREMENT's counter;
        check the foreign keys of the table and, with enforcement on, those pointing at it."""
        for name, sql in expression_indexes:
            self._recreate("index", name, sql)
        for type_, name, sql in self._dependents:
            self._recreate(type_, name, sql)
        if self._sequence is not None:
            self.impl._exec(
                f"UPDATE {self._seq_table()} SET seq = max(seq, {int(self._sequence)}) "
                f"WHERE name = '{self.table_name.replace(chr(39), chr(39) * 2)}'"
            )
        if check_foreign_keys or self.foreign_keys_on:
            for name in [self.table_name, *self._children]:
                self._check_foreign_keys(name)

    def _check_foreign_keys(self, name: str) -> None:
        try:
            bad = self._conn.exec_driver_sql(
                f"PRAGMA {self._pragma}foreign_key_check({_quote(name)})"
            ).fetchall()
        except Exception as err:  # "foreign key mismatch": the referenced columns went away
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): foreign keys of {name!r} no longer "
                f"match the rebuilt table: {' '.join(str(getattr(err, 'orig', err)).split())}"
            ) from err
        if bad:
            parents = sorted({row[2] for row in bad})
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): {len(bad)} row(s) of {name!r} violate "
                f"its foreign key(s) to {', '.join(parents)} (first rowids: "
                f"{', '.join(str(row[1]) for row in bad[:5])})"
            )

    def _recreate(self, type_: str, name: str, sql: str) -> None:
        try:
            self.impl._exec(sql)
            if type_ == "view":
                # CREATE VIEW does not resolve columns; a SELECT does.
                self._conn.exec_driver_sql(f"SELECT * FROM {self._qualified(name)} LIMIT 0")
        except Exception as err:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): could not re-create {type_} {name!r} "
                f"after rebuilding the table (does it use a dropped column?): "
                f"{' '.join(str(getattr(err, 'orig', err)).split())}"
            ) from err

    def _seq_table(self) -> str:
        return f"{_quote(self.schema)}.sqlite_sequence" if self.schema else "sqlite_sequence"

    # ------------------------------------------------------------------ failures

    def explain_lossy_cast(self, checks: dict[str, Any], table: Table) -> str | None:
        """Which columns hold values the type change's CAST would alter, with a few of them."""
        parts = []
        for name, condition in checks.items():
            where = ~condition
            sql = (
                f"SELECT {_quote(name)} FROM {self._qualified(table.name)} WHERE "
                f"{where.compile(dialect=self.impl.dialect, compile_kwargs={'literal_binds': True})}"
            )
            rows = self._conn.exec_driver_sql(sql + " LIMIT 3").fetchall()
            if not rows:
                continue
            count = self._conn.exec_driver_sql(f"SELECT count(*) FROM ({sql})").scalar()
            sample = ", ".join(repr(r[0]) for r in rows)
            parts.append(f"column {name!r}: {count} row(s) can't be converted without loss, e.g. {sample}")
        return "; ".join(parts) or None


class DeclaredType(sqltypes.UserDefinedType):
    """A column type kept exactly as declared (e.g. ``ANY`` in a STRICT table)."""

    cache_ok = True

    def __init__(self, declared: str) -> None:
        self.declared = declared

    def get_col_spec(self, **kw: Any) -> str:
        return self.declared


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


def table_definitions(sql: str) -> list[str]:
    """The top-level column and constraint definitions of a CREATE TABLE statement."""
    start = sql.index("(")
    items: list[str] = []
    depth, current, i = 0, [], start + 1
    while i < len(sql):
        ch = sql[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            end = sql.index(close, i + 1)
            while close != "]" and end + 1 < len(sql) and sql[end + 1] == close:
                end = sql.index(close, end + 2)
            current.append(sql[i : end + 1])
            i = end + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    items.append("".join(current).strip())
    return [item for item in items if item]


_TABLE_CONSTRAINT = re.compile(r"^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b", re.IGNORECASE)
_GENERATED = re.compile(r"\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(", re.IGNORECASE)


def generated_columns(sql: str) -> dict[str, tuple[str, bool]]:
    """``{column: (expression, stored)}`` for the generated columns of a CREATE TABLE."""
    found: dict[str, tuple[str, bool]] = {}
    for item in table_definitions(sql):
        if _TABLE_CONSTRAINT.match(item):
            continue
        masked = _strip_literals(item)
        match = _GENERATED.search(masked)
        if match is None:
            continue
        name = _unquote(re.match(r'\s*("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|\S+)', item).group(1))
        depth, j = 0, match.end() - 1
        for j in range(match.end() - 1, len(masked)):
            if masked[j] == "(":
                depth += 1
            elif masked[j] == ")":
                depth -= 1
                if depth == 0:
                    break
        expression = item[match.end() : j]
        stored = bool(re.match(r"\s*STORED\b", masked[j + 1 :], re.IGNORECASE))
        found[name] = (expression.strip(), stored)
    return found


def _unquote(name: str) -> str:
    if name[:1] in "\"`[" and len(name) > 1:
        inner = name[1:-1]
        return inner.replace('""', '"') if name[0] == '"' else inner
    return name


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


def _is_literal_default(default: Any) -> bool:
    """Whether a server default is a plain literal (ADD COLUMN accepts it without a rebuild)."""
    from sqlalchemy.sql.elements import TextClause

    arg = getattr(default, "arg", default)
    if isinstance(arg, str):
        return True
    if isinstance(arg, TextClause):
        return bool(re.match(r"""^\s*(?:'.*'|-?\d+(?:\.\d+)?|NULL|TRUE|FALSE)\s*$""", arg.text, re.I | re.S))
    return False


def _quote(name: str | None) -> str:
    assert name is not None
    return '"' + name.replace('"', '""') + '"'


def _strip_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def _mentions(sql: str, names: set[str]) -> bool:
    """Whether ``sql`` names one of ``names`` as an identifier (quoted or not)."""
    for token in re.findall(r'"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*)', _strip_literals(sql)):
        word = next(t for t in token if t).replace('""', '"').lower()
        if word in names:
            return True
    return False


__all__ = ["DeclaredType", "SQLiteImpl", "SQLiteRebuild"]
