"""The migration lock as a lease row: for connections whose session may change under them.

Behind a pooler that hands server sessions out per transaction (PgBouncer ``pool_mode =
transaction``), a session lock stays with a server session that the next client gets, so it is
unsafe there. A lease is a row instead, in a small table of its own beside the version table::

    dbshift_migration_lock(lock_key PK, holder, acquired_at, expires_at)

Times are the database's clock, in seconds since 1970, so clients' clocks do not matter. A
process takes the lease when no row exists (INSERT) or the row has expired (UPDATE ... WHERE
expires_at < now); each statement runs on its own (autocommit), which a transaction pooler
allows. While held, a heartbeat thread on a connection of its own moves ``expires_at`` forward
every third of the lease's time to live. A holder that is killed stops renewing: its lease
expires and the next process takes it over, so nothing needs cleaning up, only ``lock_lease_ttl``
of waiting. Processes that reach the database directly and hold its own session lock take the
lease row too while the table exists (``session_lock.py``), so the two kinds exclude each other.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Double, MetaData, String, Table, literal_column, or_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError, IntegrityError

from ...util.error_text import one_line
from ...util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...ddl.lock_sql import LockSQL

__all__ = ["Lease", "LeaseRows"]

log = logging.getLogger("alembic.runtime.lock.lease")

#: The columns a lease table must have.
COLUMNS = ("lock_key", "holder", "acquired_at", "expires_at")


class LeaseRows:
    """The lease table of one schema: its shape, creation, and the live lease of a key."""

    def __init__(self, lock_sql: LockSQL, name: str, schema: str | None, key: str) -> None:
        assert lock_sql.epoch_now_sql is not None, "a lease needs the database's clock"
        self.table = Table(
            name,
            MetaData(),
            Column("lock_key", String(255), primary_key=True),
            Column("holder", String(255), nullable=False),
            Column("acquired_at", Double(), nullable=False),
            Column("expires_at", Double(), nullable=False),
            schema=schema,
        )
        self.key = key
        self.now = literal_column(lock_sql.epoch_now_sql, type_=Double())
        self.qualified = f"{schema}.{name}" if schema else name

    def exists(self, connection: Connection) -> bool:
        """Whether the table is there."""
        return sa_inspect(connection).has_table(self.table.name, self.table.schema)

    def ensure(self, connection: Connection) -> None:
        """Create the table when missing (another process may race us to it); check its shape."""
        if not self.exists(connection):
            try:
                self.table.create(connection)
            except DBAPIError as err:
                if not self.exists(connection):
                    raise CommandError(
                        f"cannot create the migration lock table {self.qualified}: "
                        f"{one_line(err)}; create it (columns {', '.join(COLUMNS)}) or set "
                        "migration_lock_table to a table the user may write"
                    ) from err
        self.check_shape(connection)

    def check_shape(self, connection: Connection) -> None:
        """A one-line error when the table is not a lease table (other columns, no PK)."""
        inspector = sa_inspect(connection)
        found = [c["name"] for c in inspector.get_columns(self.table.name, self.table.schema)]
        pk = inspector.get_pk_constraint(self.table.name, self.table.schema) or {}
        pk_columns = list(pk.get("constrained_columns") or [])
        if set(COLUMNS) <= {name.lower() for name in found} and [
            name.lower() for name in pk_columns
        ] == ["lock_key"]:
            return
        raise CommandError(
            f"the migration lock table {self.qualified} exists but is not one: it has columns "
            f"({', '.join(found)}) and primary key ({', '.join(pk_columns) or 'none'}), not "
            f"({', '.join(COLUMNS)}) with primary key (lock_key); drop it or set "
            "migration_lock_table to another name"
        )

    def live_holder(self, connection: Connection) -> str | None:
        """Who holds an unexpired lease on the key; None when nobody does (or no table)."""
        if not self.exists(connection):
            return None
        t = self.table
        row = connection.execute(
            t.select()
            .with_only_columns(t.c.holder, t.c.acquired_at, t.c.expires_at, self.now)
            .where(t.c.lock_key == self.key)
        ).first()
        if row is None:
            return None
        holder, acquired_at, expires_at, now = row
        if expires_at < now:
            return None
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(acquired_at)))
        return (
            f"{holder} since {since} UTC (lease row in {self.qualified}, "
            f"expires in {float(expires_at) - float(now):.0f} s unless renewed)"
        )


class Lease:
    """The lease on ``rows.key``, tried on ``connection``; renewed by a heartbeat thread."""

    kind = "lease"

    def __init__(
        self,
        rows: LeaseRows,
        connection: Connection,
        open_connection: Callable[[], Connection],
        ttl: float,
    ) -> None:
        self.rows = rows
        #: The lease's own connection (autocommit); also reads the version table afresh.
        self.side_connection: Connection | None = connection
        self.ttl = ttl
        self._open_connection = open_connection
        self.me = f"pid {os.getpid()} on {socket.gethostname()} ({uuid.uuid4().hex[:8]})"
        self._ensured = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Set when a renewal found the row gone or taken over.
        self.lost = False

    # ------------------------------------------------------------------ the lock interface

    def try_acquire(self) -> bool:
        """One try; True when the lease is now ours."""
        connection = self._connection
        if not self._ensured:
            self.rows.ensure(connection)
            self._ensured = True
        if not self._claim(connection):
            return False
        self._start_heartbeat()
        return True

    def holder(self) -> str | None:
        """The live lease's holder."""
        return self.rows.live_holder(self._connection)

    def release(self) -> None:
        """Stop renewing, delete the row, close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl)
            self._thread = None
        connection = self.side_connection
        if connection is None:
            return
        try:
            self._delete(connection)
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection (a held lease then expires on its own)."""
        self._stop.set()
        connection, self.side_connection = self.side_connection, None
        if connection is not None:
            connection.close()

    # ------------------------------------------------------------------ rows

    def _claim(self, connection: Connection) -> bool:
        t, now = self.rows.table, self.rows.now
        values = {"holder": self.me, "acquired_at": now, "expires_at": now + self.ttl}
        taken_over = connection.execute(
            t.update()
            .where(t.c.lock_key == self.rows.key, or_(t.c.expires_at < now, t.c.holder == self.me))
            .values(**values)
        )
        if taken_over.rowcount == 1:
            return True
        try:
            connection.execute(t.insert().values(lock_key=self.rows.key, **values))
        except IntegrityError:
            return False
        return True

    def _renew(self, connection: Connection) -> bool:
        t, now = self.rows.table, self.rows.now
        result = connection.execute(
            t.update()
            .where(t.c.lock_key == self.rows.key, t.c.holder == self.me)
            .values(expires_at=now + self.ttl)
        )
        return result.rowcount == 1

    def _delete(self, connection: Connection) -> None:
        t = self.rows.table
        connection.execute(t.delete().where(t.c.lock_key == self.rows.key, t.c.holder == self.me))

    # ------------------------------------------------------------------ heartbeat

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._heartbeat, name="dbshift-lease-heartbeat", daemon=True
        )
        self._thread.start()

    def _heartbeat(self) -> None:
        connection: Connection | None = None
        try:
            while not self._stop.wait(self.ttl / 3):
                try:
                    if connection is None:
                        connection = self._open_connection()
                    if not self._renew(connection):
                        self.lost = True
                        log.error(
                            "the migration lease in %s was taken over or deleted: another "
                            "process may be migrating at the same time",
                            self.rows.qualified,
                        )
                        return
                except Exception as err:  # the next beat tries again, with a new connection
                    log.warning("could not renew the migration lease: %s", one_line(err))
                    if connection is not None:
                        _close_quietly(connection)
                        connection = None
        finally:
            if connection is not None:
                _close_quietly(connection)

    @property
    def _connection(self) -> Connection:
        assert self.side_connection is not None, "the lease's connection is closed"
        return self.side_connection


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # pragma: no cover - closing a broken connection
        log.debug("closing the lease heartbeat connection failed", exc_info=True)
