"""Many ``dbshift upgrade head`` processes at once, a holder killed, waiters that must not block.

Each process is a real ``python -m dbshift`` (or a script calling ``command.upgrade``) on a real
database; the ones that race are released together at a barrier in ``env.py``. Every revision
inserts its id into ``side_effects``: applied twice, it would show twice (or its CREATE TABLE
would fail the process).
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest
import sqlalchemy as sa

from . import project
from .conftest import lock_held, side_effects, url_of, version_rows

PROCESSES = 8
#: For the variants of the race (compat env.py, the Python API): fewer, as the race is the same.
FEWER = 4
ONCE_EACH = [("r1", 1), ("r2", 1), ("r3", 1)]


def _all_succeeded(results: list[project.Result]) -> None:
    failed = [r for r in results if r.returncode != 0]
    assert not failed, "\n---\n".join(f"exit {r.returncode}: {r.stderr}" for r in failed)


def test_eight_processes_on_an_empty_database_all_succeed_once(engine, project_root):
    results = project.race(project_root, PROCESSES)
    _all_succeeded(results)
    # each revision ran in exactly one process, and its side effect happened once
    assert sum(r.stderr.count("Running upgrade") for r in results) == 3
    assert side_effects(engine) == ONCE_EACH
    assert version_rows(engine) == ["r3"]


@pytest.mark.parametrize("how", ["alembic_env", "python_api"])
def test_unchanged_alembic_env_and_command_upgrade_race_safely(pg_engine, tmp_path, how):
    """``from alembic import context`` (served by dbshift's alias) in env.py and revisions,
    and ``command.upgrade(Config(...), "head")`` from a script: the lock is dbshift's own."""
    package = "alembic" if how == "alembic_env" else "dbshift"
    root = project.write_project(tmp_path / "proj", url_of(pg_engine), 3, package=package)
    if how == "python_api":
        script = project.python_api_script(root)
        results = project.race(root, FEWER, [str(root / "alembic.ini")], argv=[str(script)])
    else:
        results = project.race(root, FEWER)
    _all_succeeded(results)
    assert side_effects(pg_engine) == ONCE_EACH
    assert version_rows(pg_engine) == ["r3"]


def test_a_holder_killed_with_sigkill_frees_the_lock(engine, project_root, tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()
    holder = project.start(project_root, ["upgrade", "head"], {"LOCK_TEST_HOLD": str(hold)})
    try:
        project.wait_for(lambda: any(hold.glob("holding.*")), what="the holder inside r1")
        log = tmp_path / "waiter.err"
        waiter = project.start(project_root, ["upgrade", "head"], stderr_file=log)
        project.wait_for(
            lambda: "waiting for the migration" in log.read_text(), what="the waiter to wait"
        )
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    result = project.finish(waiter)
    assert holder.returncode == -signal.SIGKILL
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Running upgrade") == 3
    assert side_effects(engine) == ONCE_EACH
    assert version_rows(engine) == ["r3"]


def test_create_index_concurrently_completes_while_four_waiters_poll(pg_engine, tmp_path):
    """CREATE INDEX CONCURRENTLY waits for every transaction with an older snapshot: a waiter
    that kept one open while waiting for the lock would deadlock with the holder."""
    root = project.write_project(
        tmp_path / "proj",
        url_of(pg_engine),
        2,
        extra_upgrade={
            2: """
            with op.get_context().autocommit_block():
                op.create_index("ix_t2_id", "t2", ["id"], postgresql_concurrently=True)
            """
        },
    )
    hold = tmp_path / "hold"
    hold.mkdir()
    holder = project.start(root, ["upgrade", "head"], {"LOCK_TEST_HOLD": str(hold)})
    project.wait_for(lambda: any(hold.glob("holding.*")), what="the holder inside r1")
    logs = [tmp_path / f"waiter{i}.err" for i in range(4)]
    waiters = [
        project.start(root, ["upgrade", "head", "--lock-wait", "60"], stderr_file=log)
        for log in logs
    ]
    project.wait_for(
        lambda: all("waiting for the migration" in log.read_text() for log in logs),
        what="four waiters polling",
    )
    (hold / "go").write_text("")
    done = project.finish(holder)
    results = [project.finish(w) for w in waiters]
    assert done.returncode == 0, done.stderr
    _all_succeeded(results)
    assert "ix_t2_id" in {ix["name"] for ix in sa.inspect(pg_engine).get_indexes("t2")}
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1)]


