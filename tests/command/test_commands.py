"""Every command end to end, driven through the CLI (in-process) in a temporary project.

Each test runs ``dbshift init`` in a fresh directory, writes revisions whose upgrade() creates a
table ``t_<rev>`` and whose downgrade() drops it, and checks the database (tables and version
rows), the printed output and the offline SQL. The main flows also run on PostgreSQL and MariaDB.
"""

from __future__ import annotations

import io
import json
import logging.config
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift import cli, command
from dbshift.config import Config
from dbshift.util.exc import CommandError, DatabaseNotAtHead

TIME = r"(?:\d+ ms|\d+\.\d\d s)"
DONE = rf"  done in {TIME}\n"


class Project:
    """A scratch dbshift project in ``root``, driven through ``dbshift.cli.main``."""

    def __init__(self, root: Path, capsys: Any) -> None:
        self.root = root
        self.capsys = capsys
        self.url = f"sqlite:///{root / 'app.db'}"

    # -- running the CLI ---------------------------------------------------------------------

    def run(self, *argv: str) -> str:
        """Run a command that must succeed; return its stdout (stderr: :attr:`err`)."""
        self.capsys.readouterr()
        try:
            cli.main(list(argv))
        except SystemExit as exc:
            err = self.capsys.readouterr().err
            raise AssertionError(f"dbshift {' '.join(argv)} exited {exc.code}: {err}") from None
        captured = self.capsys.readouterr()
        self.err = captured.err
        return captured.out

    def fail(self, *argv: str) -> str:
        """Run a command that must fail; return its one-line error (after ``FAILED: ``).

        Progress lines of the steps that ran may come before it on stderr, nothing after."""
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            cli.main(list(argv))
        assert exc.value.code == 1
        err = self.capsys.readouterr().err
        progress, _, failed = err.rpartition("FAILED: ")
        assert err.endswith("\n") and failed.count("\n") == 1, err
        assert "FAILED: " not in progress and "Traceback" not in err, err
        assert all(line.startswith(("Running ", "  done in ")) for line in progress.splitlines())
        return failed.strip()

    # -- setup -------------------------------------------------------------------------------

    def init(self, *args: str, url: str | None = None) -> None:
        self.run("init", *args, "migrations")
        if url is not None:
            self.set_url(url)

    def set_url(self, url: str) -> None:
        self.url = url
        ini = self.root / "alembic.ini"
        text = re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text())
        ini.write_text(text)

    def set_option(self, line: str) -> None:
        ini = self.root / "alembic.ini"
        ini.write_text(ini.read_text().replace("[alembic]\n", f"[alembic]\n{line}\n", 1))

    @property
    def env_py(self) -> Path:
        return self.root / "migrations" / "env.py"

    def revision(self, rev: str, *args: str, message: str | None = None, table: bool = True) -> Path:
        """``dbshift revision --rev-id rev``; the body creates/drops table ``t_<rev>``."""
        self.run("revision", "-m", message or f"create {rev}", "--rev-id", rev, *args)
        path = self.path_of(rev)
        if table:
            with path.open("a") as fh:
                fh.write(
                    textwrap.dedent(
                        f"""

                        def upgrade():
                            op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))


                        def downgrade():
                            op.drop_table("t_{rev}")
                        """
                    )
                )
        return path

    def path_of(self, rev: str) -> Path:
        found = list(self.root.rglob(f"{rev}_*.py"))
        assert len(found) == 1, found
        return found[0]

    # -- looking at the database ---------------------------------------------------------------

    def _engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def tables(self) -> set[str]:
        engine = self._engine()
        names = set(sa.inspect(engine).get_table_names())
        engine.dispose()
        return {n for n in names if n.startswith("t_")}

    def versions(self) -> set[str]:
        engine = self._engine()
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return set()
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            result = set(rows)
        engine.dispose()
        return result

    def config(self) -> Config:
        return Config(str(self.root / "alembic.ini"), stdout=io.StringIO())


