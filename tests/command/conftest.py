"""Fixtures of the command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .scratch_project import LintProject


@pytest.fixture
def scratch_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintProject:
    """A scratch project in ``tmp_path`` (the working directory while the test runs)."""
    monkeypatch.chdir(tmp_path)
    return LintProject(tmp_path)
