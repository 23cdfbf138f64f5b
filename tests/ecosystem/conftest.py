"""Fixtures for the ecosystem tests: the two virtualenvs and a PostgreSQL database per tool.

A missing virtualenv or an unreachable PostgreSQL server is a skip with a reason on a developer's
machine and a failure in CI (``CI`` set), like the backends in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from .harness import SETUP_HINT, TOOLS, missing_venvs, stale_venvs

IN_CI = bool(os.environ.get("CI"))
PG_URL = os.environ.get("DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def eco_venvs() -> None:
    """The ecosystem virtualenvs exist and hold this checkout's dbshift (else skip, or fail in
    CI)."""
    missing = missing_venvs()
    if missing:
        _unavailable(f"{', '.join(missing)} missing: {SETUP_HINT}")
    stale = stale_venvs()
    if stale:
        _unavailable(f"not this checkout's: {'; '.join(stale)}: {SETUP_HINT}")


@pytest.fixture(scope="session")
def eco_pg_urls() -> Iterator[dict[str, str]]:
    """URLs of two dedicated PostgreSQL databases, one per tool, dropped at the end.

    They live on the server of ``DBSHIFT_TEST_PG_URL`` and are named ``eco_<pid>_<tool>``, so two
    runs at the same time never share one (and the shared ``test`` database is never touched).
    """
    admin_url = sa.make_url(PG_URL)
    admin = sa.create_engine(admin_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    names = {tool: f"eco_{os.getpid()}_{tool}" for tool in TOOLS}
    try:
        with admin.connect() as conn:
            for name in names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as err:
        admin.dispose()
        _unavailable(f"postgresql is not reachable: {' '.join(str(err).split())[:200]}")
    try:
        yield {
            tool: admin_url.set(database=name).render_as_string(hide_password=False)
            for tool, name in names.items()
        }
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
