"""The migration lock as the database's own named lock, held by a session of its own.

PostgreSQL's advisory lock, MySQL/MariaDB's ``GET_LOCK``, SQL Server's ``sp_getapplock`` and
Oracle's ``DBMS_LOCK`` belong to a session and end with it: a holder that is killed releases the
lock with its connection. The session is a second connection opened from the migration
connection's engine, never the migration connection itself, so nothing a migration does to its
own connection (a transaction per migration, an autocommit block, a ``COMMIT``, ``CREATE INDEX
CONCURRENTLY``) drops the lock or waits on it. It runs in autocommit: each try is one statement
and a waiter holds no transaction or snapshot between tries.

Where a lease table exists (some processes reach the database through a transaction pooler and
lock with lease rows, see ``lease.py``), the holder of the session lock takes the lease row as
well, so that the two kinds of process exclude each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from ...util.error_text import one_line
from ...util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...ddl.lock_sql import LockSQL
    from .lease import Lease, LeaseRows

__all__ = ["SessionLock"]

log = logging.getLogger("alembic.runtime.lock")


class SessionLock:
    """The named lock ``key`` of ``lock_sql``'s database, tried on ``connection``."""

    def __init__(
        self,
        lock_sql: LockSQL,
        connection: Connection,
        key: Any,
        *,
        leases: LeaseRows | None = None,
        open_lease: Callable[[], Lease] | None = None,
    ) -> None:
        self.lock_sql = lock_sql
        #: The lock's own connection (autocommit); also reads the version table afresh.
        self.side_connection: Connection | None = connection
        self.key = key
        self.kind = lock_sql.lock_kind
        self._leases = leases
        self._open_lease = open_lease
        self._lease: Lease | None = None

    def try_acquire(self) -> bool:
        """One try; True when this session now holds the lock (and the lease row, if any)."""
        connection = self._connection
        try:
            taken = self.lock_sql.try_lock(connection, self.key)
        except DBAPIError as err:
            if self.lock_sql.is_permission_error(err):
                user = connection.engine.url.username or "(default)"
                raise CommandError(
                    f"migration lock: database user {user!r} may not take the {self.kind} "
                    f"({one_line(err, database_message=True)}); {self.lock_sql.grant_hint(user)}, or set "
                    "migration_lock = lease (or false)"
                ) from err
            raise
        if not taken or self._leases is None or self._open_lease is None:
            return taken
        if not self._leases.exists(connection):
            return True
        lease = self._open_lease()
        try:
            if lease.try_acquire():
                self._lease = lease
                return True
        except BaseException:
            lease.close()
            self.lock_sql.unlock(connection, self.key)
            raise
        lease.close()
        self.lock_sql.unlock(connection, self.key)
        return False

    def holder(self) -> str | None:
        """Who holds the lock (or a live lease row), as the database tells it."""
        found = self.lock_sql.describe_holder(self._connection, self.key)
        if found is None and self._leases is not None:
            found = self._leases.live_holder(self._connection)
        return found

    def release(self) -> None:
        """Release the lease row (if taken) and the lock, and close the session."""
        lease, self._lease = self._lease, None
        if lease is not None:
            lease.release()
        connection = self.side_connection
        if connection is None:
            return
        try:
            if self.lock_sql.unlock(connection, self.key) is False:
                log.error(
                    "the migration %s was no longer this session's when released: a pooler "
                    "between dbshift and the database hands sessions out per transaction, so "
                    "the lock stays with a pooled session until that ends; set "
                    "migration_lock = lease for connections through it",
                    self.kind,
                )
        finally:
            self.close()

    def close(self) -> None:
        """Close the session (a lock it holds goes with it)."""
        connection, self.side_connection = self.side_connection, None
        if connection is not None:
            connection.close()

    @property
    def _connection(self) -> Connection:
        assert self.side_connection is not None, "the lock's session is closed"
        return self.side_connection
