"""The applied history of one migration run: what the context calls around each step.

:class:`HistoryRecorder` is made by ``MigrationContext`` for an online run that moves the
version table (unless ``applied_history = false``). Before the first step it checks the table's
shape, compares the applied revisions' recorded checksums with their files (a change stops the
run before anything ran), creates the tables on first use, and has the applied revisions that
have no checksum yet (a database Alembic migrated) recorded as ``adopted``. Each step adds a row;
rows are written in the step's transaction, or together when the run's one transaction defers
the version rows. On databases whose DDL commits by itself the step's statements are journalled
(:mod:`.journal`) so that a run killed half-way resumes.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ...util.error_text import one_line
from ...util.exc import CommandError
from .checksums import file_checksum
from .table import HistoryRow, HistoryTable
from .verification import changed_message, check_applied, recorded_checksums

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..steps import MigrationStep
    from .journal import StatementJournal
    from .journal_table import JournalTable
    from .settings import HistorySettings

__all__ = ["HistoryRecorder", "run_identity"]


# The MigrationContext that makes the recorder (not imported: it imports this module).
MigrationContext = Any


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def run_identity() -> tuple[str, str, str]:
    """(user, host, dbshift version) written in every row."""
    from ... import __version__

    try:
        user = getpass.getuser()
    except Exception:
        user = os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    return user, socket.gethostname(), __version__


class HistoryRecorder:
    """The history (and, where DDL commits by itself, the statement journal) of one run."""

    def __init__(self, context: MigrationContext, settings: HistorySettings) -> None:
        self.context = context
        self.settings = settings
        recorder = context.version_recorder
        self.table = HistoryTable(recorder.name, recorder.schema)
        self.journal: StatementJournal | None = None
        self._journal_table: JournalTable | None = None
        impl = context.impl
        if not impl.transactional_ddl and impl.journal_noop_sql() is not None:
            from .journal_table import JournalTable

            self._journal_table = JournalTable(recorder.name, recorder.schema)
        self._prepared = False
        self._pending: list[HistoryRow] = []
        self._identity = run_identity()
        self._started: tuple[datetime, float, str | None] | None = None
        self._failure: HistoryRow | None = None

    @property
    def _connection(self) -> Any:
        return self.context.connection

    # -- before the first step -----------------------------------------------------------------

    def prepare(self, heads: Sequence[str]) -> None:
        """Check shape and checksums, create the tables, adopt unrecorded revisions (once)."""
        if self._prepared:
            return
        self._prepared = True
        connection = self._connection
        exists = self.table.exists(connection)
        journal_exists = (
            self._journal_table.exists(connection) if self._journal_table is not None else False
        )
        rows = self.table.read(connection) if exists else []
        recorded = recorded_checksums(rows)
        script = self.context.script
        checks = check_applied(script, heads, recorded) if script is not None else []
        bad = [c for c in checks if c.status in ("changed", "missing")]
        if bad and not self.settings.allow_changed:
            raise CommandError(changed_message(bad, self.table.display_name))
        with self.context.transactions.housekeeping():
            if not exists:
                self.table.create(connection)
            if self._journal_table is not None and not journal_exists:
                self._journal_table.create(connection)
        now = _now()
        user, host, version = self._identity
        for check in checks:
            if check.status == "unrecorded":
                self._pending.append(
                    HistoryRow(
                        check.revision, "adopt", "adopted", now, now, 0.0, check.current,
                        user, host, version,
                        "applied before dbshift kept history: checksum of the file as found",
                    )
                )
        if self._journal_table is not None:
            from .journal import StatementJournal

            entries = self._journal_table.read(connection) if journal_exists else {}
            self.journal = StatementJournal(self._journal_table, self.context.impl, entries)

    # -- each step -------------------------------------------------------------------------------

    def step_started(self, step: MigrationStep) -> None:
        """``step`` is about to run (inside its transaction, if it has one)."""
        revision = getattr(step, "revision", None)
        path = getattr(revision, "path", None)
        checksum = None
        if path is not None:
            try:
                checksum = file_checksum(path)
            except OSError:
                checksum = None
        self._started = (_now(), time.perf_counter(), checksum)
        if self.journal is not None and revision is not None:
            self.journal.begin_step(self._connection, revision.revision, step.name, checksum)

    def step_ran(self, step: MigrationStep) -> None:
        """The step's function returned (the journal checks nothing it recorded was left out)."""
        if self.journal is not None and getattr(step, "revision", None) is not None:
            self.journal.end_step()

    def step_recorded(self, step: MigrationStep, defer: bool) -> None:
        """The version table moved for ``step``: its row is written now, or with the run's
        version rows when ``defer``."""
        revision = getattr(step, "revision", None)
        if revision is None or self._started is None:
            return
        started, began, checksum = self._started
        self._started = None
        elapsed = time.perf_counter() - began
        user, host, version = self._identity
        detail = None
        if self.journal is not None:
            if self.journal.skipped:
                detail = (
                    f"resumed: {self.journal.skipped} statement(s) applied by an interrupted run "
                    "were skipped"
                )
            self.journal.clear()
        self._pending.append(
            HistoryRow(
                revision.revision, step.name, "ok", started, started + timedelta(seconds=elapsed),
                round(elapsed * 1000, 3), checksum, user, host, version, detail,
            )
        )
        if not defer:
            self.flush()

    def step_failed(self, step: MigrationStep, error: BaseException) -> None:
        """The step failed: its row is kept for :meth:`write_failure` (after the rollback)."""
        if self.journal is not None:
            self.journal.step_failed()
        revision = getattr(step, "revision", None)
        if revision is None or self._started is None or self.owns(error):
            return
        started, began, checksum = self._started
        user, host, version = self._identity
        self._failure = HistoryRow(
            revision.revision, step.name, "failed", started, _now(),
            round((time.perf_counter() - began) * 1000, 3), checksum, user, host, version,
            one_line(error)[:1000],
        )

    def owns(self, error: BaseException) -> bool:
        """Whether ``error`` is the journal's refusal (reported as it is)."""
        return bool(getattr(error, "states_the_database", False))

    def flush(self) -> None:
        """Write the rows waiting for the run's transaction."""
        if self._pending:
            rows, self._pending = self._pending, []
            self.table.insert(self._connection, rows)

    def write_failure(self) -> None:
        """After the run failed and rolled back: record the failed step over a connection of
        its own, where the history table exists (kept by the database)."""
        failure, self._failure = self._failure, None
        if failure is None or self.context.as_sql:
            return
        engine = getattr(self._connection, "engine", None)
        if engine is None:
            return
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return
        try:
            with engine.connect() as connection:
                if self.table.exists(connection):
                    self.table.insert(connection, [failure])
                    connection.commit()
        except Exception:
            pass  # the error of the run is what gets reported


def record_accepted(
    context: MigrationContext,
    table: HistoryTable,
    exists: bool,
    revision: str,
    checksum: str,
    previous: str | None,
) -> None:
    """``verify --accept``: a row recording ``checksum`` as the file of the applied ``revision``
    (committed; the table is created first when the database has none yet)."""
    connection = context.connection
    now = _now()
    user, host, version = run_identity()
    detail = f"accepted by verify --accept; recorded before: {previous or 'none'}"
    with context.transactions.housekeeping():
        if not exists:
            table.create(connection)
        table.insert(
            connection,
            [HistoryRow(revision, "accept", "accepted", now, now, 0.0, checksum, user, host,
                        version, detail)],
        )
