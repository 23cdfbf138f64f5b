"""The plugin's hooks and fixtures, registered by the entry point when pytest-alembic is not
installed."""

from __future__ import annotations

from typing import Any

from .collection import MigrationTestsPlugin
from .fixtures import alembic_config, alembic_engine, alembic_runner

__all__ = [
    "alembic_config",
    "alembic_engine",
    "alembic_runner",
    "pytest_configure",
    "pytest_sessionstart",
]


def pytest_configure(config: Any) -> None:
    """Register the ``alembic`` marker."""
    config.addinivalue_line("markers", "alembic: Tests which use pytest-alembic.")


def pytest_sessionstart(session: Any) -> None:
    """Register the collection hooks, unless ``pytest_alembic_enabled`` is false."""
    enabled = session.config.getini("pytest_alembic_enabled")
    if isinstance(enabled, str):
        enabled = enabled.strip().lower() not in ("false", "0", "no", "off")
    if enabled:
        session.config.pluginmanager.register(
            MigrationTestsPlugin(session.config), "dbshift-migration-tests-collection"
        )
