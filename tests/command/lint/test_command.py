"""``dbshift lint`` end to end: output, exit status, configuration, which revisions."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dbshift import cli
from dbshift.cli.fast_parse import fast_parse
from dbshift.util.exc import CommandError

from .conftest import TABLE_T, by_rule, line_of, rules


def _cli(capsys, *argv):
    capsys.readouterr()
    try:
        cli.main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _two_revisions(project):
    project.revision("r0", TABLE_T)
    project.revision("r1", 'op.create_index("ix_t_c", "t", ["c"])\nop.drop_column("t", "c")')


def test_text_output_one_finding_per_line_and_exit_status(project, capsys):
    _two_revisions(project)
    code, out, err = _cli(capsys, "lint", "--dialect", "postgresql")
    assert code == 1
    path = "migrations/versions/r1_step.py"
    index_line = line_of(project, "r1", "op.create_index")
    assert out.splitlines() == [
        f"{path}:{index_line} blocking-index-creation creating index ix_t_c on t without "
        "CONCURRENTLY blocks writes to t while the index is built",
        f"{path}:{index_line + 1} drop-column-breaks-code dropping column t.c: application "
        "code still running that reads it fails",
        f"{path}:{index_line + 1} missing-lock-timeout DROP COLUMN takes an ACCESS EXCLUSIVE "
        "lock on t and no lock_timeout is set: queued behind a long query, it blocks every "
        "query on t",
    ]
    assert "2 revision(s) checked for postgresql: 1 error(s), 2 warning(s)" in err
    assert err.strip().endswith("FAILED: lint: 1 error finding(s) in 2 revision(s)")


def test_warnings_alone_exit_zero(project, capsys):
    project.revision("r0", TABLE_T)
    project.revision("r1", 'op.execute("SET lock_timeout = 1000")\nop.drop_column("t", "c")')
    code, out, _ = _cli(capsys, "lint", "--dialect", "postgresql")
    assert code == 0
    assert out.count("\n") == 1 and "drop-column-breaks-code" in out


def test_json_output(project, capsys):
    _two_revisions(project)
    (project.versions / "r1_step.py").write_text(
        (project.versions / "r1_step.py").read_text().replace(
            '["c"])', '["c"])  # dbshift: ignore[blocking-index-creation] t is tiny'
        )
    )
    code, out, _ = _cli(capsys, "lint", "--dialect", "postgresql", "--format", "json")
    assert code == 0
    data = json.loads(out)
    keys = {"rule", "severity", "revision", "path", "line", "message", "fix"}
    assert [set(item) for item in data] == [keys | {"suppressed"}, keys, keys]
    assert data[0]["suppressed"] == "t is tiny"
    assert data[0]["revision"] == "r1"
    assert data[0]["path"] == "migrations/versions/r1_step.py"
    assert data[0]["fix"].startswith("with op.get_context().autocommit_block()")


def test_severities_from_the_ini_file(project, capsys):
    _two_revisions(project)
    project.add_ini(
        "\n[dbshift.lint]\nblocking-index-creation = warning\ndrop-column-breaks-code = error\n"
        "missing-lock-timeout = off\n"
    )
    code, out, _ = _cli(capsys, "lint", "--dialect", "postgresql")
    assert code == 1
    assert [line.split()[1] for line in out.splitlines()] == [
        "blocking-index-creation", "drop-column-breaks-code"
    ]
    findings = project.lint(dialect="postgresql")
    assert [f.severity for f in findings] == ["warning", "error"]


def test_settings_from_pyproject(project, capsys):
    _two_revisions(project)
    (project.root / "pyproject.toml").write_text(
        '[tool.dbshift.lint]\nblocking-index-creation = "off"\nserver_version = "10"\n'
    )
    project.revision("r2", 'op.add_column("t", sa.Column("d", sa.Integer, server_default="1"))')
    code, out, _ = _cli(capsys, "lint", "--dialect", "postgresql")
    assert "blocking-index-creation" not in out
    assert "constant-default-rewrites-table" in out  # server_version 10 from the settings


def test_bad_settings_are_one_line_errors(project, capsys):
    _two_revisions(project)
    project.add_ini("\n[dbshift.lint]\nno-such-rule = error\n")
    code, _, err = _cli(capsys, "lint", "--dialect", "postgresql")
    assert code == 1 and "[dbshift.lint] no-such-rule: no such lint rule" in err
    project.extra_ini = "\n[dbshift.lint]\nblocking-index-creation = fatal\n"
    project.add_ini("")
    code, _, err = _cli(capsys, "lint", "--dialect", "postgresql")
    assert "use error, warning, info or off" in err
    with pytest.raises(CommandError, match="--format xml"):
        project.lint(dialect="postgresql", output_format="xml")


def test_revision_range_since_and_single_revision(project):
    for rev in ("r0", "r1", "r2", "r3"):
        project.revision(rev, f'op.drop_table("t_{rev}")')
    revisions = lambda found: sorted({f.revision for f in found})  # noqa: E731
    assert revisions(project.lint(dialect="postgresql")) == ["r0", "r1", "r2", "r3"]
    assert revisions(project.lint("r1:r2", dialect="postgresql")) == ["r1", "r2"]
    assert revisions(project.lint("r2:", dialect="postgresql")) == ["r2", "r3"]
    assert revisions(project.lint(":r1", dialect="postgresql")) == ["r0", "r1"]
    assert revisions(project.lint("r2", dialect="postgresql")) == ["r2"]
    assert revisions(project.lint(since="r1", dialect="postgresql")) == ["r2", "r3"]


def test_the_range_is_an_optional_positional_on_both_parsers(project, capsys):
    for rev in ("r0", "r1"):
        project.revision(rev, f'op.drop_table("t_{rev}")')
    code, out, _ = _cli(capsys, "lint", "r1", "--dialect", "postgresql")
    assert code == 0 and "r1_step.py" in out and "r0_step.py" not in out
    code, out, _ = _cli(capsys, "lint", "--dialect", "postgresql", "r0")
    assert "r0_step.py" in out and "r1_step.py" not in out
    fast = fast_parse(["lint", "r0:r1", "--format", "json"])
    slow = cli.CommandLine(prog="dbshift").parser.parse_args(["lint", "r0:r1", "--format", "json"])
    assert fast is not None
    assert (fast.rev_range, fast.output_format) == (slow.rev_range, slow.output_format)
    assert fast_parse(["lint", "a", "b"]) is None


def test_pending_revisions_of_a_reachable_database(project, capsys):
    project.revision("r0", TABLE_T)
    project.revision("r1", 'op.drop_table("t")')
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('r0')")
    engine.dispose()
    found = project.lint()
    assert {f.revision for f in found} == {"r1"}
    _, _, err = _cli(capsys, "lint")
    assert "1 revision(s) checked for sqlite" in err


def test_unreachable_database_falls_back_to_every_revision_offline(project, capsys):
    project.revision("r0", TABLE_T)
    project.set_url("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    code, _, err = _cli(capsys, "lint")
    assert code == 0
    assert "dbshift lint: no database (OperationalError" in err
    assert "checking offline for postgresql" in err
    assert "1 revision(s) checked for postgresql" in err


def test_url_that_cannot_connect_is_an_error(project, capsys):
    project.revision("r0", TABLE_T)
    code, _, err = _cli(capsys, "lint", "--url", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    assert code == 1 and "cannot connect to" in err


NEEDS_DATA = """
count = op.get_bind().execute(sa.text("SELECT count(*) FROM t")).scalar()
op.get_bind().execute(sa.text("INSERT INTO t (c) VALUES ('written')"))
if count:
    op.create_index("ix_t_c", "t", ["c"])
