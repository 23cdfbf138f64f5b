"""The floors under the migration-loop workloads: what no migration tool in Python can beat.

Run from the repository root::

    .venv/bin/python benchmarks/migration_floors.py               # both floors
    .venv/bin/python benchmarks/migration_floors.py --only sqlite --runs 7

For the two loop workloads of ``workflow_bench.py`` it measures, on the same generated projects:

- start-up: ``python -c pass`` and ``python -c "import sqlalchemy"`` (``env.py`` imports
  SQLAlchemy, so every tool pays it);
- the database work alone: the exact statements dbshift writes for the run with ``--sql``
  (DDL plus version-table rows), executed straight through the DBAPI in one transaction, with
  no migration tool and no SQLAlchemy in the loop. Also the same without the version-table
  statements (what is left when only the final version row is written).

``upgrade head`` on SQLite (500 revisions) executes the upgrade script on a fresh file;
``downgrade base`` on PostgreSQL (2,000 revisions) first brings the database to head with the
upgrade script (untimed), then times the downgrade script, through psycopg2 and through
``psql --single-transaction`` (``--pg-sizes 500,1000,2000`` shows how the server's own work grows
with the chain). The PostgreSQL database is the script's own (created, dropped).
Medians of ``--runs`` runs; each floor is printed with its command, nothing is compared.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _postgres  # noqa: E402
import _projects  # noqa: E402
from _runner import DBSHIFT, DBSHIFT_PYTHON, clean_env, run  # noqa: E402

WORKDIR = "/tmp/dbshift-floors"
FLOOR_DB = "dbshift_floors"
FLOOR_DSN = f"postgresql://postgres@127.0.0.1:5432/{FLOOR_DB}"
FLOOR_URL = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{FLOOR_DB}"
_VERSION_STMT = re.compile(r"^(INSERT INTO|UPDATE|DELETE FROM) alembic_version\b")


def _median_of(runs: int, fn: object) -> tuple[float, list[float]]:
    times = [fn() for _ in range(runs)]  # type: ignore[operator]
    return statistics.median(times), times


def _process_seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=clean_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def _statements(sql: str) -> list[str]:
    """The statements of an offline script (``;`` + blank line ends each), comments dropped."""
    out = []
    for chunk in sql.split(";\n\n"):
        lines = [ln for ln in chunk.splitlines() if ln.strip() and not ln.startswith("--")]
        if lines:
            out.append("\n".join(lines))
    return out


def _offline_script(project: str, args: list[str]) -> list[str]:
    statements = _statements(run(DBSHIFT, [*args, "--sql"], project).stdout)
    return [s for s in statements if s not in ("BEGIN", "COMMIT")]


def startup(runs: int) -> None:
    print("== start-up (fresh process each run)")
    for label, code in (("python -c pass", "pass"), ("python -c 'import sqlalchemy'", "import sqlalchemy")):
        med, times = _median_of(runs, lambda c=code: _process_seconds([DBSHIFT_PYTHON, "-c", c]))
        print(f"    {label:<32} median {med:.3f} s  runs: {', '.join(f'{t:.3f}' for t in times)}")


def sqlite_floor(runs: int) -> None:
    project = _projects.write_project(
        os.path.join(WORKDIR, "sqlite500"),
        _projects.linear_chain(500),
        "dbshift",
        "sqlite:///%(here)s/bench.db",
    )
    statements = _offline_script(project, ["upgrade", "head"])
    ddl_only = [s for s in statements if not _VERSION_STMT.match(s)]
    print(f"== upgrade head, SQLite, 500 revisions: {len(statements)} statements "
          f"({len(ddl_only)} without the version table)")
    path = os.path.join(project, "floor.db")

    def once(stmts: list[str]) -> float:
        if os.path.exists(path):
            os.remove(path)
        conn = sqlite3.connect(path, isolation_level=None)
        start = time.perf_counter()
        cur = conn.cursor()
        cur.execute("BEGIN")
        for stmt in stmts:
            cur.execute(stmt)
        cur.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    for label, stmts in (("every statement", statements), ("DDL only + 1 version row", ddl_only)):
        extra = [] if stmts is statements else _final_version_rows(statements)
        med, times = _median_of(runs, lambda s=stmts + extra: once(s))
        print(f"    sqlite3, one transaction, {label:<26} median {med:.3f} s  "
              f"runs: {', '.join(f'{t:.3f}' for t in times)}")


def _final_version_rows(statements: list[str]) -> list[str]:
    """The create of the version table is DDL; keep one INSERT of the last revision."""
    last = [s for s in statements if _VERSION_STMT.match(s)]
    if not last:
        return []
    final = re.findall(r"'([0-9a-f]+)'", last[-1])
    return [f"INSERT INTO alembic_version (version_num) VALUES ('{final[0]}')"] if final else []


def postgres_floor(runs: int, n: int = 2000) -> None:
    import psycopg2

    _postgres.execute(f"DROP DATABASE IF EXISTS {FLOOR_DB} WITH (FORCE)")
    _postgres.execute(f"CREATE DATABASE {FLOOR_DB}")
    try:
        project = _projects.write_project(
            os.path.join(WORKDIR, f"pg{n}"), _projects.linear_chain(n), "dbshift", FLOOR_URL
        )
        up = _offline_script(project, ["upgrade", "head"])
        down = _offline_script(project, ["downgrade", "head:base"])
        down_ddl = [s for s in down if not _VERSION_STMT.match(s)] + [
            "DELETE FROM alembic_version"
        ]
        print(f"== downgrade base, PostgreSQL, {n:,} revisions: {len(down)} statements "
              f"({len(down_ddl) - 1} without the version table)")

        def prepare() -> None:
            _postgres.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public", FLOOR_DSN)
            conn = psycopg2.connect(FLOOR_DSN)
            with conn, conn.cursor() as cur:
                for stmt in up:
                    cur.execute(stmt)
            conn.close()

        def via_psycopg2(stmts: list[str]) -> float:
            prepare()
            conn = psycopg2.connect(FLOOR_DSN)
            cpu = time.process_time()
            start = time.perf_counter()
            with conn, conn.cursor() as cur:
                for stmt in stmts:
                    cur.execute(stmt)
            elapsed = time.perf_counter() - start
            via_psycopg2.cpu.append(time.process_time() - cpu)  # type: ignore[attr-defined]
            conn.close()
            return elapsed

        for label, stmts in (("every statement", down), ("DDL only + 1 DELETE", down_ddl)):
            via_psycopg2.cpu = []  # type: ignore[attr-defined]
            med, times = _median_of(runs, lambda s=stmts: via_psycopg2(s))
            cpu = statistics.median(via_psycopg2.cpu)  # type: ignore[attr-defined]
            print(f"    psycopg2, one transaction, {label:<22} median {med:.3f} s wall, "
                  f"{cpu:.3f} s client CPU  runs: {', '.join(f'{t:.3f}' for t in times)}")

        psql = shutil.which("psql")
        if psql:
            script = os.path.join(project, "downgrade.sql")
            with open(script, "w") as f:
                f.write(";\n".join(down) + ";\n")

            def via_psql() -> float:
                prepare()
                return _process_seconds(
                    [psql, "-q", "-X", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                     "-d", FLOOR_DSN, "-f", script]
                )

            med, times = _median_of(runs, via_psql)
            print(f"    psql --single-transaction -f (whole process)     median {med:.3f} s  "
                  f"runs: {', '.join(f'{t:.3f}' for t in times)}")
    finally:
        _postgres.execute(f"DROP DATABASE IF EXISTS {FLOOR_DB} WITH (FORCE)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each floor (default 5)")
    parser.add_argument("--only", default="startup,sqlite,postgres",
                        help="comma list of: startup, sqlite, postgres")
    parser.add_argument("--pg-sizes", default="2000",
                        help="comma list of chain lengths for the PostgreSQL floor (default 2000)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    os.makedirs(WORKDIR, exist_ok=True)
    try:
        if "startup" in only:
            startup(args.runs)
        if "sqlite" in only:
            sqlite_floor(args.runs)
        if "postgres" in only:
            for n in (int(x) for x in args.pg_sizes.split(",")):
                postgres_floor(args.runs, n)
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
