"""``MigrationContext``: one database (or one offline script), its transactions and its run of steps.

Configured by ``env.py`` through ``EnvironmentContext.configure`` (or directly with
:meth:`MigrationContext.configure`), it runs migration steps either over a live connection, inside
transactions where the database can roll DDL back, or offline (``--sql``), writing every statement
to a SQL script with literal values inlined. The version table is asked through
:attr:`MigrationContext.version_recorder` (``runtime/version_table.py``), its one owner.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.engine.mock import MockConnection

from ..ddl.impl import DefaultImpl
from ..util.error_text import one_line
from ..util.exc import CommandError, PartialMigrationError
from .gc_policy import before_run
from .lock.guard import run_guarded
from .steps import MigrationInfo, MigrationStep, RevisionStep, StampStep
from .transactions import MigrationTransactions
from .version_table import VersionRecorder, VersionWriter

if TYPE_CHECKING:
    from sqlalchemy import Table

    from ..script.directory import ScriptDirectory
    from .history.recorder import HistoryRecorder

log = logging.getLogger("alembic.runtime.migration")  # Alembic's logger name (see README)

# RevisionStep and StampStep are also here, where Alembic has them (pytest-alembic's hints).
__all__ = [
    "HeadMaintainer",
    "MigrationContext",
    "MigrationInfo",
    "MigrationStep",
    "RevisionStep",
    "StampStep",
]


class _Environment(Protocol):
    """What a context needs of the ``EnvironmentContext`` that configured it: its ``Config``
    (named here without importing it, as ``config.py`` imports the command line)."""

    config: Any


class _EncodedOutput(io.TextIOWrapper):
    """A text wrapper that encodes into a binary buffer and never closes it."""

    def close(self) -> None:  # pragma: no cover - never closes the user's buffer
        pass


class HeadMaintainer(VersionWriter):
    """A run's version-row writer made from a context, under Alembic's name and signature.

    Kept for packages that build, subclass or patch ``alembic.runtime.migration.HeadMaintainer``;
    :meth:`MigrationContext.stamp` and :meth:`MigrationContext.run_migrations` make theirs
    through this name, so a replacement assigned here is the one they use.
    """

    def __init__(self, context: MigrationContext, heads: Iterable[str]) -> None:
        self.context = context
        super().__init__(context.version_recorder, heads)


class MigrationContext:
    """The state of one migration run against one database (or one offline script).

    Usually made by ``EnvironmentContext.configure``; standalone use::

        ctx = MigrationContext.configure(connection)
        ctx.get_current_revision()
    """

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        opts: Mapping[str, Any],
        environment_context: _Environment | None = None,
    ) -> None:
        self.environment_context = environment_context
        self.opts = dict(opts)
        self.dialect = dialect
        self.script: ScriptDirectory | None = self.opts.get("script")
        self.as_sql: bool = bool(self.opts.get("as_sql", False))
        self.purge: bool = bool(self.opts.get("purge", False))
        self._transaction_per_migration = bool(self.opts.get("transaction_per_migration", False))
        callbacks = self.opts.get("on_version_apply") or ()
        self.on_version_apply_callbacks: tuple[Callable[..., Any], ...] = (
            tuple(callbacks) if isinstance(callbacks, (list, tuple)) else (callbacks,)
        )
        self._migrations_fn: Callable[..., Iterable[MigrationStep]] | None = self.opts.get("fn")
        self._start_from_rev: Any = self.opts.get("starting_rev")
        self._head_maintainer: VersionWriter | None = None
        #: The applied history of the run in progress (or the last one), when kept.
        self.history: HistoryRecorder | None = None

        given_buffer = self.opts.get("output_buffer")
        self.output_buffer: TextIO = given_buffer if given_buffer is not None else sys.stdout
        if "output_encoding" in self.opts and self.opts["output_encoding"]:
            raw = self.output_buffer
            binary = getattr(raw, "buffer", raw)
            self.output_buffer = _EncodedOutput(
                binary, encoding=self.opts["output_encoding"], write_through=True
            )

        if self.as_sql:
            self.connection: Connection | None = MockConnection(dialect, self._dump_offline)  # type: ignore[assignment]
        else:
            self.connection = connection

        impl_cls = DefaultImpl.get_by_dialect(dialect)
        self.impl: DefaultImpl = impl_cls(
            dialect,
            self.connection,
            self.as_sql,
            self.opts.get("transactional_ddl"),
            self.output_buffer,
            self.opts,
        )
        #: When transactions begin and end (see ``runtime/transactions.py``).
        self.transactions = MigrationTransactions(
            self.connection,
            self.impl,
            as_sql=self.as_sql,
            per_migration=self._transaction_per_migration,
            before_leaving=self._flush_version_writes,
        )
        #: The owner of the version table: every read and write of it goes through this.
        self.version_recorder = VersionRecorder(
            self.impl,
            name=self.opts.get("version_table", "alembic_version"),
            schema=self.opts.get("version_table_schema"),
            primary_key=self.opts.get("version_table_pk", True),
        )
        self._log_setup()

    def _log_setup(self) -> None:
        """Log the implementation and the DDL mode (as Alembic does when a context is made)."""
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.as_sql:
            log.info("Generating static SQL")
        log.info(
            "Will assume %s DDL.",
            "transactional" if self.impl.transactional_ddl else "non-transactional",
        )

    # ------------------------------------------------------------------ construction

    @classmethod
    def configure(
        cls,
        connection: Connection | None = None,
        url: str | Any = None,
        dialect_name: str | None = None,
        dialect: Dialect | None = None,
        environment_context: _Environment | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        opts: Mapping[str, Any] | None = None,
    ) -> MigrationContext:
        """Build a context; the dialect comes from the connection, else the URL, else the name."""
        opts = dict(opts or {})
        if connection is not None:
            if isinstance(connection, Engine):
                raise CommandError(
                    "'connection' argument to configure() is expected to be a "
                    "sqlalchemy.engine.Connection instance, got an Engine; "
                    "use engine.connect() or engine.begin()"
                )
            found = connection.dialect
        elif url is not None:
            found = _dialect_from_url(url, dialect_opts)
        elif dialect_name is not None:
            found = _dialect_from_url(f"{dialect_name}://", dialect_opts)
        elif dialect is not None:
            found = dialect
        else:
            raise CommandError("Connection, url, dialect_name or dialect is required.")
        return cls(found, connection, opts, environment_context)

    # ------------------------------------------------------------------ offline output

    def _dump_offline(self, construct: Any, *multiparams: Any, **params: Any) -> None:
        self.impl._exec(construct)

    # ------------------------------------------------------------------ properties

    @property
    def bind(self) -> Connection | None:
        """The connection in use (a mock connection that writes SQL offline)."""
        return self.connection

    @property
    def config(self) -> Any:
        """The ``Config`` of the environment, when run through one."""
        if self.environment_context is not None:
            return self.environment_context.config
        return None

    @property
    def version_table(self) -> str:
        """The version table's name (``version_table`` of ``configure``)."""
        return self.version_recorder.name

    @property
    def version_table_schema(self) -> str | None:
        """The version table's schema (``version_table_schema`` of ``configure``)."""
        return self.version_recorder.schema

    # Alembic's attribute for the version ``Table``; packages read it and some replace it
    # (a wider ``version_num``). Both reach the recorder.
    @property
    def _version(self) -> Table:
        return self.version_recorder.table

    @_version.setter
    def _version(self, table: Table) -> None:
        self.version_recorder.table = table

    # ------------------------------------------------------------------ transactions

    def begin_transaction(self, _per_migration: bool = False) -> AbstractContextManager[Any]:
        """A logical transaction block around migrations.

        With transactional DDL: one real transaction around the whole run, or one per migration
        with ``transaction_per_migration``. Without it: one per migration online, none offline.
        Inside a transaction the caller already began on the connection, this does nothing.
        """
        return self.transactions.begin(_per_migration)

    def autocommit_block(self) -> AbstractContextManager[None]:
        """Run the block outside any transaction (PG ``CREATE INDEX CONCURRENTLY``, ...).

        Commits the current transaction, switches the connection to AUTOCOMMIT, and afterwards
        restores the isolation level and begins a new transaction. Offline, writes COMMIT/BEGIN.
        """
        return self.transactions.autocommit_block()

    # Alembic's attributes for the open migration transaction and the caller's one.
    @property
    def _transaction(self) -> Any:
        return self.transactions.current

    @_transaction.setter
    def _transaction(self, transaction: Any) -> None:
        self.transactions.current = transaction

    @property
    def _in_external_transaction(self) -> bool:
        return self.transactions.external

    # ------------------------------------------------------------------ version table

    def _has_version_table(self) -> bool:
        return self.version_recorder.exists()

    def _ensure_version_table(self, purge: bool = False) -> None:
        with self.transactions.housekeeping():
            self.version_recorder.create(checkfirst=True)
            if purge:
                self.version_recorder.delete_all_rows()

    def get_current_revision(self) -> str | None:
        """The single current revision, or None (an error if several heads are applied)."""
        heads = self.get_current_heads()
        if not heads:
            return None
        if len(heads) > 1:
            raise CommandError(
                f"Version table '{self.version_table}' has more than one head present; please use "
                "get_current_heads()"
            )
        return heads[0]

    def get_current_heads(self) -> tuple[str, ...]:
        """The revisions the version table records (offline: the assumed starting point)."""
        if self.as_sql:
            return self.version_recorder.assumed_heads(self._start_from_rev, self.script)
        if self._start_from_rev:
            raise CommandError("Can't specify current_rev to context when using a database connection")
        return self.version_recorder.read_heads()

    def stamp(self, script_directory: ScriptDirectory, revision: str | Iterable[str]) -> None:
        """Set the version table to ``revision`` without running migrations."""
        from .steps import stamp_steps

        def start() -> tuple[str, ...]:
            heads = self.get_current_heads()
            if not self.as_sql and not heads:
                self._ensure_version_table()
            return heads

        def write(heads: tuple[str, ...], steps: Iterable[MigrationStep]) -> None:
            maintainer = HeadMaintainer(self, heads)
            for step in steps:
                maintainer.update_to_step(step)

        # under the migration lock (see runtime/lock/guard.py), like run_migrations
        run_guarded(self, start, lambda heads: stamp_steps(script_directory, revision, heads), write)

    # ------------------------------------------------------------------ running

    def run_migrations(self, **kw: Any) -> None:
        """Run the steps that ``fn(heads, context)`` returns, moving the version table with each.

        Each step runs in ``begin_transaction(_per_migration=True)``; ``kw`` is passed to each
        ``upgrade()``/``downgrade()``. Inside one transaction for the whole run, the version
        table is written once at the end instead of after every step (see
        :meth:`_can_defer_version_writes`); the committed result is the same. Online, the run
        holds the migration lock and its statements the configured timeouts (see
        ``runtime/lock/guard.py``).
        """
        before_run()
        self.impl.start_migrations()
        fn = self._migrations_fn
        assert fn is not None, "run_migrations needs an 'fn' to plan steps"
        run_guarded(
            self,
            self._starting_heads,
            lambda heads: fn(heads, self),
            lambda heads, steps: self._run_steps(heads, steps, kw),
        )

    def _run_steps(
        self, heads: tuple[str, ...], steps: Iterable[MigrationStep], kw: dict[str, Any]
    ) -> None:
        """Run ``steps`` from ``heads`` (the body of :meth:`run_migrations`)."""
        maintainer = HeadMaintainer(self, heads)
        self._head_maintainer = maintainer
        starting = self.opts.get("on_step_start")
        progress = self.opts.get("on_step_done")
        callbacks = self.on_version_apply_callbacks
        history = self._history_for_run()
        try:
            for step in steps:
                if history is not None:
                    history.prepare(heads)  # before anything runs: checksums, tables, adoption
                if starting is not None:
                    starting(step)
                started = time.perf_counter()
                self.impl.statements_in_step = []
                with self.begin_transaction(_per_migration=True):
                    if self.as_sql and not maintainer.heads:
                        self.version_recorder.create()
                    log.info("Running %s", step)
                    if self.as_sql:
                        self.impl.static_output(f"-- Running {step.short_log}")
                    if history is not None:
                        history.step_started(step)
                    try:
                        step.migration_fn(**kw)
                        if history is not None:
                            history.step_ran(step)
                    except Exception as err:
                        if history is not None:
                            history.step_failed(step, err)
                        maintainer.flush_after_failure()
                        if history is None or not history.owns(err):
                            self._report_partial_failure(step, err)
                        raise
                    except BaseException as err:
                        if history is not None:
                            history.step_failed(step, err)
                        raise
                    # on_version_apply callbacks may read the version table: with them, every
                    # step writes its rows as it always did.
                    defer = not callbacks and self._can_defer_version_writes()
                    maintainer.update_to_step(step, defer=defer)
                    if history is not None:
                        history.step_recorded(step, defer)
                    for callback in callbacks:
                        callback(
                            ctx=self, step=step.info, heads=set(maintainer.heads), run_args=kw
                        )
                if progress is not None:
                    progress(step, time.perf_counter() - started)
            maintainer.flush()
            if history is not None:
                history.flush()
        finally:
            self._head_maintainer = None

    def _history_for_run(self) -> HistoryRecorder | None:
        """The applied history of an online run of the project's revisions that may move the
        version table (see ``runtime/history/``), or None: offline, read-only commands, a context
        made without a script directory (no revision files to checksum), ``applied_history =
        false``."""
        self.history = None
        if self.as_sql or self.connection is None or self.opts.get("dont_mutate"):
            return None
        if self.script is None:
            return None
        from .history.recorder import HistoryRecorder
        from .history.settings import read_history_settings

        settings = read_history_settings(self.opts, self.config)
        if not settings.enabled:
            return None
        self.history = HistoryRecorder(self, settings)
        return self.history

    def _starting_heads(self) -> tuple[str, ...]:
        """The heads a run starts from. Online, the version table is made ready for the run's
        writes (emptied first with ``purge``) unless the command must not change the database."""
        if self.purge:
            if self.as_sql:
                raise CommandError("Can't use --purge with --sql mode")
            self._ensure_version_table(purge=True)
            return ()
        heads = self.get_current_heads()
        if not self.as_sql and not heads and not self.opts.get("dont_mutate"):
            self._ensure_version_table()
        return heads

    def _can_defer_version_writes(self) -> bool:
        """Whether the version rows of the step just run may wait for a later step.

        Only online, with transactional DDL, inside the one transaction that
        :meth:`begin_transaction` opened for the whole run (not one per migration): there no
        other session sees the rows between two steps, and a failure rolls back the steps and
        their rows together. The rows are written before that transaction can end
        (``autocommit_block``) and at the end of the run. With ``on_version_apply`` callbacks
        every step writes its own rows, and so it does inside a transaction the caller began:
        that one is not ours to reason about (with pysqlite, DDL outside a driver-level BEGIN
        commits at once).
        """
        if self.as_sql or self._transaction_per_migration or not self.impl.transactional_ddl:
            return False
        if not type(self.impl).transactional_ddl:
            # transactional_ddl=True given for a database whose DDL commits by itself: each
            # DDL statement commits the rows written before it, so they must be there.
            return False
        return self.transactions.is_open()

    def _flush_version_writes(self) -> None:
        """Write the version rows deferred so far (see :meth:`_can_defer_version_writes`), and
        the history rows waiting with them."""
        if self._head_maintainer is not None:
            self._head_maintainer.flush()
            if self.history is not None:
                self.history.flush()

    def write_pending_versions(self) -> None:
        """Write the version rows of the steps run so far, if they wait for the end of the
        run: called before a statement that may commit (``op.execute("COMMIT")``), so that
        what it commits includes them, as it would with one write per step."""
        self.transactions.note_commit()
        self._flush_version_writes()

    def _report_partial_failure(self, step: MigrationStep, err: Exception) -> None:
        """On a non-transactional database, say which statements of the step stay applied."""
        if self.as_sql or self.impl.transactional_ddl:
            return
        done = self.impl.statements_in_step
        if not done:
            return
        listing = "; ".join(done)
        resume = ""
        if self.history is not None and self.history.journal is not None:
            resume = " They are journalled: the next upgrade resumes after them."
        raise PartialMigrationError(
            f"{step.short_log} failed on {self.dialect.name}, which commits each DDL statement: "
            f"{len(done)} statement(s) of it stay applied and were NOT rolled back: {listing}. "
            f"The version table was not moved.{resume} Error: {one_line(err)}",
            applied_statements=list(done),
        ) from err

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Run a SQL string or construct (same as ``op.execute``)."""
        self.impl._exec(sql, execution_options)


def _dialect_from_url(url: Any, dialect_opts: Mapping[str, Any] | None) -> Dialect:
    if str(url) == "default://":
        # SQLAlchemy's generic dialect has no URL scheme of its own.
        from sqlalchemy.engine.default import DefaultDialect

        return DefaultDialect(**dict(dialect_opts or {}))
    try:
        parsed = make_url(url)
        dialect_cls = parsed.get_dialect()
    except Exception as err:
        raise CommandError(f"Can't use database URL {str(url)!r}: {one_line(err)}") from err
    return dialect_cls(**dict(dialect_opts or {}))