@pytest.fixture
def project(tmp_path: Path, capsys: Any, monkeypatch: Any) -> Project:
    monkeypatch.chdir(tmp_path)
    # env.py applies the ini's logging sections; keep the test process's logging untouched.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *a, **kw: None)
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
    monkeypatch.delenv("DBSHIFT_CONFIG", raising=False)
    saved_path = list(sys.path)
    yield Project(tmp_path, capsys)
    sys.path[:] = saved_path


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------
# the core path, on every backend


def test_core_path_on_each_backend(engine: sa.Engine, project: Project) -> None:
    project.init(url=_url(engine))
    project.revision("a0001")
    project.revision("b0002")
    project.revision("c0003")

    assert project.run("upgrade", "head") == ""  # progress goes to stderr
    assert re.fullmatch(
        rf"Running upgrade  -> a0001, create a0001 \.\.\.\n{DONE}"
        rf"Running upgrade a0001 -> b0002, create b0002 \.\.\.\n{DONE}"
        rf"Running upgrade b0002 -> c0003, create c0003 \.\.\.\n{DONE}"
        rf"upgrade: 3 steps in {TIME}; database at c0003\n",
        project.err,
    ), project.err
    assert project.tables() == {"t_a0001", "t_b0002", "t_c0003"}
    assert project.versions() == {"c0003"}
    assert project.run("current") == "c0003 (head)\n"

    assert project.run("downgrade", "-1") == ""
    assert re.fullmatch(
        rf"Running downgrade c0003 -> b0002, create c0003 \.\.\.\n{DONE}"
        rf"downgrade: 1 step in {TIME}; database at b0002\n",
        project.err,
    ), project.err
    assert project.tables() == {"t_a0001", "t_b0002"}
    assert project.versions() == {"b0002"}

    assert project.run("history") == (
        "b0002 -> c0003 (head), create c0003\n"
        "a0001 -> b0002, create b0002\n"
        "<base> -> a0001, create a0001\n"
    )
    assert project.run("history", "--indicate-current").splitlines()[1] == (
        "a0001 -> b0002 (current), create b0002"
    )

    project.run("downgrade", "base")
    assert project.tables() == set()
    assert project.versions() == set()

    project.run("upgrade", "+2")
    assert project.versions() == {"b0002"}
    project.run("upgrade", "heads")
    assert project.versions() == {"c0003"}
    project.run("downgrade", "a0001")
    assert project.tables() == {"t_a0001"}

    project.run("stamp", "head")
    assert project.versions() == {"c0003"}
    assert project.tables() == {"t_a0001"}
    project.run("stamp", "base")
    assert project.versions() == set()


def test_branches_and_merge_on_each_backend(engine: sa.Engine, project: Project) -> None:
    project.init(url=_url(engine))
    project.revision("a0001")
    project.revision("b0001")
    project.revision("c0001", "--head", "a0001", "--splice")
    assert project.run("heads") == "b0001 (head)\nc0001 (head)\n"
    assert "Multiple head revisions" in project.fail("upgrade", "head")

    project.run("upgrade", "heads")
    assert project.versions() == {"b0001", "c0001"}
    assert project.tables() == {"t_a0001", "t_b0001", "t_c0001"}

    project.run("merge", "-m", "join them", "--rev-id", "m0001", "heads")
    assert project.run("heads") == "m0001 (head)\n"
    project.run("upgrade", "head")
    assert project.versions() == {"m0001"}

    # Going back below the merge re-opens both branches in the version table.
    project.run("downgrade", "b0001")
    assert project.versions() == {"b0001", "c0001"}
    project.run("downgrade", "c0001@-1")
    assert project.versions() == {"b0001"}
    assert project.tables() == {"t_a0001", "t_b0001"}


