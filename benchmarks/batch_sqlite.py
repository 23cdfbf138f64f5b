"""Benchmark: one SQLite batch rebuild (add a column + change a type) on a 1,000,000-row table.

Run by hand (not a test)::

    .venv/bin/python benchmarks/batch_sqlite.py [--rows 1000000]

Prints, for the same table in the same run, each in a fresh subprocess:
- floor: the rebuild written by hand with the stdlib ``sqlite3`` module
  (BEGIN; CREATE; INSERT .. SELECT; DROP; ALTER .. RENAME; COMMIT),
- dbshift: ``op.batch_alter_table`` through a MigrationContext (in /work/main/.venv),
- Alembic 1.20: the same batch in its own venv (``.venv-alembic``, made with
  ``python3 -m venv .venv-alembic && .venv-alembic/bin/pip install alembic==1.20.1``),
- the cost of ``import sqlalchemy``,
with ratios to the floor and peak memory (RSS of the process; tracemalloc peak during the batch,
measured in a separate run because tracing slows Python code down).

Fairness:
- every process times from its first import to its last statement; the floor's time includes
  ``import sqlite3`` (dbshift and Alembic import it too, inside ``create_engine``), and the floor opens
  and closes its own connection, as the others do;
- bytecode: all runs read compiled modules from a private ``PYTHONPYCACHEPREFIX`` filled by one
  discarded warm-up run of each contender (with ``PYTHONDONTWRITEBYTECODE`` set, or sources edited
  since the last compile, Python would otherwise recompile changed modules on every run and charge
  a tool for its own files being new);
- contenders run interleaved, each on a fresh copy of the same table; every figure is the best of
  ``--repeat`` runs, taken separately for each column (and, for the target ratio, also the median
  of the ratios computed within each round), as wall time and as the process's CPU time
  (``time.process_time``: less sensitive to other processes competing for the cores); the load
  average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBSHIFT_PY = ROOT / ".venv" / "bin" / "python"
ALEMBIC_PY = ROOT / ".venv-alembic" / "bin" / "python"

MEASURE = """
import json, resource, sys, time, tracemalloc
t0, c0 = time.perf_counter(), time.process_time()
{imports}
tracing = sys.argv[2] == "trace"
if tracing:
    tracemalloc.start()
