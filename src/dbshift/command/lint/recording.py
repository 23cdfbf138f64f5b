"""Recording mode: run a revision's ``upgrade()`` and keep the operation objects, not the SQL.

:class:`RecordingContext` is an offline :class:`~dbshift.runtime.migration.MigrationContext`
(no database) that notes where ``autocommit_block`` starts and ends and hands out a stand-in for
``op.get_bind()``; :class:`RecordingOperations` is the ``op`` the revision sees while it runs:
every ``op.*`` call becomes a :class:`RecordedOp` with the file and line of the call, whether it
ran inside an ``autocommit_block``, which transaction it belongs to and, inside
``batch_alter_table``, its batch. Nothing is executed; with ``compile_sql`` each op is also
compiled for the target dialect so that ``plan`` can show its statements.

A revision that needs a database (it reads data through ``op.get_bind()``, or branches on what it
finds) stops where it first uses the stand-in; :func:`record_revision` reports it as needing a
connection, with the operations recorded up to there. Given a live connection, the same revision
runs with the real connection behind ``op.get_bind()`` (the caller wraps that in a transaction it
rolls back); its ``op.*`` calls are still only recorded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...operations import BatchOperations, Operations
from ...operations import ops as op_classes
from ...runtime.environment import EnvironmentContext
from ...runtime.migration import MigrationContext
from ...util.error_text import one_line
from ...util.module_proxy import install_target, remove_target

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

    from ...config import Config
    from ...operations.ops import MigrateOperation
    from ...script import Script, ScriptDirectory

__all__ = [
    "BUILTIN_OPS",
    "BatchRecord",
    "NeedsConnection",
    "RecordedOp",
    "RevisionRecording",
    "compiled_statements",
    "ends_transaction",
    "record_revision",
]

#: The op classes dbshift itself defines: recorded without running their implementation.
BUILTIN_OPS = frozenset(getattr(op_classes, name) for name in op_classes.__all__)


class NeedsConnection(Exception):
    """Raised by the offline stand-in for ``op.get_bind()`` when a revision uses the database."""


@dataclass
class BatchRecord:
    """One ``batch_alter_table`` block: its table, call site, and whether it rebuilds the table."""

    table_name: str
    schema: str | None
    path: str
    line: int
    recreate: str
    rebuilds: bool = False
    statements: list[str] = field(default_factory=list)


@dataclass
class RecordedOp:
    """One operation a revision invoked, where, and in which transaction.

    ``segment`` numbers the stretches of the revision that run in one transaction: it changes at
    every ``autocommit_block`` boundary (and after an ``op.execute("COMMIT")``). ``statements``
    holds the SQL the op compiles to (only with ``compile_sql``).
    """

    op: MigrateOperation
    path: str
    line: int
    autocommit: bool
    segment: int
    batch: BatchRecord | None = None
    statements: list[str] = field(default_factory=list)


@dataclass
class RevisionRecording:
    """What running one revision's ``upgrade()`` in recording mode gave."""

    revision: Script
    path: str
    ops: list[RecordedOp] = field(default_factory=list)
    batches: list[BatchRecord] = field(default_factory=list)
    #: Why the revision needed a database (None: it did not); with ``needs_connection_line``.
    needs_connection: str | None = None
    needs_connection_line: int = 0
    #: An error that stopped the revision for another reason, and its line.
    failure: str | None = None
    failure_line: int = 0
    #: True when it ran against a live connection.
    connected: bool = False


class _OfflineEngine:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.name = dialect.name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise NeedsConnection(f"the revision uses op.get_bind().engine.{name}")


class OfflineBind:
    """What ``op.get_bind()`` gives in recording mode: the dialect is there (scripts branch on
    ``bind.dialect.name``); anything that would talk to a database raises
    :class:`NeedsConnection`."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.engine = _OfflineEngine(dialect)

    def in_transaction(self) -> bool:
        """Always inside the migration's transaction."""
        return True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # probed by libraries (hasattr); not a use of the database
            raise AttributeError(name)
        raise NeedsConnection(f"the revision uses op.get_bind().{name}()")


