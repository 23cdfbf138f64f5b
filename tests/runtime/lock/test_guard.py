"""The guard around a run: when the lock is taken, how long it is held, what takes none.

In one process each: the lock is held by hand from the test (``conftest.lock_held``), as another
dbshift process would hold it, and the run is ``command.upgrade`` / ``command.stamp`` /
``MigrationContext`` on a real database.
"""

from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from dbshift import command
from dbshift.ddl.lock_sql import lock_sql_for
from dbshift.migration import MigrationContext
from dbshift.runtime.lock import holding
from dbshift.util.exc import MigrationLockTimeout

from . import project
from .conftest import lock_held, side_effects, url_of, version_rows


def test_at_the_target_the_run_takes_no_lock(engine, project_root):
    config = project.config(project_root)
    command.upgrade(config, "head")
    with lock_held(engine):
        command.upgrade(config, "head", lock_wait=0)  # the fast path: no wait, no error
        with pytest.raises(MigrationLockTimeout):
            command.downgrade(config, "r2", lock_wait=0.2)  # work to do: waits, gives up
    assert version_rows(engine) == ["r3"]


def test_a_held_lock_blocks_an_upgrade_until_lock_wait(engine, project_root):
    config = project.config(project_root)
    with lock_held(engine), pytest.raises(MigrationLockTimeout) as info:
        command.upgrade(config, "head", lock_wait="300ms")
    message = str(info.value)
    assert message.startswith("gave up waiting for the migration ")
    assert "after 0.3 s (lock_wait): held by " in message
    # nothing ran: not even the version table was created
    assert "alembic_version" not in sa.inspect(engine).get_table_names()


def test_lock_wait_as_a_context_configure_option(sqlite_engine, tmp_path):
    root = project.write_project(
        tmp_path / "proj", url_of(sqlite_engine), 1, configure_extra=", lock_wait=0.2"
    )
    with lock_held(sqlite_engine), pytest.raises(MigrationLockTimeout, match=r"after 0.2 s \(lock"):
        command.upgrade(project.config(root), "head")


def test_the_waiter_runs_once_the_holder_lets_go(engine, project_root):
    config = project.config(project_root)
    released = threading.Event()

    def hold() -> None:
        with lock_held(engine):
            started.set()
            released.wait(30)

    started = threading.Event()
    holder = threading.Thread(target=hold)
    holder.start()
    started.wait(30)
    threading.Timer(0.5, released.set).start()
    try:
        command.upgrade(config, "head", lock_wait=30)
    finally:
        released.set()
        holder.join(30)
    assert side_effects(engine) == [("r1", 1), ("r2", 1), ("r3", 1)]
    assert holding.held_count() == 0


def test_no_lock_flag_config_key_and_offline_take_no_lock(engine, project_root, tmp_path):
    config = project.config(project_root)
    with lock_held(engine):
        command.upgrade(config, "r1", no_lock=True)
        config.set_main_option("migration_lock", "false")
        command.upgrade(config, "r2")
        config.remove_main_option("migration_lock")
        config.output_buffer = io.StringIO()
        command.upgrade(config, "r2:r3", sql=True)
        assert "CREATE TABLE t3" in config.output_buffer.getvalue()
    assert version_rows(engine) == ["r2"]


def test_another_version_table_is_another_lock(engine, tmp_path):
    root = project.write_project(
        tmp_path / "other", url_of(engine), 2, configure_extra=', version_table="other_version"'
    )
    with lock_held(engine, "alembic_version"):
        command.upgrade(project.config(root), "head", lock_wait=0)
    assert version_rows(engine, "other_version") == ["r2"]


def test_the_lock_is_held_until_the_run_transaction_has_committed(pg_engine, tmp_path):
    """Released only after the commit: another process reading the version table right after
    taking the lock must see the rows."""
    from dbshift.script import ScriptDirectory

    root = project.write_project(tmp_path / "proj", url_of(pg_engine), 2)
    script = ScriptDirectory.from_config(project.config(root))
    with pg_engine.begin() as conn:  # a transaction of the caller's own (external)
        ctx = MigrationContext.configure(conn, opts={"script": script})
        ctx.stamp(script, "r1")
        assert not _lock_free(pg_engine)  # stamped, not yet committed: still locked
        ctx.stamp(script, "r2")  # the same thread takes the lock again without waiting
        assert not _lock_free(pg_engine)
    assert _lock_free(pg_engine)
    assert version_rows(pg_engine) == ["r2"]
    assert holding.held_count() == 0


