"""Fixtures for the plugin's tests: the reference virtualenv and a server URL per backend.

A missing reference virtualenv or a backend that is down is a skip with a reason on a developer's
machine and a failure in CI (``CI`` set).
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from .harness import REFERENCE_PYTHON

IN_CI = bool(os.environ.get("CI"))
SERVERS = {
    "sqlite": None,
    "postgresql": os.environ.get(
        "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def reference_venv() -> None:
    """pytest-alembic 0.13.1 with Alembic 1.20.1 (``.venv-eco-alembic``) is there."""
    if not REFERENCE_PYTHON.exists():
        _unavailable(f"{REFERENCE_PYTHON} missing: run scripts/setup_ecosystem_venvs.sh")


@pytest.fixture(params=list(SERVERS), scope="module")
def backend(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """``(backend, server URL)``: SQLite, PostgreSQL, MariaDB (a server that is down skips, or
    fails in CI)."""
    return reachable(request.param)


def reachable(name: str) -> tuple[str, str | None]:
    """``(name, server URL)`` of a backend that answers (else a skip, or a failure in CI)."""
    url = SERVERS[name]
    if url is not None:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as err:
            _unavailable(f"{name} is not reachable: {' '.join(str(err).split())[:200]}")
        finally:
            engine.dispose()
    return name, url