class _StatementCapture:
    """The offline output buffer: each statement written goes to the current sink."""

    def __init__(self) -> None:
        self.sink: list[str] | None = None

    def write(self, text: str) -> None:
        statement = text.strip()
        if statement.endswith(";"):
            statement = statement[:-1].rstrip()
        if statement and self.sink is not None:
            self.sink.append(statement)

    def flush(self) -> None:
        pass


class RecordingContext(MigrationContext):
    """An offline migration context for recording: no database, no SQL written anywhere.

    ``live_connection`` (optional) is what ``op.get_bind()`` returns instead of the stand-in.
    """

    def __init__(
        self,
        dialect: Dialect,
        opts: dict[str, Any],
        live_connection: Connection | None = None,
        environment_context: Any = None,
    ) -> None:
        self.capture = _StatementCapture()
        opts = {**opts, "as_sql": True, "output_buffer": self.capture}
        super().__init__(dialect, None, opts, environment_context)
        #: Whether the revision read ``as_sql`` (a revision that then fails refuses offline).
        self.offline_asked = False
        self.live_connection = live_connection
        self.autocommit_depth = 0
        self.segment = 0
        self.bind_line = 0
        self.recorder: _Recorder | None = None

    def _log_setup(self) -> None:
        """Nothing: one context per recorded revision is not news worth a log line."""

    @property  # type: ignore[override]
    def as_sql(self) -> bool:
        """True (offline); reading it is noted."""
        if "offline_asked" in self.__dict__:
            self.offline_asked = True
        return bool(self.__dict__.get("_as_sql", True))

    @as_sql.setter
    def as_sql(self, value: bool) -> None:
        self.__dict__["_as_sql"] = value

    @property
    def bind(self) -> Any:
        """The live connection, else the :class:`OfflineBind` stand-in."""
        if self.recorder is not None and not self.bind_line:
            self.bind_line = self.recorder.call_line()
        if self.live_connection is not None:
            return self.live_connection
        return OfflineBind(self.dialect)

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Mark the statements inside as running outside any transaction."""
        self.autocommit_depth += 1
        self.segment += 1
        try:
            yield
        finally:
            self.autocommit_depth -= 1
            self.segment += 1

    def execute(self, sql: Any, execution_options: Any = None) -> None:
        """``context.execute``: recorded as ``op.execute``."""
        assert self.recorder is not None
        self.recorder.operations.execute(sql, execution_options=execution_options)


class _Recorder:
    """Turns each invoked op into a :class:`RecordedOp` of one revision."""

    def __init__(self, context: RecordingContext, path: str, compile_sql: bool) -> None:
        self.context = context
        self.path = path
        self.compile_sql = compile_sql
        self.ops: list[RecordedOp] = []
        self.batches: list[BatchRecord] = []
        self.operations = RecordingOperations(context, self)
        context.recorder = self

    def call_line(self) -> int:
        """The line of the revision file the current call comes from (0 if none)."""
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.path:
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return 0

    def record(
        self, operations: Operations, operation: MigrateOperation, batch: BatchRecord | None
    ) -> Any:
        context = self.context
        recorded = RecordedOp(
            operation,
            self.path,
            self.call_line(),
            context.autocommit_depth > 0,
            context.segment,
            batch,
        )
        self.ops.append(recorded)
        if batch is not None:
            try:
                return BatchOperations.invoke(operations, operation)  # type: ignore[arg-type]
            except Exception:
                return None  # the queue is only asked whether the table is rebuilt
        result = None
        builtin = type(operation) in BUILTIN_OPS
        if self.compile_sql or not builtin:
            sink, context.capture.sink = context.capture.sink, recorded.statements
            try:
                result = Operations.invoke(operations, operation)
            except Exception as err:
                if not builtin:
                    raise
                # what upgrade would fail on too; the plan shows it and goes on
                recorded.statements.append(f"-- not compiled: {one_line(err)}")
            finally:
                context.capture.sink = sink
        if result is None and isinstance(operation, op_classes.CreateTableOp):
            result = operation.to_table(context)
        if isinstance(operation, op_classes.EnumTypeOp) and operation.needs_autocommit:
            context.segment += 1
        elif isinstance(operation, op_classes.ExecuteSQLOp) and ends_transaction(operation):
            context.segment += 1
        return result


def ends_transaction(operation: op_classes.ExecuteSQLOp) -> bool:
    """Whether an ``op.execute`` ends the migration's transaction (``COMMIT``, ...)."""
    sql = operation.sqltext
    text = sql if isinstance(sql, str) else getattr(sql, "text", None)
    if not isinstance(text, str):
        return False
    head = text.strip().split(None, 1)[0].rstrip(";").lower() if text.strip() else ""
    return head in ("commit", "end", "rollback")


