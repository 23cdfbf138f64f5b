"""The migration lock's statements per dialect, as exact SQL (``ddl/*_lock.py``).

SQL Server and Oracle have no live server here: their statements are compiled and compared
whole, and the code that runs them is driven through a recording connection. PostgreSQL and
MySQL/MariaDB run live in tests/runtime/lock/; their statements are pinned here too.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite

from dbshift.ddl import mssql_lock, mysql_lock, oracle_lock, postgresql_lock
from dbshift.ddl.lock_sql import LockSQL, TimeoutSettings, error_chain, lock_sql_for


def compiled(statement: Any, dialect: Any) -> str:
    return str(statement.compile(dialect=dialect))


class Recorder:
    """A connection stand-in that records (statement text, parameters) and answers scalars."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def execute(self, statement: Any, params: dict[str, Any] | None = None) -> Recorder:
        self.calls.append((statement.text, dict(params or {})))
        return self

    def scalar(self) -> Any:
        return self.answers.pop(0)

    @property
    def out_parameters(self) -> dict[str, Any]:
        return {"result": self.answers.pop(0)}


def test_lookup_by_dialect_name():
    assert type(lock_sql_for(postgresql.dialect())).__name__ == "PostgresqlLockSQL"
    assert type(lock_sql_for(mysql.dialect())).__name__ == "MySQLLockSQL"
    assert type(lock_sql_for(sqlite.dialect())).__name__ == "SQLiteLockSQL"
    assert type(lock_sql_for(mssql.dialect())).__name__ == "MSSQLLockSQL"
    assert type(lock_sql_for(oracle.dialect())).__name__ == "OracleLockSQL"


def test_unknown_dialect_gets_the_generic_lock_sql_without_a_named_lock():
    class Dialect:
        name = "somethingelse"

    found = lock_sql_for(Dialect())  # type: ignore[arg-type]
    assert type(found) is LockSQL
    assert not found.has_session_lock and found.timeout_scope is None


# ---------------------------------------------------------------------- PostgreSQL


def test_postgresql_key_is_a_signed_bigint_of_schema_and_table_only():
    sql = lock_sql_for(postgresql.dialect())
    key = sql.lock_key("db_a", None, "alembic_version")
    assert -(2**63) <= key < 2**63
    assert key == sql.lock_key("db_b", None, "alembic_version")  # advisory locks are per database
    assert key != sql.lock_key("db_a", None, "other_version")
    assert key != sql.lock_key("db_a", "tenant", "alembic_version")
    assert key == 7950917972627813268  # the same in every process and Python version


def test_postgresql_statements():
    dialect = postgresql.dialect()
    assert compiled(postgresql_lock.TRY_LOCK, dialect) == "SELECT pg_try_advisory_lock(%(key)s)"
    assert compiled(postgresql_lock.UNLOCK, dialect) == "SELECT pg_advisory_unlock(%(key)s)"
    assert compiled(postgresql_lock.BACKEND, dialect) == (
        "SELECT pg_backend_pid(), current_setting('port')"
    )
    holder = compiled(postgresql_lock.HOLDER, dialect)
    assert "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid" in holder
    assert (
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "AND l.classid = CAST(%(classid)s AS oid) AND l.objid = CAST(%(objid)s AS oid)"
    ) in holder


def test_postgresql_holder_parameters_split_the_key_as_pg_locks_shows_it():
    assert postgresql_lock.holder_parameters(-1) == {"classid": 0xFFFFFFFF, "objid": 0xFFFFFFFF}
    assert postgresql_lock.holder_parameters((5 << 32) | 7) == {"classid": 5, "objid": 7}


