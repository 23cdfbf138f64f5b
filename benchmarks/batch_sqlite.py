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
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the best is kept")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    contenders = [
        ("floor (stdlib sqlite3)", Path(sys.executable), FLOOR),
        ("dbshift", DBSHIFT_PY, DBSHIFT),
    ]
    if ALEMBIC_PY.exists():
        contenders.append(("alembic 1.20.1", ALEMBIC_PY, ALEMBIC))
    else:
        print(f"(no {ALEMBIC_PY}; Alembic is skipped)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = workdir / "template.db"
        build(template, args.rows)
        print(
            f"table t: {args.rows:,} rows, {template.stat().st_size / 2**20:.0f} MiB; "
            f"batch: add_column(note TEXT) + alter_column(qty VARCHAR -> INTEGER)"
        )
        best: dict[str, dict] = {}
        cpu_best: dict[str, list[dict]] = {}
        for _ in range(args.repeat):
            for label, python, script in contenders:
                result = run(python, script, template, workdir, env)
                cpu_best.setdefault(label, []).append(result)
                if label not in best or result["batch_s"] < best[label]["batch_s"]:
                    best[label] = result
        for label, python, script in contenders:
            # memory in a run of its own: tracemalloc slows Python code down
            traced = run(python, script, template, workdir, env, trace=True)
            best[label]["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
        sa_runs = [run(DBSHIFT_PY, IMPORT_SA, template, workdir, env) for _ in range(args.repeat)]
        sa_import = min(r["import_s"] for r in sa_runs)
        sa_import_cpu = min(r["import_cpu"] for r in sa_runs)
    floor = best["floor (stdlib sqlite3)"]["batch_s"]
    floor_cpu = min(r["batch_cpu"] for r in cpu_best["floor (stdlib sqlite3)"])
    print(f"import sqlalchemy: {sa_import:.3f}s")
    print(
        f"{'':24}{'batch s':>9}{'total s':>9}{'x floor':>9}{'x (floor+SA import)':>21}"
        f"{'peak RSS MB':>13}{'tracemalloc MB':>16}"
    )
    for label, result in best.items():
        print(
            f"{label:24}{result['batch_s']:9.3f}{result['total_s']:9.3f}"
            f"{result['batch_s'] / floor:9.3f}"
            f"{result['total_s'] / (floor + sa_import):21.3f}"
            f"{result['maxrss_mb']:13.1f}{result['tracemalloc_peak_mb']:16.2f}"
        )
    # CPU time: the same ratios, insensitive to other processes competing for the cores
    print(f"CPU time (process_time, best of {args.repeat}); import sqlalchemy: {sa_import_cpu:.3f}s")
    print(f"{'':24}{'batch s':>9}{'total s':>9}{'x floor':>9}{'x (floor+SA import)':>21}")
    for label, runs in cpu_best.items():
        batch_cpu = min(r["batch_cpu"] for r in runs)
        total_cpu = min(r["total_cpu"] for r in runs)
        print(f"{label:24}{batch_cpu:9.3f}{total_cpu:9.3f}{batch_cpu / floor_cpu:9.3f}"
              f"{total_cpu / (floor_cpu + sa_import_cpu):21.3f}")
    for label, result in best.items():
        print(f"  {label}: {result['check']}")


if __name__ == "__main__":
    main()
