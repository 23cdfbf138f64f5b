"""The traced run behind ``dbshift trace``: revisions executed on one connection inside a
transaction the tracer owns, the session's locks read after every statement, then a rollback.

:class:`Tracer` listens to the connection's statements (``before_cursor_execute`` /
``after_cursor_execute``) and, after each one, reads ``pg_locks`` through a cursor of its own;
locks it had not seen are "taken" by that statement and held until the transaction ends.
:class:`TracingOperations` runs every operation except those that cannot run inside a
transaction (``autocommit_block`` bodies, ``ALTER TYPE ... ADD VALUE``, ``COMMIT``), which are
listed as not traced.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from ..ddl.postgresql_locks import (
    HeldLock,
    lock_strength,
    session_locks,
    user_relation_oids,
)
from ..operations import Operations
from ..operations import ops as op_classes
from ..runtime.migration import MigrationContext
from ..util.error_text import one_line
from ..util.module_proxy import install_target, remove_target
from .lint.recording import compiled_statements, ends_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..operations.ops import MigrateOperation
    from ..script import Script

__all__ = ["TRACE_LOCK_TIMEOUT", "Tracer", "TracingContext", "TracingOperations"]

#: How long a traced statement may wait for a lock another session holds.
TRACE_LOCK_TIMEOUT = "10s"


@dataclass
class _LockTaken:
    relation: str
    schema: str | None
    kind: str
    mode: str
    new: bool


@dataclass
class _TracedStatement:
    index: int
    revision: str
    sql: str
    elapsed_ms: float
    locks_taken: list[_LockTaken] = field(default_factory=list)


class Tracer:
    """Runs revisions on one connection and reads the session's locks after each statement."""

    def __init__(self, context: MigrationContext) -> None:
        self.context = context
        connection = context.connection
        assert connection is not None
        self.connection: Connection = connection
        self.statements: list[_TracedStatement] = []
        self.not_traced: list[dict[str, Any]] = []
        self.revision = ""
        self.held: dict[tuple[int, str], HeldLock] = {}
        self.first_seen: dict[tuple[int, str], tuple[float, int]] = {}
        self.names: dict[int, tuple[str, str | None, str]] = {}
        self.existing: set[int] = set()
        self.started_at = 0.0
        self.statement_started = 0.0

    # ---------------------------------------------------------------- running

    def run(self, revisions: list[Script]) -> dict[str, Any]:
        connection = self.connection
        outer = connection.begin_nested() if connection.in_transaction() else connection.begin()
        error: dict[str, str] | None = None
        try:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{TRACE_LOCK_TIMEOUT}'")
            dbapi = connection.connection.dbapi_connection
            self.existing = user_relation_oids(dbapi)
            self._remember(self._read_locks())
            event.listen(connection, "before_cursor_execute", self._before)
            event.listen(connection, "after_cursor_execute", self._after)
            self.started_at = time.perf_counter()
            try:
                for script in revisions:
                    self.revision = script.revision
                    try:
                        self._run_revision(script)
                    except Exception as err:
                        error = {"revision": script.revision, "message": one_line(err)}
                        break
            finally:
                event.remove(connection, "before_cursor_execute", self._before)
                event.remove(connection, "after_cursor_execute", self._after)
            ended_at = time.perf_counter()
        finally:
            outer.rollback()
        return {
            "steps": [
                {"revision": s.revision, "from": list(s.versioned_down_revisions), "doc": s.doc}
                for s in revisions
            ],
            "statements": [asdict(s) for s in self.statements],
            "not_traced": self.not_traced,
            "summary": self._summary(ended_at),
            "error": error,
            "rolled_back": True,
        }

    def _run_revision(self, script: Script) -> None:
        context = TracingContext.for_context(self.context, self.connection)
        operations = TracingOperations(context, self)
        install_target(Operations, operations)
        try:
            script.module.upgrade()
        finally:
            remove_target(Operations)

    # ---------------------------------------------------------------- statement hooks

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statement_started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        elapsed = (time.perf_counter() - self.statement_started) * 1000
        now = time.perf_counter()
        locks = self._read_locks()
        traced = _TracedStatement(
            len(self.statements) + 1, self.revision, statement.strip(), round(elapsed, 3)
        )
        for lock in locks:
            key = (lock.oid, lock.mode)
            if key not in self.held:
                name, schema, kind = self.names[lock.oid]
                traced.locks_taken.append(
                    _LockTaken(name, schema, kind, lock.mode, lock.oid not in self.existing)
                )
                self.first_seen[key] = (now, traced.index)
        self.statements.append(traced)
        self._remember(locks)

    def _read_locks(self) -> list[HeldLock]:
        locks = session_locks(self.connection.connection.dbapi_connection)
        for lock in locks:
            if lock.relation is not None and lock.oid not in self.names:
                self.names[lock.oid] = (lock.relation, lock.schema, lock.kind)
            elif lock.oid not in self.names:
                # gone from pg_class already: the transient copy a table rewrite makes
                self.names[lock.oid] = (f"dropped relation {lock.oid}", None, "transient")
        return locks

    def _remember(self, locks: list[HeldLock]) -> None:
        for lock in locks:
            self.held.setdefault((lock.oid, lock.mode), lock)

    def skip(self, operation: MigrateOperation, reason: str) -> None:
        """Record an operation that is not run (it cannot run inside the transaction)."""
        for sql in compiled_statements(operation, self.context.dialect) or [repr(operation)]:
            self.not_traced.append({"revision": self.revision, "sql": sql, "reason": reason})

    # ---------------------------------------------------------------- summary

    def _summary(self, ended_at: float) -> list[dict[str, Any]]:
        strongest: dict[int, tuple[str, float, int]] = {}
        for (oid, mode), (seen, index) in self.first_seen.items():
            current = strongest.get(oid)
            if current is None or lock_strength(mode) > lock_strength(current[0]) or (
                mode == current[0] and seen < current[1]
            ):
                strongest[oid] = (mode, seen, index)
        rows = []
        for oid, (mode, seen, index) in strongest.items():
            name, schema, kind = self.names[oid]
            if kind in ("index", "transient"):
                continue
            rows.append(
                {
                    "relation": name,
                    "schema": schema,
                    "kind": kind,
                    "mode": mode,
                    "held_seconds": round(ended_at - seen, 6),
                    "new": oid not in self.existing,
                    "statement": index,
                }
            )
        rows.sort(key=lambda r: (-lock_strength(r["mode"]), -r["held_seconds"], r["relation"]))
        return rows