"""


def test_needs_connection_runs_against_the_database_and_rolls_back(project, pg_engine):
    project.set_url(pg_engine.url.render_as_string(hide_password=False))
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id serial PRIMARY KEY, c varchar(20))")
        conn.exec_driver_sql("INSERT INTO t (c) VALUES ('a')")
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num varchar(32))")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('r0')")
    project.revision("r0", TABLE_T)
    project.revision("r1", NEEDS_DATA)
    offline = project.lint(dialect="postgresql")
    assert "needs-connection" in rules(offline) and "blocking-index-creation" not in rules(offline)
    online = project.lint()
    assert {f.revision for f in online} == {"r1"}
    [finding] = by_rule(online, "blocking-index-creation")
    assert finding.line == line_of(project, "r1", "op.create_index")
    assert "needs-connection" not in rules(online)
    with pg_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT c FROM t ORDER BY id").scalars().all() == ["a"]
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "r0"
    by_url = project.lint(url=pg_engine.url.render_as_string(hide_password=False))
    assert rules(by_url) == rules(online)


def test_needs_connection_is_not_run_on_mariadb(project, mariadb_engine):
    project.set_url(mariadb_engine.url.render_as_string(hide_password=False))
    with mariadb_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id int PRIMARY KEY, c varchar(20))")
    project.revision("r0", NEEDS_DATA)
    found = project.lint()
    assert rules(found) == ["needs-connection"]