class RecordingOperations(Operations):
    """The ``op`` of a recorded revision: every directive is recorded instead of run."""

    def __init__(self, context: RecordingContext, recorder: _Recorder) -> None:
        super().__init__(context)
        self._recorder = recorder

    def invoke(self, operation: MigrateOperation) -> Any:
        return self._recorder.record(self, operation, None)

    def get_bind(self) -> Any:
        return self.migration_context.bind

    @contextmanager
    def batch_alter_table(self, table_name: str, *args: Any, **kw: Any) -> Iterator[Any]:
        recorder = self._recorder
        capture = self.migration_context.capture  # type: ignore[attr-defined]
        line = recorder.call_line()
        body_done = False
        try:
            with super().batch_alter_table(table_name, *args, **kw) as parent:
                queue = parent.impl
                record = BatchRecord(
                    queue.table_name, queue.schema, recorder.path, line, queue.recreate
                )
                recorder.batches.append(record)
                yield _RecordingBatchOperations(self.migration_context, queue, recorder, record)
                body_done = True
                record.rebuilds = _batch_rebuilds(queue)
                if recorder.compile_sql:
                    capture.sink = record.statements
                else:
                    queue.batch = []
                    queue.recreate = "never"
        except Exception as err:
            if not body_done:
                raise
            # compiling the batch's statements offline: a rebuild needs the live table
            record.statements.append(f"-- not compiled offline: {one_line(err)}")
        finally:
            capture.sink = None


def _batch_rebuilds(queue: Any) -> bool:
    if queue.recreate == "always":
        return True
    if queue.recreate == "never" or not queue.batch:
        return False
    try:
        return bool(queue.impl.requires_recreate_in_batch(queue))
    except Exception:
        return False


class _RecordingBatchOperations(BatchOperations):
    def __init__(
        self, context: RecordingContext, queue: Any, recorder: _Recorder, record: BatchRecord
    ) -> None:
        super().__init__(context, impl=queue)
        self._recorder = recorder
        self._record = record

    def invoke(self, operation: MigrateOperation) -> Any:
        return self._recorder.record(self, operation, self._record)  # type: ignore[arg-type]

    def get_bind(self) -> Any:
        return self.migration_context.bind


class _RecordingEnvironment(EnvironmentContext):
    """The ``context`` module's target while a revision is recorded: notes whether the revision
    asked ``is_offline_mode()`` (a revision that then fails refuses to run offline)."""

    offline_asked = False

    def is_offline_mode(self) -> bool:
        self.offline_asked = True
        return super().is_offline_mode()


@contextmanager
def _installed(operations: Operations, environment: EnvironmentContext) -> Iterator[None]:
    install_target(Operations, operations)
    install_target(EnvironmentContext, environment)
    try:
        yield
    finally:
        remove_target(EnvironmentContext)
        remove_target(Operations)


