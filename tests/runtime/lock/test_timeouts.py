"""``lock_timeout``/``statement_timeout`` on a run, and the retry of a unit that hit one.

PostgreSQL: a second session holds a conflicting lock on a table for 3 s, then lets go; the
migration's ALTER times out, its unit rolls back whole, and it is run again after a back-off.
MariaDB: the session's ``lock_wait_timeout`` for the run, put back afterwards, never a retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from dbshift import command, op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations

from ..conftest import FakeRevision, upgrade_chain
from . import project
from .conftest import side_effects, url_of, version_rows

ALTER_BLOCKED = 'op.add_column("blocked", sa.Column("x", sa.Integer))'


@contextmanager
def table_locked(engine: sa.Engine, seconds: float) -> Iterator[None]:
    """Another session holds ACCESS EXCLUSIVE on ``blocked`` for ``seconds``, from entry."""
    taken = threading.Event()

    def hold() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("LOCK TABLE blocked IN ACCESS EXCLUSIVE MODE")
            taken.set()
            threading.Event().wait(seconds)
            conn.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(30)
    try:
        yield
    finally:
        holder.join(60)


@pytest.fixture
def blocked_project(pg_engine, tmp_path):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE blocked (id integer)")

    def make(configure_extra: str = "", extra: str = ALTER_BLOCKED):
        return project.write_project(
            tmp_path / "proj",
            url_of(pg_engine),
            2,
            configure_extra=configure_extra,
            extra_upgrade={2: extra},
        )

    return make


def retries_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]


def columns(engine: sa.Engine, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(engine).get_columns(table)]


def test_lock_timeout_retries_the_run_until_the_lock_is_gone(pg_engine, blocked_project, caplog):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    config = project.config(blocked_project())
    with table_locked(pg_engine, 3):
        command.upgrade(config, "head", lock_timeout="1s", lock_retries=10)
    retries = retries_logged(caplog)
    assert retries, "the first try must hit the 1 s lock_timeout under a 3 s lock"
    assert retries[0].startswith("lock_timeout hit (")
    assert "LockNotAvailable" in retries[0] and "retry 1 of 10 in " in retries[0]
    assert columns(pg_engine, "blocked") == ["id", "x"]
    # the whole run is the unit: r1 ran again with it, and happened once
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1)]
    assert version_rows(pg_engine) == ["r2"]


def test_with_transaction_per_migration_only_the_failed_step_runs_again(
    pg_engine, blocked_project, caplog
):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    root = blocked_project(configure_extra=", transaction_per_migration=True")
    with table_locked(pg_engine, 3):
        command.upgrade(project.config(root), "head", lock_timeout="1s", lock_retries=10)
    assert retries_logged(caplog)
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1)]
    assert columns(pg_engine, "blocked") == ["id", "x"]


def test_retries_are_bounded(pg_engine, blocked_project, caplog):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    config = project.config(blocked_project())
    with table_locked(pg_engine, 4), pytest.raises(OperationalError, match="lock timeout"):
        command.upgrade(config, "head", lock_timeout="500ms", lock_retries=1)
    assert len(retries_logged(caplog)) == 1
    assert "alembic_version" not in sa.inspect(pg_engine).get_table_names()


def test_a_unit_with_an_autocommit_block_is_never_retried(pg_engine, blocked_project, caplog):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    root = blocked_project(
        extra=f"""
        with op.get_context().autocommit_block():
            {ALTER_BLOCKED}
        """
    )
    with table_locked(pg_engine, 3), pytest.raises(OperationalError, match="lock timeout"):
        command.upgrade(project.config(root), "head", lock_timeout="500ms", lock_retries=5)
    assert retries_logged(caplog) == []
    # what the autocommit block committed (r1 and its version row) stays
    assert version_rows(pg_engine) == ["r1"]


def test_statement_timeout_is_retried_like_lock_timeout(pg_engine, blocked_project, caplog):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    root = blocked_project(extra='op.execute("SELECT pg_sleep(2)")')
    with pytest.raises(OperationalError, match="statement timeout"):
        command.upgrade(project.config(root), "head", statement_timeout="300ms", lock_retries=1)
    assert [m.split(" (")[0] for m in retries_logged(caplog)] == ["statement_timeout hit"]


def test_timeouts_live_in_the_run_transactions_only(pg_engine):
    """SET LOCAL in each transaction, SET around an autocommit block: afterwards the pooled
    connection is as it was."""
    seen: dict[str, str] = {}

    def upgrade(**kw) -> None:
        bind = op.get_bind()
        seen["in step"] = bind.exec_driver_sql("SHOW lock_timeout").scalar()
        with op.get_context().autocommit_block():
            seen["in autocommit"] = bind.exec_driver_sql("SHOW statement_timeout").scalar()

    fn = upgrade_chain(FakeRevision("a1", upgrade=upgrade))
    with pg_engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"fn": fn, "lock_timeout": "2s", "statement_timeout": "1min"}
        )
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
        assert seen == {"in step": "2s", "in autocommit": "1min"}
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
        conn.rollback()


def test_mariadb_lock_wait_timeout_for_the_run_then_back(mariadb_engine):
    seen: list[int] = []

    def upgrade(**kw) -> None:
        value = op.get_bind().exec_driver_sql("SELECT @@SESSION.lock_wait_timeout").scalar()
        seen.append(int(value))

    fn = upgrade_chain(FakeRevision("a1", upgrade=upgrade))
    with mariadb_engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT @@SESSION.lock_wait_timeout").scalar()
        ctx = MigrationContext.configure(conn, opts={"fn": fn, "lock_timeout": "2.5s"})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
        after = conn.exec_driver_sql("SELECT @@SESSION.lock_wait_timeout").scalar()
    assert seen == [3]
    assert after == before != 3


def test_mariadb_lock_wait_timeout_fails_without_retry(mariadb_engine, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="alembic.runtime.lock")
    with mariadb_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE blocked (id integer)")
    root = project.write_project(
        tmp_path / "proj", url_of(mariadb_engine), 2, extra_upgrade={2: ALTER_BLOCKED}
    )
    with mariadb_engine.connect() as other:
        other.exec_driver_sql("SELECT * FROM blocked")  # an open transaction: a metadata lock
        with pytest.raises(Exception, match="Lock wait timeout exceeded"):
            command.upgrade(project.config(root), "head", lock_timeout="1s", lock_retries=5)
        other.rollback()
    assert retries_logged(caplog) == []
    assert version_rows(mariadb_engine) == ["r1"]
