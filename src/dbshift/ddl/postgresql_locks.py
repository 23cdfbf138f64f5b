"""PostgreSQL's table locks: which lock each kind of statement takes, and what that lock blocks.

The statement kinds are those of :mod:`dbshift.ddl.statement_kinds`. The levels follow the
PostgreSQL documentation of ``ALTER TABLE``, ``CREATE INDEX``, ``DROP INDEX`` and friends ("An
ACCESS EXCLUSIVE lock is acquired unless explicitly noted"). ``lint`` uses them to find statements
that block reads or writes, ``plan`` to show the lock of every statement it would run, and
``trace`` to read the locks a session holds from ``pg_locks`` (:func:`session_locks`), name
them and order them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACCESS_EXCLUSIVE",
    "LOCK_MODES",
    "HeldLock",
    "StatementLock",
    "blocked_by",
    "lock_strength",
    "mode_from_pg_locks",
    "session_locks",
    "statement_lock",
    "user_relation_oids",
]

#: The table lock modes, weakest first.
LOCK_MODES: tuple[str, ...] = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
SHARE = "SHARE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"
ROW_SHARE = "ROW SHARE"


@dataclass(frozen=True)
class StatementLock:
    """The lock a kind of statement takes and what it does to the table's rows.

    ``mode`` is the lock on the table the statement changes (``None``: no table lock);
    ``referent_mode`` the lock on the table a foreign key points to; ``effect`` one of
    ``"metadata"`` (catalog only), ``"scan"`` (reads every row), ``"rewrite"`` (writes a new copy
    of the table and its indexes), ``"rows"`` (changes rows), ``"none"``.
    """

    mode: str | None
    effect: str
    referent_mode: str | None = None


_LOCKS: dict[str, StatementLock] = {
    "create_table": StatementLock(ACCESS_EXCLUSIVE, "metadata", SHARE_ROW_EXCLUSIVE),
    "drop_table": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "rename_table": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "truncate": StatementLock(ACCESS_EXCLUSIVE, "rewrite"),
    "add_column": StatementLock(ACCESS_EXCLUSIVE, "metadata", SHARE_ROW_EXCLUSIVE),
    "drop_column": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "alter_column_type": StatementLock(ACCESS_EXCLUSIVE, "rewrite"),
    "modify_column": StatementLock(ACCESS_EXCLUSIVE, "rewrite"),
    "set_not_null": StatementLock(ACCESS_EXCLUSIVE, "scan"),
    "drop_not_null": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "set_default": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "drop_default": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "rename_column": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "set_statistics": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "create_index": StatementLock(SHARE, "scan"),
    "create_index_concurrently": StatementLock(SHARE_UPDATE_EXCLUSIVE, "scan"),
    "drop_index": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "drop_index_concurrently": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "rename_index": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "reindex": StatementLock(SHARE, "rewrite"),
    "reindex_concurrently": StatementLock(SHARE_UPDATE_EXCLUSIVE, "rewrite"),
    "add_foreign_key": StatementLock(SHARE_ROW_EXCLUSIVE, "scan", SHARE_ROW_EXCLUSIVE),
    "add_foreign_key_not_valid": StatementLock(
        SHARE_ROW_EXCLUSIVE, "metadata", SHARE_ROW_EXCLUSIVE
    ),
    "add_check": StatementLock(ACCESS_EXCLUSIVE, "scan"),
    "add_check_not_valid": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "add_unique": StatementLock(ACCESS_EXCLUSIVE, "scan"),
    "add_unique_using_index": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "add_primary_key": StatementLock(ACCESS_EXCLUSIVE, "scan"),
    "add_primary_key_using_index": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "add_exclude": StatementLock(ACCESS_EXCLUSIVE, "scan"),
    "validate_constraint": StatementLock(SHARE_UPDATE_EXCLUSIVE, "scan", ROW_SHARE),
    "drop_constraint": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "drop_primary_key": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "rename_constraint": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "set_storage": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "set_logged": StatementLock(ACCESS_EXCLUSIVE, "rewrite"),
    "alter_table_other": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "attach_partition": StatementLock(SHARE_UPDATE_EXCLUSIVE, "scan"),
    "detach_partition": StatementLock(ACCESS_EXCLUSIVE, "metadata"),
    "detach_partition_concurrently": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "enable_trigger": StatementLock(SHARE_ROW_EXCLUSIVE, "metadata"),
    "comment": StatementLock(SHARE_UPDATE_EXCLUSIVE, "metadata"),
    "insert": StatementLock(ROW_EXCLUSIVE, "rows"),
    "update": StatementLock(ROW_EXCLUSIVE, "rows"),
    "delete": StatementLock(ROW_EXCLUSIVE, "rows"),
    "select": StatementLock("ACCESS SHARE", "none"),
    "lock_table": StatementLock(ACCESS_EXCLUSIVE, "none"),
    "refresh_view": StatementLock(ACCESS_EXCLUSIVE, "rewrite"),
    "refresh_view_concurrently": StatementLock("EXCLUSIVE", "rewrite"),
}

_NO_LOCK = StatementLock(None, "none")


def statement_lock(kind: str) -> StatementLock:
    """The lock a statement of ``kind`` takes on the table it changes (``mode=None`` for
    statements that lock no table: ``SET``, ``CREATE TYPE``, ``GRANT`` ...)."""
    return _LOCKS.get(kind, _NO_LOCK)


def lock_strength(mode: str | None) -> int:
    """The position of ``mode`` in :data:`LOCK_MODES` (-1 for no lock); stronger is higher."""
    if mode is None:
        return -1
    try:
        return LOCK_MODES.index(mode)
    except ValueError:
        return -1


def mode_from_pg_locks(name: str) -> str:
    """``AccessExclusiveLock`` (``pg_locks.mode``) as ``ACCESS EXCLUSIVE``."""
    base = name[:-4] if name.endswith("Lock") else name
    words: list[str] = []
    for char in base:
        if char.isupper() and words:
            words.append(" ")
        words.append(char.upper())
    return "".join(words)


def blocked_by(mode: str | None) -> str:
    """What other sessions cannot do while ``mode`` is held on a table: ``"reads and writes"``,
    ``"writes"``, ``"schema changes"`` (other DDL, VACUUM) or ``"nothing"``."""
    if mode == ACCESS_EXCLUSIVE:
        return "reads and writes"
    if lock_strength(mode) >= lock_strength(SHARE):
        return "writes"
    if mode in (SHARE_UPDATE_EXCLUSIVE,):
        return "schema changes"
    return "nothing"


@dataclass(frozen=True)
class HeldLock:
    """One relation lock a session holds (a row of ``pg_locks`` joined to ``pg_class``)."""

    oid: int
    relation: str | None
    schema: str | None
    kind: str
    mode: str


#: relkind -> what ``trace`` calls it
RELATION_KINDS = {
    "r": "table", "p": "table", "i": "index", "I": "index", "S": "sequence", "v": "view",
    "m": "materialized view", "t": "toast table", "f": "foreign table", "c": "type",
}

_SESSION_LOCKS_SQL = (
    "SELECT l.relation::bigint, c.relname, n.nspname, c.relkind, l.mode "
    "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation "
    "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
    "AND (n.nspname IS NULL OR (n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%'))"
)


def session_locks(dbapi_connection: Any) -> list[HeldLock]:
    """The relation locks the session of ``dbapi_connection`` holds now, outside the system
    catalogs (read with a cursor of its own, so no SQLAlchemy event fires)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_SESSION_LOCKS_SQL)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        HeldLock(
            int(oid), name, schema, RELATION_KINDS.get(relkind or "", "relation"),
            mode_from_pg_locks(mode),
        )
        for oid, name, schema, relkind, mode in rows
    ]


def user_relation_oids(dbapi_connection: Any) -> set[int]:
    """The OIDs of every relation outside the system catalogs, as the session sees them."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%'"
        )
        return {int(row[0]) for row in cursor.fetchall()}
    finally:
        cursor.close()