def record_revision(
    revision: Script,
    dialect: Dialect,
    *,
    config: Config | None = None,
    script: ScriptDirectory | None = None,
    opts: dict[str, Any] | None = None,
    live_connection: Connection | None = None,
    compile_sql: bool = False,
) -> RevisionRecording:
    """Run ``revision``'s ``upgrade()`` in recording mode (see the module docstring)."""
    path = os.path.abspath(revision.path)
    recording = RevisionRecording(revision, path, connected=live_connection is not None)
    environment = _RecordingEnvironment(config, script, as_sql=live_connection is None)  # type: ignore[arg-type]
    context = RecordingContext(
        dialect,
        {"script": script, **(opts or {})},
        live_connection=live_connection,
        environment_context=environment,
    )
    environment._migration_context = context
    recorder = _Recorder(context, path, compile_sql)
    try:
        module = revision.module
        upgrade = getattr(module, "upgrade", None)
        if upgrade is None:
            recording.failure = f"{revision.path} has no upgrade() function"
        else:
            code = getattr(upgrade, "__code__", None)
            if code is not None:
                recorder.path = code.co_filename  # what its frames say
            # what the revision prints goes to stderr: stdout carries the findings
            with _installed(recorder.operations, environment), redirect_stdout(sys.stderr):
                for kwargs in _upgrade_calls(upgrade, module):
                    upgrade(**kwargs)
    except Exception as err:
        line = _error_line(err, recorder.path)
        if isinstance(err, NeedsConnection) or context.bind_line:
            recording.needs_connection = _needs_connection_reason(err)
            recording.needs_connection_line = context.bind_line or line
        elif (environment.offline_asked or context.offline_asked) and live_connection is None:
            recording.needs_connection = (
                f"it refuses to run offline: {type(err).__name__}: {one_line(err)}"
            )
            recording.needs_connection_line = line
        else:
            recording.failure = f"{type(err).__name__}: {one_line(err)}"
            recording.failure_line = line
    recording.ops = recorder.ops
    recording.batches = recorder.batches
    recording.path = recorder.path
    return recording


def _upgrade_calls(upgrade: Any, module: Any) -> list[dict[str, Any]]:
    """The keyword arguments to call ``upgrade`` with: none, or for a multi-database revision
    (``upgrade(engine_name)`` dispatching to ``upgrade_<name>()``, as the ``multidb`` template
    writes it) one call per ``upgrade_<name>`` function of the module."""
    code = getattr(upgrade, "__code__", None)
    if code is None or code.co_argcount == 0:
        return [{}]
    required = code.co_argcount - len(upgrade.__defaults__ or ())
    if required == 0:
        return [{}]
    name = code.co_varnames[0]
    engines = sorted(
        attr[len("upgrade_"):] for attr in vars(module)
        if attr.startswith("upgrade_") and callable(getattr(module, attr))
    )
    return [{name: engine} for engine in engines] or [{}]


def _needs_connection_reason(err: BaseException) -> str:
    from sqlalchemy.exc import NoInspectionAvailable

    if isinstance(err, NoInspectionAvailable):
        return "the revision inspects the database: sqlalchemy.inspect(op.get_bind())"
    if isinstance(err, NeedsConnection):
        return one_line(err)
    return f"{type(err).__name__}: {one_line(err)}"


def _error_line(err: BaseException, path: str) -> int:
    line = 0
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def compiled_statements(operation: MigrateOperation, dialect: Dialect) -> list[str]:
    """The SQL ``operation`` compiles to for ``dialect``, offline (what ``trace`` shows for the
    steps it does not run); a comment line when it cannot be compiled."""
    context = RecordingContext(dialect, {})
    recorder = _Recorder(context, "", compile_sql=True)
    try:
        recorder.operations.invoke(operation)
    except Exception as err:
        return [f"-- not compiled: {one_line(err)}"]
    return [statement for record in recorder.ops for statement in record.statements]