def test_postgresql_timeouts_are_local_to_the_transaction_or_session_wide():
    sql = lock_sql_for(postgresql.dialect())
    both = TimeoutSettings(2.0, 0.25)
    assert sql.timeout_statements(both, local=True) == [
        "SET LOCAL lock_timeout = '2000ms'",
        "SET LOCAL statement_timeout = '250ms'",
    ]
    assert sql.timeout_statements(TimeoutSettings(1.5, None), local=False) == [
        "SET lock_timeout = '1500ms'"
    ]
    assert sql.timeout_scope == "transaction"


class _PgError(Exception):
    def __init__(self, message: str, pgcode: str) -> None:
        super().__init__(message)
        self.pgcode = pgcode


class _Wrapped(Exception):
    def __init__(self, orig: BaseException) -> None:
        super().__init__(str(orig))
        self.orig = orig


def test_postgresql_timeout_kind_reads_the_sqlstate_through_wrappers():
    sql = lock_sql_for(postgresql.dialect())
    lock = _Wrapped(_PgError("canceling statement due to lock timeout", "55P03"))
    statement = _Wrapped(_PgError("canceling statement due to statement timeout", "57014"))
    cancelled = _Wrapped(_PgError("canceling statement due to user request", "57014"))
    assert sql.timeout_kind(lock) == "lock_timeout"
    assert sql.timeout_kind(statement) == "statement_timeout"
    assert sql.timeout_kind(cancelled) is None
    try:
        raise RuntimeError("outer") from lock
    except RuntimeError as outer:
        assert sql.timeout_kind(outer) == "lock_timeout"
        assert lock in error_chain(outer)
    assert sql.is_permission_error(_Wrapped(_PgError("permission denied", "42501")))


def test_postgresql_try_lock_and_unlock_run_the_statements():
    sql = lock_sql_for(postgresql.dialect())
    conn = Recorder(True, False)
    assert sql.try_lock(conn, 42) is True  # type: ignore[arg-type]
    assert sql.unlock(conn, 42) is False  # type: ignore[arg-type]
    assert conn.calls == [
        ("SELECT pg_try_advisory_lock(:key)", {"key": 42}),
        ("SELECT pg_advisory_unlock(:key)", {"key": 42}),
    ]


# ---------------------------------------------------------------------- MySQL / MariaDB


def test_mysql_lock_name_carries_the_database_and_is_hashed_past_64_characters():
    sql = lock_sql_for(mysql.dialect())
    assert sql.lock_key("shop", None, "alembic_version") == "dbshift:shop.alembic_version"
    assert sql.lock_key("shop", "audit", "alembic_version") == "dbshift:audit.alembic_version"
    long = sql.lock_key("d" * 60, None, "alembic_version")
    assert long.startswith("dbshift:") and len(long) == 48


def test_mysql_statements():
    dialect = mysql.dialect()
    assert compiled(mysql_lock.TRY_LOCK, dialect) == "SELECT GET_LOCK(%s, 0)"
    assert compiled(mysql_lock.UNLOCK, dialect) == "SELECT RELEASE_LOCK(%s)"
    assert compiled(mysql_lock.HOLDER_ID, dialect) == "SELECT IS_USED_LOCK(%s)"


def test_mysql_and_mariadb_session_timeouts():
    mysql_sql = lock_sql_for(mysql.dialect())
    assert mysql_sql.timeout_scope == "session"
    assert mysql_sql.timeout_statements(TimeoutSettings(2.5, 4.0), local=False) == [
        "SET SESSION lock_wait_timeout = 3"
    ]
    assert not mysql_sql.supports_statement_timeout
    maria = mysql.dialect()
    maria.is_mariadb = True
    maria_sql = lock_sql_for(maria)
    assert maria_sql.timeout_statements(TimeoutSettings(0.2, 4.5), local=False) == [
        "SET SESSION lock_wait_timeout = 1",
        "SET SESSION max_statement_time = 4.5",
    ]


# ---------------------------------------------------------------------- SQL Server


