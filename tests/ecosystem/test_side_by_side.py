"""Alembic and dbshift installed side by side (``.venv-eco-both``): each runs with its own.

- A program that imports ``alembic`` gets the real Alembic; dbshift's start-up hook (here from
  a wheel install) never shadows it, and ``DBSHIFT_ALEMBIC_SHIM=force`` serves dbshift instead.
- When dbshift runs a project, its ``env.py``, its revision files and every ``alembic.*`` they
  import (a plugin that registers an operation, a lazy import inside ``upgrade()``) are
  dbshift's; when Alembic runs the same project, they are Alembic's. One database goes back and
  forth between the two tools along one chain, in both directions.
- In one process, a program that uses Alembic and then dbshift (and Alembic again) gets each
  tool's own modules for each run.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

from .harness import ROOT, Run, run_in_venv, site_packages

#: A plugin, imported by env.py, that registers an operation the Alembic way.
PLUGIN = '''\
from alembic.operations import MigrateOperation, Operations


@Operations.register_operation("record_run")
class RecordRunOp(MigrateOperation):
    """Write one row to `ran`: which revision ran, which way, and whose modules ran it."""

    def __init__(self, revision, direction):
        self.revision = revision
        self.direction = direction

    @classmethod
    def record_run(cls, operations, revision, direction):
        return operations.invoke(cls(revision, direction))


@Operations.implementation_for(RecordRunOp)
def record_run(operations, operation):
    from alembic import op  # a lazy import, inside the run
    from alembic.operations import Operations as LaterOperations

    tools = {
        "env": operations.migration_context.opts["env_tool"],
        "op": op.__name__.split(".")[0],
        "plugin": Operations.__module__.split(".")[0],
        "lazy": LaterOperations.__module__.split(".")[0],
    }
    tool = tools["op"] if len(set(tools.values())) == 1 else repr(tools)
    operations.execute(
        f"INSERT INTO ran (revision, direction, tool) "
        f"VALUES ('{operation.revision}', '{operation.direction}', '{tool}')"
    )
'''

ENV_PY = '''\
from alembic import context
from sqlalchemy import engine_from_config, pool

import record_plugin  # noqa: F401  (registers op.record_run)

config = context.config
connectable = config.attributes.get("connection")
if connectable is None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
with connectable.connect() as connection:
    connection.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS ran (revision TEXT, direction TEXT, tool TEXT)"
    )
    connection.commit()
    context.configure(
        connection=connection, env_tool=context.__name__.split(".")[0],
    )
    with context.begin_transaction():
        context.run_migrations()
'''

REVISION = '''\
"""{rev}"""
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t_{rev}", sa.Column("id", sa.Integer, primary_key=True))
    op.record_run({rev!r}, "up")


def downgrade():
    op.drop_table("t_{rev}")
    op.record_run({rev!r}, "down")
'''

REVISIONS = ("r1", "r2", "r3", "r4")


def _project(root: Path) -> Path:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n"
        "path_separator = os\nsqlalchemy.url = sqlite:///%(here)s/app.db\n"
    )
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "record_plugin.py").write_text(PLUGIN)
    down = None
    for rev in REVISIONS:
        text = REVISION.format(rev=rev, down=down)
        (root / "migrations" / "versions" / f"{rev}.py").write_text(text)
        down = rev
    return root


def _state(project: Path) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    """What ran (in order), the version rows and the revision tables."""
    with sqlite3.connect(project / "app.db") as db:
        ran = db.execute("SELECT revision, direction, tool FROM ran ORDER BY rowid").fetchall()
        versions = [r[0] for r in db.execute("SELECT version_num FROM alembic_version")]
        tables = sorted(
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 't_%'")
        )
    return ran, versions, tables


def _ok(run: Run) -> Run:
    assert run.returncode == 0, run.describe()
    return run


def test_a_program_gets_the_real_alembic_and_dbshift_only_when_forced(
    eco_venvs: None, tmp_path: Path
) -> None:
    code = "import alembic, alembic.context; print(alembic.__file__); print(alembic.context.__name__)"
    real = _ok(run_in_venv("both", ("python", "-c", code), tmp_path)).stdout.splitlines()
    assert real == [str(site_packages("both") / "alembic" / "__init__.py"), "alembic.context"]
    forced = run_in_venv(
        "both", ("python", "-c", code), tmp_path, env={"DBSHIFT_ALEMBIC_SHIM": "force"}
    )
    assert _ok(forced).stdout.splitlines() == [
        str(site_packages("both") / "dbshift" / "compat" / "alembic_root.py"),
        "dbshift.context",
    ]
    # dbshift there is a wheel install (not a link to this checkout), with its start-up hook
    direct_url = next(site_packages("both").glob("dbshift-*.dist-info/direct_url.json"))
    assert '"editable": true' not in direct_url.read_text()
    assert (site_packages("both") / "dbshift-alembic-alias.pth").is_file()


def test_one_database_moves_between_the_tools_along_the_chain(
    eco_venvs: None, tmp_path: Path
) -> None:
    project = _project(tmp_path / "project")
    steps = [
        ("alembic", ("alembic", "upgrade", "r2")),
        ("dbshift", ("dbshift", "upgrade", "head")),
        ("alembic", ("alembic", "downgrade", "r3")),
        ("dbshift", ("dbshift", "downgrade", "r1")),
        ("alembic", ("alembic", "upgrade", "head")),
        ("dbshift", ("dbshift", "downgrade", "base")),
    ]
    seen = []
    for _, argv in steps:
        _ok(run_in_venv("both", argv, project))
        seen.append(_state(project)[1:])
    ran = _state(project)[0]
    assert ran == [
        ("r1", "up", "alembic"),
        ("r2", "up", "alembic"),
        ("r3", "up", "dbshift"),
        ("r4", "up", "dbshift"),
        ("r4", "down", "alembic"),
        ("r3", "down", "dbshift"),
        ("r2", "down", "dbshift"),
        ("r2", "up", "alembic"),
        ("r3", "up", "alembic"),
        ("r4", "up", "alembic"),
        ("r4", "down", "dbshift"),
        ("r3", "down", "dbshift"),
        ("r2", "down", "dbshift"),
        ("r1", "down", "dbshift"),
    ]
    assert seen == [
        (["r2"], ["t_r1", "t_r2"]),
        (["r4"], ["t_r1", "t_r2", "t_r3", "t_r4"]),
        (["r3"], ["t_r1", "t_r2", "t_r3"]),
        (["r1"], ["t_r1"]),
        (["r4"], ["t_r1", "t_r2", "t_r3", "t_r4"]),
        ([], []),
    ]


def test_offline_sql_of_each_tool_uses_its_own_modules(eco_venvs: None, tmp_path: Path) -> None:
    # `--sql` never connects: env.py configured with a URL; dbshift writes its own SQL.
    project = _project(tmp_path / "project")
    (project / "migrations" / "env.py").write_text(
        "from alembic import context\n"
        "context.configure(url=context.config.get_main_option('sqlalchemy.url'))\n"
        "with context.begin_transaction():\n"
        "    context.run_migrations()\n"
    )
    for rev in REVISIONS:
        path = project / "migrations" / "versions" / f"{rev}.py"
        path.write_text(
            path.read_text().replace(
                f'    op.record_run({rev!r}, "up")',
                f'    op.execute("-- {rev} by " + op.__name__.split(".")[0])',
            )
        )
    for tool in ("alembic", "dbshift"):
        out = _ok(run_in_venv("both", (tool, "upgrade", "r2", "--sql"), project)).stdout
        assert f"-- r1 by {tool}" in out and f"-- r2 by {tool}" in out, out


@pytest.mark.parametrize("first", ["alembic", "dbshift"])
def test_one_process_uses_each_tool_with_its_own_modules(
    eco_venvs: None, tmp_path: Path, first: str
) -> None:
    # A program that imports Alembic and then runs dbshift (and Alembic again): env.py and the
    # revision files get each tool's own modules for each run. The plugin is imported by the
    # first run and stays bound to that tool (documented), so this project does without it.
    project = _project(tmp_path / "project")
    (project / "record_plugin.py").write_text("")
    for rev in REVISIONS:
        path = project / "migrations" / "versions" / f"{rev}.py"
        path.write_text(
            path.read_text()
            .replace(f'op.record_run({rev!r}, "up")',
                     f'op.execute("INSERT INTO ran VALUES (\'{rev}\', \'up\', \'" + '
                     f'op.__name__.split(".")[0] + "\')")')
            .replace(f'op.record_run({rev!r}, "down")',
                     f'op.execute("INSERT INTO ran VALUES (\'{rev}\', \'down\', \'" + '
                     f'op.__name__.split(".")[0] + "\')")')
        )
    second = "dbshift" if first == "alembic" else "alembic"
    program = textwrap.dedent(
        f"""
        import sys
        import alembic.command, alembic.config
        import dbshift.command, dbshift.config

        real = sys.modules["alembic"]
        tools = {{"alembic": (alembic.command, alembic.config.Config),
                  "dbshift": (dbshift.command, dbshift.config.Config)}}
        for tool, target in [("{first}", "r1"), ("{second}", "r3"), ("{first}", "head"),
                             ("{second}", "r2")]:
            command, config = tools[tool]
            (command.upgrade if target != "r2" else command.downgrade)(config("alembic.ini"), target)
            assert sys.modules["alembic"] is real, tool
        print(real.__file__)
        """
    )
    out = _ok(run_in_venv("both", ("python", "-c", program), project)).stdout
    assert out.strip() == str(site_packages("both") / "alembic" / "__init__.py")
    ran, versions, _ = _state(project)
    assert ran == [
        ("r1", "up", first),
        ("r2", "up", second),
        ("r3", "up", second),
        ("r4", "up", first),
        ("r4", "down", second),
        ("r3", "down", second),
    ]
    assert versions == ["r2"]


def test_the_dbshift_command_line_is_not_installed_as_alembic(eco_venvs: None) -> None:
    # dbshift never writes an `alembic` script: Alembic's own is the one in the venv.
    script = (ROOT / ".venv-eco-both" / "bin" / "alembic").read_text()
    assert "from alembic.config import main" in script
    assert not (ROOT / ".venv-eco" / "bin" / "alembic").exists()
