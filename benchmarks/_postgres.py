"""The benchmark's own PostgreSQL database: created for the run, emptied between series, dropped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg2

SERVER_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DB = "bench_dbshift"
BENCH_URL = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{BENCH_DB}"
BENCH_DSN = f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}"


def execute(sql: str, dsn: str = SERVER_DSN) -> None:
    """Run ``sql`` outside a transaction (CREATE/DROP DATABASE) on ``dsn``."""
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """Create ``bench_dbshift`` (dropping a leftover one first), yield its URL, drop it."""
    execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    execute(f"CREATE DATABASE {BENCH_DB}")
    try:
        yield BENCH_URL
    finally:
        execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def reset_schema() -> None:
    """Empty the benchmark database: a fresh ``public`` schema."""
    conn = psycopg2.connect(BENCH_DSN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        conn.close()


def table_count() -> tuple[int, list[str]]:
    """Number of tables in ``public`` and the rows of ``alembic_version`` (if any)."""
    conn = psycopg2.connect(BENCH_DSN)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            (count,) = cur.fetchone()
            cur.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL")
            if cur.fetchone()[0]:
                cur.execute("SELECT version_num FROM alembic_version ORDER BY 1")
                rows = [r[0] for r in cur.fetchall()]
            else:
                rows = []
        return count, rows
    finally:
        conn.close()