def test_offline_sql_on_each_backend(engine: sa.Engine, project: Project) -> None:
    project.init(url=_url(engine))
    project.revision("a0001")
    project.revision("b0002")
    sql = project.run("upgrade", "--sql", "a0001:head")
    assert "CREATE TABLE t_b0002" in sql
    assert "t_a0001" not in sql
    assert "CREATE TABLE alembic_version" not in sql
    assert "UPDATE alembic_version SET version_num='b0002' WHERE alembic_version.version_num = 'a0001'" in sql
    assert "-- Running upgrade a0001 -> b0002" in sql
    assert ("BEGIN" in sql) == (engine.dialect.name != "mysql" and engine.dialect.name != "mariadb")

    sql = project.run("upgrade", "--sql", "head")
    assert "CREATE TABLE alembic_version" in sql
    assert sql.index("CREATE TABLE t_a0001") < sql.index("CREATE TABLE t_b0002")

    sql = project.run("downgrade", "--sql", "b0002:base")
    assert sql.index("DROP TABLE t_b0002") < sql.index("DROP TABLE t_a0001")
    assert "DELETE FROM alembic_version WHERE alembic_version.version_num = 'a0001'" in sql
    # Nothing touched the database.
    assert project.versions() == set()
    assert project.tables() == set()


# --------------------------------------------------------------------------------------------
# upgrade / downgrade targets (SQLite)


@pytest.fixture
def chain(project: Project) -> Project:
    project.init()
    for rev in ("a0001", "b0002", "c0003", "d0004"):
        project.revision(rev)
    return project


def test_upgrade_and_downgrade_to_every_kind_of_target(chain: Project) -> None:
    p = chain
    p.run("upgrade", "b000")  # partial id
    assert p.versions() == {"b0002"}
    p.run("upgrade", "+1")  # relative to the database
    assert p.versions() == {"c0003"}
    p.run("downgrade", "-2")
    assert p.versions() == {"a0001"}
    p.run("upgrade", "a0001+2")  # relative to a revision
    assert p.versions() == {"c0003"}
    p.run("downgrade", "head-3")
    assert p.versions() == {"a0001"}
    p.run("upgrade", "head")
    assert p.tables() == {"t_a0001", "t_b0002", "t_c0003", "t_d0004"}
    p.run("downgrade", "base")
    assert p.tables() == set()
    assert p.versions() == set()


def test_target_errors(chain: Project) -> None:
    p = chain
    assert p.fail("upgrade", "a0001:head") == (
        "Range revision not allowed: 'a0001:head' ('start:end' works only with --sql)"
    )
    assert p.fail("downgrade", "head:base").startswith("Range revision not allowed")
    assert p.fail("downgrade", "--sql", "base") == (
        "downgrade --sql needs a range <fromrev>:<torev> (the database is not read)"
    )
    assert "zzzz" in p.fail("upgrade", "zzzz")
    p.run("upgrade", "c0003")
    assert "+5" in p.fail("upgrade", "+5")
    assert p.versions() == {"c0003"}


def test_tag_x_arguments_and_revision_argument_reach_env_py(chain: Project) -> None:
    p = chain
    record = p.root / "env_calls.jsonl"
    p.env_py.write_text(
        p.env_py.read_text().replace(
            "config = context.config\n",
            textwrap.dedent(
                f"""\
                config = context.config
                import json as _json
                try:
                    _start = context.get_starting_revision_argument()
                except Exception as _err:
                    _start = type(_err).__name__
                with open({str(record)!r}, "a") as _fh:
                    _fh.write(_json.dumps({{
                        "tag": context.get_tag_argument(),
                        "x": context.get_x_argument(as_dictionary=True),
                        "offline": context.is_offline_mode(),
                        "destination": context.get_revision_argument(),
                        "start": _start,
                    }}) + "\\n")
                """
            ),
            1,
        )
    )
    p.run("-x", "tenant=acme", "-x", "dry", "upgrade", "--tag", "v1", "head")
    p.run("upgrade", "--sql", "a0001:c000")
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    assert calls == [
        {"tag": "v1", "x": {"tenant": "acme", "dry": ""}, "offline": False,
         "destination": "d0004", "start": None},
        # as typed, as in Alembic (tests/runtime/test_revision_argument_like_alembic.py)
        {"tag": None, "x": {}, "offline": True, "destination": "c000", "start": "a0001"},
    ]


