"""The version table (``alembic_version``): the one module that builds, reads and writes it.

:class:`VersionRecorder` owns the table of one :class:`~dbshift.runtime.migration.MigrationContext`:
it builds the ``Table`` (through the dialect's ``DefaultImpl.version_table_impl``, which third-party
implementations override), says whether it exists, creates it, reads the recorded heads and writes
single rows, online over the connection or offline into the SQL script. :class:`VersionWriter`
follows the heads through one run of steps and turns each step into row changes, at once or
deferred to the end of a run-wide transaction. Nothing else touches the table; the context asks
these two.

What is recorded beside the heads plugs in through :class:`VersionTableHooks`, called before and
after each step is recorded, and :attr:`VersionRecorder.identity` names the table (database URL,
schema, name), e.g. as the key of a lock around commands that change it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import bindparam, literal_column
from sqlalchemy import inspect as sa_inspect

from ..util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from ..ddl.impl import DefaultImpl
    from ..script.directory import ScriptDirectory
    from .steps import MigrationStep

log = logging.getLogger("alembic.runtime.migration")  # Alembic's logger name (see README)

__all__ = ["VersionRecorder", "VersionTableHooks", "VersionTableIdentity", "VersionWriter"]

# Revision ids that an offline template can take verbatim: the compiler would write them
# unchanged between the quotes (no quote to double, no percent sign to escape).
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.]*\Z")
_MARKS = ("__dbshift_version_a__", "__dbshift_version_b__")


class VersionTableIdentity(NamedTuple):
    """Which version table: the database (URL without password; None offline), schema, name."""

    url: str | None
    schema: str | None
    name: str


class VersionTableHooks:
    """What records more than the heads (an applied-history table, ...) overrides; every
    method does nothing here. Register an instance with :meth:`VersionRecorder.add_hooks`.
    ``heads`` are the heads the version table holds, or will hold once deferred rows are written.
    """

    def before_step_recorded(self, step: MigrationStep, heads: frozenset[str]) -> None:
        """Called with the heads before ``step`` moves them (inside the step's transaction)."""

    def after_step_recorded(self, step: MigrationStep, heads: frozenset[str]) -> None:
        """Called with the heads ``step`` moved to (inside the step's transaction)."""


class VersionRecorder:
    """The version table of one context: its ``Table``, existence, creation, rows and hooks.

    Online, UPDATE and DELETE are built once with bound parameters, so SQLAlchemy compiles each
    of them once per context (its compiled cache hits for every later step). Offline, each is
    compiled once with marker literals and later statements are that text with the ids put in:
    the same SQL the literal construct compiles to, without compiling it per step.
    """

    def __init__(
        self,
        impl: DefaultImpl,
        *,
        name: str = "alembic_version",
        schema: str | None = None,
        primary_key: bool = True,
    ) -> None:
        self.impl = impl
        #: The table's name and schema as configured (``version_table``, ``version_table_schema``).
        self.name = name
        self.schema = schema
        self._hooks: list[VersionTableHooks] = []
        self.table = impl.version_table_impl(
            version_table=name, version_table_schema=schema, version_table_pk=primary_key
        )

    @property
    def table(self) -> Table:
        """The ``Table`` written to; replaceable (e.g. by a wider ``version_num`` column)."""
        return self._table

    @table.setter
    def table(self, table: Table) -> None:
        self._table = table
        self._online: dict[str, Any] = {}
        self._offline: dict[str, list[str]] = {}

    @property
    def identity(self) -> VersionTableIdentity:
        """The database URL (password hidden; None offline), schema and name of the table."""
        url = None
        engine = getattr(self.impl.connection, "engine", None)
        if not self.impl.as_sql and engine is not None:
            url = engine.url.render_as_string(hide_password=True)
        return VersionTableIdentity(url, self.schema, self.name)

    @property
    def _connection(self) -> Connection:
        connection = self.impl.connection
        assert connection is not None
        return connection

    # ------------------------------------------------------------------ the table

    def exists(self, connection: Connection | None = None) -> bool:
        """Whether the table is in the database (online only; through ``connection`` if given)."""
        return sa_inspect(connection or self._connection).has_table(self.name, self.schema)

    def create(self, *, checkfirst: bool = False) -> None:
        """CREATE the table (offline: write the statement to the script)."""
        self.table.create(self._connection, checkfirst=checkfirst)

    def delete_all_rows(self) -> None:
        """Empty the table (``--purge``)."""
        self._connection.execute(self.table.delete())

    def read_heads(
        self, *, connection: Connection | None = None, known_to_exist: bool = False
    ) -> tuple[str, ...]:
        """The revisions the table records, in row order; empty when there is no table.

        ``connection`` reads through another connection than the run's (the migration lock's
        own, which sees what other processes committed whatever the run's snapshot);
        ``known_to_exist`` skips the existence check the caller just made.
        """
        connection = connection or self._connection
        if not known_to_exist and not self.exists(connection):
            return ()
        return tuple(row[0] for row in connection.execute(self.table.select()))

    def read_committed_heads(self) -> tuple[str, ...] | None:
        """The rows other sessions see now, read over a connection of its own (after a failed
        run, to say where the database stands); ``None`` when that cannot be known: offline,
        an in-memory SQLite database, or the read failed."""
        if self.impl.as_sql:
            return None
        engine = getattr(self.impl.connection, "engine", None)
        if engine is None or engine.url.get_backend_name() == "sqlite" and (
            engine.url.database in (None, "", ":memory:") or "mode=memory" in str(engine.url)
        ):
            return None
        try:
            with engine.connect() as connection:
                if not sa_inspect(connection).has_table(self.name, self.schema):
                    return ()
                return tuple(row[0] for row in connection.execute(self.table.select()))
        except Exception:
            log.debug("Could not read the version table after the run", exc_info=True)
            return None

    def assumed_heads(
        self, starting_rev: str | Iterable[str] | None, script: ScriptDirectory | None
    ) -> tuple[str, ...]:
        """Offline, where no table can be read: the heads ``starting_rev`` names (the start of
        a ``start:end`` range), resolved to revision ids through ``script`` when there is one."""
        if starting_rev in (None, "base", ()):
            return ()
        starts = [starting_rev] if isinstance(starting_rev, str) else list(starting_rev)
        named = [rev for rev in starts if rev not in (None, "base")]
        if script is None:
            return tuple(named)
        revisions = (script.get_revision(rev) for rev in named)
        return tuple(revision.revision for revision in revisions if revision is not None)

    # ------------------------------------------------------------------ rows

    def insert_row(self, version: str) -> None:
        """Record ``version`` as a head."""
        # Compiled as Alembic compiles it, so offline scripts are identical (on SQLite and
        # PostgreSQL, SQLAlchemy adds RETURNING of the primary key to this INSERT).
        self.impl._exec(self.table.insert().values(version_num=_literal(version)))

    def delete_row(self, version: str) -> None:
        """Remove the head ``version`` (online: an error unless exactly one row matched)."""
        result = self._run("delete", version)
        self._check_rowcount(result, f"deleting '{version}'")

    def update_row(self, old: str, new: str) -> None:
        """Replace the head ``old`` by ``new`` (online: an error unless one row matched)."""
        result = self._run("update", old, new)
        self._check_rowcount(result, f"updating '{old}' to '{new}'")

    def _delete_construct(self, old: Any) -> Any:
        table = self.table
        return table.delete().where(table.c.version_num == old)

    def _update_construct(self, old: Any, new: Any) -> Any:
        table = self.table
        return table.update().values(version_num=new).where(table.c.version_num == old)

    def _run(self, kind: str, *versions: str) -> Any:
        """Execute the ``kind`` statement (``delete``: old; ``update``: old, new) for
        ``versions``: bound parameters online, a text template offline."""
        build = self._delete_construct if kind == "delete" else self._update_construct
        impl = self.impl
        if not impl.as_sql:
            construct = self._online.get(kind)
            if construct is None:
                construct = build(*(bindparam(f"v{i}") for i in range(len(versions))))
                self._online[kind] = construct
            return impl._exec(construct, params={f"v{i}": v for i, v in enumerate(versions)})
        if not all(_PLAIN_ID.match(v) for v in versions):
            return impl._exec(build(*(_literal(v) for v in versions)))
        parts = self._offline.get(kind)
        if parts is None:
            marks = _MARKS[: len(versions)]
            text = impl.render_statement(build(*(_literal(m) for m in marks)))
            parts = re.split("'(" + "|".join(marks) + ")'", text)
            if sorted(parts[1::2]) != sorted(marks):
                return impl._exec(build(*(_literal(v) for v in versions)))
            self._offline[kind] = parts
        out = []
        for i, part in enumerate(parts):
            out.append(f"'{versions[_MARKS.index(part)]}'" if i % 2 else part)
        impl.static_output("".join(out) + impl.command_terminator)
        impl.after_offline_statement()
        return None

    def _check_rowcount(self, result: Any, what: str) -> None:
        if self.impl.as_sql or result is None:
            return
        if self.impl.dialect.supports_sane_rowcount and result.rowcount != 1:
            raise CommandError(
                f"Online migration expected to match one row when {what} in "
                f"'{self.name}'; {result.rowcount} found"
            )

    # ------------------------------------------------------------------ hooks

    def add_hooks(self, hooks: VersionTableHooks) -> None:
        """Have ``hooks`` called around every step recorded in this table."""
        self._hooks.append(hooks)

    def step_recording(self, step: MigrationStep, heads: Iterable[str]) -> None:
        """Tell the hooks that ``step`` is about to move ``heads``."""
        if self._hooks:
            frozen = frozenset(heads)
            for hooks in self._hooks:
                hooks.before_step_recorded(step, frozen)

    def step_recorded(self, step: MigrationStep, heads: Iterable[str]) -> None:
        """Tell the hooks that ``step`` moved the heads to ``heads``."""
        if self._hooks:
            frozen = frozenset(heads)
            for hooks in self._hooks:
                hooks.after_step_recorded(step, frozen)


class VersionWriter:
    """The heads of one run (or one stamp) and their rows: INSERT, UPDATE, DELETE per step.

    Inside one run-wide transaction the context may *defer* the writes (``update_to_step(...,
    defer=True)``): :attr:`heads` moves in memory and :meth:`flush` later writes the difference
    between the rows the table holds and :attr:`heads`.
    """

    def __init__(self, recorder: VersionRecorder, heads: Iterable[str]) -> None:
        self.recorder = recorder
        self.heads: set[str] = set(heads)
        # While steps are deferred: the rows the table really holds (None: nothing deferred).
        self._stored: set[str] | None = None

    def _insert_version(self, version: str) -> None:
        assert version not in self.heads
        self.heads.add(version)
        if self._stored is None:
            self.recorder.insert_row(version)

    def _delete_version(self, version: str) -> None:
        self.heads.remove(version)
        if self._stored is None:
            self.recorder.delete_row(version)

    def _update_version(self, from_: str, to_: str) -> None:
        assert to_ not in self.heads
        self.heads.remove(from_)
        self.heads.add(to_)
        if self._stored is None:
            self.recorder.update_row(from_, to_)

    def update_to_step(self, step: MigrationStep, defer: bool = False) -> None:
        """Move the rows for ``step``; with ``defer``, only in memory until :meth:`flush`.

        Deferring is for a run inside one transaction on a database with transactional DDL:
        no one else can see the rows between two steps, so writing only the last state gives
        the same committed result (and the same rollback) with one statement instead of one
        per step. Without ``defer``, anything deferred is written first.
        """
        if defer:
            if self._stored is None:
                self._stored = set(self.heads)
        else:
            self.flush()
        self.recorder.step_recording(step, self.heads)
        for change in step.head_changes(set(self.heads)):  # type: ignore[attr-defined]
            kind = change[0]
            if kind == "insert":
                if change[1] not in self.heads:
                    self._insert_version(change[1])
            elif kind == "delete":
                if change[1] in self.heads:
                    self._delete_version(change[1])
            elif change[2] in self.heads:
                self._delete_version(change[1])
            else:
                self._update_version(change[1], change[2])
        self.recorder.step_recorded(step, self.heads)

    @property
    def pending(self) -> bool:
        """True when deferred steps have moved heads the table does not show yet."""
        return self._stored is not None and self._stored != self.heads

    def flush(self) -> None:
        """Write what deferred steps changed: the table goes from the rows it holds to
        :attr:`heads` (an UPDATE per replaced row, DELETE and INSERT for the rest)."""
        stored = self._stored
        if stored is None:
            return
        self._stored = None
        gone = sorted(stored - self.heads)
        new = sorted(self.heads - stored)
        heads = self.heads
        # Replayed through the per-step helpers (rowcount checks included) from the stored rows;
        # they end at ``heads`` again.
        self.heads = set(stored)
        try:
            while gone and new:
                self._update_version(gone.pop(), new.pop())
            for version in gone:
                self._delete_version(version)
            for version in new:
                self._insert_version(version)
        finally:
            self.heads = heads

    def flush_after_failure(self) -> None:
        """After a failed step, write the rows of the steps before it, as per-step writes had.

        They matter only when the migration ended the run's transaction itself
        (``op.execute("COMMIT")``): the earlier steps are committed, so their rows must be too.
        While the driver reports the transaction still open, the rollback that follows undoes
        everything and nothing is written. A failure here is not the error to report.
        """
        if not self.pending:
            return
        connection = self.recorder.impl.connection
        was_open = _driver_transaction_open(connection)
        if was_open is True:
            return
        try:
            self.flush()
            if was_open is False and _driver_transaction_open(connection) is True:
                # The rows opened a transaction of their own (pysqlite begins one before DML);
                # committing it commits them alone, as the server would without a transaction.
                connection.connection.dbapi_connection.commit()  # type: ignore[union-attr]
        except Exception:
            log.debug("Deferred version rows not written after a failed step", exc_info=True)


def _literal(value: str) -> Any:
    escaped = value.replace("'", "''")
    return literal_column(f"'{escaped}'")


def _driver_transaction_open(connection: Connection | None) -> bool | None:
    """Whether the DB-API connection says a transaction is open on the server; None when the
    driver cannot say. Read from libpq's status (psycopg2, psycopg) or sqlite3's flag; no
    statement is sent."""
    try:
        dbapi_connection = connection.connection.dbapi_connection  # type: ignore[union-attr]
    except Exception:
        return None
    status = getattr(getattr(dbapi_connection, "info", None), "transaction_status", None)
    if isinstance(status, int):
        return status != 0  # libpq's PQTRANS_IDLE
    in_transaction = getattr(dbapi_connection, "in_transaction", None)
    if isinstance(in_transaction, bool):
        return in_transaction
    return None
