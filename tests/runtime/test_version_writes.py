"""When the version table is written during a run.

Inside the one transaction a run opens on a database with transactional DDL, the rows between two
steps are never visible outside it, so only the final state is written (one statement instead of
one per step). Everywhere else -- one transaction per migration, MariaDB's non-transactional DDL,
before ``autocommit_block`` and ``on_version_apply`` callbacks -- every step writes its rows, and a
failure leaves exactly what per-step writes leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from dbshift import op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations

from .conftest import FakeRevision, downgrade_chain, upgrade_chain


@contextmanager
def version_statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the statements sent to the database that touch ``alembic_version`` rows."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE") and (
            "alembic_version" in statement
        ):
            seen.append(words[0].upper())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _table(name: str) -> FakeRevision:
    return FakeRevision(
        name,
        upgrade=lambda **kw: op.create_table(f"t_{name}", sa.Column("x", sa.Integer)),
        downgrade=lambda **kw: op.drop_table(f"t_{name}"),
    )


def _chain(*names: str) -> list[FakeRevision]:
    revs = []
    for i, name in enumerate(names):
        rev = _table(name)
        if i:
            rev.versioned_down_revisions = rev.normalized_down_revisions = (names[i - 1],)
        revs.append(rev)
    return revs


def _run(conn: sa.Connection, fn, **opts) -> MigrationContext:
    ctx = MigrationContext.configure(conn, opts={"fn": fn, **opts})
    with Operations.context(ctx), ctx.begin_transaction():
        ctx.run_migrations()
    return ctx


def _heads(engine: sa.Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_heads()


def _tables(engine: sa.Engine) -> list[str]:
    return sorted(sa.inspect(engine).get_table_names())


@pytest.fixture(params=["sqlite", "postgresql"])
def transactional_engine(request, sqlite_engine, tmp_path):
    if request.param == "sqlite":
        return sqlite_engine
    return request.getfixturevalue("pg_engine")


def test_one_transaction_writes_only_the_final_row(transactional_engine):
    revs = _chain("a1", "a2", "a3")
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        _run(conn, upgrade_chain(*revs))
    assert seen == ["INSERT"]
    assert _heads(transactional_engine) == ("a3",)
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        _run(conn, downgrade_chain(*reversed(revs[1:])))
    assert seen == ["UPDATE"]
    assert _heads(transactional_engine) == ("a1",)
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        _run(conn, downgrade_chain(revs[0]))
    assert seen == ["DELETE"]
    assert _heads(transactional_engine) == ()
    assert _tables(transactional_engine) == ["alembic_version"]


def test_failure_mid_run_leaves_the_previous_state(transactional_engine):
    revs = _chain("a1", "a2", "a3")
    with transactional_engine.connect() as conn:
        _run(conn, upgrade_chain(revs[0]))

    def bad(**kw):
        op.create_table("t_half", sa.Column("x", sa.Integer))
        op.execute("SELECT no_such_column FROM t_half")

    revs.append(FakeRevision("a4", ("a3",), upgrade=bad))
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError):
            _run(conn, upgrade_chain(*revs))
    assert seen == []  # the rollback undoes the steps: no row is written for them
    assert _heads(transactional_engine) == ("a1",)
    assert _tables(transactional_engine) == ["alembic_version", "t_a1"]


def test_transaction_per_migration_writes_every_step(transactional_engine):
    revs = _chain("a1", "a2", "a3")

    def bad(**kw):
        op.execute("SELECT no_such_column FROM t_a1")

    revs.append(FakeRevision("a4", ("a3",), upgrade=bad))
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError):
            _run(conn, upgrade_chain(*revs), transaction_per_migration=True)
    assert seen == ["INSERT", "UPDATE", "UPDATE"]
    assert _heads(transactional_engine) == ("a3",)


def test_on_version_apply_sees_each_step_in_the_table(transactional_engine):
    seen_in_table = []

    def callback(*, ctx, step, heads, run_args):
        rows = ctx.connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        seen_in_table.append(sorted(r[0] for r in rows))

    with transactional_engine.connect() as conn:
        _run(conn, upgrade_chain(*_chain("a1", "a2", "a3")), on_version_apply=callback)
    assert seen_in_table == [["a1"], ["a2"], ["a3"]]


def test_branches_and_a_merge_in_one_run(transactional_engine):
    a1, b1 = _table("a1"), _table("b1")
    merge = FakeRevision("m1", ("a1", "b1"))
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        _run(conn, upgrade_chain(a1, b1))
    assert seen == ["INSERT", "INSERT"]
    assert sorted(_heads(transactional_engine)) == ["a1", "b1"]
    with version_statements(transactional_engine) as seen, transactional_engine.connect() as conn:
        _run(conn, upgrade_chain(a1, b1, merge))
    assert sorted(seen) == ["DELETE", "UPDATE"]
    assert _heads(transactional_engine) == ("m1",)


def test_autocommit_block_commits_the_rows_of_earlier_steps(pg_engine):
    """A failure after an autocommit block keeps what the block committed, rows included."""

    def with_block(**kw):
        ctx = op.get_context()
        with ctx.autocommit_block():
            op.create_index("ix_a1", "t_a1", ["x"], postgresql_concurrently=True)
        op.create_table("t_a2", sa.Column("x", sa.Integer))

    def bad(**kw):
        op.execute("SELECT no_such_column FROM t_a1")

    a1 = _table("a1")
    a2 = FakeRevision("a2", ("a1",), upgrade=with_block)
    a3 = FakeRevision("a3", ("a2",), upgrade=bad)
    with pg_engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError):
        _run(conn, upgrade_chain(a1, a2, a3))
    assert _heads(pg_engine) == ("a1",)
    assert _tables(pg_engine) == ["alembic_version", "t_a1"]
    assert [i["name"] for i in sa.inspect(pg_engine).get_indexes("t_a1")] == ["ix_a1"]


def test_migration_that_commits_itself_then_fails_records_the_committed_steps(pg_engine):
    """``op.execute("COMMIT")`` ends the run's transaction behind SQLAlchemy's back: what ran
    before it is committed, so its version row must be too (as with per-step writes)."""

    def commits_then_fails(**kw):
        op.execute("COMMIT")
        op.create_table("t_after_commit", sa.Column("x", sa.Integer))
        op.execute("SELECT no_such_column FROM t_after_commit")

    a1 = _table("a1")
    a2 = FakeRevision("a2", ("a1",), upgrade=commits_then_fails)
    with pg_engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError):
        _run(conn, upgrade_chain(a1, a2))
    assert _heads(pg_engine) == ("a1",)
    assert _tables(pg_engine) == ["alembic_version", "t_a1", "t_after_commit"]


def test_sqlite_migration_that_commits_itself_then_fails_records_the_committed_steps(
    sqlite_engine,
):
    def commits_then_fails(**kw):
        op.execute("COMMIT")
        op.create_table("t_after_commit", sa.Column("x", sa.Integer))
        raise RuntimeError("failed after its own COMMIT")

    a1 = _table("a1")
    a2 = FakeRevision("a2", ("a1",), upgrade=commits_then_fails)
    with sqlite_engine.connect() as conn, pytest.raises(RuntimeError):
        _run(conn, upgrade_chain(a1, a2))
    assert _heads(sqlite_engine) == ("a1",)
    assert _tables(sqlite_engine) == ["alembic_version", "t_a1", "t_after_commit"]


@pytest.mark.parametrize("commit", ["COMMIT", "commit;", "END"])
def test_migration_that_commits_and_begins_again_then_fails(pg_engine, commit):
    """``COMMIT`` then ``BEGIN`` inside a migration: the steps before the COMMIT are committed
    with their version rows, what came after the new BEGIN is rolled back, as with per-step
    writes (the driver's transaction is open again when the failure comes)."""

    def commits_begins_fails(**kw):
        op.execute(commit)
        op.execute("BEGIN")
        op.create_table("t_after_begin", sa.Column("x", sa.Integer))
        op.execute("SELECT no_such_column FROM t_after_begin")

    a0, a1 = _chain("a0", "a1")
    a2 = FakeRevision("a2", ("a1",), upgrade=commits_begins_fails)
    with pg_engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError):
        _run(conn, upgrade_chain(a0, a1, a2))
    assert _heads(pg_engine) == ("a1",)
    assert _tables(pg_engine) == ["alembic_version", "t_a0", "t_a1"]