def test_mssql_resource_name_fits_the_lock_description():
    sql = lock_sql_for(mssql.dialect())
    key = sql.lock_key("db", None, "alembic_version")
    assert key.startswith("dbshift:") and len(key) == 32
    assert key != sql.lock_key("db", None, "other_version")


def test_mssql_statements():
    dialect = mssql.dialect()
    assert compiled(mssql_lock.TRY_LOCK, dialect) == (
        "DECLARE @result int; EXEC @result = sp_getapplock @Resource = :resource, "
        "@LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0; SELECT @result"
    )
    assert compiled(mssql_lock.UNLOCK, dialect) == (
        "EXEC sp_releaseapplock @Resource = :resource, @LockOwner = 'Session'"
    )
    assert compiled(mssql_lock.HOLDER, dialect) == (
        "SELECT s.session_id, s.login_name, s.host_name, s.program_name, "
        "CONVERT(varchar(19), s.last_request_end_time, 120) "
        "FROM sys.dm_tran_locks l JOIN sys.dm_exec_sessions s "
        "ON s.session_id = l.request_session_id "
        "WHERE l.resource_type = 'APPLICATION' AND l.request_status = 'GRANT' "
        "AND l.resource_database_id = DB_ID() AND CHARINDEX(:needle, l.resource_description) > 0"
    )
    assert mssql_lock.holder_parameters("dbshift:abc") == {"needle": "[dbshift:abc]"}


@pytest.mark.parametrize(("answer", "taken"), [(0, True), (1, True), (-1, False), (None, False)])
def test_mssql_try_lock_reads_sp_getapplock_result(answer, taken):
    sql = lock_sql_for(mssql.dialect())
    conn = Recorder(answer)
    assert sql.try_lock(conn, "dbshift:x") is taken  # type: ignore[arg-type]
    assert conn.calls[0][1] == {"resource": "dbshift:x"}


# ---------------------------------------------------------------------- Oracle


def test_oracle_statements():
    dialect = oracle.dialect()
    assert compiled(oracle_lock.TRY_LOCK, dialect) == (
        "DECLARE handle VARCHAR2(128); BEGIN DBMS_LOCK.ALLOCATE_UNIQUE(:name, handle); "
        ":result := DBMS_LOCK.REQUEST(handle, DBMS_LOCK.X_MODE, 0, FALSE); END;"
    )
    assert compiled(oracle_lock.UNLOCK, dialect) == (
        "DECLARE handle VARCHAR2(128); result INTEGER; BEGIN "
        "DBMS_LOCK.ALLOCATE_UNIQUE(:name, handle); result := DBMS_LOCK.RELEASE(handle); END;"
    )
    assert compiled(oracle_lock.HOLDER, dialect) == (
        "SELECT s.sid, s.username, s.machine, s.program, l.ctime "
        "FROM v$lock l JOIN dbms_lock_allocated a ON a.lockid = l.id1 "
        "JOIN v$session s ON s.sid = l.sid "
        "WHERE l.type = 'UL' AND l.lmode = 6 AND a.name = :name"
    )
    sql = lock_sql_for(dialect)
    assert sql.lock_key("orcl", None, "alembic_version") == "dbshift:alembic_version"
    assert sql.lock_key("orcl", "app", "alembic_version") == "dbshift:app.alembic_version"


@pytest.mark.parametrize(("answer", "taken"), [(0, True), (4, True), (1, False), (2, False)])
def test_oracle_try_lock_reads_request_result(answer, taken):
    sql = lock_sql_for(oracle.dialect())
    assert sql.try_lock(Recorder(answer), "dbshift:t") is taken  # type: ignore[arg-type]


# ---------------------------------------------------------------------- SQLite


def test_sqlite_has_no_named_lock_but_a_file_and_a_busy_timeout():
    sql = lock_sql_for(sqlite.dialect())
    assert sql.file_database and not sql.has_session_lock
    assert sql.set_busy_timeout_sql(300000) == "PRAGMA busy_timeout = 300000"
