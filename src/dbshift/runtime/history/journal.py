"""Resume on databases whose DDL commits by itself: every statement a revision runs is journalled.

While a step runs, SQLAlchemy's cursor events see every statement on the run's connection (from
``op.*``, ``op.execute`` and ``op.get_bind().execute`` alike). Reads (``SELECT``, ``SHOW`` ...) and
session statements (``SET``, ``USE``) run as they are; every other statement gets a position in
the step and a hash of its SQL and parameters:

* a data statement (``INSERT``/``UPDATE``/``DELETE``/``REPLACE``/``MERGE``) is journalled after it
  ran, in the same transaction, so it and its journal row commit together or not at all;
* any other statement may commit by itself: before it is sent, a ``running`` row carrying a
  fingerprint of the schema is written (the statement's own implicit commit commits it), and
  after it ran the row becomes ``done``. A run killed between the two leaves ``running``: on the
  next run, a schema that differs from the fingerprint means the statement was applied.

When the step of a revision that has journal rows runs again, each statement is compared with the
row of its position: same hash and applied, it is skipped (a no-op is sent instead); a different
hash is a difference. Before the first statement that must really run, any difference stops the
run with the list of them, nothing having been executed. The rows are deleted in the transaction
that moves the version table.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from ...util.exc import CommandError
from .journal_table import JournalEntry, JournalTable

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...ddl.impl import DefaultImpl

__all__ = ["JournalMismatch", "StatementJournal", "statement_kind"]

_FIRST_WORD = re.compile(r"(?:\s|--[^\n]*\n|/\*.*?\*/|\()*([A-Za-z]+)", re.DOTALL)
_READS = frozenset(("SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "HELP", "VALUES", "TABLE"))
_SESSION = frozenset(
    ("SET", "USE", "DO", "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
)
_DATA = frozenset(("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE"))
_WRITES_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)


class JournalMismatch(CommandError):
    """The journal of an interrupted step does not match what the revision runs now."""

    #: Its message says where the database stands (the progress printer adds nothing).
    states_the_database = True


def statement_kind(sql: str) -> str:
    """``read``, ``session``, ``data`` or ``ddl`` (anything that may commit by itself)."""
    match = _FIRST_WORD.match(sql)
    word = match.group(1).upper() if match else ""
    if word in _READS:
        return "read"
    if word in _SESSION:
        return "session"
    if word in _DATA:
        return "data"
    if word == "WITH":
        return "data" if _WRITES_IN_WITH.search(sql) else "read"
    return "ddl"


def statement_hash(statement: str, parameters: Any) -> str:
    """The hash recorded for a statement: its SQL and its parameters."""
    digest = hashlib.sha256(statement.encode("utf-8"))
    if parameters:
        digest.update(b"\0" + repr(parameters).encode("utf-8"))
    return digest.hexdigest()


def _excerpt(statement: str) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= 200 else text[:197] + "..."


class StatementJournal:
    """The journal of one run (see the module docstring): armed around each step's function."""

    def __init__(
        self,
        table: JournalTable,
        impl: DefaultImpl,
        entries: dict[tuple[str, str], dict[int, JournalEntry]],
    ) -> None:
        self.table = table
        self.impl = impl
        self.dialect = impl.dialect
        noop = impl.journal_noop_sql()
        assert noop is not None
        self._noop: str = noop
        #: Journal rows left by earlier runs, by (revision, direction).
        self.entries = entries
        self._connection: Connection | None = None
        self._key: tuple[str, str] = ("", "")
        self._checksum: str | None = None
        self._old: dict[int, JournalEntry] = {}
        self._position = 0
        self._differences: list[str] = []
        self._after: tuple[str, int] | None = None
        self._running: int | None = None
        self._written = False
        self._fingerprint: str | None = None
        self.skipped = 0

    # -- a step --------------------------------------------------------------------------------

    def begin_step(
        self, connection: Connection, revision: str, direction: str, checksum: str | None
    ) -> None:
        """Start journalling the statements of one step."""
        self._connection = connection
        self._key = (revision, direction)
        self._checksum = checksum
        self._old = self.entries.pop(self._key, {})
        self._position = 0
        self._differences = []
        self._after = None
        self._running = None
        self._written = bool(self._old)
        self._fingerprint = None
        self.skipped = 0
        event.listen(connection, "before_cursor_execute", self._before, retval=True)
        event.listen(connection, "after_cursor_execute", self._after_execute)

    def _disarm(self) -> None:
        connection = self._connection
        if connection is not None:
            event.remove(connection, "before_cursor_execute", self._before)
            event.remove(connection, "after_cursor_execute", self._after_execute)

    def end_step(self) -> None:
        """The step's function returned: stop journalling; an error if earlier statements
        differ or were left out; the rows are cleared (by :meth:`clear`, in the step's
        transaction, once the version table moved)."""
        self._disarm()
        for position in sorted(self._old):
            entry = self._old[position]
            if position >= self._position and entry.state == "done":
                self._differences.append(
                    f"statement {position + 1} ({entry.sql_text}) was applied but the revision "
                    "no longer runs it"
                )
        if self._differences:
            raise self._mismatch()

    def clear(self) -> None:
        """Delete the step's rows (called in the transaction that moves the version table)."""
        if self._written and self._connection is not None:
            self.table.clear(self._connection, *self._key)

    def step_failed(self) -> None:
        """The step failed: stop journalling; a statement the database refused is recorded as
        ``failed`` (committed: nothing of the step is pending once such a statement ran)."""
        self._disarm()
        if self._running is None or self._connection is None:
            return
        try:
            self._raw(
                self.table.set_state_sql(self.dialect, *self._key, self._running, "failed")
            )
            self._commit()
        except Exception:
            pass  # the next run reads the fingerprint instead

    @property
    def applied(self) -> int:
        """Statements of the step journalled so far (skipped ones included)."""
        return self._position

    # -- cursor events -------------------------------------------------------------------------

    def _before(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> tuple[str, Any]:
        kind = statement_kind(statement)
        if kind in ("read", "session"):
            return statement, parameters
        position = self._position
        self._position += 1
        digest = statement_hash(statement, parameters)
        old = self._old.get(position)
        if old is not None and old.state in ("done", "running"):
            if old.state == "running" and not self._applied(old):
                pass  # sent but not applied: run it (whatever it is now)
            elif old.sql_hash == digest:
                if old.state == "running":
                    self._raw(self.table.set_state_sql(self.dialect, *self._key, position, "done"))
                self.skipped += 1
                return self._noop, ([()] if many else ())
            else:
                self._differences.append(
                    f"statement {position + 1} was {old.sql_text!r}, is now {_excerpt(statement)!r}"
                )
                return self._noop, ([()] if many else ())
        if self._differences:
            raise self._mismatch()
        if any(p >= position for p in self._old):
            self._raw(self.table.delete_from_sql(self.dialect, *self._key, position))
            self._old = {p: e for p, e in self._old.items() if p < position}
        entry = JournalEntry(
            self._key[0], self._key[1], position, digest, "running", _excerpt(statement),
            None, self._checksum,
        )
        self._written = True
        if kind == "data":
            self._after = ("insert", position)
            self._pending_entry = entry
        else:
            fingerprint = self._schema_fingerprint()
            self._raw(
                self.table.insert_sql(
                    self.dialect,
                    JournalEntry(**{**entry.__dict__, "schema_before": fingerprint}),
                )
            )
            self._after = ("done", position)
            self._running = position
        return statement, parameters

    def _after_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        after, self._after = self._after, None
        if after is None:
            return
        what, position = after
        if what == "insert":
            entry = JournalEntry(**{**self._pending_entry.__dict__, "state": "done"})
            self._raw(self.table.insert_sql(self.dialect, entry))
        else:
            self._running = None
            self._fingerprint = None
            # The statement committed by itself and nothing else is pending: committing the
            # row now leaves ``running`` only to a kill in between.
            self._raw(self.table.set_state_sql(self.dialect, *self._key, position, "done"))
            self._commit()

    # -- helpers -------------------------------------------------------------------------------

    def _applied(self, entry: JournalEntry) -> bool:
        """Whether a statement left ``running`` was applied: the schema changed since."""
        return entry.schema_before is None or self._schema_fingerprint() != entry.schema_before

    def _schema_fingerprint(self) -> str:
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for sql in self.impl.schema_fingerprint_sql():
                for row in self._raw(sql, fetch=True):
                    digest.update(repr(tuple(row)).encode("utf-8"))
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def _raw(self, sql: str, fetch: bool = False) -> list[Any]:
        assert self._connection is not None
        cursor = self._connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            return sorted(cursor.fetchall(), key=repr) if fetch else []
        finally:
            cursor.close()

    def _commit(self) -> None:
        assert self._connection is not None
        self._connection.connection.dbapi_connection.commit()  # type: ignore[union-attr]

    def _mismatch(self) -> JournalMismatch:
        revision, direction = self._key
        listing = "; ".join(self._differences)
        return JournalMismatch(
            f"Revision {revision}: the journal of its interrupted {direction} does not match the "
            f"revision file now: {listing}. Nothing was run; restore the file as it was, or "
            f"repair the database by hand and delete the rows of {revision} from "
            f"{self.table.display_name}"
        )
