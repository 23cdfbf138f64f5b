"""Per-step cost of the applied history on ``upgrade head`` over a long chain.

Run from the repository root::

    .venv/bin/python benchmarks/history_bench.py                 # 500 revisions, 3 runs each
    .venv/bin/python benchmarks/history_bench.py --revisions 200 --runs 5

The same 500-revision project (one ``CREATE TABLE`` per revision) is upgraded from an empty
database to head by Alembic 1.20 (``.venv-alembic``), by dbshift with the applied history
(the default) and by dbshift with ``applied_history = false``, each as its own CLI process, the
three interleaved, on SQLite and on PostgreSQL (a database ``bench_history`` of its own, made
empty before every run). The table shows the medians, the history's cost per step (history on
minus history off, divided by the revisions) and both dbshift runs against Alembic. Each run's
result is checked: the version table at head, and with history one ``ok`` row per revision.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALEMBIC = os.path.join(ROOT, ".venv-alembic", "bin", "alembic")
DBSHIFT = os.path.join(ROOT, ".venv", "bin", "dbshift")
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
WORKDIR = "/tmp/dbshift-history-bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "bench_history"
PG_URL = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{PG_DB}"

ENV_PY = """\
from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

REVISION = '''"""step {n}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-05-01 10:00:00.000000

"""
import sqlalchemy as sa

from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t{n}")
'''


def write_project(revisions: int) -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    versions = os.path.join(WORKDIR, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(WORKDIR, "migrations", "env.py"), "w") as handle:
        handle.write(ENV_PY)
    down = None
    for n in range(1, revisions + 1):
        rev = f"{n:012x}"
        with open(os.path.join(versions, f"{rev}_step.py"), "w") as handle:
            handle.write(REVISION.format(n=n, rev=rev, down=down))
        down = rev


def write_ini(name: str, url: str, history: bool) -> str:
    path = os.path.join(WORKDIR, f"{name}.ini")
    with open(path, "w") as handle:
        handle.write(
            f"[alembic]\nscript_location = {WORKDIR}/migrations\nsqlalchemy.url = {url}\n"
            + ("" if history else "applied_history = false\n")
        )
    return path


def pg(sql: str) -> None:
    subprocess.run(
        [PYTHON, "-c", (
            "import psycopg2,sys; c=psycopg2.connect(sys.argv[1]); c.autocommit=True; "
            "c.cursor().execute(sys.argv[2]); c.close()"
        ), PG_SERVER, sql],
        check=True,
    )


def reset(backend: str) -> None:
    if backend == "sqlite":
        path = os.path.join(WORKDIR, "bench.db")
        if os.path.exists(path):
            os.remove(path)
    else:
        pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg(f"CREATE DATABASE {PG_DB}")


def check(backend: str, revisions: int, history: bool) -> None:
    """The run left the version table at head (and one ok history row per revision)."""
    url = f"sqlite:///{WORKDIR}/bench.db" if backend == "sqlite" else PG_URL
    head = f"{revisions:012x}"
    code = (
        "import sqlalchemy as sa, sys\n"
        "e = sa.create_engine(sys.argv[1])\n"
        "with e.connect() as c:\n"
        "    v = c.exec_driver_sql('SELECT version_num FROM alembic_version').scalar()\n"
        "    h = sa.inspect(c).has_table('alembic_version_history') and c.exec_driver_sql(\n"
        "        \"SELECT COUNT(*) FROM alembic_version_history WHERE outcome = 'ok'\").scalar()\n"
        "print(v, h)\n"
    )
    out = subprocess.run([PYTHON, "-c", code, url], capture_output=True, text=True, check=True)
    version, rows = out.stdout.split()
    assert version == head, (backend, version)
    assert rows == (str(revisions) if history else "False"), (backend, rows, history)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=WORKDIR)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    write_project(args.revisions)
    print(f"upgrade head over {args.revisions} revisions, median of {args.runs} runs")
    print(f"{'backend':<11}{'alembic':>10}{'history off':>13}{'history on':>12}"
          f"{'per step':>11}{'on/alembic':>12}{'off/alembic':>12}")
    for backend in args.backends.split(","):
        url = f"sqlite:///{WORKDIR}/bench.db" if backend == "sqlite" else PG_URL
        tools = {
            "alembic": ([ALEMBIC, "-c", write_ini("alembic", url, False), "upgrade", "head"], False),
            "off": ([DBSHIFT, "-q", "-c", write_ini("off", url, False), "upgrade", "head"], False),
            "on": ([DBSHIFT, "-q", "-c", write_ini("on", url, True), "upgrade", "head"], True),
        }
        times: dict[str, list[float]] = {name: [] for name in tools}
        for run in range(args.runs + 1):  # the first round warms the bytecode caches
            for name, (command, history) in tools.items():
                reset(backend)
                elapsed = timed(command)
                check(backend, args.revisions, history and name != "alembic")
                if run:
                    times[name].append(elapsed)
        median = {name: statistics.median(values) for name, values in times.items()}
        per_step_ms = (median["on"] - median["off"]) / args.revisions * 1000
        print(
            f"{backend:<11}{median['alembic']:>9.2f}s{median['off']:>12.2f}s{median['on']:>11.2f}s"
            f"{per_step_ms:>8.3f} ms{median['on'] / median['alembic']:>11.2f}x"
            f"{median['off'] / median['alembic']:>11.2f}x"
        )
    if backend == "postgresql":
        pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
