"""Fixtures for the migration lock's tests: a project per backend, holding the lock by hand."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.ddl.lock_sql import lock_sql_for

from . import project


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Whatever a test started and did not finish is killed when it ends."""
    yield
    project.kill_leftovers()


@pytest.fixture
def project_root(engine: sa.Engine, tmp_path: Path) -> Path:
    """A three-revision project on each live backend (the ``engine`` fixture's database)."""
    return project.write_project(tmp_path / "proj", url_of(engine), 3)


@contextlib.contextmanager
def lock_held(engine: sa.Engine, table: str = "alembic_version") -> Iterator[Any]:
    """Hold the migration lock of ``table`` from this process, as another dbshift would.

    Yields what identifies the holder: the backend pid (PostgreSQL), the connection id
    (MariaDB), or this process's pid (SQLite's lock file)."""
    lock_sql = lock_sql_for(engine.dialect)
    name = engine.dialect.name
    if name == "sqlite":
        path = f"{engine.url.database}.{table}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.pwrite(fd, f"pid {os.getpid()} on test-host".encode(), 1)
            yield os.getpid()
        finally:
            os.close(fd)
        return
    key = lock_sql.lock_key(engine.url.database, None, table)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        if name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            yield conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        else:
            assert conn.execute(sa.text("SELECT GET_LOCK(:k, 10)"), {"k": key}).scalar() == 1
            yield conn.execute(sa.text("SELECT CONNECTION_ID()")).scalar()


def side_effects(engine: sa.Engine) -> list[tuple[str, int]]:
    """``(revision, how many times its side effect happened)``, by revision."""
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text("SELECT rev, count(*) FROM side_effects GROUP BY rev ORDER BY rev")
            )
        ]


def version_rows(engine: sa.Engine, table: str = "alembic_version") -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(sa.text(f"SELECT version_num FROM {table}"))]
