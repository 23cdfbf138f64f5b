"""kill -9 at random statements on MariaDB, then ``upgrade head`` again: every run ends exactly at
head with each revision's effects applied once.

One worker process imports dbshift once and forks a child per run; the child runs
``upgrade head`` with a cursor event hook that SIGKILLs it at a seeded random event (before or
after a statement is sent). The test process then resumes with ``upgrade head`` in-process.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from history_project import Project

REVISIONS = 20
RUNS = 30

WORKER = textwrap.dedent(
    """
    import json, os, signal, sys

    import sqlalchemy as sa

    from dbshift import command
    from dbshift.config import Config

    ini = sys.argv[1]
    for line in sys.stdin:
        kill_at = int(line)
        pid = os.fork()
        if pid == 0:
            seen = [0]
            def hook(*args, **kw):
                seen[0] += 1
                if seen[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            for name in ("before_cursor_execute", "after_cursor_execute"):
                sa.event.listen(sa.engine.Engine, name, hook)
            code = 0
            try:
                command.upgrade(Config(ini), "head")
            except BaseException:
                code = 3
            sys.stdout.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        print(json.dumps({"killed": killed, "exit": exit_code}), flush=True)
    """
)


def _chain(project: Project) -> None:
    project.revision("r01", ['op.create_table("log", sa.Column("rev", sa.String(8)))'])
    for n in range(2, REVISIONS + 1):
        rev = f"r{n:02d}"
        statements = [
            f'op.create_table("k{n}", sa.Column("id", sa.Integer, primary_key=True))',
            f'op.execute("INSERT INTO k{n} (id) VALUES (1)")',
            'op.execute("INSERT INTO log (rev) VALUES (\'' + rev + '\')")',
        ]
        if n % 2 == 0:  # a second DDL statement in every other revision
            statements.insert(2, f'op.add_column("k{n}", sa.Column("c", sa.Integer))')
        project.revision(rev, statements)


def _reset(engine: sa.Engine) -> None:
    name = engine.url.database
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE `{name}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")


def _assert_at_head_once(project: Project) -> None:
    assert project.versions_rows() == [f"r{REVISIONS:02d}"]
    with project.engine.connect() as conn:
        logged = sorted(r[0] for r in conn.exec_driver_sql("SELECT rev FROM log"))
        assert logged == [f"r{n:02d}" for n in range(2, REVISIONS + 1)]
        for n in range(2, REVISIONS + 1):
            columns = [c["name"] for c in sa.inspect(conn).get_columns(f"k{n}")]
            assert columns == (["id", "c"] if n % 2 == 0 else ["id"])
            assert conn.exec_driver_sql(f"SELECT COUNT(*) FROM k{n}").scalar() == 1
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version_journal").scalar() == 0
        done = conn.exec_driver_sql(
            "SELECT revision FROM alembic_version_history WHERE outcome = 'ok' ORDER BY id"
        ).all()
    assert [r[0] for r in done] == [f"r{n:02d}" for n in range(1, REVISIONS + 1)]


class Worker:
    def __init__(self, ini: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(ini)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def run(self, kill_at: int) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{kill_at}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def worker(mariadb_project: Project) -> Any:
    _chain(mariadb_project)
    found = Worker(mariadb_project.ini)
    yield found
    found.close()


def _events_of_a_full_run(project: Project, worker: Worker) -> int:
    """Cursor events of an uninterrupted run (the range kill points are drawn from)."""
    counter = {"n": 0}

    def count(*args: Any, **kw: Any) -> None:
        counter["n"] += 1

    for name in ("before_cursor_execute", "after_cursor_execute"):
        sa.event.listen(sa.engine.Engine, name, count)
    try:
        assert project.run("-q", "upgrade", "head").status == 0
    finally:
        for name in ("before_cursor_execute", "after_cursor_execute"):
            sa.event.remove(sa.engine.Engine, name, count)
    _assert_at_head_once(project)
    _reset(project.engine)
    return counter["n"]


def test_killed_at_random_statements_resumes_to_head_30_of_30(
    mariadb_project: Project, worker: Worker
) -> None:
    project = mariadb_project
    total = _events_of_a_full_run(project, worker)
    rng = random.Random(15)
    interrupted_mid_revision = 0
    for _ in range(RUNS):
        kill_at = rng.randrange(1, total)
        outcome = worker.run(kill_at)
        assert outcome["killed"], outcome
        with project.engine.connect() as conn:
            if sa.inspect(conn).has_table("alembic_version_journal"):
                left = conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version_journal").scalar()
                interrupted_mid_revision += bool(left)
        resumed = project.run("-q", "upgrade", "head")
        assert resumed.status == 0, (kill_at, resumed.err)
        _assert_at_head_once(project)
        _reset(project.engine)
    # most kills land inside a revision, where only the journal can resume
    assert interrupted_mid_revision >= RUNS // 2


def test_planted_failure_fixed_in_place_resumes_to_head(mariadb_project: Project) -> None:
    project = mariadb_project
    _chain(project)
    rng = random.Random(1515)
    for _ in range(6):
        n = rng.randrange(2, REVISIONS + 1)
        path = project.path(f"r{n:02d}")
        good = path.read_text()
        lines = good.splitlines(keepends=True)
        statements = [i for i, line in enumerate(lines) if line.startswith("    op.")]
        at = rng.choice(statements)
        bad = "    op.execute(\"ALTER TABLE missing_table ADD COLUMN x INT\")\n"
        path.write_text("".join(lines[:at] + [bad] + lines[at:]))
        assert project.run("-q", "upgrade", "head").status == 1
        path.write_text(good.replace(lines[at], "    op.execute(\"SELECT 1\")\n" + lines[at]))
        resumed = project.run("-q", "upgrade", "head")
        assert resumed.status == 0, resumed.err
        _assert_at_head_once(project)
        path.write_text(good)
        _reset(project.engine)