t1, c1 = time.perf_counter(), time.process_time()
{body}
t2, c2 = time.perf_counter(), time.process_time()
peak = tracemalloc.get_traced_memory()[1] if tracing else 0
print(json.dumps({{"import_s": t1 - t0, "batch_s": t2 - t1, "total_s": t2 - t0,
                  "import_cpu": c1 - c0, "batch_cpu": c2 - c1, "total_cpu": c2 - c0,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tracemalloc_peak_mb": peak / 2**20}}))
"""

FLOOR = dict(
    imports="import sqlite3",
    body=textwrap.dedent("""
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        c.execute("BEGIN")
        c.execute("CREATE TABLE _tmp_t (id INTEGER NOT NULL, name VARCHAR(50), qty INTEGER, "
                  "price FLOAT, note TEXT, PRIMARY KEY (id))")
        c.execute("INSERT INTO _tmp_t (id, name, qty, price) "
                  "SELECT id, name, CAST(qty AS INTEGER), price FROM t")
        c.execute("DROP TABLE t")
        c.execute("ALTER TABLE _tmp_t RENAME TO t")
        c.execute("COMMIT")
        c.close()
    """),
)

BATCH_BODY = textwrap.dedent("""
    engine = sa.create_engine("sqlite:///" + sys.argv[1])
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            with Operations(ctx).batch_alter_table("t") as batch:
                batch.add_column(sa.Column("note", sa.Text))
                batch.alter_column("qty", type_=sa.Integer, existing_type=sa.String(20))
        if conn.in_transaction():
            conn.commit()
""")

DBSHIFT = dict(
    imports="import sqlalchemy as sa\n"
    "from dbshift.migration import MigrationContext\n"
    "from dbshift.operations import Operations",
    body=BATCH_BODY,
)

ALEMBIC = dict(
    imports="import sqlalchemy as sa\n"
    "from alembic.migration import MigrationContext\n"
    "from alembic.operations import Operations",
    body=BATCH_BODY,
)

IMPORT_SA = dict(imports="import sqlalchemy", body="pass")

#: What any SQLAlchemy tool pays before its first statement (shown for reference, not in the target).
CONNECT_SA = dict(
    imports="import sqlalchemy as sa",
    body='with sa.create_engine("sqlite:///" + sys.argv[1]).connect():\n    pass',
)


def build(path: Path, rows: int) -> None:
    """The table every run starts from: id, name, qty (numbers stored as text), price."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR(50), qty VARCHAR(20), price FLOAT, "
        "PRIMARY KEY (id))"
    )
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO t SELECT i, 'name ' || i, CAST(i % 1000 AS TEXT), i * 0.5 FROM n",
        (rows,),
    )
    conn.commit()
    conn.close()


def run(
    python: Path,
    script: dict[str, str],
    template: Path,
    workdir: Path,
    env: dict,
    trace: bool = False,
) -> dict:
    db = workdir / "run.db"
    shutil.copyfile(template, db)
    code = MEASURE.format(imports=script["imports"], body=script["body"])
    out = subprocess.run(
        [str(python), "-c", code, str(db), "trace" if trace else "time"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(t)")]
        count = conn.execute("SELECT count(*) FROM t").fetchone()[0]
        qty_type = conn.execute("SELECT typeof(qty) FROM t LIMIT 1").fetchone()[0]
    db.unlink()
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["check"] = f"{count} rows, columns {cols}, qty {qty_type}"
    return result


def best(runs: list[dict], key: str) -> float:
    """The smallest value of ``key`` over ``runs``."""
    return min(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each; the best is kept")
    args = parser.parse_args()
    contenders = [
        ("floor (stdlib sqlite3)", DBSHIFT_PY, FLOOR),
        ("dbshift", DBSHIFT_PY, DBSHIFT),
    ]
    if ALEMBIC_PY.exists():
        contenders.append(("alembic 1.20.1", ALEMBIC_PY, ALEMBIC))
    else:
        print(f"(no {ALEMBIC_PY}; Alembic is skipped)")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(ROOT / "src"), PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
        template = workdir / "template.db"
        build(template, args.rows)
        print(
            f"table t: {args.rows:,} rows, {template.stat().st_size / 2**20:.0f} MiB; "
            f"batch: add_column(note TEXT) + alter_column(qty VARCHAR -> INTEGER)"
        )
        for _label, python, script in [*contenders, ("", DBSHIFT_PY, IMPORT_SA),
                                       ("", DBSHIFT_PY, CONNECT_SA)]:
            run(python, script, template, workdir, env)  # warm-up: compiles bytecode, fills caches
        runs: dict[str, list[dict]] = {label: [] for label, _p, _s in contenders}
        sa_runs, connect_runs = [], []
        for _ in range(args.repeat):
            for label, python, script in contenders:
                runs[label].append(run(python, script, template, workdir, env))
            sa_runs.append(run(DBSHIFT_PY, IMPORT_SA, template, workdir, env))
            connect_runs.append(run(DBSHIFT_PY, CONNECT_SA, template, workdir, env))
        traced = {}
        for label, python, script in contenders:
            # memory in a run of its own: tracemalloc slows Python code down
            traced[label] = run(python, script, template, workdir, env, trace=True)
    load_after = os.getloadavg()
    floor_runs = runs["floor (stdlib sqlite3)"]
    for clock, batch_key, total_key, import_key in (
        ("wall time (perf_counter)", "batch_s", "total_s", "import_s"),
        ("CPU time (process_time)", "batch_cpu", "total_cpu", "import_cpu"),
    ):
        sa_import = best(sa_runs, import_key)
        floor_total = best(floor_runs, total_key)
        print(f"{clock}, best of {args.repeat}; import sqlalchemy: {sa_import:.3f}s; "
              f"then create_engine + connect: {best(connect_runs, batch_key):.3f}s")
        print(
            f"{'':24}{'batch s':>9}{'total s':>9}{'x floor':>9}{'x (floor+SA import)':>21}"
            f"{'median of rounds':>18}"
        )
        for label, label_runs in runs.items():
            batch, total = best(label_runs, batch_key), best(label_runs, total_key)
            # x floor: the work after the imports (create_engine, which imports sqlite3, included)
            # against the floor's import sqlite3 + work; the last column is the target ratio
            # computed within each round (contenders ran back to back) and its median over rounds,
            # which drifts less with the machine's load than a ratio of two separate minimums
            paired = statistics.median(
                r[total_key] / (f[total_key] + i[import_key])
                for r, f, i in zip(label_runs, floor_runs, sa_runs, strict=True)
            )
            print(
                f"{label:24}{batch:9.3f}{total:9.3f}{batch / floor_total:9.3f}"
                f"{total / (floor_total + sa_import):21.3f}{paired:18.3f}"
            )
    print(f"{'peak memory':24}{'RSS MB':>9}{'tracemalloc MB':>16}")
    for label, label_runs in runs.items():
        print(f"{label:24}{best(label_runs, 'maxrss_mb'):9.1f}"
              f"{traced[label]['tracemalloc_peak_mb']:16.2f}")
    print("load average (1, 5, 15 min): before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' '.join(f'{x:.2f}' for x in load_after)}")
    for label, label_runs in runs.items():
        print(f"  {label}: {label_runs[-1]['check']}")


if __name__ == "__main__":
    main()