def test_a_waiter_in_its_callers_transaction_does_not_block_a_holder_altering_the_version_table(
    pg_engine, tmp_path
):
    """The waiter runs inside a transaction its caller began (``config.attributes
    ["connection"]``), which it cannot end while waiting: it must not have read the version
    table there, or the holder's ALTER of that table would wait for it, and it for the holder."""
    import threading

    from dbshift import command

    root = project.write_project(
        tmp_path / "proj",
        url_of(pg_engine),
        2,
        extra_upgrade={
            2: """
            hold()
            op.alter_column("alembic_version", "version_num", type_=sa.String(64))
            """
        },
    )
    assert project.run(root, ["upgrade", "r1"]).returncode == 0
    hold = tmp_path / "hold"
    hold.mkdir()
    holder = project.start(root, ["upgrade", "head"], {"LOCK_TEST_HOLD": str(hold)})
    project.wait_for(lambda: any(hold.glob("holding.*")), what="the holder inside r2")
    outcome: list[BaseException | None] = []

    def waiter() -> None:
        try:
            with pg_engine.begin() as conn:
                config = project.config(root, connection=conn)
                command.upgrade(config, "head", lock_wait=20)
            outcome.append(None)
        except BaseException as err:  # reported by the assertion below
            outcome.append(err)

    thread = threading.Thread(target=waiter)
    thread.start()

    def waiter_polls() -> bool:
        with pg_engine.connect() as conn:
            return bool(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE query LIKE 'SELECT pg_try_advisory_lock%%' AND pid <> pg_backend_pid()"
                ).scalar()
            )

    project.wait_for(waiter_polls, what="the waiter polling for the lock")
    (hold / "go").write_text("")
    done = project.finish(holder)
    thread.join(60)
    assert done.returncode == 0, done.stderr
    assert outcome == [None]
    assert version_rows(pg_engine) == ["r2"]
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1)]


def test_giving_up_after_lock_wait_is_one_line_with_exit_status_75(engine, project_root):
    with lock_held(engine) as holder:
        result = project.run(project_root, ["upgrade", "head", "--lock-wait", "1"])
    assert result.returncode == 75
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("FAILED: gave up waiting for the migration ")
    assert "after 1 s (lock_wait): held by " in last
    named = {
        "postgresql": f"held by backend pid {holder} (user ",
        "mysql": f"held by connection {holder} (",
        "sqlite": f"held by pid {holder} on test-host",
    }[engine.dialect.name]
    assert named in last
    waiting = [line for line in result.stderr.splitlines() if "waiting for the migration" in line]
    assert waiting and named.replace("held by ", "") in waiting[0]
    assert "alembic_version" not in sa.inspect(engine).get_table_names()


def test_bad_lock_setting_fails_before_anything_runs(engine, tmp_path):
    root = project.write_project(
        tmp_path / "proj", url_of(engine), 2, ini_extra="lock_wait = soon\n"
    )
    result = project.run(root, ["upgrade", "head"])
    assert result.returncode == 1
    # the project's logging shows the runtime's INFO lines first; the error is the one line after
    assert result.stderr.splitlines()[-1] == (
        "FAILED: lock_wait: 'soon' (in alembic.ini) is not a duration (e.g. 30, 30s, 500ms, 5min)"
    )
    assert sa.inspect(engine).get_table_names() == []


def test_the_sqlite_lock_file_sits_beside_the_database_and_stays_empty(sqlite_engine, tmp_path):
    root = project.write_project(tmp_path / "proj", url_of(sqlite_engine), 1)
    _all_succeeded(project.race(root, 2))
    lock_file = f"{sqlite_engine.url.database}.alembic_version.lock"
    assert os.path.exists(lock_file)
    assert os.path.getsize(lock_file) == 0  # the holder's note is gone with the lock
    shutil.rmtree(root)
