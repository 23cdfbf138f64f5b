"""Autogenerate benchmark: dbshift against Alembic 1.20 on the same database, in the same run.

The model has N tables (default 1,000), each with 10 columns, a primary key, 2 indexes, a foreign
key and a unique constraint. Two cases per backend (PostgreSQL and SQLite):

* ``empty``: the database has no tables, so every table is new;
* ``changed``: the model was created with ``create_all()`` and about 1% of the tables then
  changed in the model (a column added, a type widened, an index added).

Each tool runs in its own subprocess with its own virtualenv (Alembic in ``.venv-alembic``) and
reports: the time of ``produce_migrations`` (best of 3), the peak Python memory during one more
run (tracemalloc), and the number of SQL statements it sent (a ``before_cursor_execute`` counter).

For the ``empty`` case it also times ``compare_metadata`` (best of 3) against its floor: building
the model plus reflecting the database (``MetaData.reflect``), both best of 3; dbshift's
``compare_metadata`` should stay within 1.5x of that floor.

    .venv/bin/python benchmarks/autogenerate_bench.py [--tables 1000] [--backends postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

MAIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHONS = {
    "dbshift": os.path.join(MAIN, ".venv", "bin", "python"),
    "alembic": os.path.join(MAIN, ".venv-alembic", "bin", "python"),
}
PG_URL = os.environ.get("DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def build_model(n: int, changed: bool) -> object:
    """The benchmark MetaData; ``changed`` alters about 1% of the tables."""
    import sqlalchemy as sa

    md = sa.MetaData()
    for i in range(n):
        touched = changed and i % 100 == 50
        name = f"t{i:04d}"
        cols = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"t{max(i - 1, 0):04d}.id")),
            sa.Column("code", sa.String(40 if touched else 20), nullable=False),
            sa.Column("name", sa.String(100)),
            sa.Column("amount", sa.Numeric(12, 2)),
            sa.Column("created", sa.DateTime),
            sa.Column("active", sa.Boolean),
            sa.Column("notes", sa.Text),
            sa.Column("qty", sa.BigInteger),
            sa.Column("day", sa.Date),
        ]
        if touched:
            cols.append(sa.Column("extra", sa.String(10)))
        args = [
            sa.Index(f"ix_{name}_name", "name"),
            sa.Index(f"ix_{name}_created", "created"),
            sa.UniqueConstraint("code", name=f"uq_{name}_code"),
        ]
        if touched:
            args.append(sa.Index(f"ix_{name}_qty", "qty"))
        sa.Table(name, md, *cols, *args)
    return md


def worker(tool: str, url: str, n: int, changed: bool) -> dict[str, float]:
    """Measure one tool on the database at ``url`` (run inside that tool's virtualenv)."""
    import sqlalchemy as sa
    from sqlalchemy import event

    if tool == "alembic":
        from alembic.autogenerate import compare_metadata, produce_migrations
        from alembic.migration import MigrationContext
    else:
        sys.path.insert(0, os.path.join(MAIN, "src"))
        from dbshift.autogenerate import compare_metadata, produce_migrations
        from dbshift.migration import MigrationContext

    md = build_model(n, changed)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*args: object) -> None:
        statements[0] += 1

    def run() -> int:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"target_metadata": md, "compare_type": True}
            )
            script = produce_migrations(ctx, md)
            return len(script.upgrade_ops.ops)

    times = []
    for _ in range(3):
        statements[0] = 0
        start = time.perf_counter()
        n_ops = run()
        times.append(time.perf_counter() - start)
    count_per_run = statements[0]
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result = {
        "seconds": min(times),
        "peak_mb": peak / 1e6,
        "statements": count_per_run,
        "top_level_ops": n_ops,
    }
    if not changed:
        result.update(_compare_and_floor(engine, n, compare_metadata, MigrationContext))
    return result


