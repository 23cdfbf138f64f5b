"""Which lock a run takes: a lock file (SQLite), the database's session lock, or a lease row.

SQLite databases are files: processes meet at a lock file beside it (none for an in-memory
database, which one process owns). Servers with a named session lock use it on a connection of
its own, unless (``migration_lock = auto``) that connection turns out to go through a pooler that
hands server sessions out per transaction, where a lease row replaces it; ``migration_lock =
lease`` asks for the lease, ``session`` for the session lock without looking for a pooler.

The lock is named after the version table (schema and name) and the database: two projects with
different version tables never wait for each other. The database part is the one the server
scopes the lock to (PostgreSQL advisory locks and SQL Server applocks are per database already;
MySQL's ``GET_LOCK`` names are server-wide and carry the database name), never the host or port
that a client dialled, which differ between replicas reaching the same database differently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from sqlalchemy.pool import AssertionPool, SingletonThreadPool, StaticPool

from ...util.exc import CommandError
from .file_lock import FileLock, lock_file_path
from .lease import Lease, LeaseRows
from .session_lock import SessionLock

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...ddl.lock_sql import LockSQL
    from ..version_table import VersionTableIdentity
    from .holding import LockMechanism
    from .settings import LockSettings

__all__ = ["lock_for_run", "open_second_connection"]

log = logging.getLogger("alembic.runtime.lock")

#: Pools that hand the same connection to every caller: no second session to lock with.
_ONE_CONNECTION_POOLS = (StaticPool, SingletonThreadPool, AssertionPool)


def lock_for_run(
    connection: Connection,
    lock_sql: LockSQL,
    settings: LockSettings,
    identity: VersionTableIdentity,
) -> tuple[Hashable, Callable[[], LockMechanism]] | None:
    """The lock a run on ``connection`` takes: a key naming it in this process and a function
    that opens it; None when the run takes none (an in-memory database, a dialect without a
    lock, a pool with one connection)."""
    schema, table = identity.schema, identity.name
    registry_key = (identity.url, schema, table)
    dialect_name = connection.dialect.name
    if lock_sql.file_database:
        if settings.mode == "lease":
            raise CommandError(
                f"migration_lock = lease is for database servers; {dialect_name} locks a file "
                "beside the database (set migration_lock = true)"
            )
        path = lock_sql.database_file(connection, schema)
        if path is None:
            return None
        return registry_key, lambda: FileLock(lock_file_path(path, schema, table))
    if isinstance(connection.engine.pool, _ONE_CONNECTION_POOLS):
        log.warning(
            "no migration lock: the engine's pool (%s) has one connection, and the lock needs "
            "a second one; set migration_lock = false to silence this",
            type(connection.engine.pool).__name__,
        )
        return None
    if settings.mode != "lease" and not lock_sql.has_session_lock:
        log.warning(
            "no migration lock: dbshift knows no session lock for %s; set migration_lock = "
            "lease for a lease row, or false to silence this",
            dialect_name,
        )
        return None
    database = connection.engine.url.database
    lease_key = f"{schema}.{table}" if schema else table

    session_key = lock_sql.lock_key(database, schema, table) if lock_sql.has_session_lock else None

    def open_lock() -> LockMechanism:
        side = _open_side_connection(connection)
        try:
            rows = _lease_rows(lock_sql, settings, schema, lease_key)
            if settings.mode == "lease":
                return _lease(connection, side, rows, settings)
            if settings.mode == "auto" and lock_sql.session_lock_unsafe(
                side, lambda: connection.engine.connect()
            ):
                log.info(
                    "a pooler may sit between dbshift and the database (PgBouncer?), where a "
                    "session lock could stay with a pooled server session: using a lease row "
                    "in %s instead (migration_lock = session if the pooler keeps sessions)",
                    rows.qualified if rows is not None else settings.lease_table,
                )
                return _lease(connection, side, rows, settings)

            def open_lease() -> Lease:
                assert rows is not None
                return _lease(connection, _open_side_connection(connection), rows, settings)

            return SessionLock(
                lock_sql,
                side,
                session_key,
                leases=rows,
                open_lease=open_lease if rows is not None and not connection.dialect.is_async
                else None,
            )
        except BaseException:
            side.close()
            raise

    return registry_key, open_lock


def _open_side_connection(connection: Connection) -> Connection:
    """A second connection from ``connection``'s engine, in autocommit."""
    side = connection.engine.connect()
    side.execution_options(isolation_level="AUTOCOMMIT")
    return side


def open_second_connection(connection: Connection) -> Connection | None:
    """A second connection (autocommit) to ``connection``'s database; None when its pool has
    only the one."""
    if isinstance(connection.engine.pool, _ONE_CONNECTION_POOLS):
        return None
    return _open_side_connection(connection)


def _lease_rows(
    lock_sql: LockSQL, settings: LockSettings, schema: str | None, lease_key: str
) -> LeaseRows | None:
    if lock_sql.epoch_now_sql is None:
        return None
    return LeaseRows(lock_sql, settings.lease_table, schema, lease_key)


def _lease(
    connection: Connection, side: Connection, rows: LeaseRows | None, settings: LockSettings
) -> Lease:
    if rows is None:
        raise CommandError(
            f"migration_lock = lease: dbshift does not know the clock of {connection.dialect.name}"
        )
    if connection.dialect.is_async:
        raise CommandError(
            f"the migration lease needs a synchronous driver for its heartbeat, and "
            f"{connection.dialect.name}+{connection.dialect.driver} is async; connect without "
            "a transaction pooler (a session lock), or set migration_lock = false"
        )
    return Lease(rows, side, lambda: _open_side_connection(connection), settings.lease_ttl)