def _lock_free(engine: sa.Engine) -> bool:
    key = lock_sql_for(engine.dialect).lock_key(None, None, "alembic_version")
    with engine.connect() as other:
        taken = other.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if taken:
            other.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return bool(taken)


def test_run_inside_begin_transaction_releases_after_its_commit(pg_engine):
    from dbshift.operations import Operations

    from ..conftest import FakeRevision, upgrade_chain

    seen: list[bool] = []
    fn = upgrade_chain(FakeRevision("a1", upgrade=lambda **kw: seen.append(_lock_free(pg_engine))))
    with pg_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": fn})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
            seen.append(_lock_free(pg_engine))  # run_migrations returned; not committed yet
        seen.append(_lock_free(pg_engine))
    assert seen == [False, False, True]


def test_an_async_engine_locks_and_releases_through_run_sync(pg_engine):
    """``env.py`` of the async template: ``connection.run_sync(do_run_migrations)``; the lock's
    own connection comes from the same async engine, inside the same greenlet."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    from dbshift.operations import Operations

    from ..conftest import FakeRevision, upgrade_chain

    seen: list[bool] = []
    fn = upgrade_chain(FakeRevision("a1", upgrade=lambda **kw: seen.append(_lock_free(pg_engine))))

    def migrate(sync_conn) -> None:
        ctx = MigrationContext.configure(sync_conn, opts={"fn": fn})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()

    async def main() -> None:
        url = pg_engine.url.set(drivername="postgresql+asyncpg")
        engine = create_async_engine(url, poolclass=sa.pool.NullPool)
        try:
            async with engine.connect() as conn:
                await conn.run_sync(migrate)
        finally:
            await engine.dispose()

    asyncio.run(main())
    assert seen == [False]
    assert _lock_free(pg_engine)
    assert version_rows(pg_engine) == ["a1"]
    assert holding.held_count() == 0


def test_sqlite_waits_for_other_writers_up_to_lock_wait_while_locked(sqlite_engine):
    from dbshift import op
    from dbshift.operations import Operations

    from ..conftest import FakeRevision, upgrade_chain

    seen: list[int] = []

    def upgrade(**kw) -> None:
        seen.append(op.get_bind().exec_driver_sql("PRAGMA busy_timeout").scalar())

    fn = upgrade_chain(FakeRevision("a1", upgrade=upgrade))
    with sqlite_engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.commit()  # (else the run would be inside a transaction of ours: held until it ends)
        ctx = MigrationContext.configure(conn, opts={"fn": fn, "lock_wait": "7s"})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
        after = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert seen == [7000]
    assert after == before < 7000


def test_inside_a_callers_transaction_the_run_goes_on_from_the_rows_it_wrote(pg_engine, tmp_path):
    """pytest-alembic's downgrade check: an empty version table is committed, then upgrades and a
    downgrade run inside one transaction of the caller's. Each run goes on from the version rows
    that transaction wrote, which the lock's own connection cannot see yet."""
    root = project.write_project(tmp_path / "proj", url_of(pg_engine), 2)
    config = project.config(root)
    command.upgrade(config, "r1")
    command.downgrade(config, "base")  # leaves the version table, empty
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE side_effects")  # r1's downgrade keeps it
    assert version_rows(pg_engine) == []
    with pg_engine.connect() as conn:
        transaction = conn.begin()
        shared = project.config(root, connection=conn)
        command.upgrade(shared, "r2")
        command.downgrade(shared, "-1")
        rows = [row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
        tables = set(sa.inspect(conn).get_table_names())
        transaction.rollback()
    assert rows == ["r1"]
    assert "t1" in tables and "t2" not in tables
    assert version_rows(pg_engine) == []