def test_mariadb_writes_every_step(mariadb_engine):
    from dbshift.util.exc import PartialMigrationError

    revs = _chain("a1", "a2", "a3")

    def bad(**kw):
        op.create_table("t_half", sa.Column("x", sa.Integer))
        op.execute("SELECT no_such_column FROM t_half")

    revs.append(FakeRevision("a4", ("a3",), upgrade=bad))
    with version_statements(mariadb_engine) as seen, mariadb_engine.connect() as conn:
        with pytest.raises(PartialMigrationError):
            _run(conn, upgrade_chain(*revs))
    assert seen == ["INSERT", "UPDATE", "UPDATE"]
    assert _heads(mariadb_engine) == ("a3",)


def test_mariadb_told_its_ddl_is_transactional_still_writes_every_step(mariadb_engine):
    """Each MariaDB DDL statement commits what came before it, the version rows included."""
    revs = _chain("a1", "a2", "a3")

    def bad(**kw):
        op.execute("SELECT no_such_column FROM t_a1")

    revs.append(FakeRevision("a4", ("a3",), upgrade=bad))
    with version_statements(mariadb_engine) as seen, mariadb_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError):
            _run(conn, upgrade_chain(*revs), transactional_ddl=True)
    assert seen == ["INSERT", "UPDATE", "UPDATE"]
    assert _heads(mariadb_engine) == ("a2",)
