"""SQL Server's migration lock: ``sp_getapplock`` owned by a session of its own.

The resource name is at most 32 characters (``dbshift:`` and a digest of the schema and table),
so that ``sys.dm_tran_locks.resource_description`` shows it whole and the holder can be found.
``@LockOwner = 'Session'`` keeps the lock across the session's transactions; ``@LockTimeout = 0``
makes each try return at once (the runtime polls). Exercised as exact SQL (no live server here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .lock_sql import LockSQL, key_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TRY_LOCK = text(
    "DECLARE @result int; "
    "EXEC @result = sp_getapplock @Resource = :resource, @LockMode = 'Exclusive', "
    "@LockOwner = 'Session', @LockTimeout = 0; "
    "SELECT @result"
)
UNLOCK = text("EXEC sp_releaseapplock @Resource = :resource, @LockOwner = 'Session'")
HOLDER = text(
    "SELECT s.session_id, s.login_name, s.host_name, s.program_name, "
    "CONVERT(varchar(19), s.last_request_end_time, 120) "
    "FROM sys.dm_tran_locks l JOIN sys.dm_exec_sessions s ON s.session_id = l.request_session_id "
    "WHERE l.resource_type = 'APPLICATION' AND l.request_status = 'GRANT' "
    "AND l.resource_database_id = DB_ID() AND CHARINDEX(:needle, l.resource_description) > 0"
)


class MSSQLLockSQL(LockSQL):
    """SQL Server: ``sp_getapplock`` / ``sp_releaseapplock``."""

    dialect_names = ("mssql",)
    has_session_lock = True
    epoch_now_sql = "(DATEDIFF_BIG(millisecond, '1970-01-01', SYSUTCDATETIME()) / 1000.0)"
    lock_kind = "application lock"

    def lock_key(self, database: str | None, schema: str | None, table: str) -> str:
        """``dbshift:`` and 24 hex digits: 32 characters (applocks are per database)."""
        return "dbshift:" + key_digest(schema, table).hex()[:24]

    def try_lock(self, connection: Connection, key: Any) -> bool:
        """``sp_getapplock`` returns 0 or 1 when granted, a negative number when not."""
        result = connection.execute(TRY_LOCK, {"resource": key}).scalar()
        return result is not None and int(result) >= 0

    def unlock(self, connection: Connection, key: Any) -> bool | None:
        """``sp_releaseapplock``."""
        connection.execute(UNLOCK, {"resource": key})
        return None

    def describe_holder(self, connection: Connection, key: Any) -> str | None:
        """Session id, login, host, program and the end of its last request."""
        row = connection.execute(HOLDER, holder_parameters(key)).first()
        if row is None:
            return None
        session, login, host, program, since = row
        return (
            f"session {session} ({login}@{host}, program {program!r})"
            + (f" since {since}" if since else "")
        )


def holder_parameters(key: str) -> dict[str, str]:
    """``needle``: how ``resource_description`` shows the resource (``0:[<name>]:(hash)``)."""
    return {"needle": f"[{key}]"}
