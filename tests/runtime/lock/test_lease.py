"""The lease row (``migration_lock = lease``), its table, and rights the lock needs.

Run straight against PostgreSQL here (the PgBouncer tests reach it through a pooler).
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from dbshift import command
from dbshift.util.exc import CommandError, MigrationLockTimeout

from . import project
from .conftest import url_of, version_rows


def lease_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT lock_key, holder FROM dbshift_migration_lock")]


def test_lease_is_taken_and_given_back(pg_engine, tmp_path):
    root = project.write_project(
        tmp_path / "proj", url_of(pg_engine), 2, ini_extra="migration_lock = lease\n"
    )
    command.upgrade(project.config(root), "head")
    assert version_rows(pg_engine) == ["r2"]
    assert lease_rows(pg_engine) == []  # deleted on release
    columns = {c["name"] for c in sa.inspect(pg_engine).get_columns("dbshift_migration_lock")}
    assert columns == {"lock_key", "holder", "acquired_at", "expires_at"}


def _insert_lease(engine: sa.Engine, holder: str, expires_in: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO dbshift_migration_lock VALUES ('alembic_version', :h, "
                "extract(epoch from now()) - 5, extract(epoch from now()) + :ttl)"
            ),
            {"h": holder, "ttl": expires_in},
        )


def test_a_live_lease_blocks_and_an_expired_one_is_taken_over(pg_engine, tmp_path):
    root = project.write_project(
        tmp_path / "proj", url_of(pg_engine), 2, ini_extra="migration_lock = lease\n"
    )
    config = project.config(root)
    command.upgrade(config, "r1")  # makes the table
    _insert_lease(pg_engine, "pid 1 on elsewhere (cafe)", 60)
    with pytest.raises(MigrationLockTimeout) as info:
        command.upgrade(config, "head", lock_wait="300ms")
    assert "held by pid 1 on elsewhere (cafe) since " in str(info.value)
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE dbshift_migration_lock SET expires_at = expires_at - 120")
    command.upgrade(config, "head", lock_wait=5)  # the expired lease (a dead holder) is taken
    assert version_rows(pg_engine) == ["r2"]
    assert lease_rows(pg_engine) == []


def test_direct_session_lock_takes_a_live_lease_into_account(pg_engine, tmp_path):
    """Processes behind a pooler lock with lease rows: one that locks with the advisory lock
    takes the lease row too, so the two kinds exclude each other."""
    root = project.write_project(tmp_path / "proj", url_of(pg_engine), 2)
    config = project.config(root)
    config.set_main_option("migration_lock", "lease")
    command.upgrade(config, "r1")
    config.remove_main_option("migration_lock")
    _insert_lease(pg_engine, "pid 2 behind a pooler (beef)", 60)
    with pytest.raises(MigrationLockTimeout, match=r"held by pid 2 behind a pooler \(beef\)"):
        command.upgrade(config, "head", lock_wait="300ms")
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM dbshift_migration_lock")
    command.upgrade(config, "head")
    assert version_rows(pg_engine) == ["r2"] and lease_rows(pg_engine) == []


def test_a_lock_table_of_another_shape_is_a_one_line_error_naming_it(pg_engine, tmp_path):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE dbshift_migration_lock (id integer, note text)")
    root = project.write_project(
        tmp_path / "proj", url_of(pg_engine), 2, ini_extra="migration_lock = lease\n"
    )
    with pytest.raises(CommandError) as info:
        command.upgrade(project.config(root), "head")
    message = str(info.value)
    assert message == (
        "the migration lock table dbshift_migration_lock exists but is not one: it has columns "
        "(id, note) and primary key (none), not (lock_key, holder, acquired_at, expires_at) "
        "with primary key (lock_key); drop it or set migration_lock_table to another name"
    )
    assert "alembic_version" not in sa.inspect(pg_engine).get_table_names()


def test_lease_on_sqlite_is_refused(sqlite_engine, tmp_path):
    root = project.write_project(
        tmp_path / "proj", url_of(sqlite_engine), 1, ini_extra="migration_lock = lease\n"
    )
    with pytest.raises(CommandError, match="^migration_lock = lease is for database servers; "):
        command.upgrade(project.config(root), "head")


@pytest.fixture
def database_without_advisory_locks(pg_engine):
    """A database of its own where PUBLIC may not call pg_try_advisory_lock (functions are per
    database, so the REVOKE stays there), and a role that may do everything else."""
    name = f"lock_norights_{uuid.uuid4().hex[:8]}"
    role = "lock_norights"
    admin = sa.create_engine(
        pg_engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
        if not conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").first():
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    url = pg_engine.url.set(database=name)
    owner = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with owner.begin() as conn:
        conn.exec_driver_sql("REVOKE EXECUTE ON FUNCTION pg_try_advisory_lock(bigint) FROM PUBLIC")
        conn.exec_driver_sql(f"GRANT ALL ON SCHEMA public TO {role}")
    owner.dispose()
    try:
        yield url.set(username=role, password=None)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


def test_a_user_who_may_not_take_advisory_locks_gets_a_one_line_error(
    database_without_advisory_locks, tmp_path
):
    url = database_without_advisory_locks.render_as_string(hide_password=False)
    root = project.write_project(tmp_path / "proj", url, 2)
    result = project.run(root, ["upgrade", "head"])
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "FAILED: migration lock: database user 'lock_norights' may not take the advisory lock "
        "(permission denied for function pg_try_advisory_lock); GRANT EXECUTE ON FUNCTION "
        "pg_try_advisory_lock(bigint), pg_advisory_unlock(bigint) TO lock_norights, or set "
        "migration_lock = lease (or false)"
    )
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    assert sa.inspect(engine).get_table_names() == []  # nothing ran
    engine.dispose()
