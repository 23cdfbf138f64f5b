"""Resume on MariaDB: the statements of an interrupted revision are journalled, skipped when the
run is resumed, and a revision whose earlier statements changed is refused."""

from __future__ import annotations

import pytest

from history_project import Project

R2 = [
    'op.create_table("a", sa.Column("id", sa.Integer, primary_key=True))',
    'op.execute("INSERT INTO a (id) VALUES (1)")',
    'op.add_column("a", sa.Column("c", sa.Integer))',
    'op.execute("INSERT INTO log (what) VALUES (\'r2\')")',
    'op.execute("ALTER TABLE no_such_table ADD COLUMN x INT")',  # planted failure
    'op.create_table("b", sa.Column("id", sa.Integer, primary_key=True))',
    'op.execute("UPDATE a SET c = 7")',
]


@pytest.fixture
def half_applied(mariadb_project: Project) -> Project:
    """r2 failed at its 5th statement; its first four stay applied (and journalled)."""
    project = mariadb_project
    project.revision("r1", ['op.create_table("log", sa.Column("what", sa.String(10)))'])
    project.revision("r2", R2)
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert "the next upgrade resumes after them" in run.err
    assert project.versions_rows() == ["r1"]
    return project


def test_current_and_history_show_the_partial_state(half_applied: Project) -> None:
    project = half_applied
    expected = (
        "revision r2: 4 of 7 statements applied (interrupted upgrade, statement 5 failed; the "
        "next `dbshift upgrade` resumes it)"
    )
    assert project.run("current").out.splitlines() == ["r1", expected]
    assert project.run("history", "--applied").out.splitlines()[-1] == expected
    doc = project.run("current", "--json").json()
    assert doc["partial"] == [{
        "revision": "r2", "direction": "upgrade", "applied_statements": 4,
        "total_statements": 7, "failed_statement": 5,
    }]


def test_failure_fixed_in_place_resumes_after_the_applied_statements(half_applied: Project) -> None:
    project = half_applied
    path = project.path("r2")
    path.write_text(path.read_text().replace("ALTER TABLE no_such_table ADD COLUMN x INT", "INSERT INTO log (what) VALUES ('fixed')"))
    run = project.run("upgrade", "head")
    assert run.status == 0, run.err
    assert project.versions_rows() == ["r2"]
    assert project.scalar("SELECT COUNT(*) FROM a") == 1  # the data statement ran once
    assert project.scalar("SELECT COUNT(*) FROM log WHERE what = 'r2'") == 1
    assert project.scalar("SELECT COUNT(*) FROM log WHERE what = 'fixed'") == 1
    assert project.scalar("SELECT c FROM a") == 7
    assert project.scalar("SELECT COUNT(*) FROM alembic_version_journal") == 0
    last = project.history()[-1]
    assert (last["revision"], last["outcome"]) == ("r2", "ok")
    assert last["detail"] == "resumed: 4 statement(s) applied by an interrupted run were skipped"
    assert project.run("current").out.splitlines() == ["r2 (head)"]


def test_changed_earlier_statements_are_refused_with_the_differences(half_applied: Project) -> None:
    project = half_applied
    path = project.path("r2")
    text = path.read_text().replace("VALUES (1)\")", "VALUES (2)\")", 1)
    text = text.replace("VALUES ('r2')", "VALUES ('r2b')")
    path.write_text(text.replace("ALTER TABLE no_such_table ADD COLUMN x INT", "SELECT 1"))
    tables = project.tables()
    run = project.run("upgrade", "head", "--allow-changed")
    assert run.status == 1
    lines = [line for line in run.err.splitlines() if not line.startswith("Running ")]
    assert len(lines) == 1
    assert lines[0].startswith(
        "FAILED: Revision r2: the journal of its interrupted upgrade does not match the revision "
        "file now: statement 2 was 'INSERT INTO a (id) VALUES (1)', is now 'INSERT INTO a (id) "
        "VALUES (2)'; statement 4 was \"INSERT INTO log (what) VALUES ('r2')\", is now "
        "\"INSERT INTO log (what) VALUES ('r2b')\". Nothing was run"
    ), lines[0]
    assert project.tables() == tables
    assert project.scalar("SELECT COUNT(*) FROM log") == 1
    assert project.scalar("SELECT COUNT(*) FROM alembic_version_journal") == 5  # 4 done, 1 failed
    assert project.versions_rows() == ["r1"]


def test_statements_left_out_since_are_refused(half_applied: Project) -> None:
    project = half_applied
    path = project.path("r2")
    path.write_text(path.read_text().replace(
        "    op.add_column(\"a\", sa.Column(\"c\", sa.Integer))\n", ""
    ).replace("ALTER TABLE no_such_table ADD COLUMN x INT", "SELECT 1"))
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert "statement 3 was 'ALTER TABLE a ADD COLUMN c INTEGER'" in run.err
    assert project.versions_rows() == ["r1"]


def test_journal_table_of_another_shape_is_refused(mariadb_project: Project) -> None:
    project = mariadb_project
    with project.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version_journal (x INT)")
    project.revision("r1", ['op.create_table("log", sa.Column("what", sa.String(10)))'])
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        "FAILED: Table alembic_version_journal is not a dbshift statement journal (no column "
        "revision, direction, position, sql_hash, state, sql_text, schema_before, checksum): "
        "rename it, or set applied_history = false; nothing was changed"
    ]
    assert project.tables() == ["alembic_version", "alembic_version_journal"]
