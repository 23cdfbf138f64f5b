"""PostgreSQL lock levels per statement kind and the lock-mode vocabulary."""

from __future__ import annotations

from dbshift.ddl.postgresql_locks import (
    LOCK_MODES,
    blocked_by,
    lock_strength,
    mode_from_pg_locks,
    statement_lock,
)
from dbshift.ddl.statement_kinds import KINDS


def test_every_lock_kind_is_a_statement_kind():
    from dbshift.ddl import postgresql_locks

    assert set(postgresql_locks._LOCKS) <= KINDS


def test_lock_levels_of_the_common_statements():
    assert statement_lock("create_index").mode == "SHARE"
    assert statement_lock("create_index_concurrently").mode == "SHARE UPDATE EXCLUSIVE"
    assert statement_lock("add_foreign_key").mode == "SHARE ROW EXCLUSIVE"
    assert statement_lock("add_foreign_key").referent_mode == "SHARE ROW EXCLUSIVE"
    assert statement_lock("validate_constraint").mode == "SHARE UPDATE EXCLUSIVE"
    assert statement_lock("add_column").mode == "ACCESS EXCLUSIVE"
    assert statement_lock("alter_column_type").effect == "rewrite"
    assert statement_lock("set_not_null").effect == "scan"
    assert statement_lock("set").mode is None


def test_modes_order_and_names():
    assert lock_strength("ACCESS EXCLUSIVE") == len(LOCK_MODES) - 1
    assert lock_strength("SHARE") > lock_strength("SHARE UPDATE EXCLUSIVE")
    assert lock_strength(None) == -1
    assert mode_from_pg_locks("AccessExclusiveLock") == "ACCESS EXCLUSIVE"
    assert mode_from_pg_locks("ShareUpdateExclusiveLock") == "SHARE UPDATE EXCLUSIVE"
    assert [mode_from_pg_locks(m) for m in (
        "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
        "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    )] == list(LOCK_MODES)
    assert blocked_by("ACCESS EXCLUSIVE") == "reads and writes"
    assert blocked_by("SHARE") == "writes"
    assert blocked_by("SHARE UPDATE EXCLUSIVE") == "schema changes"
    assert blocked_by("ROW EXCLUSIVE") == "nothing"