def test_failing_migration_rolls_back_and_prints_one_line(chain: Project) -> None:
    p = chain
    bad = p.revision("e0005", table=False)
    with bad.open("a") as fh:
        fh.write("\n\ndef upgrade():\n    op.execute('SELECT * FROM no_such_table')\n")
    message = p.fail("upgrade", "head")
    assert message.startswith(
        "upgrade d0004 -> e0005 (create e0005) failed, rolled back: database at base. "
        "OperationalError: (sqlite3.OperationalError) no such table: no_such_table"
    ), message
    # SQLite runs the whole upgrade in one transaction: nothing stays applied.
    assert p.tables() == set()
    assert p.versions() == set()
    with pytest.raises(sa.exc.OperationalError):
        cli.main(["--raiseerr", "upgrade", "head"])


def test_failing_migration_on_mariadb_reports_what_stayed_applied(
    mariadb_engine: sa.Engine, project: Project
) -> None:
    project.init(url=_url(mariadb_engine))
    project.revision("a0001")
    bad = project.revision("b0002")
    with bad.open("a") as fh:
        fh.write(
            "\n\ndef upgrade():\n"
            "    op.create_table('t_half', sa.Column('id', sa.Integer, primary_key=True))\n"
            "    op.execute('SELECT * FROM no_such_table')\n"
        )
    message = project.fail("upgrade", "head")
    assert message.startswith("upgrade a0001 -> b0002 failed on mysql"), message
    assert "t_half" in message and "NOT rolled back" in message
    assert message.endswith("; version table at a0001"), message
    assert project.versions() == {"a0001"}


# --------------------------------------------------------------------------------------------
# stamp, current, ensure_version


def test_stamp_targets(chain: Project) -> None:
    p = chain
    p.run("stamp", "b0002")
    assert p.versions() == {"b0002"}
    assert p.tables() == set()
    p.run("upgrade", "head")
    assert p.tables() == {"t_c0003", "t_d0004"}
    p.run("stamp", "--purge", "a0001")
    assert p.versions() == {"a0001"}
    p.run("stamp", "base")
    assert p.versions() == set()

    sql = p.run("stamp", "--sql", "a0001:c0003")
    assert "UPDATE alembic_version SET version_num='c0003' WHERE alembic_version.version_num = 'a0001'" in sql
    assert "CREATE TABLE t_" not in sql
    assert p.fail("stamp", "--sql", "a0001:c0003", "b0002:d0004").startswith(
        "stamp --sql takes one starting revision"
    )
    assert "--purge" in p.fail("stamp", "--sql", "--purge", "head")
    assert p.fail("stamp", "a0001:c0003").startswith("Range revision not allowed")


def test_stamp_several_branch_heads(project: Project) -> None:
    project.init()
    project.revision("a0001")
    project.revision("b0001")
    project.revision("c0001", "--head", "a0001", "--splice")
    project.run("stamp", "b0001", "c0001")
    assert project.versions() == {"b0001", "c0001"}
    assert set(_lines(project.run("current"))) == {"b0001 (head)", "c0001 (head)"}
    project.run("stamp", "--purge", "heads")
    assert project.versions() == {"b0001", "c0001"}


def test_current_check_heads_and_verbose(chain: Project) -> None:
    p = chain
    assert p.run("current") == ""
    assert not (p.root / "app.db").exists() or p.versions() == set()
    p.run("upgrade", "b0002")
    message = p.fail("current", "--check-heads")
    assert message.startswith("Database is not on all head revisions: it is at b0002")
    with pytest.raises(DatabaseNotAtHead):
        command.current(p.config(), check_heads=True)
    p.run("upgrade", "head")
    assert p.run("current", "--check-heads") == "d0004 (head)\n"
    verbose = p.run("current", "-v")
    assert verbose.startswith(f"Current revision(s) for {p.url}:\nRev: d0004 (head)\nParent: c0003\n")


def test_current_never_creates_the_version_table(chain: Project) -> None:
    chain.run("current")
    engine = sa.create_engine(chain.url)
    assert not sa.inspect(engine).has_table("alembic_version")
    engine.dispose()


