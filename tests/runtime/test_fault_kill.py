"""A migration killed (SIGKILL) between two of its statements.

SQLite and PostgreSQL must hold exactly the previous revision's schema and version row afterwards;
MariaDB commits each DDL statement, so what ran before the kill stays (and the version row does not
move) -- the state the PartialMigrationError message describes for a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbshift import op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations

from .conftest import FakeRevision, upgrade_chain

SRC = str(Path(__file__).resolve().parents[2] / "src")

CHILD = textwrap.dedent(
    """
    import sys, time, types
    from pathlib import Path

    import sqlalchemy as sa

    from dbshift import op
    from dbshift.migration import MigrationContext
    from dbshift.operations import Operations
    from dbshift.runtime.steps import RevisionStep

    url, signal_dir = sys.argv[1], Path(sys.argv[2])

    def signal_parent(n):
        (signal_dir / f"done_{n}").write_text("x")
        time.sleep(0.3)

    def upgrade(**kw):
        op.create_table("new_table", sa.Column("id", sa.Integer, primary_key=True))
        signal_parent(1)
        op.add_column("base_t", sa.Column("added", sa.Integer))
        signal_parent(2)
        time.sleep(60)  # killed here
        op.create_table("never_made", sa.Column("id", sa.Integer))

    class Script:
        revision = "a2"
        versioned_down_revisions = ("a1",)
        normalized_down_revisions = ("a1",)
        doc = "killed midway"
        module = types.SimpleNamespace(upgrade=upgrade)

    class RevisionMap:
        def get_revision(self, rev):
            return None

        def get_revisions(self, revs):
            return ()

    def steps(heads, ctx):
        assert heads == ("a1",), heads
        return [RevisionStep(RevisionMap(), Script(), True)]

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": steps})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
    (signal_dir / "finished").write_text("x")
    """
)


def _prepare(engine: sa.Engine) -> None:
    a1 = FakeRevision(
        "a1",
        upgrade=lambda **kw: op.create_table(
            "base_t", sa.Column("id", sa.Integer, primary_key=True), mysql_engine="InnoDB"
        ),
    )
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": upgrade_chain(a1)})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()


def _run_and_kill(engine: sa.Engine, tmp_path: Path) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": SRC}
    url = engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen([sys.executable, str(script), url, str(signals)], env=env,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (signals / "done_2").exists():
            if proc.poll() is not None:
                pytest.fail(f"child ended early: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("child never reached the second statement")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert not (signals / "finished").exists()


def _state(engine: sa.Engine) -> tuple[list[str], list[str], tuple[str, ...]]:
    insp = sa.inspect(engine)
    tables = sorted(insp.get_table_names())
    columns = [c["name"] for c in insp.get_columns("base_t")]
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return tables, columns, heads


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_killed_migration_leaves_previous_revision(engine, tmp_path):
    _prepare(engine)
    before = _state(engine)
    assert before == (["alembic_version", "base_t"], ["id"], ("a1",))
    _run_and_kill(engine, tmp_path)
    assert _state(engine) == before


@pytest.mark.parametrize("engine", ["mariadb"], indirect=True)
def test_killed_migration_on_mariadb_leaves_applied_statements(engine, tmp_path):
    _prepare(engine)
    _run_and_kill(engine, tmp_path)
    tables, columns, heads = _state(engine)
    # both statements that ran before the kill were committed by MariaDB; the version row did
    # not move, so the database is between a1 and a2 and needs a manual fix
    assert tables == ["alembic_version", "base_t", "new_table"]
    assert columns == ["id", "added"]
    assert heads == ("a1",)
