"""Which migration locks this process holds: taking one, waiting for it, letting it go.

The one owner of the lock's state. :func:`acquire` tries the lock and, while another process
holds it, polls (a growing interval up to a second), says every few seconds who holds it (what
the database can tell: pid, host, application, since when) and gives up after ``lock_wait`` with
:class:`~dbshift.util.exc.MigrationLockTimeout`. A thread that already holds the lock of the same
version table takes it again without waiting (``run_migrations`` inside a run, say).

:meth:`HeldLock.release_after` lets the lock go only once the migration connection's transaction
has ended: the run's changes are committed (or rolled back) before another process can take the
lock and read the version table. It waits for the next transaction to begin on that connection or
for the connection's return to its pool, whichever comes first (SQLAlchemy signals a commit only
before the database has done it). A process that exits releases whatever it still holds.
"""

from __future__ import annotations

import atexit
import logging
import random
import threading
import time
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event

from ...util.error_text import one_line
from ...util.exc import MigrationLockTimeout

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..transactions import MigrationTransactions

__all__ = ["HeldLock", "LockMechanism", "acquire", "held_count"]

log = logging.getLogger("alembic.runtime.lock")

#: First pause between two tries, growing by half each time up to the last.
FIRST_POLL = 0.05
LAST_POLL = 1.0
#: Seconds between two "waiting for the migration lock" lines.
REPORT_EVERY = 5.0


class LockMechanism(Protocol):
    """How one kind of lock is tried, described and released."""

    #: What the lock is called in messages ("advisory lock", "lock file", "lease", ...).
    kind: str
    #: A connection of the lock's own (autocommit) that reads the version table afresh, if any.
    side_connection: Connection | None

    def try_acquire(self) -> bool:
        """One try without waiting; True when taken."""

    def holder(self) -> str | None:
        """Who holds the lock, as far as can be told."""

    def release(self) -> None:
        """Release the lock and close what the mechanism opened."""

    def close(self) -> None:
        """Close what the mechanism opened, without having held the lock."""


class _Holding:
    """One lock this process holds, how many runs of this thread hold it, what to undo."""

    def __init__(self, mechanism: LockMechanism) -> None:
        self.mechanism = mechanism
        self.count = 1
        self.on_release: list[Callable[[], None]] = []


_HELD: dict[tuple[Hashable, int], _Holding] = {}
_GUARD = threading.Lock()
#: Event listeners of released locks, to remove at the next chance (not while they run).
_FIRED: list[tuple[Any, str, Callable[..., None]]] = []
_atexit_registered = False