def test_ensure_version_online_and_offline(chain: Project) -> None:
    p = chain
    sql = p.run("ensure_version", "--sql")
    assert "CREATE TABLE alembic_version" in sql
    engine = sa.create_engine(p.url)
    assert not sa.inspect(engine).has_table("alembic_version")
    p.run("ensure_version")
    assert sa.inspect(engine).has_table("alembic_version")
    p.run("ensure_version")  # a second time is a no-op
    assert p.versions() == set()
    engine.dispose()


# --------------------------------------------------------------------------------------------
# history, heads, branches, show


@pytest.fixture
def branchy(project: Project) -> Project:
    project.init()
    project.revision("a0001")
    project.revision("b0001")
    project.revision("c0001", "--head", "a0001", "--splice", "--branch-label", "side")
    project.revision("o0001", "--head", "base", "--branch-label", "other", message="other root")
    project.revision("d0001", "--head", "b0001", "--depends-on", "other")
    return project


def test_history_of_a_branchy_graph(branchy: Project) -> None:
    out = branchy.run("history")
    assert set(_lines(out)) == {
        "b0001 (other) -> d0001 (head), create d0001",
        "<base> -> o0001 (other) (effective head), other root",
        "a0001 -> c0001 (side) (head), create c0001",
        "a0001 -> b0001, create b0001",
        "<base> -> a0001 (branchpoint), create a0001",
    }
    assert _lines(branchy.run("history", "-r", "b0001:d0001")) == [
        "b0001 (other) -> d0001 (head), create d0001",
        "a0001 -> b0001, create b0001",
    ]
    verbose = branchy.run("history", "-v", "-r", "a0001:a0001")
    assert verbose.startswith("Rev: a0001 (branchpoint)\nParent: <base>\nBranches into: ")
    assert "History range requires [start]:[end]" in branchy.fail("history", "-r", "a0001")


def test_history_relative_to_current(chain: Project) -> None:
    p = chain
    p.run("upgrade", "b0002")
    assert _lines(p.run("history", "-r", "current:")) == [
        "c0003 -> d0004 (head), create d0004",
        "b0002 -> c0003, create c0003",
        "a0001 -> b0002, create b0002",
    ]
    assert _lines(p.run("history", "-r", ":current")) == [
        "a0001 -> b0002, create b0002",
        "<base> -> a0001, create a0001",
    ]


def test_heads_and_branches(branchy: Project) -> None:
    # o0001 has no child by down_revision, but d0001 depends on it: an "effective head".
    heads = set(_lines(branchy.run("heads")))
    assert heads == {"c0001 (side) (head)", "d0001 (head)", "o0001 (other) (effective head)"}
    resolved = set(_lines(branchy.run("heads", "--resolve-dependencies")))
    assert resolved == {"c0001 (side) (head)", "d0001 (head)"}
    verbose = branchy.run("heads", "-v")
    assert "Rev: d0001 (head)\nParent: b0001\nAlso depends on: other\n" in verbose
    branches = branchy.run("branches")
    assert branches == (
        "a0001 (branchpoint)\n"
        "      -> b0001\n"
        "      -> c0001 (side) (head)\n\n"
    )


def test_show(branchy: Project) -> None:
    out = branchy.run("show", "c0001")
    assert out.startswith("Rev: c0001 (head)\nParent: a0001\nBranch names: side\nPath: ")
    assert "    create c0001" in out
    assert branchy.run("show", "side@head") == out
    branchy.run("upgrade", "a0001")
    assert branchy.run("show", "current").startswith("Rev: a0001 (branchpoint)\n")
    assert "Can't locate revision identified by 'nope'" in branchy.fail("show", "nope")