def _best_of_3(fn: object) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _compare_and_floor(
    engine: object, n: int, compare_metadata: object, migration_context: object
) -> dict[str, float]:
    """``compare_metadata`` in-process, and its floor: building the model + reflecting the
    database (best of 3 each)."""
    import sqlalchemy as sa

    md = build_model(n, False)
    build = _best_of_3(lambda: build_model(n, False))
    with engine.connect() as conn:  # type: ignore[attr-defined]
        reflect = _best_of_3(lambda: sa.MetaData().reflect(conn))

        def compare() -> None:
            ctx = migration_context.configure(  # type: ignore[attr-defined]
                conn, opts={"target_metadata": md, "compare_type": True}
            )
            compare_metadata(ctx, md)  # type: ignore[operator]

        seconds = _best_of_3(compare)
    return {"compare_seconds": seconds, "floor_seconds": build + reflect}


def bench_database(server_url: str, name: str = "dbshift_bench") -> str:
    """The URL of a PostgreSQL database of the benchmark's own (created when missing), so the
    benchmark never drops tables of the shared test database."""
    import sqlalchemy as sa

    server = sa.create_engine(server_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.exec_driver_sql(
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        ).scalar()
        if not exists:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    server.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def prepare(url: str, n: int, case: str) -> None:
    """Empty the database, then create the base model for the ``changed`` case (in chunks of
    100 tables per transaction: PostgreSQL's lock table would not hold 1,000 at once)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    existing = sa.MetaData()
    with engine.connect() as conn:
        existing.reflect(conn)
    tables = list(reversed(existing.sorted_tables))
    for pos in range(0, len(tables), 100):
        with engine.begin() as conn:
            existing.drop_all(conn, tables=tables[pos:pos + 100], checkfirst=False)
    if case == "changed":
        model = build_model(n, changed=False)
        ordered = model.sorted_tables  # type: ignore[attr-defined]
        for pos in range(0, len(ordered), 100):
            with engine.begin() as conn:
                model.create_all(conn, tables=ordered[pos:pos + 100], checkfirst=False)  # type: ignore[attr-defined]
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--worker", choices=sorted(PYTHONS))
    parser.add_argument("--url")
    parser.add_argument("--case", choices=["empty", "changed"])
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.url, args.tables, args.case == "changed")))
        return

    tmp = tempfile.mkdtemp(prefix="dbshift-autogen-bench-")
    urls = {"postgresql": bench_database(PG_URL), "sqlite": f"sqlite:///{os.path.join(tmp, 'bench.db')}"}
    print(f"autogenerate, {args.tables} tables (10 columns, PK, 2 indexes, FK, unique each)")
    header = f"{'backend':<11}{'case':<9}{'tool':<9}{'seconds':>9}{'peak MB':>9}{'SQL':>7}{'ops':>6}"
    print(header)
    for backend in args.backends.split(","):
        url = urls[backend]
        for case in ("empty", "changed"):
            prepare(url, args.tables, case)
            results = {}
            for tool, python in PYTHONS.items():
                out = subprocess.run(
                    [python, __file__, "--worker", tool, "--url", url, "--case", case,
                     "--tables", str(args.tables)],
                    check=True, capture_output=True, text=True,
                    env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                )
                results[tool] = json.loads(out.stdout.strip().splitlines()[-1])
                r = results[tool]
                print(
                    f"{backend:<11}{case:<9}{tool:<9}{r['seconds']:>9.3f}{r['peak_mb']:>9.1f}"
                    f"{r['statements']:>7}{r['top_level_ops']:>6}"
                )
            speedup = results["alembic"]["seconds"] / results["dbshift"]["seconds"]
            print(f"{'':<20}dbshift is {speedup:.1f}x faster")
            if case == "empty":
                for tool, r in results.items():
                    print(
                        f"{'':<20}{tool}: compare_metadata {r['compare_seconds']:.3f}s, floor "
                        f"(build model + reflect) {r['floor_seconds']:.3f}s, "
                        f"{r['compare_seconds'] / r['floor_seconds']:.2f}x the floor"
                    )
        prepare(url, args.tables, "empty")


if __name__ == "__main__":
    main()
