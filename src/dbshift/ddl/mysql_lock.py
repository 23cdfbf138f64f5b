"""MySQL and MariaDB's migration lock: ``GET_LOCK`` on a session of its own, session timeouts.

``GET_LOCK(name, 0)`` names are server-wide (not per database) and at most 64 characters, so the
name holds the database (or the version table's schema) and the table, hashed when too long.
Who holds it: ``IS_USED_LOCK`` gives the connection id, ``information_schema.PROCESSLIST`` the
user, host and how long that connection has been idle (since its last statement: taking the
lock). ``lock_timeout`` becomes the session's ``lock_wait_timeout`` (whole seconds) and, on
MariaDB, ``statement_timeout`` its ``max_statement_time``; both are put back after the run. DDL
commits itself here, so nothing is retried.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .lock_sql import LockSQL, TimeoutSettings, key_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TRY_LOCK = text("SELECT GET_LOCK(:name, 0)")
UNLOCK = text("SELECT RELEASE_LOCK(:name)")
HOLDER_ID = text("SELECT IS_USED_LOCK(:name)")
HOLDER = text(
    "SELECT ID, USER, HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = :id"
)
#: GET_LOCK's limit on a lock name.
NAME_LIMIT = 64


class MySQLLockSQL(LockSQL):
    """MySQL/MariaDB: ``GET_LOCK`` and session ``lock_wait_timeout``."""

    dialect_names = ("mysql", "mariadb")
    has_session_lock = True
    timeout_scope = "session"
    epoch_now_sql = "UNIX_TIMESTAMP(NOW(6))"
    lock_kind = "named lock"

    def lock_key(self, database: str | None, schema: str | None, table: str) -> str:
        """``dbshift:<database>.<table>``, or ``dbshift:<sha256 prefix>`` past 64 characters."""
        name = f"dbshift:{schema or database or ''}.{table}"
        if len(name) <= NAME_LIMIT:
            return name
        return "dbshift:" + key_digest(schema or database, table).hex()[:40]

    def try_lock(self, connection: Connection, key: Any) -> bool:
        """``GET_LOCK(name, 0)``: 1 when taken."""
        return connection.execute(TRY_LOCK, {"name": key}).scalar() == 1

    def unlock(self, connection: Connection, key: Any) -> bool | None:
        """``RELEASE_LOCK(name)``: 1 released, 0 held by another session, NULL not held."""
        return connection.execute(UNLOCK, {"name": key}).scalar() == 1

    def describe_holder(self, connection: Connection, key: Any) -> str | None:
        """Connection id, user, host and idle time of the holder."""
        holder_id = connection.execute(HOLDER_ID, {"name": key}).scalar()
        if holder_id is None:
            return None
        row = connection.execute(HOLDER, {"id": holder_id}).first()
        if row is None:  # without the PROCESS privilege, others' connections are hidden
            return f"connection {holder_id}"
        _, user, host, idle = row
        return f"connection {holder_id} ({user}@{host}), idle for {idle} s"

    def timeout_statements(self, settings: TimeoutSettings, *, local: bool) -> list[str]:
        """``SET SESSION lock_wait_timeout = <s>``; MariaDB: ``max_statement_time`` too."""
        out = []
        if settings.lock_timeout is not None:
            out.append(f"SET SESSION lock_wait_timeout = {max(1, math.ceil(settings.lock_timeout))}")
        if settings.statement_timeout is not None and self._is_mariadb:
            out.append(f"SET SESSION max_statement_time = {settings.statement_timeout:g}")
        return out

    def current_timeouts(self, connection: Connection) -> list[str]:
        """The session's ``lock_wait_timeout`` (and MariaDB's ``max_statement_time``) now."""
        if self._is_mariadb:
            wait, statement = connection.execute(
                text("SELECT @@SESSION.lock_wait_timeout, @@SESSION.max_statement_time")
            ).one()
            return [
                f"SET SESSION lock_wait_timeout = {int(wait)}",
                f"SET SESSION max_statement_time = {float(statement):g}",
            ]
        wait = connection.execute(text("SELECT @@SESSION.lock_wait_timeout")).scalar()
        return [f"SET SESSION lock_wait_timeout = {int(wait)}"]

    @property
    def supports_statement_timeout(self) -> bool:
        """MariaDB has ``max_statement_time``; MySQL's ``max_execution_time`` is SELECT-only."""
        return self._is_mariadb

    @property
    def _is_mariadb(self) -> bool:
        return bool(getattr(self.dialect, "is_mariadb", False))