def test_branch_labels_and_multiple_bases(branchy: Project) -> None:
    p = branchy
    p.run("upgrade", "other@+1")
    assert p.versions() == {"o0001"}
    p.run("downgrade", "other@base")
    assert p.versions() == set()
    p.run("upgrade", "other@head")
    assert p.versions() == {"o0001"}
    p.run("upgrade", "side@head")
    assert p.versions() == {"o0001", "c0001"}
    p.run("upgrade", "d0001")
    assert p.tables() == {"t_a0001", "t_b0001", "t_c0001", "t_d0001", "t_o0001"}
    assert set(_lines(p.run("current"))) == {
        "c0001 (head)", "d0001 (head)", "o0001 (effective head)",
    }
    p.run("downgrade", "side@-1")
    assert p.tables() == {"t_a0001", "t_b0001", "t_d0001", "t_o0001"}
    assert "c0001" not in p.versions() and "d0001" in p.versions()


# --------------------------------------------------------------------------------------------
# revision and merge


def test_revision_options(project: Project) -> None:
    p = project
    p.init()
    p.run("revision", "-m", "first one")
    (first,) = list((p.root / "migrations" / "versions").glob("*_first_one.py"))
    rev = first.name.split("_")[0]
    assert re.fullmatch(r"[0-9a-f]{12}", rev)
    assert f"revision: str = {rev!r}" in first.read_text()

    p.revision("b0001", "--branch-label", "feature")
    text = p.path_of("b0001").read_text()
    assert "branch_labels: str | Sequence[str] | None = ('feature',)" in text
    assert f"down_revision: str | Sequence[str] | None = {rev!r}" in text
    p.revision("c0001", "--head", "feature@head", "--depends-on", rev)
    assert f"depends_on: str | Sequence[str] | None = {rev!r}" in p.path_of("c0001").read_text()
    assert "is not a head revision" in p.fail(
        "revision", "-m", "x", "--head", "b0001", "--rev-id", "d0001"
    )
    p.revision("d0001", "--head", "b0001", "--splice")
    assert "Multiple heads" in p.fail("revision", "-m", "x")
    assert "@" in p.fail("revision", "-m", "x", "--rev-id", "bad@id", "--head", "c0001")
    assert "revision_environment" in p.fail("revision", "--sql", "-m", "x", "--head", "c0001")
    assert "already exists" in p.fail("revision", "-m", "x", "--rev-id", "c0001", "--head", "c0001")


def test_revision_version_path(project: Project) -> None:
    p = project
    p.init()
    extra = p.root / "more_versions"
    extra.mkdir()
    p.set_option(
        "version_locations = %(here)s/migrations/versions:%(here)s/more_versions"
    )
    p.revision("a0001", "--version-path", str(p.root / "migrations" / "versions"))
    p.revision("z0001", "--head", "base", "--version-path", str(extra), "--branch-label", "extra")
    assert p.path_of("z0001").parent == extra
    p.revision("z0002", "--head", "extra@head")
    assert p.path_of("z0002").parent == extra  # follows its parent's directory
    assert "--version-path" in p.fail("revision", "-m", "x", "--head", "base", "--rev-id", "n0001")
    p.run("upgrade", "heads")
    assert p.tables() == {"t_a0001", "t_z0001", "t_z0002"}


def test_revision_environment_runs_env_py_with_template_args_and_hooks(project: Project) -> None:
    p = project
    p.init()
    p.set_option("revision_environment = true")
    mako = p.root / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text() + "\n# team: ${context.get('team', 'nobody')}\n")
    p.env_py.write_text(
        p.env_py.read_text().replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "\n        ".join(
                [
                    "def rename(context, revision, directives):",
                    '    directives[0].message = directives[0].message + " (reviewed)"',
                    "context.configure(",
                    "    connection=connection,",
                    "    target_metadata=target_metadata,",
                    '    template_args={"team": "platform"},',
                    "    process_revision_directives=rename,",
                    ")",
                ]
            ),
        )
    )
    p.run("revision", "-m", "add index", "--rev-id", "a0001")
    text = p.path_of("a0001").read_text()
    assert text.startswith('"""add index (reviewed)\n')
    assert "# team: platform" in text
    sql = p.run("revision", "--sql", "-m", "offline one", "--rev-id", "b0001")
    assert "Generating" in sql
    # The offline branch of env.py passes no template_args.
    assert "# team: nobody" in p.path_of("b0001").read_text()

    p.run("merge", "-m", "merge nothing", "--rev-id", "m0001", "b0001")
    assert "# team: platform" in p.path_of("m0001").read_text()


