"""The applied-history table: one row per step, beside a version table it never changes."""

from __future__ import annotations

import getpass
import socket

from dbshift import __version__
from dbshift.runtime.history.checksums import file_checksum
from history_project import Project


def _chain(project: Project) -> None:
    project.revision("r1", ['op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))'],
                     ['op.drop_table("t1")'])
    project.revision("r2", ['op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))'],
                     ['op.drop_table("t2")'])


def test_each_step_is_a_row_with_checksum_user_host_and_version(project: Project) -> None:
    _chain(project)
    assert project.run("upgrade", "head").status == 0
    assert project.run("downgrade", "-1").status == 0
    rows = project.history()
    assert [(r["revision"], r["direction"], r["outcome"]) for r in rows] == [
        ("r1", "upgrade", "ok"), ("r2", "upgrade", "ok"), ("r2", "downgrade", "ok"),
    ]
    assert rows[0]["checksum"] == file_checksum(project.path("r1"))
    for row in rows:
        assert row["applied_by"] == getpass.getuser()
        assert row["host"] == socket.gethostname()
        assert row["dbshift_version"] == __version__
        assert row["finished_at"] >= row["started_at"]
        assert row["duration_ms"] >= 0
    # the version table holds what it would without the history
    assert project.versions_rows() == ["r1"]
    assert "alembic_version_history" in project.tables()


def test_failed_step_is_recorded_as_failed(project: Project) -> None:
    """Recorded after the rollback; with one transaction for the run (SQLite, PostgreSQL) the
    failed row is all that is left of it, on MariaDB the steps before it stay."""
    _chain(project)
    assert project.run("upgrade", "r1").status == 0
    project.revision("r3", ['op.execute("INSERT INTO no_such_table VALUES (1)")'])
    assert project.run("upgrade", "head").status == 1
    rows = project.history()
    outcomes = [(r["revision"], r["outcome"]) for r in rows]
    assert rows[-1]["direction"] == "upgrade" and "no_such_table" in rows[-1]["detail"]
    if project.engine.dialect.name == "mysql":
        # r2 committed on its own before r3 failed
        assert outcomes == [("r1", "ok"), ("r2", "ok"), ("r3", "failed")]
        assert project.versions_rows() == ["r2"]
    else:
        assert outcomes == [("r1", "ok"), ("r3", "failed")]
        assert project.versions_rows() == ["r1"]


def test_opt_out_keeps_no_table(project: Project) -> None:
    project.set_option("applied_history = false")
    _chain(project)
    assert project.run("upgrade", "head").status == 0
    assert project.tables() == ["alembic_version", "t1", "t2"]


def test_bad_opt_out_value_is_one_line(project: Project) -> None:
    project.set_option("applied_history = sometimes")
    _chain(project)
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        "FAILED: applied_history: 'sometimes' (in "
        f"{project.ini}) is not true or false"
    ]
    assert "t1" not in project.tables()


def test_history_applied_says_when_there_is_none(project: Project) -> None:
    _chain(project)
    run = project.run("history", "--applied")
    assert run.status == 0
    assert run.out.startswith("No applied history in this database yet")
    doc = project.run("history", "--applied", "--json").json()
    assert doc["exists"] is False and doc["rows"] == []


def test_history_applied_lists_the_rows(project: Project) -> None:
    _chain(project)
    project.run("upgrade", "head")
    lines = project.run("history", "--applied").out.splitlines()
    assert len(lines) == 2
    assert " upgrade " in lines[0] and " r1 " in lines[0] and " ok " in lines[0]
    doc = project.run("history", "--applied", "--json").json()
    assert [row["revision"] for row in doc["rows"]] == ["r1", "r2"]
    assert doc["rows"][0]["checksum"] == file_checksum(project.path("r1"))


def test_history_table_of_another_shape_is_refused_untouched(project: Project) -> None:
    with project.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version_history (note VARCHAR(20))")
        conn.exec_driver_sql("INSERT INTO alembic_version_history (note) VALUES ('mine')")
    _chain(project)
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        "FAILED: Table alembic_version_history is not a dbshift history table (no column id, "
        "revision, direction, outcome, started_at, finished_at, duration_ms, checksum, "
        "applied_by, host, dbshift_version, detail): rename it, or set applied_history = false "
        "to keep no history; nothing was changed"
    ]
    assert "t1" not in project.tables()
    assert project.scalar("SELECT note FROM alembic_version_history") == "mine"
    assert project.run("history", "--applied").status == 1
