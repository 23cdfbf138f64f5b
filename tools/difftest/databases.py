"""Fresh, empty databases for one difftest run: a file for SQLite, a new database on a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

#: Server URLs (the same defaults and variables as the test suite).
SERVER_URLS = {
    "postgresql": os.environ.get(
        "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}

BACKENDS = ("sqlite", "postgresql", "mariadb")


class BackendUnavailable(RuntimeError):
    """The server for a backend can't be reached."""


def check_backend(backend: str) -> None:
    """Raise :class:`BackendUnavailable` unless ``backend`` can be used now."""
    if backend == "sqlite":
        return
    engine = sa.create_engine(SERVER_URLS[backend], poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as err:
        raise BackendUnavailable(f"{backend}: {' '.join(str(err).split())[:200]}") from err
    finally:
        engine.dispose()


def offline_url(backend: str) -> str:
    """A URL naming the backend's dialect, for ``--sql`` runs (nothing connects to it)."""
    if backend == "sqlite":
        return "sqlite://"
    return SERVER_URLS[backend]


@contextmanager
def fresh_database(backend: str, work_dir: Path, label: str) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        path = work_dir / f"{label}.db"
        if path.exists():
            path.unlink()
        yield f"sqlite:///{path}"
        return
    if backend not in SERVER_URLS:
        raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    name = f"difftest_{label}_{uuid.uuid4().hex[:10]}"
    admin_url = sa.make_url(SERVER_URLS[backend])
    admin = sa.create_engine(admin_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    quoted = f'"{name}"' if backend == "postgresql" else f"`{name}`"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                if backend == "postgresql":
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
                else:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
    finally:
        admin.dispose()
