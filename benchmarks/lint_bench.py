"""Benchmark ``dbshift lint`` and ``dbshift plan``.

Run from the repository root::

    .venv/bin/python benchmarks/lint_bench.py                  # 1,000 revisions to lint, 100 to plan
    .venv/bin/python benchmarks/lint_bench.py --revisions 200 --plan-revisions 20 --runs 3

Workloads, each run as the ``dbshift`` CLI in a subprocess (one warm-up run for the bytecode and
index caches, then the median of ``--runs``):

* ``lint`` of a linear chain of ``--revisions`` revisions, offline for PostgreSQL (every
  revision imported and recorded; a mix of create table / add column / indexes / type changes /
  foreign keys / raw SQL / batch blocks, so that every rule module runs), JSON output;
* ``lint`` of the last revision alone (one revision: the cost a pre-commit hook pays);
* ``plan`` of ``--plan-revisions`` pending revisions against PostgreSQL (database
  ``bench_dbshift``, created and dropped), the tables holding rows.

The finding counts are checked against what the generated revisions must give, so a fast wrong
answer cannot pass.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _postgres  # noqa: E402
from _runner import DBSHIFT, DBSHIFT_PYTHON, clean_env  # noqa: E402

WORKDIR = "/tmp/dbshift-lint-bench"

ENV_PY = '''\
from sqlalchemy import engine_from_config, pool

from dbshift import context

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
'''

# Bodies of upgrade(), by position in a cycle of six; {n} is the revision number, {t} the table
# the cycle works on. The comment says which findings each gives (offline, PostgreSQL).
BODIES = [
    # none: a new table and its index
    'op.create_table("{t}", sa.Column("id", sa.Integer, primary_key=True), '
    'sa.Column("name", sa.String(20)), sa.Column("n", sa.Integer))\n'
    '    op.create_index("ix_{t}_name", "{t}", ["name"])',
    # blocking-index-creation, not-null-column-without-default, missing-lock-timeout
    'op.add_column("{t}", sa.Column("flag", sa.Boolean, nullable=False))\n'
    '    op.create_index("ix_{t}_n", "{t}", ["n"])',
    # column-type-rewrites-table, missing-lock-timeout
    'op.alter_column("{t}", "name", type_=sa.String(40), existing_type=sa.String(20))\n'
    '    op.alter_column("{t}", "n", type_=sa.BigInteger(), existing_type=sa.Integer())',
    # none (a safe foreign key, validated later, under a lock_timeout)
    'op.execute("SET lock_timeout = \'2s\'")\n'
    '    op.create_foreign_key("fk_{t}", "{t}", "{t}", ["n"], ["id"], postgresql_not_valid=True)\n'
    '    with op.get_context().autocommit_block():\n'
    '        op.validate_constraint("fk_{t}", "{t}")',
    # blocking-index-creation (raw SQL), raw-sql-not-analysed
    'op.execute("CREATE INDEX ix_{t}_raw ON {t} (name)")\n'
    '    op.execute("DO $$ BEGIN PERFORM 1; END $$")',
    # drop-column-breaks-code, missing-lock-timeout
    'with op.batch_alter_table("{t}") as batch_op:\n'
    '        batch_op.drop_column("flag")',
]
FINDINGS_PER_CYCLE = 3 + 2 + 0 + 2 + 2  # the cycle above, where the table existed before
FINDINGS_LAST = {0: 0, 1: 3, 2: 2, 3: 0, 4: 2, 5: 2}


def _revision(n: int) -> str:
    table = f"t{n // len(BODIES)}"
    body = BODIES[n % len(BODIES)].format(t=table, n=n)
    down = repr(f"r{n - 1:05d}") if n else "None"
    return (
        f'"""step {n}"""\nimport sqlalchemy as sa\n\nfrom dbshift import op\n\n'
        f'revision = "r{n:05d}"\ndown_revision = {down}\nbranch_labels = None\n'
        f"depends_on = None\n\n\ndef upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
    )


def make_project(root: str, count: int, url: str) -> None:
    """A project in ``root`` with ``count`` revisions."""
    shutil.rmtree(root, ignore_errors=True)
    versions = os.path.join(root, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "migrations", "env.py"), "w") as fh:
        fh.write(ENV_PY)
    with open(os.path.join(root, "alembic.ini"), "w") as fh:
        fh.write(f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n")
    for n in range(count):
        with open(os.path.join(versions, f"r{n:05d}_step.py"), "w") as fh:
            fh.write(_revision(n))


def timed(
    argv: Sequence[str], cwd: str, runs: int, ok_codes: Sequence[int] = (0,)
) -> tuple[float, str]:
    """One untimed warm-up run, then the median wall-clock seconds of ``runs`` runs, and the
    last run's standard output."""
    stdout = ""
    times: list[float] = []
    for index in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=clean_env(), capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok_codes:
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-500:]}")
        if index:
            times.append(elapsed)
        stdout = proc.stdout
    return statistics.median(times), stdout


def expected_findings(count: int) -> int:
    cycles, rest = divmod(count, len(BODIES))
    return cycles * FINDINGS_PER_CYCLE + sum(FINDINGS_LAST[i] for i in range(rest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--plan-revisions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help=f"keep {WORKDIR}")
    args = parser.parse_args()
    dbshift = list(DBSHIFT.argv)
    rows: list[tuple[str, float]] = []

    floor, _ = timed([DBSHIFT_PYTHON, "-c", "import sqlalchemy"], os.getcwd(), args.runs)
    rows.append(("floor: python -c 'import sqlalchemy'", floor))
    lint_root = os.path.join(WORKDIR, "lint")
    make_project(lint_root, args.revisions, "sqlite:///%(here)s/unused.db")
    argv = [*dbshift, "lint", "--dialect", "postgresql", "--format", "json"]
    seconds, out = timed(argv, lint_root, args.runs, ok_codes=(0, 1))
    found = json.loads(out)
    assert len(found) == expected_findings(args.revisions), (len(found), args.revisions)
    rows.append((f"lint, {args.revisions} revisions, offline", seconds))
    last = f"r{args.revisions - 1:05d}"
    seconds, out = timed([*argv, last], lint_root, args.runs, ok_codes=(0, 1))
    assert len(json.loads(out)) == FINDINGS_LAST[(args.revisions - 1) % len(BODIES)]
    rows.append(("lint, one revision", seconds))

    with _postgres.bench_database() as url:
        plan_root = os.path.join(WORKDIR, "plan")
        make_project(plan_root, args.plan_revisions + 1, url)
        subprocess.run(
            [*dbshift, "upgrade", "r00000"], cwd=plan_root, env=clean_env(), check=True,
            capture_output=True,
        )
        _postgres.execute(
            "INSERT INTO t0 (name, n) SELECT 'n' || g, g FROM generate_series(1, 10000) g; "
            "ANALYZE t0",
            _postgres.BENCH_DSN,
        )
        seconds, out = timed([*dbshift, "plan", "--format", "json"], plan_root, args.runs)
        assert len(json.loads(out)["steps"]) == args.plan_revisions
        rows.append((f"plan, {args.plan_revisions} pending revisions, PostgreSQL", seconds))

    # The floor is what any Python tool that imports SQLAlchemy pays; the ratio stays readable on a
    # loaded machine, where the seconds alone do not.
    print(f"{'workload':<50} {'median':>10} {'x floor':>8}")
    for name, seconds in rows:
        print(f"{name:<50} {seconds:>9.3f}s {seconds / floor:>7.1f}x")
    if not args.keep:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