class HeldLock:
    """One run's hold of a lock; :meth:`release_after` ends it."""

    def __init__(self, key: tuple[Hashable, int], holding: _Holding) -> None:
        self._key = key
        self._holding: _Holding | None = holding

    @property
    def kind(self) -> str:
        """The mechanism's name ("advisory lock", "lock file", "lease", ...)."""
        assert self._holding is not None
        return self._holding.mechanism.kind

    @property
    def side_connection(self) -> Connection | None:
        """The lock's own connection, when it has one (see :class:`LockMechanism`)."""
        return self._holding.mechanism.side_connection if self._holding is not None else None

    def on_release(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` (put a setting back, ...) when the lock is finally released."""
        assert self._holding is not None
        self._holding.on_release.append(undo)

    def release_after(
        self, connection: Connection | None, transactions: MigrationTransactions | None = None
    ) -> None:
        """Release once ``connection``'s transaction has ended (now, when none is open).

        When that is the transaction ``transactions`` handed out (``begin_transaction``), the
        lock goes right after it ends; otherwise once the connection begins another or goes
        back to its pool.
        """
        if connection is None or connection.closed or not connection.in_transaction():
            self.release()
            return
        if transactions is not None and transactions.current is not None:
            transactions.observers.append(_ReleaseWhenEnded(self, transactions))
        _remove_fired_listeners()
        dbapi_connection = connection.connection.dbapi_connection
        pool = connection.engine.pool
        fired = []

        def done() -> None:
            if fired:
                return
            fired.append(True)
            # removed later: SQLAlchemy is iterating over these listeners right now
            with _GUARD:
                _FIRED.extend(
                    [
                        (connection, "begin", on_begin),
                        (pool, "checkin", on_checkin),
                        (pool, "invalidate", on_invalidate),
                    ]
                )
            self.release()

        def on_begin(conn: Any) -> None:
            done()

        def on_checkin(dbapi_conn: Any, record: Any) -> None:
            if dbapi_conn is dbapi_connection:
                done()

        def on_invalidate(dbapi_conn: Any, record: Any, exception: Any) -> None:
            if dbapi_conn is dbapi_connection:
                done()

        event.listen(connection, "begin", on_begin)
        event.listen(pool, "checkin", on_checkin)
        event.listen(pool, "invalidate", on_invalidate)

    def release(self) -> None:
        """Release now (when this is the thread's last hold of the lock)."""
        holding, self._holding = self._holding, None
        if holding is None:
            return
        with _GUARD:
            holding.count -= 1
            if holding.count > 0:
                return
            if _HELD.get(self._key) is holding:
                del _HELD[self._key]
        _let_go(holding)


class _ReleaseWhenEnded:
    """Releases a lock when the run's transaction ends (a ``TransactionObserver``)."""

    def __init__(self, held: HeldLock, transactions: MigrationTransactions) -> None:
        self.held = held
        self.transactions = transactions

    def transaction_ended(self, connection: Connection) -> None:
        self.transactions.observers.remove(self)
        self.held.release()

    def transaction_began(self, connection: Connection) -> None:
        pass

    def autocommit_started(self, connection: Connection) -> None:
        pass

    def autocommit_ending(self, connection: Connection) -> None:
        pass


def acquire(
    key: Hashable,
    open_mechanism: Callable[[], LockMechanism],
    wait: float,
    *,
    report_every: float = REPORT_EVERY,
) -> HeldLock:
    """Take the lock named ``key`` (opened by ``open_mechanism`` unless this thread holds it),
    waiting up to ``wait`` seconds."""
    _remove_fired_listeners()
    registry_key = (key, threading.get_ident())
    with _GUARD:
        holding = _HELD.get(registry_key)
        if holding is not None:
            holding.count += 1
            return HeldLock(registry_key, holding)
    mechanism = open_mechanism()
    try:
        _wait_for(mechanism, wait, report_every)
    except BaseException:
        _close_quietly(mechanism)
        raise
    holding = _Holding(mechanism)
    with _GUARD:
        _HELD[registry_key] = holding
        _register_atexit()
    return HeldLock(registry_key, holding)


def held_count() -> int:
    """How many locks this process holds now (for tests and diagnostics)."""
    with _GUARD:
        return len(_HELD)


def _wait_for(mechanism: LockMechanism, wait: float, report_every: float) -> None:
    if mechanism.try_acquire():
        return
    started = time.monotonic()
    deadline = started + wait
    next_report = started
    pause = FIRST_POLL
    while True:
        now = time.monotonic()
        if now >= deadline:
            holder = _holder(mechanism)
            raise MigrationLockTimeout(
                f"gave up waiting for the migration {mechanism.kind} after {_seconds(wait)} "
                f"(lock_wait): held by {holder}; another process is migrating this database, "
                "or a stuck one holds the lock"
            )
        if now >= next_report:
            log.warning(
                "waiting for the migration %s held by %s; waited %s of %s (lock_wait)",
                mechanism.kind,
                _holder(mechanism),
                _seconds(now - started),
                _seconds(wait),
            )
            next_report = now + report_every
        time.sleep(min(pause * random.uniform(0.8, 1.2), max(deadline - now, 0.0)))
        pause = min(pause * 1.5, LAST_POLL)
        if mechanism.try_acquire():
            log.info(
                "acquired the migration %s after waiting %s",
                mechanism.kind,
                _seconds(time.monotonic() - started),
            )
            return


def _holder(mechanism: LockMechanism) -> str:
    try:
        found = mechanism.holder()
    except Exception as err:  # describing the holder must not end the wait
        log.debug("could not tell who holds the migration lock: %s", one_line(err))
        found = None
    return found or "another session (the database does not say which)"


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 or value == int(value) else f"{value:.1f} s"


def _let_go(holding: _Holding) -> None:
    for undo in holding.on_release:
        try:
            undo()
        except Exception as err:
            log.warning("after the migration lock: %s", one_line(err))
    try:
        holding.mechanism.release()
    except Exception as err:
        log.warning(
            "could not release the migration %s (it goes with its session): %s",
            holding.mechanism.kind,
            one_line(err),
        )
        _close_quietly(holding.mechanism)


def _close_quietly(mechanism: LockMechanism) -> None:
    try:
        mechanism.close()
    except Exception:  # pragma: no cover - closing a broken connection
        log.debug("closing the migration lock's connection failed", exc_info=True)


def _remove_fired_listeners() -> None:
    with _GUARD:
        fired = list(_FIRED)
        _FIRED.clear()
    for target, name, fn in fired:
        if event.contains(target, name, fn):
            event.remove(target, name, fn)


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        _atexit_registered = True
        atexit.register(_release_all)


def _release_all() -> None:
    """At exit: let go of what is still held (a lease row would otherwise wait to expire)."""
    with _GUARD:
        holdings = list(_HELD.values())
        _HELD.clear()
    for holding in holdings:
        _let_go(holding)
