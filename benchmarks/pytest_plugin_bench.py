"""Benchmark the built-in migration tests: dbshift's pytest plugin against pytest-alembic.

Run from the repository root::

    .venv/bin/python benchmarks/pytest_plugin_bench.py                  # 100 and 500, SQLite + PG
    .venv/bin/python benchmarks/pytest_plugin_bench.py --sizes 100 --backends sqlite --runs 3

A project with a generated chain of N revisions (a table every fifth revision, a column in the
others; models that match) runs ``pytest --test-alembic`` (the four default tests) twice per
round, as a user would type it: once in ``.venv`` (dbshift and its plugin, no pytest-alembic) and
once in ``.venv-eco-alembic`` (pytest-alembic 0.13.1 with Alembic 1.20.1). Each run starts on an
empty database. One warm-up run per tool fills the bytecode caches, then ``--runs`` rounds are
timed with the tools interleaved; the table shows medians of the whole command (wall) and of the
session pytest reports. Both runs must pass the four tests, or the row says which one failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = Path("/tmp/dbshift-pytest-plugin-bench")
TOOLS = {
    "dbshift": ROOT / ".venv" / "bin" / "python",
    "pytest-alembic": ROOT / ".venv-eco-alembic" / "bin" / "python",
}
PG_ADMIN = os.environ.get(
    "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)

ENV_PY = '''\
from alembic import context
from sqlalchemy import engine_from_config, pool

from models import metadata

config = context.config


def run_online():
    connectable = config.attributes.get("connection", None)
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section), prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


run_online()
'''
CONFTEST = '''\
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_engine():
    engine = sa.create_engine(os.environ["BENCH_URL"], poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
'''
REVISION = '''\
"""step {i}"""
import sqlalchemy as sa
from alembic import op

revision = "r{i:04d}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    {upgrade}


def downgrade():
    {downgrade}
'''


def chain(n: int) -> tuple[list[str], str]:
    """The revision files of a chain of ``n`` and the models module that matches its end."""
    files = []
    tables: dict[str, list[str]] = {}
    table = ""
    for i in range(1, n + 1):
        down = f"r{i - 1:04d}" if i > 1 else None
        if i % 5 == 1:
            table = f"t{i:04d}"
            tables[table] = []
            up = (
                f'op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))'
            )
            back = f'op.drop_table("{table}")'
        else:
            column = f"c{i:04d}"
            tables[table].append(column)
            up = f'op.add_column("{table}", sa.Column("{column}", sa.String(40)))'
            back = f'op.drop_column("{table}", "{column}")'
        files.append(REVISION.format(i=i, down=down, upgrade=up, downgrade=back))
    models = ["import sqlalchemy as sa", "", "metadata = sa.MetaData()"]
    for name, columns in tables.items():
        cols = "".join(f', sa.Column("{c}", sa.String(40))' for c in columns)
        models.append(
            f'sa.Table("{name}", metadata, sa.Column("id", sa.Integer, primary_key=True){cols})'
        )
    return files, "\n".join(models) + "\n"


def write_project(base: Path, n: int) -> Path:
    """A project with a chain of ``n`` revisions (reused when already written)."""
    project = base / f"chain{n}"
    if (project / "done").exists():
        return project
    shutil.rmtree(project, ignore_errors=True)
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True)
    (project / "tests").mkdir()
    files, models = chain(n)
    for i, text in enumerate(files, 1):
        (versions / f"r{i:04d}_step.py").write_text(text)
    (project / "models.py").write_text(models)
    (project / "migrations" / "env.py").write_text(ENV_PY)
    (project / "migrations" / "script.py.mako").write_text(
        '"""${message}"""\nrevision = ${repr(up_revision)}\n'
        "down_revision = ${repr(down_revision)}\n\n\ndef upgrade():\n    ${upgrades}\n\n\n"
        "def downgrade():\n    ${downgrades}\n"
    )
    (project / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (project / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (project / "tests" / "conftest.py").write_text(CONFTEST)
    (project / "done").write_text("")
    return project


def fresh_database(backend: str, project: Path, tool: str) -> str:
    """An empty database for one run; its URL."""
    if backend == "sqlite":
        path = project / f"bench-{tool}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import sqlalchemy as sa

    admin_url = sa.make_url(PG_ADMIN)
    name = f"pytest_bench_{tool.replace('-', '_')}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


SESSION = re.compile(r"(\d+) passed[^\n]* in ([\d.]+)s")


def run_once(tool: str, backend: str, project: Path) -> tuple[float, float | None, str | None]:
    """(wall seconds, pytest's session seconds, problem or None) of one run."""
    url = fresh_database(backend, project, tool)
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    }
    env["BENCH_URL"] = url
    started = time.perf_counter()
    done = subprocess.run(
        [str(TOOLS[tool]), "-m", "pytest", "--test-alembic", "-p", "no:cacheprovider", "-q"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    wall = time.perf_counter() - started
    found = SESSION.search(done.stdout)
    if done.returncode != 0 or found is None or found.group(1) != "4":
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        return wall, None, f"exit {done.returncode}: {' | '.join(tail)}"
    return wall, float(found.group(2)), None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool, python in TOOLS.items():
        if not python.exists():
            print(f"{tool}: {python} missing (scripts/setup_ecosystem_venvs.sh)", file=sys.stderr)
            return 2
    WORKDIR.mkdir(parents=True, exist_ok=True)
    print(f"{'backend':<11}{'revisions':>10}  {'tool':<15}{'wall s':>9}{'session s':>11}"
          f"{'ratio (wall)':>14}{'ratio (session)':>17}")
    for backend in args.backends.split(","):
        for n in (int(size) for size in args.sizes.split(",")):
            project = write_project(WORKDIR, n)
            walls: dict[str, list[float]] = {tool: [] for tool in TOOLS}
            sessions: dict[str, list[float]] = {tool: [] for tool in TOOLS}
            problems: dict[str, str] = {}
            for round_ in range(args.runs + 1):
                for tool in TOOLS:
                    wall, session, problem = run_once(tool, backend, project)
                    if problem:
                        problems[tool] = problem
                    elif round_ > 0:  # round 0 warms the bytecode caches
                        walls[tool].append(wall)
                        sessions[tool].append(session or 0.0)
            medians = {
                tool: (statistics.median(walls[tool]), statistics.median(sessions[tool]))
                for tool in TOOLS if walls[tool]
            }
            for tool in TOOLS:
                if tool in problems:
                    print(f"{backend:<11}{n:>10}  {tool:<15} FAILED {problems[tool]}")
                    continue
                wall, session = medians[tool]
                ratio = ""
                if tool == "dbshift" and "pytest-alembic" in medians:
                    ref_wall, ref_session = medians["pytest-alembic"]
                    ratio = f"{ref_wall / wall:>13.1f}x{ref_session / session:>16.1f}x"
                print(f"{backend:<11}{n:>10}  {tool:<15}{wall:>9.2f}{session:>11.2f}{ratio}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