def test_revision_api_returns_scripts_and_applies_the_api_hook(project: Project) -> None:
    from dbshift.operations.ops import DowngradeOps, MigrationScript, UpgradeOps

    project.init()
    config = project.config()
    script = command.revision(config, "one", rev_id="a0001")
    assert script.revision == "a0001" and script.doc == "one"

    def two_files(context, revision, directives):
        directives[0].rev_id = "b0001"
        directives.append(
            MigrationScript("c0001", UpgradeOps([]), DowngradeOps([]), message="extra",
                            head="a0001", splice=True)
        )

    made = command.revision(config, "two", process_revision_directives=two_files)
    assert [s.revision for s in made] == ["b0001", "c0001"]
    assert [s.doc for s in made] == ["two", "extra"]


def test_merge_options(project: Project) -> None:
    p = project
    p.init()
    p.revision("a0001")
    p.revision("b0001")
    p.revision("c0001", "--head", "a0001", "--splice")
    p.run("merge", "b0001", "c0001", "-m", "join", "--rev-id", "m0001", "--branch-label", "joined")
    text = p.path_of("m0001").read_text()
    assert "down_revision: str | Sequence[str] | None = ('b0001', 'c0001')" in text
    assert "branch_labels: str | Sequence[str] | None = ('joined',)" in text
    assert p.run("heads") == "m0001 (joined) (head)\n"
    assert "is not a head revision" in p.fail("merge", "a0001", "m0001", "--rev-id", "x0001")
    p.run("merge", "a0001", "m0001", "--splice", "--rev-id", "x0001")
    assert p.run("heads") == "x0001 (joined) (head)\n"


# --------------------------------------------------------------------------------------------
# init, list_templates, edit


def test_init_generic_layout_and_errors(project: Project) -> None:
    p = project
    out = p.run("init", "--package", "migrations")
    env_dir = p.root / "migrations"
    assert sorted(f.name for f in env_dir.iterdir()) == [
        "README", "__init__.py", "env.py", "script.py.mako", "versions",
    ]
    assert (env_dir / "versions" / "__init__.py").exists()
    ini = (p.root / "alembic.ini").read_text()
    assert "script_location = %(here)s/migrations\n" in ini
    assert f"Please edit configuration/connection/logging settings in {p.root / 'alembic.ini'}" in out

    assert "already exists and is not empty" in p.fail("init", "migrations")
    assert "No such template 'nope'" in p.fail("init", "-t", "nope", "other")
    (p.root / "empty").mkdir()
    out = p.run("init", "empty")
    assert f"File {p.root / 'alembic.ini'} already exists, skipping" in out
    assert (p.root / "alembic.ini").read_text() == ini


def test_init_says_what_it_creates_as_alembic_does(project: Project, monkeypatch: Any) -> None:
    # No terminal on stdin: no indent; the template's files in the order its folder lists them.
    from dbshift.util import messaging

    monkeypatch.setattr(messaging, "_terminal_width", None)
    out = project.run("init", "migrations")
    env_dir = project.root / "migrations"
    template = Path(command.__file__).parent.parent / "templates" / "generic"
    generated = [
        str(project.root / "alembic.ini") if name == "alembic.ini.mako" else str(env_dir / name)
        for name in os.listdir(template)
        if (template / name).is_file()
    ]
    assert out.splitlines() == [
        f"Creating directory {env_dir} ...  done",
        f"Creating directory {env_dir / 'versions'} ...  done",
        *(f"Generating {path} ...  done" for path in generated),
        "Please edit configuration/connection/logging settings in "
        f"{project.root / 'alembic.ini'} before proceeding.",
    ]


