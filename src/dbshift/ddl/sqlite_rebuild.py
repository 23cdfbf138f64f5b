"""SQLite's side of a batch "move and copy": what a rebuild needs beyond generic DDL.

:class:`SQLiteRebuild` is what :meth:`~dbshift.ddl.sqlite.SQLiteImpl.batch_rebuild_support` hands
to the batch rebuild (:mod:`dbshift.operations.batch.rebuild`): the table's reflection in a few
queries, what SQLAlchemy's reflection leaves out (AUTOINCREMENT, declared types such as ``ANY``,
generated columns, names of column-level constraints), the views, triggers and
expression indexes kept as SQL in ``sqlite_master``, the foreign-key pragmas, the temporary CHECKs
that guard a type change, and the swap that keeps other tables' foreign keys pointing here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Computed, text
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import CreateTable

from ..util.error_text import one_line
from ..util.exc import CommandError
from .sqlite_sql import (
    column_affinity,
    column_collations,
    column_constraint_names,
    generated_columns,
)
from .sqlite_sql import generated_pattern as _generated
from .sqlite_sql import mentions as _mentions
from .sqlite_sql import quote as _quote
from .sqlite_sql import strip_literals as _strip_literals

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from .impl import DefaultImpl

#: Name prefix of the temporary CHECKs that guard a type change during the copy.
GUARD_PREFIX = "_dbshift_lossless_"


class SQLiteRebuild:
    """What a batch "move and copy" of one SQLite table needs beyond generic DDL.

    Called by the batch rebuild in this order: :meth:`rename_columns`, :meth:`reflection_info`,
    :meth:`complete_reflection`, :meth:`expression_indexes`, :meth:`before_create`,
    :meth:`create_guarded` + :meth:`drop_guards` (when type changes are guarded), :meth:`swap`
    (replaces DROP + RENAME), :meth:`after_swap`. ``sqlite_master`` is read once (again only after
    this class changed it); the SQL this class writes runs as it is, through the driver.
    """

    def __init__(self, impl: DefaultImpl, table_name: str, schema: str | None) -> None:
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
        self._strict_sql: tuple[str, str] | None = None
        self.foreign_keys_on = False

    @property
    def _conn(self) -> Connection:
        assert self.impl.connection is not None
        return self.impl.connection

    def _qualified(self, name: str) -> str:
        return f"{_quote(self.schema)}.{_quote(name)}" if self.schema else _quote(name)

    def _run(self, sql: str) -> Any:
        return self._conn.exec_driver_sql(sql)

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
        existing = {
            str(row[1]).lower()
            for row in self._run(f"PRAGMA {self._pragma}table_info({_quote(self.table_name)})")
        }
        if any(new.lower() in existing for _old, new in renames):
            # a name freed by a drop_column of the same batch (expand/contract): SQLite can't
            # rename onto it before the drop, so the rebuild renames while copying
            return False
        for old, new in renames:
            self._run(
                f"ALTER TABLE {self._qualified(self.table_name)} RENAME COLUMN {_quote(old)} TO {_quote(new)}"
            )
        self._rows = None
        return True

    def reflection_info(self) -> Any:
        """What ``Table(autoload_with=...)`` needs to reflect the table without asking the database
        again (its ``_reflect_info``), or None to let it reflect the usual way.

        SQLAlchemy's SQLite reflection runs about twelve statements and parses the table's SQL for
        every kind of constraint, whether or not the SQL has any. Here the table's SQL comes from
        :meth:`master_rows` (read anyway), the pragmas from at most three table-valued queries, and
        SQLAlchemy's own parsing (:mod:`dbshift.ddl.sqlite_reflection`) runs only for the kinds of
        constraint the SQL can hold: no ``CHECK`` in it, no CHECK constraints to parse.
        """
        try:
            from sqlalchemy.engine.reflection import _ReflectionInfo

            from .sqlite_reflection import _SUPPORTED, _PrefetchedDialect
        except ImportError:  # pragma: no cover - another SQLAlchemy
            return None
        dialect = self._conn.dialect
        sql = next(
            (r[3] for r in self.master_rows() if r[0] == "table" and r[1] == self.table_name),
            None,
        )
        if not _SUPPORTED or dialect.server_version_info < (3, 31) or not sql:
            return None
        name, schema = self.table_name, self.schema
        spelled = _strip_literals(sql).upper()
        arg = (name, schema or "main")
        proxy = _PrefetchedDialect(dialect, schema)
        proxy.table_sql[name] = sql
        pragmas = proxy.pragmas
        pragmas[("table_xinfo", name)] = [tuple(r) for r in self._conn.exec_driver_sql(
            'SELECT cid, name, type, "notnull", dflt_value, pk, hidden '
            "FROM pragma_table_xinfo(?, ?) ORDER BY cid", arg)]
        pragmas[("foreign_key_list", name)] = [] if "REFERENCES" not in spelled else [
            tuple(r) for r in self._conn.exec_driver_sql(
                'SELECT id, seq, "table", "from", "to", on_update, on_delete, "match" '
                "FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq", arg)]
        has_index = any(
            r[0] == "index" and r[2].lower() == name.lower() for r in self.master_rows()
        )
        pragmas[("index_list", name)] = [] if not has_index else [
            tuple(r) for r in self._conn.exec_driver_sql(
                'SELECT seq, name, "unique", origin, partial FROM pragma_index_list(?, ?) '
                "ORDER BY seq", arg)]
        if has_index:
            for index, *info in self._conn.exec_driver_sql(
                "SELECT il.name, x.seqno, x.cid, x.name FROM pragma_index_list(?1, ?2) AS il "
                "JOIN pragma_index_xinfo(il.name, ?2) AS x WHERE x.key = 1 "
                "ORDER BY il.name, x.seqno", arg,
            ):
                pragmas.setdefault(("index_info", index), []).append(tuple(info))
        key = (schema, name)
        conn = self._conn
        columns = proxy.get_columns(conn, name, schema)
        if "CONSTRAINT" in spelled:
            pk = proxy.get_pk_constraint(conn, name, schema)
        else:  # no name to parse out of the SQL: the key columns in key order
            keyed = sorted((c for c in columns if c.get("primary_key")),
                           key=lambda c: c["primary_key"])
            pk = {"constrained_columns": [c["name"] for c in keyed], "name": None}
        return _ReflectionInfo(
            columns={key: columns},
            pk_constraint={key: pk},
            foreign_keys={key: proxy.get_foreign_keys(conn, name, schema)},
            indexes={key: proxy.get_indexes(conn, name, schema) if has_index else []},
            unique_constraints={
                key: proxy.get_unique_constraints(conn, name, schema) if "UNIQUE" in spelled else []
            },
            table_comment={},
            check_constraints={
                key: proxy.get_check_constraints(conn, name, schema) if "CHECK" in spelled else []
            },
            table_options={key: proxy.get_table_options(conn, name, schema)},
            unreflectable={},
        )

    def column_reflect(self, inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
        """Put a reflected default expression back in parentheses, as Alembic's rebuild does.

        SQLite reports ``DEFAULT (false)`` as ``false``; the rebuilt table declares it
        ``DEFAULT (false)`` again. Left bare: a quoted string, one digit or dot, and one line
        that already starts with ``(`` and ends with ``)`` (so ``10`` comes back as ``(10)``,
        like under Alembic).
        """
        default = column_info.get("default")
        if default and _bare_default_expression(default):
            column_info["default"] = f"({default})"

    def complete_reflection(self, table: Table) -> None:
        """Add what SQLAlchemy's reflection leaves out: AUTOINCREMENT, unknown declared types,
        generated columns, the names of column-level foreign keys (``CONSTRAINT fk REFERENCES``)
        and column-level UNIQUEs its SQL parsing misses."""
        sql = self.table_sql()
        masked = _strip_literals(sql)
        spelled = masked.upper()
        if "AUTOINCREMENT" in spelled and re.search(r"\bAUTOINCREMENT\b", spelled):
            table.dialect_kwargs["sqlite_autoincrement"] = True
        if "REFERENCES" in spelled and "CONSTRAINT" in spelled:
            _name_inline_foreign_keys(table, sql)
        if "UNIQUE" in spelled:
            self._add_unparsed_uniques(table)
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
                # no declared type at all is legal too (BLOB affinity): kept as nothing
                if spelled.upper() == "ANY" or isinstance(col.type, sqltypes.NullType):
                    col.type = DeclaredType(spelled)
        if "COLLATE" in spelled:
            for name, collation in column_collations(sql).items():
                if name in table.c:
                    _set_collation(table.c[name], collation, self.impl.dialect)
        if "AS" in spelled and _generated().search(masked):
            for name, (sqltext, persisted) in generated_columns(sql).items():
                if name in table.c:
                    table.c[name].computed = Computed(text(sqltext), persisted=persisted)

    def _add_unparsed_uniques(self, table: Table) -> None:
        """UNIQUE constraints SQLAlchemy's SQL parsing misses (a column-level ``UNIQUE`` after a
        type with arguments, ``q VARCHAR(5) UNIQUE``), from the indexes SQLite made for them."""
        from sqlalchemy import UniqueConstraint

        signatures: dict[str, list[str]] = {}
        for index, column in self._conn.exec_driver_sql(
            "SELECT il.name, x.name FROM pragma_index_list(?1, ?2) AS il "
            "JOIN pragma_index_info(il.name, ?2) AS x WHERE il.origin = 'u' "
            "ORDER BY il.name, x.seqno",
            (self.table_name, self.schema or "main"),
        ):
            signatures.setdefault(index, []).append(column)
        known = {
            tuple(c.name for c in const.columns)
            for const in table.constraints
            if isinstance(const, UniqueConstraint)
        }
        names = {
            column: name
            for column, name, _ in column_constraint_names(self.table_sql(), "UNIQUE")
        }
        for columns in signatures.values():
            if tuple(columns) not in known and all(c in table.c for c in columns):
                name = names.get(columns[0]) if len(columns) == 1 else None
                table.append_constraint(UniqueConstraint(*columns, name=name))
                known.add(tuple(columns))

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
            self._run(f"DROP {type_.upper()} IF EXISTS {self._qualified(name)}")
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

    def create_guarded(
        self,
        table: Table,
        guards: list[tuple[str, str]],
        copied: dict[str, Any] | None = None,
    ) -> None:
        """CREATE the new table so that the copy stops on a value a type change would alter.

        ``guards`` holds ``(column, affinity)``; ``copied`` maps each new column the copy fills
        to its old column (``None`` when it is filled through an expression). When
        :meth:`_strict_variant` finds it safe, the table is created STRICT: guarded columns
        declared with their affinity, the others ``ANY`` (values kept as they are), so SQLite's
        own type check rejects what would not convert losslessly, at almost no cost. Otherwise
        each guarded column gets a temporary CHECK ``c = CAST(c AS A)``: values the column's
        affinity could not convert (text into an INTEGER column, 1.5 into INTEGER) fail it.
        Either way :meth:`drop_guards` puts back the plain CREATE TABLE once the rows are in.
        ``copied=None`` asks for the CHECK guard.
        """
        ddl = str(CreateTable(table).compile(dialect=self.impl.dialect)).strip()
        strict = None if copied is None else self._strict_variant(table, guards, copied, ddl)
        if strict is not None:
            self._strict_sql = (strict, ddl)
            self._conn.exec_driver_sql(strict)
            return
        close = ddl.rfind(")")
        self._guard_sql = "".join(
            f", CONSTRAINT {_quote(f'{GUARD_PREFIX}{column}')} "
            f"CHECK ({_quote(column)} = CAST({_quote(column)} AS {affinity}))"
            for column, affinity in guards
        )
        self._conn.exec_driver_sql(ddl[:close] + self._guard_sql + ddl[close:])

    def _strict_variant(
        self, table: Table, guards: list[tuple[str, str]], copied: dict[str, Any], ddl: str
    ) -> str | None:
        """The new table's CREATE as a STRICT table, or ``None`` where that could change a row.

        A STRICT table applies no affinity to ``ANY`` columns, so it is used only where the
        plain table would store the same values: every guarded column goes to INTEGER (STRICT
        has no NUMERIC), every other column is either copied unchanged from a column of the same
        affinity (its values already carry that affinity) or not copied and without a default
        (it gets NULL). A copied REAL column is declared REAL, which keeps SQLite's compact
        storage of integral values; should it hold text, the copy fails on it and
        :meth:`retry_with_checks` starts over with the CHECK guard. CHECK constraints, generated
        columns and collations compare values by the column's declared type, so a table with any
        of them keeps the CHECK guard, as do tables that are already STRICT or WITHOUT ROWID.
        """
        import sqlite3

        if sqlite3.sqlite_version_info < (3, 37) or not ddl.endswith(")"):
            return None
        if any(affinity != "INTEGER" for _c, affinity in guards):
            return None
        if "COLLATE" in ddl.upper() or any(
            isinstance(c, CheckConstraint) for c in table.constraints
        ):
            return None
        guarded = {name for name, _a in guards}
        dialect = self.impl.dialect
        pk = list(table.primary_key.columns)
        rowid = None  # an INTEGER PRIMARY KEY keeps its declaration: it is the rowid
        if len(pk) == 1:
            spelled = str(pk[0].type.compile(dialect=self.impl.dialect)).strip().upper()
            rowid = pk[0].name if spelled == "INTEGER" else None
        declared: dict[str, str] = {}
        for column in table.columns:
            if column.computed is not None:
                return None
            name = column.name
            if name == rowid or name in guarded:
                continue
            if name in copied:
                source = copied[name]
                if source is None:
                    return None
                before = column_affinity(source.type, dialect)
                after = column_affinity(column.type, dialect)
                if before is None or before != after:
                    return None
                if after == "REAL":
                    declared[name] = "REAL"
                    continue
            elif column.server_default is not None or column.default is not None:
                return None
            declared[name] = "ANY"
        for name in guarded:
            declared[name] = "INTEGER"
        saved = {name: table.c[name].type for name in declared}
        try:
            for name, spelled in declared.items():
                table.c[name].type = DeclaredType(spelled)
            strict = str(CreateTable(table).compile(dialect=self.impl.dialect)).strip()
        finally:
            for name, type_ in saved.items():
                table.c[name].type = type_
        return strict + " STRICT"

    def retry_with_checks(
        self, err: Exception, temp_name: str, table: Table, guards: list[tuple[str, str]]
    ) -> bool:
        """After the copy into the STRICT table failed on a column that is not guarded (text in
        a REAL column): drop that table and create it with the CHECK guard; ``False`` when
        ``err`` is another failure (the caller reports it)."""
        if self._strict_sql is None:
            return False
        found = re.search(r"cannot store \w+ value in \w+ column (\S+)", str(err))
        if found is None:
            return False
        column = found.group(1).rpartition(".")[2]
        if column in {name for name, _a in guards}:
            return False
        self._strict_sql = None
        self._run(f"DROP TABLE {self._qualified(temp_name)}")
        self.create_guarded(table, guards, None)
        return True

    def drop_guards(self, temp_name: str) -> None:
        """Put back the plain CREATE TABLE as the new table's stored SQL.

        SQLite documents editing ``sqlite_master`` (``writable_schema`` + a ``schema_version``
        bump) as the way to remove a CHECK; declared types and STRICT, likewise, don't change how
        rows are stored on disk. The text left is exactly the CREATE TABLE a plain rebuild would
        have stored.
        """
        self._rows = None
        sql = self.table_sql(temp_name)
        if self._strict_sql is not None:
            strict, plain = self._strict_sql
            self._strict_sql = None
            if sql != strict:
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): the new table's SQL is not the "
                    f"one dbshift created; can't make it a plain table again"
                )
            self.rewrite_schema({temp_name: plain})
            return
        assert self._guard_sql is not None
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
            self._run(f"DROP TABLE {self._qualified(self.table_name)}")
            self._run(legacy + "ON")
            try:
                self._run(
                    f"ALTER TABLE {self._qualified(temp_name)} RENAME TO {_quote(self.table_name)}"
                )
            finally:
                self._run(legacy + "OFF")
            return
        aside = ("_dbshift_old_" + self.table_name)[:60]
        self._rows = None
        before = {r[1]: r[3] for r in self.master_rows() if r[0] == "table"}
        self._run(legacy + "ON")
        try:
            self._run(f"ALTER TABLE {self._qualified(self.table_name)} RENAME TO {_quote(aside)}")
            self._rows = None
            rewritten = {
                name: before[name]
                for type_, name, _tbl, sql in self.master_rows()
                if type_ == "table" and name in before and sql != before[name]
                and name.lower() != aside.lower()
            }
            self.rewrite_schema(rewritten)
            self._run(
                f"ALTER TABLE {self._qualified(temp_name)} RENAME TO {_quote(self.table_name)}"
            )
        finally:
            self._run(legacy + "OFF")
        self._run(f"DROP TABLE {self._qualified(aside)}")

    def after_swap(self, expression_indexes: list[tuple[str, str]], check_foreign_keys: bool) -> None:
        """Re-create expression indexes, views and triggers; restore AUTOINCREMENT's counter;
        check the foreign keys of the table and, with enforcement on, those pointing at it
        (a warning, see :meth:`_check_foreign_keys`)."""
        for name, sql in expression_indexes:
            self._recreate("index", name, sql)
        for type_, name, sql in self._dependents:
            self._recreate(type_, name, sql)
        if self._sequence is not None:
            self._run(
                f"UPDATE {self._seq_table()} SET seq = max(seq, {int(self._sequence)}) "
                f"WHERE name = '{self.table_name.replace(chr(39), chr(39) * 2)}'"
            )
        if check_foreign_keys or self.foreign_keys_on:
            for name in [self.table_name, *self._children]:
                self._check_foreign_keys(name)

    def _check_foreign_keys(self, name: str) -> None:
        """Warn about foreign keys of ``name`` the rebuilt table no longer serves.

        Alembic checks nothing here; neither check loses data, so both are warnings: the
        referenced columns are no longer a key of the rebuilt table ("foreign key mismatch",
        writes to those tables fail while enforcement is on), or rows refer to rows that are
        not there.
        """
        import warnings

        try:
            bad = self._conn.exec_driver_sql(
                f"PRAGMA {self._pragma}foreign_key_check({_quote(name)})"
            ).fetchall()
        except Exception as err:  # "foreign key mismatch": the referenced columns went away
            warnings.warn(
                f"batch_alter_table({self.table_name!r}): foreign keys of {name!r} no longer "
                f"match the rebuilt table ({one_line(err, database_message=True)}); writes to "
                "those tables fail while foreign keys are enforced, until a later migration "
                "fixes them",
                stacklevel=2,
            )
            return
        if bad:
            parents = sorted({row[2] for row in bad})
            warnings.warn(
                f"batch_alter_table({self.table_name!r}): {len(bad)} row(s) of {name!r} violate "
                f"its foreign key(s) to {', '.join(parents)} (first rowids: "
                f"{', '.join(str(row[1]) for row in bad[:5])})",
                stacklevel=2,
            )

    def _recreate(self, type_: str, name: str, sql: str) -> None:
        try:
            self._run(sql)
            if type_ == "view":
                # CREATE VIEW does not resolve columns; a SELECT does.
                self._conn.exec_driver_sql(f"SELECT * FROM {self._qualified(name)} LIMIT 0")
        except Exception as err:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): could not re-create {type_} {name!r} "
                f"after rebuilding the table (does it use a dropped column?): "
                f"{one_line(err, database_message=True)}"
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
        """The declared type, as it was given."""
        return self.declared



def _bare_default_expression(default: str) -> bool:
    """Whether a reflected default gets parentheses again (as Alembic's rebuild decides: text
    over several lines always does, even when it is parenthesized already)."""
    text = default.removesuffix("\n")
    if "\n" in text:
        return True
    if len(text) == 1 and text in "0123456789.":
        return False
    if len(text) > 2 and text[0] == text[-1] == "'":
        return False
    return not (len(text) > 2 and text[0] == "(" and text[-1] == ")")


def _name_inline_foreign_keys(table: Table, sql: str) -> None:
    from sqlalchemy.sql.base import _NONE_NAME

    for column, name, referred in column_constraint_names(sql, "REFERENCES"):
        referred = referred.rsplit(".", 1)[-1]
        for const in table.foreign_key_constraints:
            named = isinstance(const.name, str) and const.name is not _NONE_NAME and const.name
            element = const.elements[0]
            if (
                not named
                and len(const.elements) == 1
                and element.parent.name == column
                and element.target_fullname.rsplit(".", 1)[0].rsplit(".", 1)[-1].lower()
                == referred.lower()
            ):
                const.name = name
                break


def _set_collation(column: Any, collation: str, dialect: Any) -> None:
    if hasattr(column.type, "collation"):
        column.type.collation = collation
        return
    spelled = str(column.type.compile(dialect=dialect))
    column.type = DeclaredType(f"{spelled} COLLATE {_quote(collation)}".strip())


__all__ = ["DeclaredType", "SQLiteRebuild"]
