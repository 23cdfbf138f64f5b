"""The guard around every online run that may change the version table.

``MigrationContext.run_migrations`` and ``MigrationContext.stamp`` hand their run to
:func:`run_guarded` as three functions: ``start()`` (the heads to start from, creating the version
table when it is missing), ``plan(heads)`` (the steps from there) and ``run(heads, steps)``. So an
``env.py`` that only calls ``context.configure`` and ``context.run_migrations`` (an unchanged
Alembic one) gets the lock, and so does every command, from the command line or from Python.

1. Fast path: read the version table (as every run does) and plan. Nothing to do: no lock is
   taken at all (the start-up of every replica of an application already at head).
2. Otherwise take the lock (``holding.acquire``; see ``choice.py`` for which). While waiting,
   the migration connection's own transaction is ended (it has only read), so a waiter holds no
   snapshot or lock that the holder's migrations could wait on.
3. Read the version table again under the lock and plan again if someone else moved it; when
   nothing is left to do, say so and return.
4. Run, with the statement timeouts in force (``timeouts.py``); a unit that hit one and rolled
   back whole is run again after a back-off, up to ``lock_retries`` times.
5. Release the lock once the run's transaction has ended (``HeldLock.release_after``).

Offline (``--sql``) runs, and runs with ``migration_lock = false``, take no lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from ...ddl.lock_sql import lock_sql_for
from ...util.error_text import one_line
from .settings import read_settings

# holding, choice and timeouts are imported when a run needs them: not on the fast path.
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

    from ...ddl.impl import DefaultImpl
    from ...ddl.lock_sql import LockSQL
    from ..transactions import MigrationTransactions
    from ..version_table import VersionRecorder
    from .holding import HeldLock
    from .settings import LockSettings

__all__ = ["run_guarded"]

log = logging.getLogger("alembic.runtime.lock")

Heads = tuple[str, ...]


class GuardedContext(Protocol):
    """What the guard needs of a ``MigrationContext``."""

    as_sql: bool
    purge: bool
    connection: Connection | None
    dialect: Dialect
    opts: dict[str, Any]
    impl: DefaultImpl
    transactions: MigrationTransactions
    version_recorder: VersionRecorder

    @property
    def config(self) -> Any:
        """The ``Config`` of the run, or None."""


def run_guarded(
    context: GuardedContext,
    start: Callable[[], Heads],
    plan: Callable[[Heads], Iterable[Any]],
    run: Callable[[Heads, Iterable[Any]], None],
) -> None:
    """Run ``run(heads, steps)`` under the migration lock (see the module docstring)."""
    if context.as_sql or context.connection is None:
        heads = start()
        run(heads, plan(heads))
        return
    settings = read_settings(context.opts, context.config)
    lock_sql = lock_sql_for(context.dialect)
    heads, steps, held = _plan_under_lock(context, settings, lock_sql, start, plan)
    try:
        _run_with_retries(context, settings, lock_sql, heads, steps, start, plan, run)
    finally:
        if held is not None:
            held.release_after(context.connection, context.transactions)


def _plan_under_lock(
    context: GuardedContext,
    settings: LockSettings,
    lock_sql: LockSQL,
    start: Callable[[], Heads],
    plan: Callable[[Heads], Iterable[Any]],
) -> tuple[Heads, Iterable[Any], HeldLock | None]:
    """The heads and steps of the run, and the lock when one was needed."""
    if not settings.enabled:
        heads = start()
        return heads, plan(heads), None
    recorder = context.version_recorder
    seen: tuple[Heads, _Planned] | None = None
    committed: Heads = ()  # what other connections saw before the lock was taken
    if not context.purge:
        exists, heads = _version_table_before_locking(context, lock_sql)
        committed = heads
        if exists or context.opts.get("dont_mutate"):
            failure: Exception | None = None
            try:
                steps = _Planned(plan(heads))
            except Exception as err:  # judged again below, inside a caller's transaction
                if not context.transactions.external:
                    raise
                failure, steps = err, _Planned(())
            if not steps and context.transactions.external:
                # read on another connection, which cannot see version rows the caller's own
                # transaction changed (pytest-alembic upgrades and downgrades in one savepoint)
                own = _heads_on_the_run_connection(context)
                if set(own) != set(heads):
                    heads, steps = own, _Planned(plan(own))
                elif failure is not None:
                    raise failure
            if not steps:
                return heads, steps, None
            seen = (heads, steps)
    from . import holding
    from .choice import lock_for_run

    assert context.connection is not None
    lock = lock_for_run(context.connection, lock_sql, settings, recorder.identity)
    if lock is None:
        heads = seen[0] if seen is not None else start()
        return heads, seen[1] if seen is not None else plan(heads), None
    key, open_lock = lock
    with context.transactions.paused():
        held = holding.acquire(key, open_lock, settings.wait)
    try:
        _raise_busy_timeout(context, lock_sql, settings, held)
        heads = _heads_under_lock(context, held, start, committed)
        if seen is not None and set(seen[0]) == set(heads):
            steps = seen[1]
        else:
            steps = _Planned(plan(heads))
        if not steps and (seen is not None or heads):
            _say(
                context,
                "Nothing left to do: the version table is already at the target (another "
                "process migrated the database while this one waited for the lock).",
            )
    except BaseException:
        held.release_after(context.connection, context.transactions)
        raise
    return heads, steps, held


def _version_table_before_locking(
    context: GuardedContext, lock_sql: LockSQL
) -> tuple[bool, Heads]:
    """Whether the version table exists, and its heads, read before the lock is taken.

    On the run's connection; but inside a transaction the caller began (which the guard cannot
    end while it waits), on a short-lived connection of its own: a read there would keep a
    lock on the version table (PostgreSQL's ACCESS SHARE, MySQL's metadata lock) until that
    transaction ends, and a holder whose migration alters the version table would wait for
    this waiter while it waits for the holder."""
    recorder = context.version_recorder
    connection = context.connection
    assert connection is not None
    if context.transactions.external and not lock_sql.file_database:
        from .choice import open_second_connection

        side = open_second_connection(connection)
        if side is not None:
            try:
                exists = recorder.exists(side)
                heads = recorder.read_heads(connection=side, known_to_exist=True) if exists else ()
                return exists, heads
            finally:
                side.close()
    exists = recorder.exists()
    return exists, recorder.read_heads(known_to_exist=True) if exists else ()


def _heads_under_lock(
    context: GuardedContext, held: HeldLock, start: Callable[[], Heads], committed: Heads
) -> Heads:
    """The heads once the lock is held. Inside a transaction the caller began (and so could
    not end while waiting), read them on the lock's own connection, which sees what the last
    holder committed whatever that transaction's snapshot; unless the caller's transaction
    moved the version rows itself (its view differs from ``committed``, what other connections
    saw before the lock was taken), whose changes only its own connection sees."""
    side = held.side_connection
    if context.transactions.external and side is not None and not context.purge:
        heads = context.version_recorder.read_heads(connection=side)
        if heads and set(_heads_on_the_run_connection(context)) != set(committed):
            # the caller's transaction changed the version rows itself: its own view is the one
            # the run goes on from
            return start()
        if heads:
            return heads
    return start()


def _heads_on_the_run_connection(context: GuardedContext) -> Heads:
    """The heads as the run's own connection (and so the caller's transaction) sees them."""
    recorder = context.version_recorder
    return recorder.read_heads(known_to_exist=True) if recorder.exists() else ()


def _run_with_retries(
    context: GuardedContext,
    settings: LockSettings,
    lock_sql: LockSQL,
    heads: Heads,
    steps: Iterable[Any],
    start: Callable[[], Heads],
    plan: Callable[[Heads], Iterable[Any]],
    run: Callable[[Heads, Iterable[Any]], None],
) -> None:
    if not settings.timeouts_set:
        run(heads, steps)
        return
    from .timeouts import StatementTimeouts, retry_delay

    assert context.connection is not None
    timeouts = StatementTimeouts(context.transactions, settings, lock_sql)
    retries = 0
    with timeouts.applied(context.connection):
        while True:
            try:
                run(heads, steps)
                return
            except Exception as err:
                kind = timeouts.retryable(err)
                if (
                    kind is None
                    or retries >= settings.retries
                    or not context.transactions.unit_can_run_again()
                ):
                    raise
                retries += 1
                delay = retry_delay(retries)
                log.warning(
                    "%s hit (%s); rolled back, retry %d of %d in %.1f s",
                    kind,
                    one_line(err),
                    retries,
                    settings.retries,
                    delay,
                )
                context.transactions.restart_unit()
                context.impl.memo.clear()
                time.sleep(delay)
                heads = start()
                steps = plan(heads)


def _raise_busy_timeout(
    context: GuardedContext, lock_sql: LockSQL, settings: LockSettings, held: HeldLock
) -> None:
    """SQLite, under the lock: let the run's writes wait for other writers (the application's)
    up to ``lock_wait`` rather than fail at once with "database is locked"."""
    connection = context.connection
    assert connection is not None
    wanted = int(settings.wait * 1000)
    before = lock_sql.busy_timeout_ms(connection)
    if before is None or before >= wanted:
        return
    raise_sql = lock_sql.set_busy_timeout_sql(wanted)
    restore_sql = lock_sql.set_busy_timeout_sql(before)
    if raise_sql is None or restore_sql is None:
        return
    dbapi_connection = connection.connection.dbapi_connection
    _driver_execute(dbapi_connection, raise_sql)
    held.on_release(lambda: _driver_execute(dbapi_connection, restore_sql))


def _driver_execute(dbapi_connection: Any, sql: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _say(context: GuardedContext, text: str) -> None:
    log.info(text)
    config = context.config
    if config is not None and hasattr(config, "print_stdout"):
        config.print_stdout(text)


class _Planned:
    """A plan's steps with the first one looked at, to tell whether there is anything to do;
    iterated once, lazily as the plan gave them."""

    _NONE: Any = object()

    def __init__(self, steps: Iterable[Any]) -> None:
        self._rest = iter(steps)
        self._first = next(self._rest, self._NONE)

    def __bool__(self) -> bool:
        return self._first is not self._NONE

    def __iter__(self) -> Iterator[Any]:
        first, self._first = self._first, self._NONE
        if first is not self._NONE:
            yield first
        yield from self._rest
