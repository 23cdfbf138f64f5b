"""``DefaultImpl``: turns operations into DDL and executes it (online) or writes it (offline).

One subclass per dialect (``ddl/sqlite.py``, ``ddl/postgresql.py``, ...) holds that database's
spelling and quirks. Subclasses register themselves by their ``__dialect__`` name; a third-party
dialect registers the same way, by subclassing :class:`DefaultImpl` in its own package.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy import schema as sa_schema
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import NULLTYPE

from ..util.exc import CommandError
from . import elements
from .autogen_hooks import AutogenHooks
from .offline_statement_cache import (
    OfflineStatementCache,
    placeholder_column,
    placeholder_index,
    placeholder_table,
    plain_add_column_shape,
    plain_index_shape,
    plain_table_shape,
)
from .type_impl_cache import TypeImplCache

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.sql.schema import Constraint, Index

#: Built-in dialect name -> module that defines its implementation (imported on first use).
_BUILTIN_MODULES = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "mssql",
    "oracle": "oracle",
}


class DefaultImpl(AutogenHooks):
    """Generic DDL behaviour; dialect subclasses override what their database spells differently.

    An instance is bound to one :class:`~dbshift.runtime.migration.MigrationContext`: it either
    executes each construct on ``connection`` or, in offline (``as_sql``) mode, compiles it with the
    dialect and writes it to ``output_buffer`` followed by ``command_terminator``.
    """

    __dialect__: ClassVar[str] = "default"

    #: Whether DDL can run inside a transaction and be rolled back.
    transactional_ddl: bool = False
    #: Text written after each statement offline.
    command_terminator: ClassVar[str] = ";"
    #: Type names autogenerate treats as the same type.
    type_synonyms: ClassVar[tuple[set[str], ...]] = ({"NUMERIC", "DECIMAL"},)
    #: Regexes that pull comparable arguments out of a rendered type (autogenerate).
    type_arg_extract: ClassVar[Sequence[str]] = ()
    #: Identity options autogenerate does not compare.
    identity_attrs_ignore: ClassVar[tuple[str, ...]] = ("order", "on_null")
    #: Whether reflection returns foreign keys' DEFERRABLE/INITIALLY (autogenerate compares them).
    reflects_fk_deferral: ClassVar[bool] = False
    #: Whether the dialect has ``ALTER TABLE ... ADD [COLUMN] IF NOT EXISTS``.
    add_column_if_not_exists: ClassVar[bool] = True

    _registry: ClassVar[dict[str, type[DefaultImpl]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("__dialect__")
        if name:
            DefaultImpl._registry[name] = cls

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: TextIO | None,
        context_opts: Mapping[str, Any],
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.literal_binds = bool(context_opts.get("literal_binds", False))
        self.output_buffer = output_buffer
        self.context_opts = context_opts
        #: Scratch space SQLAlchemy DDL visitors use (e.g. to create a PG ENUM only once).
        self.memo: dict[Any, Any] = {}
        # Statements run since the current migration step began, kept as constructs and
        # rendered only when a partial failure is reported (see :attr:`statements_in_step`).
        self._executed_in_step: list[Any] = []
        #: Lets equal column types share their dialect implementation (see ``type_impl_cache``).
        self.type_impls = TypeImplCache(dialect)
        #: Offline only: text of name-only statements per shape (see ``offline_statement_cache``).
        self.offline_statement_cache = OfflineStatementCache(self) if as_sql else None
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        if self.literal_binds and not self.as_sql:
            raise CommandError("literal_binds=True is only for offline (--sql) mode")

    # ------------------------------------------------------------------ registry

    @classmethod
    def get_by_dialect(cls, dialect: Dialect) -> type[DefaultImpl]:
        """The implementation class registered for ``dialect.name``."""
        name = dialect.name
        if name == "default":
            return DefaultImpl
        if name not in cls._registry and name in _BUILTIN_MODULES:
            importlib.import_module(f"{__package__}.{_BUILTIN_MODULES[name]}")
        try:
            return cls._registry[name]
        except KeyError:
            raise CommandError(
                f"No dbshift implementation for dialect {name!r}; a third-party dialect registers "
                f"one by subclassing dbshift.ddl.DefaultImpl with __dialect__ = {name!r}"
            ) from None

    # ------------------------------------------------------------------ execution

    @property
    def bind(self) -> Connection | None:
        """The connection statements run on (a mock connection offline)."""
        return self.connection

    def static_output(self, text: str) -> None:
        """Write raw text to the offline script."""
        assert self.output_buffer is not None
        self.output_buffer.write(text + "\n\n")
        if hasattr(self.output_buffer, "flush"):
            self.output_buffer.flush()

    def _exec(
        self,
        construct: str | ClauseElement,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
        literal_values: bool = False,
    ) -> Any:
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise TypeError("SQL parameters are not allowed in offline (--sql) mode")
            rendered = self.render_statement(construct, literal_values=literal_values)
            self.static_output(rendered + self.command_terminator)
            self.after_offline_statement()
            return None
        assert self.connection is not None
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        if multiparams:
            result = conn.execute(construct, list(multiparams))
        else:
            result = conn.execute(construct, dict(params or {}))
        if not self.transactional_ddl:
            self._executed_in_step.append(construct)
        return result

    @property
    def statements_in_step(self) -> list[str]:
        """One-line renderings of the statements run since the current migration step began.

        Recorded only without transactional DDL (where a failure leaves them applied), and
        rendered only when asked for, so a normal run never compiles a statement twice.
        Assigning resets the record.
        """
        return [self.describe_statement(c) for c in self._executed_in_step]

    @statements_in_step.setter
    def statements_in_step(self, value: list[Any]) -> None:
        self._executed_in_step = list(value)

    def render_statement(self, construct: ClauseElement, literal_values: bool = False) -> str:
        """Compile ``construct`` for the offline script (literal values inlined where asked)."""
        compile_kwargs: dict[str, Any] = {}
        if (literal_values or self.literal_binds) and not isinstance(
            construct, sa_schema.ExecutableDDLElement
        ):
            compile_kwargs["literal_binds"] = True
        compiled = construct.compile(dialect=self.dialect, compile_kwargs=compile_kwargs)
        return str(compiled).replace("\t", "    ").strip()

    def describe_statement(self, construct: ClauseElement | str) -> str:
        """A one-line rendering of a statement, for error messages."""
        if isinstance(construct, str):
            return " ".join(construct.split())
        try:
            return " ".join(str(construct.compile(dialect=self.dialect)).split())
        except Exception:  # pragma: no cover - description only
            return repr(construct)

    def after_offline_statement(self) -> None:
        """Hook run after each offline statement (SQL Server writes ``GO`` here)."""

    def execute(
        self, sql: str | ClauseElement, execution_options: Mapping[str, Any] | None = None
    ) -> None:
        """Run a SQL string or construct (``op.execute``)."""
        self._exec(sql, execution_options)

    # ------------------------------------------------------------------ transactions

    def start_migrations(self) -> None:
        """Hook run once when ``run_migrations`` begins."""

    def emit_begin(self) -> None:
        """Write the start of a transaction to the offline script."""
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self) -> None:
        """Write the end of a transaction to the offline script."""
        self.static_output("COMMIT" + self.command_terminator)

    def on_transaction_begin(self, connection: Connection) -> None:
        """Hook run right after a migration transaction began on ``connection``.

        SQLite uses it to start a real transaction so that its DDL is transactional.
        """

    # ------------------------------------------------------------------ statement journal

    def journal_noop_sql(self) -> str | None:
        """A statement that does nothing, sent in place of one the statement journal skips
        (``runtime/history/journal.py``); None where DDL is transactional and nothing is
        journalled."""
        return None

    def schema_fingerprint_sql(self) -> tuple[str, ...]:
        """Reads whose rows, hashed, change whenever DDL changes the schema (tables, columns,
        indexes, constraints, views, triggers, routines): the journal's test of whether a
        statement it sent before a kill was applied."""
        return ()

    # ------------------------------------------------------------------ version table

    def version_table_impl(
        self,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> Table:
        """The ``Table`` that records which revisions are applied (one row per head)."""
        table = Table(
            version_table,
            MetaData(),
            Column("version_num", String(32), nullable=False),
            schema=version_table_schema,
        )
        if version_table_pk:
            table.append_constraint(
                PrimaryKeyConstraint("version_num", name=f"{version_table}_pkc")
            )
        return table

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
        """Emit one ALTER per changed aspect: nullability, default, type, comment, then rename."""
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                stacklevel=3,
            )
        existing = {
            "schema": schema,
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
        }
        if nullable is not None:
            self._exec(elements.ColumnNullable(table_name, column_name, nullable, **existing))
        if server_default is not False:
            self._exec(
                self._default_change(
                    table_name, column_name, server_default, existing_server_default, existing
                )
            )
        if type_ is not None:
            self._exec(elements.ColumnType(table_name, column_name, type_, **existing))
        if comment is not False:
            self._alter_column_comment(table_name, column_name, comment, existing)
        if name is not None:
            self._exec(elements.ColumnName(table_name, column_name, name, **existing))

    def _default_change(
        self,
        table_name: str,
        column_name: str,
        server_default: Any,
        existing_server_default: Any,
        existing: dict[str, Any],
    ) -> ClauseElement:
        kind = elements.server_default_changes_kind(server_default, existing_server_default)
        if kind == "computed":
            return elements.ComputedColumnDefault(table_name, column_name, server_default, **existing)
        if kind == "identity":
            return elements.IdentityColumnDefault(
                table_name, column_name, server_default, self, **existing
            )
        return elements.ColumnDefault(table_name, column_name, server_default, **existing)

    def _alter_column_comment(
        self, table_name: str, column_name: str, comment: str | None, existing: dict[str, Any]
    ) -> None:
        column = Column(column_name, existing["existing_type"] or NULLTYPE, comment=comment)
        Table(table_name, MetaData(), column, schema=existing["schema"])
        self.create_column_comment(column)

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
        """``ALTER TABLE ... ADD COLUMN``.

        ``if_not_exists`` on a dialect without ``ADD ... IF NOT EXISTS`` (SQL Server, Oracle):
        the column is added unconditionally, as Alembic does, with a warning.
        """
        if if_not_exists and not self.add_column_if_not_exists:
            warnings.warn(
                f"{self.dialect.name} has no ADD ... IF NOT EXISTS: column "
                f"{table_name}.{column.name} is added unconditionally, as Alembic does (the "
                "statement fails if the column exists)",
                stacklevel=4,
            )
            if_not_exists = False
        self.type_impls.share(column.type)
        self._exec(
            elements.AddColumn(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    def add_column_from_cache(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> bool:
        """Offline: write the ADD COLUMN of a plain detached ``column`` (a name, a plain type,
        nullability; see ``offline_statement_cache``) from its shape's cached text, leaving
        ``column`` detached. False, with nothing written, when the caller must attach the column
        to a table and call :meth:`add_column` (online, and for any other column)."""
        cache = self.offline_statement_cache
        if cache is None or (if_not_exists and not self.add_column_if_not_exists):
            return False  # (the latter: add_column warns each time)
        shape = plain_add_column_shape(
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
            dialect_kw=kw,
        )
        names = (table_name, column.name)
        if shape is None or not cache.usable_names(names):
            return False

        def record(placeholders: Sequence[str]) -> None:
            self.add_column(
                placeholders[0],
                placeholder_column(placeholders, column),
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )

        return cache.write(shape, names, record, [type(column.type)])

    def column_constraint_rendered_inline(self, constraint: Constraint) -> bool:
        """Whether ``add_column`` already rendered ``constraint`` inside ADD COLUMN."""
        return False

    def drop_column(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """``ALTER TABLE ... DROP COLUMN``."""
        self._exec(elements.DropColumn(table_name, column, schema=schema, if_exists=if_exists))

    # ------------------------------------------------------------------ constraints

    def add_constraint(self, const: Constraint) -> None:
        """``ALTER TABLE ... ADD CONSTRAINT``; constraints with a create rule that says no are skipped."""
        if const._create_rule is None or const._create_rule(self):  # type: ignore[attr-defined]
            self._exec(sa_schema.AddConstraint(const))

    def drop_constraint(self, const: Constraint, *, if_exists: bool | None = None) -> None:
        """``ALTER TABLE ... DROP CONSTRAINT``."""
        if if_exists:
            self._exec(sa_schema.DropConstraint(const, if_exists=True))
        else:
            self._exec(sa_schema.DropConstraint(const))

    def validate_constraint(
        self, constraint_name: str, table_name: str, *, schema: str | None = None
    ) -> None:
        """Check existing rows against a constraint added ``NOT VALID``. Databases without
        ``NOT VALID`` validate a constraint when it is added: nothing to do (the default)."""

    # ------------------------------------------------------------------ tables

    def rename_table(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        """``ALTER TABLE old RENAME TO new``."""
        self._exec(elements.RenameTable(old_table_name, new_table_name, schema=schema))

    def create_table(self, table: Table, *, if_not_exists: bool | None = None) -> None:
        """CREATE TABLE, firing create events (PG ENUM types), then its indexes and comments."""
        table.dispatch.before_create(
            table, self.connection, checkfirst=False, _ddl_runner=self
        )
        if not self._create_table_from_cache(table, bool(if_not_exists)):
            for column in table.columns:
                self.type_impls.share(column.type)
            self._exec(sa_schema.CreateTable(table, if_not_exists=bool(if_not_exists)))
        table.dispatch.after_create(table, self.connection, checkfirst=False, _ddl_runner=self)
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            self._exec(sa_schema.CreateIndex(index, if_not_exists=bool(if_not_exists)))
        if self.dialect.supports_comments and not self.dialect.inline_comments:
            if table.comment:
                self.create_table_comment(table)
            for column in table.columns:
                if column.comment:
                    self.create_column_comment(column)

    def _create_table_from_cache(self, table: Table, if_not_exists: bool) -> bool:
        """Offline: write the CREATE TABLE of a plain table from its shape's cached text (see
        ``offline_statement_cache``); False when it must be compiled."""
        cache = self.offline_statement_cache
        if cache is None:
            return False
        shape = plain_table_shape(table)
        if shape is None:
            return False
        names = (table.name, *(column.name for column in table.columns))
        if not cache.usable_names(names):
            return False

        def record(placeholders: Sequence[str]) -> None:
            self._exec(
                sa_schema.CreateTable(
                    placeholder_table(table, placeholders), if_not_exists=if_not_exists
                )
            )

        type_classes = [type(column.type) for column in table.columns]
        return cache.write(("create_table", shape, if_not_exists), names, record, type_classes)

    def drop_table(self, table: Table, *, if_exists: bool | None = None) -> None:
        """DROP TABLE, firing drop events."""
        table.dispatch.before_drop(table, self.connection, checkfirst=False, _ddl_runner=self)
        self._exec(sa_schema.DropTable(table, if_exists=bool(if_exists)))
        table.dispatch.after_drop(table, self.connection, checkfirst=False, _ddl_runner=self)

    def create_table_comment(self, table: Table) -> None:
        """Set a table comment."""
        self._exec(sa_schema.SetTableComment(table))

    def drop_table_comment(self, table: Table) -> None:
        """Remove a table comment."""
        self._exec(sa_schema.DropTableComment(table))

    def create_column_comment(self, column: Column) -> None:
        """Set (or, with ``comment=None``, remove: ``IS NULL``) a column comment.

        Removal also goes through ``SetColumnComment``: SQLAlchemy's ``DropColumnComment`` leaves
        out the table's schema.
        """
        self._exec(sa_schema.SetColumnComment(column))

    # ------------------------------------------------------------------ indexes

    def create_index(self, index: Index, **kw: Any) -> None:
        """CREATE INDEX."""
        self._exec(sa_schema.CreateIndex(index, **kw))

    def create_index_from_cache(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        naming_convention: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> bool:
        """Offline: write the CREATE INDEX of a plain index (named columns of a table outside any
        schema, no dialect options ``kw``, a name the target metadata's ``naming_convention``
        keeps) from its shape's cached text, without building the ``Index``. False, with nothing
        written, when the caller must build it and call :meth:`create_index` (online, and for
        any other index)."""
        cache = self.offline_statement_cache
        if cache is None:
            return False
        shape = plain_index_shape(
            columns,
            schema=schema,
            unique=unique,
            if_not_exists=if_not_exists,
            naming_convention=naming_convention,
            dialect_kw=kw,
        )
        names = (index_name, table_name, *columns)
        if shape is None or not cache.usable_names(names):
            return False

        def record(placeholders: Sequence[str]) -> None:
            options = {} if if_not_exists is None else {"if_not_exists": if_not_exists}
            self.create_index(placeholder_index(placeholders, unique), **options)

        return cache.write(shape, names, record)

    def drop_index(self, index: Index, **kw: Any) -> None:
        """DROP INDEX."""
        self._exec(sa_schema.DropIndex(index, **kw))

    def _drop_index_within_table(self, index: Index, **kw: Any) -> None:
        """DROP INDEX where the dialect spells it ``DROP INDEX ix ON t`` (MySQL, SQL Server).

        Without ``table_name`` the op's table is the placeholder ``no_table``. Offline, dbshift
        writes what Alembic writes (``ON no_table``), with a warning that it fails when run;
        online, where that statement fails in the database under Alembic too, dbshift stops
        before sending it and asks for ``table_name``.
        """
        if index.table is None or index.table.name == "no_table":
            what = (
                f"drop_index({index.name!r}) without table_name: {self.dialect.name} drops an "
                "index within its table (DROP INDEX ix ON t)"
            )
            if not self.as_sql:
                raise CommandError(f"{what}; pass table_name=")
            warnings.warn(
                f"{what}; the script says 'ON no_table', as Alembic's does, and fails when run",
                stacklevel=4,
            )
        DefaultImpl.drop_index(self, index, **kw)

    # ------------------------------------------------------------------ data

    def bulk_insert(
        self,
        table: Table | Any,
        rows: Iterable[Mapping[str, Any]],
        multiinsert: bool = True,
    ) -> None:
        """INSERT rows: one executemany online, one literal INSERT per row offline."""
        rows = list(rows)
        if not rows:
            return
        if self.as_sql:
            for row in rows:
                self._exec(table.insert().inline().values(**row), literal_values=True)
            return
        if multiinsert:
            self._exec(table.insert(), multiparams=rows)
        else:
            for row in rows:
                self._exec(table.insert().values(**row))

    # ------------------------------------------------------------------ batch

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """Whether batch mode "auto" must rebuild the table (only SQLite says yes)."""
        return False

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Prepare the old table before a batch rebuild copies it."""

    def cast_for_batch_migrate(self, existing: Column, existing_transfer: dict, new_type: Any) -> None:
        """Wrap the copied value in a CAST when a batch rebuild changes a column's type."""
        from sqlalchemy import cast

        if existing.type._type_affinity is not new_type._type_affinity:
            existing_transfer["expr"] = cast(existing_transfer["expr"], new_type)

