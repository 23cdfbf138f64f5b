"""``lock_timeout`` and ``statement_timeout`` on a run's migration connection, and retries.

Off unless set (see ``settings.py``). On PostgreSQL every transaction of the run gets ``SET
LOCAL lock_timeout = ...`` as it begins (the run's own, each step's with
``transaction_per_migration``, one the caller began), and an autocommit block gets ``SET`` for its
body and the previous values back after it, so the settings end with the run and never reach
the next user of a pooled connection. On MySQL/MariaDB the session gets ``lock_wait_timeout``
(and MariaDB ``max_statement_time``) for the run, and its values back afterwards.

A statement that hits one of them fails the unit it runs in. When that unit rolled back as a
whole (transactional DDL, a transaction of the run's own, nothing committed in it: no autocommit
block), the run waits with a growing back-off and runs the unit again, up to ``lock_retries``
times, saying so each time. MySQL/MariaDB commit each DDL statement: nothing is retried there.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ...ddl.lock_sql import TimeoutSettings
from ...util.error_text import one_line

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...ddl.lock_sql import LockSQL
    from .settings import LockSettings

__all__ = ["StatementTimeouts", "retry_delay"]

log = logging.getLogger("alembic.runtime.lock.timeouts")

#: Back-off before the first retry, doubling each time up to the cap (seconds).
FIRST_RETRY_DELAY = 0.5
RETRY_DELAY_CAP = 30.0


class StatementTimeouts:
    """The timeouts of one run on its migration connection (a ``TransactionObserver``)."""

    def __init__(self, transactions: Any, settings: LockSettings, lock_sql: LockSQL) -> None:
        self.transactions = transactions
        self.lock_sql = lock_sql
        statement_timeout = settings.statement_timeout
        if statement_timeout is not None and not lock_sql.supports_statement_timeout:
            log.warning(
                "statement_timeout is not supported on %s; ignored", _dialect_name(lock_sql)
            )
            statement_timeout = None
        self.values = TimeoutSettings(settings.lock_timeout, statement_timeout)
        self._saved: list[str] = []

    @property
    def active(self) -> bool:
        """Whether any timeout is set for this run (on a database that has them)."""
        return self.lock_sql.timeout_scope is not None and (
            self.values.lock_timeout is not None or self.values.statement_timeout is not None
        )

    @contextmanager
    def applied(self, connection: Connection) -> Iterator[None]:
        """The timeouts in force on ``connection`` for the block."""
        if self.values.lock_timeout is None and self.values.statement_timeout is None:
            yield
            return
        scope = self.lock_sql.timeout_scope
        if scope is None:
            log.warning("lock_timeout is not supported on %s; ignored", _dialect_name(self.lock_sql))
            yield
            return
        if scope == "session":
            restore = self.lock_sql.current_timeouts(connection)
            _run(connection, self.lock_sql.timeout_statements(self.values, local=False))
            try:
                yield
            finally:
                try:
                    _run(connection, restore)
                except Exception as err:
                    log.warning("could not put the session's timeouts back: %s", one_line(err))
            return
        if connection.in_transaction():
            self.transaction_began(connection)
        self.transactions.observers.append(self)
        try:
            yield
        finally:
            self.transactions.observers.remove(self)

    def retryable(self, err: BaseException) -> str | None:
        """``"lock_timeout"``/``"statement_timeout"`` when ``err`` is one of them firing on a
        database whose units can be rolled back and run again (PostgreSQL)."""
        if not self.active or self.lock_sql.timeout_scope != "transaction":
            return None
        return self.lock_sql.timeout_kind(err)

    # ------------------------------------------------------------------ TransactionObserver

    def transaction_began(self, connection: Connection) -> None:
        """``SET LOCAL`` the timeouts in the new transaction."""
        _run(connection, self.lock_sql.timeout_statements(self.values, local=True))

    def autocommit_started(self, connection: Connection) -> None:
        """``SET`` them for the autocommit block, keeping the values to put back."""
        self._saved = self.lock_sql.current_timeouts(connection)
        _run(connection, self.lock_sql.timeout_statements(self.values, local=False))

    def autocommit_ending(self, connection: Connection) -> None:
        """Put back the values from before the autocommit block."""
        saved, self._saved = self._saved, []
        _run(connection, saved)

    def transaction_ended(self, connection: Connection) -> None:
        """Nothing to do: ``SET LOCAL`` ends with the transaction."""


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): doubling, with jitter."""
    base = min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), RETRY_DELAY_CAP)
    return base * random.uniform(0.8, 1.2)


def _run(connection: Connection, statements: list[str]) -> None:
    for sql in statements:
        connection.exec_driver_sql(sql)


def _dialect_name(lock_sql: LockSQL) -> str:
    return getattr(lock_sql.dialect, "name", "this database")
