"""A project per backend for the applied-history tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from history_project import Project


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def project(request: Any, tmp_path: Path) -> Iterator[Project]:
    """A project on each backend in turn (the server databases emptied before and after)."""
    if request.param == "sqlite":
        found = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    else:
        engine = request.getfixturevalue("pg_engine" if request.param == "postgresql" else "mariadb_engine")
        found = Project(tmp_path, engine.url.render_as_string(hide_password=False))
    yield found
    found.engine.dispose()


@pytest.fixture
def mariadb_project(mariadb_engine: Any, tmp_path: Path) -> Iterator[Project]:
    """A project on MariaDB."""
    found = Project(tmp_path, mariadb_engine.url.render_as_string(hide_password=False))
    yield found
    found.engine.dispose()