def test_init_in_a_subdirectory_config_is_relative_to_here(project: Project, tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    project.run("-c", "conf/db.ini", "init", "deploy/migrations")
    assert "script_location = %(here)s/../deploy/migrations\n" in (tmp_path / "conf" / "db.ini").read_text()
    project.run("-c", "conf/db.ini", "revision", "-m", "x", "--rev-id", "a0001")
    assert (tmp_path / "deploy" / "migrations" / "versions" / "a0001_x.py").is_file()


def test_init_pyproject_template_creates_or_appends(project: Project) -> None:
    p = project
    (p.root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    p.run("init", "-t", "pyproject", "migrations")
    toml = (p.root / "pyproject.toml").read_text()
    assert toml.startswith('[project]\nname = "demo"\n\n')
    assert 'script_location = "%(here)s/migrations"' in toml
    p.revision("a0001")
    p.run("upgrade", "head")
    assert p.tables() == {"t_a0001"}

    (p.root / "again").mkdir()
    (p.root / "alembic.ini").unlink()
    out = p.run("init", "-t", "pyproject", "again")
    assert "already has a [tool.alembic] section, skipping" in out
    assert (p.root / "pyproject.toml").read_text() == toml


def test_list_templates(project: Project) -> None:
    out = project.run("list_templates")
    assert out.startswith("Available templates:\n")
    names = {line.split(" - ")[0] for line in out.splitlines() if " - " in line}
    assert names == {"generic", "async", "multidb", "pyproject", "pyproject_async"}
    assert "generic - Single-database setup configured from alembic.ini." in out


def _recording_editor(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "edited.log"
    script = tmp_path / "bin" / "fake-editor"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    script.chmod(0o755)
    return script, log


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell editor stub")
def test_edit_uses_editor_then_visual_then_path(chain: Project, monkeypatch: Any) -> None:
    p = chain
    editor, log = _recording_editor(p.root)
    monkeypatch.setenv("EDITOR", str(editor))
    p.run("edit", "b000")
    assert log.read_text().split() == [str(p.path_of("b0002"))]

    monkeypatch.delenv("EDITOR")
    monkeypatch.setenv("VISUAL", f"{editor} --wait")
    p.run("edit", "head")
    assert log.read_text().split()[-2:] == ["--wait", str(p.path_of("d0004"))]

    monkeypatch.delenv("VISUAL")
    (editor.parent / "editor").symlink_to(editor)
    monkeypatch.setenv("PATH", str(editor.parent))
    p.run("upgrade", "a0001")
    p.run("edit", "current")
    assert log.read_text().split()[-1] == str(p.path_of("a0001"))

    monkeypatch.setenv("PATH", str(p.root / "nothing-here"))
    assert "No editor found" in p.fail("edit", "head")
    assert "No revision files indicated by symbol 'base'" in p.fail("edit", "base")


def test_quiet_suppresses_progress(chain: Project) -> None:
    assert chain.run("-q", "upgrade", "head") == ""
    assert chain.err == ""
    assert chain.versions() == {"d0004"}


def test_python_api_raises_command_error(chain: Project) -> None:
    with pytest.raises(CommandError, match="Range revision not allowed"):
        command.upgrade(chain.config(), "a0001:b0002")
    config = chain.config()
    chain.capsys.readouterr()
    command.upgrade(config, "head")
    # from Python, as with Alembic: no output of its own (apps call this at start-up)
    assert config.stdout.getvalue() == ""
    assert chain.capsys.readouterr() == ("", "")
    assert chain.versions() == {"d0004"}


def test_depends_on_rows_merge_into_the_dependent_revision(project: Project) -> None:
    """A revision that depends on another branch's head replaces that head's version row too,
    and downgrading it brings both parents' rows back (the version table Alembic keeps)."""
    project.init()
    project.revision("a0001", "--head", "base", "--branch-label", "left")
    project.revision("b0001", "--head", "base", "--branch-label", "right")
    project.revision("c0001", "--head", "right@head", "--depends-on", "a0001")
    project.run("upgrade", "left@head")
    project.run("upgrade", "right@head")
    assert project.versions() == {"c0001"}
    assert project.tables() == {"t_a0001", "t_b0001", "t_c0001"}
    project.run("downgrade", "-1")
    assert project.versions() == {"a0001", "b0001"}
    assert project.tables() == {"t_a0001", "t_b0001"}