class TracingContext(MigrationContext):
    """The migration context revisions run with: the caller's connection, whose transaction the
    tracer owns, and an ``autocommit_block`` that only marks the operations inside (the
    operations skip them)."""

    autocommit_depth = 0

    @classmethod
    def for_context(cls, context: MigrationContext, connection: Connection) -> TracingContext:
        opts = {
            k: v for k, v in context.opts.items()
            if k not in ("fn", "as_sql", "output_buffer", "transaction_per_migration")
        }
        return cls(context.dialect, connection, opts, context.environment_context)

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        self.autocommit_depth += 1
        try:
            yield
        finally:
            self.autocommit_depth -= 1


class TracingOperations(Operations):
    """The ``op`` of a traced revision: runs every operation, except those that cannot run
    inside the transaction, which the tracer lists instead."""

    def __init__(self, context: TracingContext, tracer: Tracer) -> None:
        super().__init__(context)
        self._tracer = tracer

    def invoke(self, operation: MigrateOperation) -> Any:
        context = self.migration_context
        if getattr(context, "autocommit_depth", 0):
            self._tracer.skip(operation, "runs outside the transaction (autocommit_block)")
            return None
        if isinstance(operation, op_classes.EnumTypeOp) and operation.needs_autocommit:
            self._tracer.skip(operation, "runs outside the transaction (ADD VALUE)")
            return None
        if isinstance(operation, op_classes.ExecuteSQLOp) and ends_transaction(operation):
            self._tracer.skip(operation, "would end the traced transaction")
            return None
        return super().invoke(operation)

