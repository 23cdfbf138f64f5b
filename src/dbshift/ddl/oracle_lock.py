"""Oracle's migration lock: ``DBMS_LOCK`` in exclusive mode, owned by a session of its own.

``ALLOCATE_UNIQUE`` turns the lock name into a handle (it commits, which is why the lock lives on
a connection of its own); ``REQUEST(handle, X_MODE, 0, FALSE)`` tries without waiting and keeps
the lock past commits (``release_on_commit => FALSE``). The holder comes from ``V$LOCK`` (type
``UL``) joined to ``DBMS_LOCK_ALLOCATED`` and ``V$SESSION``. Exercised as exact SQL (no live
server here); the user needs ``EXECUTE`` on ``DBMS_LOCK``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, outparam, text

from .lock_sql import LockSQL, key_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TRY_LOCK = text(
    "DECLARE handle VARCHAR2(128); "
    "BEGIN "
    "DBMS_LOCK.ALLOCATE_UNIQUE(:name, handle); "
    ":result := DBMS_LOCK.REQUEST(handle, DBMS_LOCK.X_MODE, 0, FALSE); "
    "END;"
).bindparams(outparam("result", Integer))
UNLOCK = text(
    "DECLARE handle VARCHAR2(128); result INTEGER; "
    "BEGIN "
    "DBMS_LOCK.ALLOCATE_UNIQUE(:name, handle); "
    "result := DBMS_LOCK.RELEASE(handle); "
    "END;"
)
HOLDER = text(
    "SELECT s.sid, s.username, s.machine, s.program, l.ctime "
    "FROM v$lock l JOIN dbms_lock_allocated a ON a.lockid = l.id1 "
    "JOIN v$session s ON s.sid = l.sid "
    "WHERE l.type = 'UL' AND l.lmode = 6 AND a.name = :name"
)
#: REQUEST's answers: 0 granted, 4 already held by this session.
GRANTED = (0, 4)


class OracleLockSQL(LockSQL):
    """Oracle: ``DBMS_LOCK.REQUEST`` / ``DBMS_LOCK.RELEASE``."""

    dialect_names = ("oracle",)
    has_session_lock = True
    epoch_now_sql = (
        "((CAST(SYS_EXTRACT_UTC(SYSTIMESTAMP) AS DATE) - DATE '1970-01-01') * 86400)"
    )
    lock_kind = "user lock"

    def lock_key(self, database: str | None, schema: str | None, table: str) -> str:
        """``dbshift:[<schema>.]<table>`` (names are database-wide, up to 128 characters)."""
        name = f"dbshift:{schema + '.' if schema else ''}{table}"
        return name if len(name) <= 128 else "dbshift:" + key_digest(schema, table).hex()[:40]

    def try_lock(self, connection: Connection, key: Any) -> bool:
        """``DBMS_LOCK.REQUEST``: 0 (granted) or 4 (already ours)."""
        result = connection.execute(TRY_LOCK, {"name": key}).out_parameters["result"]
        return result is not None and int(result) in GRANTED

    def unlock(self, connection: Connection, key: Any) -> bool | None:
        """``DBMS_LOCK.RELEASE``."""
        connection.execute(UNLOCK, {"name": key})
        return None

    def describe_holder(self, connection: Connection, key: Any) -> str | None:
        """Session id, user, machine, program and for how long it has held the lock."""
        row = connection.execute(HOLDER, {"name": key}).first()
        if row is None:
            return None
        sid, user, machine, program, held_for = row
        return f"session {sid} ({user}@{machine}, program {program!r}) for {held_for} s"
