"""PostgreSQL's migration lock: a session advisory lock, ``SET LOCAL`` timeouts, PgBouncer.

The lock is ``pg_try_advisory_lock(bigint)`` on a session of its own (polled, so a waiter holds
no transaction or snapshot), keyed by the version table's schema and name: advisory locks are
per database already. Who holds it comes from ``pg_locks`` joined to ``pg_stat_activity``.
``lock_timeout``/``statement_timeout`` are set with ``SET LOCAL`` in each migration transaction
(and with ``SET`` around an autocommit block, put back afterwards), so they never outlive the run
on a pooled connection.

A session lock is unsafe behind a pooler that hands server sessions out per transaction
(PgBouncer ``pool_mode = transaction``): :meth:`PostgresqlLockSQL.session_lock_unsafe` finds one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .lock_sql import LockSQL, TimeoutSettings, error_chain, key_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
UNLOCK = text("SELECT pg_advisory_unlock(:key)")
#: The session holding advisory lock ``key`` (split, as pg_locks shows a bigint key, into the
#: high and low 32 bits), in this database.
HOLDER = text(
    "SELECT a.pid, a.usename, a.application_name, host(a.client_addr), a.client_hostname, "
    "to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
    "extract(epoch from now() - a.state_change) "
    "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.classid = CAST(:classid AS oid) AND l.objid = CAST(:objid AS oid) "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
#: This session's server process and the port the server listens on.
BACKEND = text("SELECT pg_backend_pid(), current_setting('port')")
BACKEND_PID = text("SELECT pg_backend_pid()")
CURRENT_TIMEOUTS = text(
    "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
)

_LOCK_NOT_AVAILABLE = "55P03"
_QUERY_CANCELED = "57014"
_INSUFFICIENT_PRIVILEGE = "42501"


class PostgresqlLockSQL(LockSQL):
    """PostgreSQL: advisory lock, ``SET LOCAL`` timeouts, PgBouncer detection."""

    dialect_names = ("postgresql",)
    has_session_lock = True
    timeout_scope = "transaction"
    epoch_now_sql = "extract(epoch from clock_timestamp())"
    lock_kind = "advisory lock"

    def lock_key(self, database: str | None, schema: str | None, table: str) -> int:
        """A signed 64-bit key from the schema and table (advisory locks are per database)."""
        return int.from_bytes(key_digest(schema, table)[:8], "big", signed=True)

    def try_lock(self, connection: Connection, key: Any) -> bool:
        """``pg_try_advisory_lock(key)``: session-level, never waits."""
        return bool(connection.execute(TRY_LOCK, {"key": key}).scalar())

    def unlock(self, connection: Connection, key: Any) -> bool | None:
        """``pg_advisory_unlock(key)``: False when this session did not hold the lock."""
        return bool(connection.execute(UNLOCK, {"key": key}).scalar())

    def describe_holder(self, connection: Connection, key: Any) -> str | None:
        """Backend pid, user, application, client and since when (what the user may see)."""
        row = connection.execute(HOLDER, holder_parameters(key)).first()
        if row is None:
            return None
        pid, user, application, client, client_host, since, age = row
        details = [f"user {user}"] if user else []
        if application:
            details.append(f"application {application!r}")
        if client_host or client:
            details.append(f"client {client_host or client}")
        text_ = f"backend pid {pid}"
        if details:
            text_ += f" ({', '.join(details)})"
        if since:
            text_ += f", since {since} UTC"
            if age is not None:
                text_ += f" ({float(age):.0f} s ago)"
        return text_

    def grant_hint(self, user: str) -> str:
        """The GRANT that lets ``user`` call the two advisory lock functions."""
        return (
            "GRANT EXECUTE ON FUNCTION pg_try_advisory_lock(bigint), "
            f"pg_advisory_unlock(bigint) TO {user}"
        )

    def session_lock_unsafe(
        self, connection: Connection, open_connection: Callable[[], Connection]
    ) -> bool:
        """True when a pooler may sit between dbshift and the server.

        The server's own ``port`` setting differs from the port that was dialled: something
        (PgBouncer on 6432, say) forwards the connection, and may hand server sessions out per
        transaction, where a session lock would stay with a session other clients then get.
        The ports can match behind a pooler on the server's port, so a probe follows: another
        client's transaction may get this connection's server session (a pooler reuses the last
        one freed), or this connection's next statement may land on another session. Neither
        happens on a direct connection or with session pooling.
        """
        pid, port = connection.execute(BACKEND).one()
        if str(port) != str(_dialled_port(connection)):
            return True
        probe = open_connection()
        try:
            with probe.begin():
                other = probe.execute(BACKEND_PID).scalar()
        finally:
            probe.close()
        again = connection.execute(BACKEND_PID).scalar()
        return other == pid or again != pid

    def timeout_statements(self, settings: TimeoutSettings, *, local: bool) -> list[str]:
        """``SET [LOCAL] lock_timeout = '<n>ms'`` and the same for ``statement_timeout``."""
        verb = "SET LOCAL" if local else "SET"
        out = []
        for name in ("lock_timeout", "statement_timeout"):
            seconds = getattr(settings, name)
            if seconds is not None:
                out.append(f"{verb} {name} = '{_milliseconds(seconds)}ms'")
        return out

    def current_timeouts(self, connection: Connection) -> list[str]:
        """``SET lock_timeout = '<now>'`` and ``SET statement_timeout = '<now>'``."""
        lock_timeout, statement_timeout = connection.execute(CURRENT_TIMEOUTS).one()
        return [
            f"SET lock_timeout = {_quoted(lock_timeout)}",
            f"SET statement_timeout = {_quoted(statement_timeout)}",
        ]

    def timeout_kind(self, err: BaseException) -> str | None:
        """SQLSTATE 55P03 (lock_not_available) or 57014 from ``statement_timeout``."""
        for item in error_chain(err):
            code = _sqlstate(item)
            if code == _LOCK_NOT_AVAILABLE:
                return "lock_timeout"
            if code == _QUERY_CANCELED and "statement timeout" in str(item):
                return "statement_timeout"
        return None

    def is_permission_error(self, err: BaseException) -> bool:
        """SQLSTATE 42501 (insufficient_privilege)."""
        return any(_sqlstate(item) == _INSUFFICIENT_PRIVILEGE for item in error_chain(err))


def _dialled_port(connection: Connection) -> int | str:
    """The port the client dialled: the URL's, else libpq's ``PGPORT``, else 5432."""
    return connection.engine.url.port or os.environ.get("PGPORT") or 5432


def holder_parameters(key: int) -> dict[str, int]:
    """``classid``/``objid``: how ``pg_locks`` shows the bigint advisory key ``key``."""
    return {"classid": (key >> 32) & 0xFFFFFFFF, "objid": key & 0xFFFFFFFF}


def _sqlstate(err: BaseException) -> str | None:
    # psycopg2 and pg8000-style ``pgcode``; psycopg 3 and asyncpg ``sqlstate``
    for name in ("pgcode", "sqlstate"):
        code = getattr(err, name, None)
        if isinstance(code, str):
            return code
    return None


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _quoted(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
