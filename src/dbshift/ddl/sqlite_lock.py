"""SQLite's migration lock lives beside the database file, not in it; here: which file, the clock.

SQLite has no named lock a second session could hold while the migration writes, so the runtime
locks a file of its own next to the database (``runtime/lock/file_lock.py``). This module finds the
database's file (``PRAGMA database_list``: empty for an in-memory database, which one process
owns anyway) and reads and sets the connection's busy timeout, raised while the lock is held so
that a write waits for other writers instead of failing with "database is locked".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from .lock_sql import LockSQL

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

DATABASE_LIST = text("PRAGMA database_list")
BUSY_TIMEOUT = "PRAGMA busy_timeout"


class SQLiteLockSQL(LockSQL):
    """SQLite: the database file, the busy timeout and the clock (no named lock)."""

    dialect_names = ("sqlite",)
    file_database = True
    epoch_now_sql = "((julianday('now') - 2440587.5) * 86400.0)"
    lock_kind = "lock file"

    def database_file(self, connection: Connection, schema: str | None) -> str | None:
        """The file of the ``main`` database (or of the attached ``schema``); None in memory."""
        wanted = schema or "main"
        for _, name, path in connection.execute(DATABASE_LIST):
            if name == wanted:
                return path or None
        return None

    def busy_timeout_ms(self, connection: Connection) -> int:
        """The connection's busy timeout (milliseconds)."""
        return int(connection.exec_driver_sql(BUSY_TIMEOUT).scalar() or 0)

    def set_busy_timeout_sql(self, milliseconds: int) -> str:
        """``PRAGMA busy_timeout = <ms>``."""
        return f"{BUSY_TIMEOUT} = {int(milliseconds)}"
