"""Where pytest-alembic is installed, dbshift's plugin does nothing: the two never register the
same options (an installed ``pytest-alembic`` distribution is stood in for by one whose plugin
only registers its options: pytest-alembic 0.13.1 itself does not load on dbshift yet, see the
README's ecosystem table). With ``-p no:pytest_alembic`` dbshift's plugin is the one that
answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FAKE_PLUGIN = """\
def pytest_addoption(parser):
    parser.getgroup("collect").addoption(
        "--test-alembic", action="store_true", help="Enable pytest-alembic built-in tests"
    )
    parser.addini("pytest_alembic_tests_path", "pytest-alembic's own")
"""


@pytest.fixture
def with_pytest_alembic(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``PYTHONPATH`` adds an installed ``pytest-alembic`` distribution
    (metadata with its ``pytest11`` entry point, and a plugin registering its options)."""
    extra = tmp_path / "site"
    dist = extra / "pytest_alembic-0.13.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-alembic\nVersion: 0.13.1\n")
    (dist / "entry_points.txt").write_text("[pytest11]\npytest_alembic = pytest_alembic_stand_in\n")
    (extra / "pytest_alembic_stand_in.py").write_text(FAKE_PLUGIN)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env["PYTHONPATH"] = str(extra)
    return env


def _help(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, "--help"],
        capture_output=True, text=True, env=env, cwd="/",
    )
    done.stdout = " ".join(done.stdout.split())  # help text is wrapped to the terminal
    return done


def test_pytest_alembic_installed_means_its_options_only(with_pytest_alembic) -> None:
    done = _help(with_pytest_alembic)
    assert done.returncode == 0, done.stderr
    assert "Enable pytest-alembic built-in tests" in done.stdout  # pytest-alembic's help
    assert "dbshift's pytest-alembic-compatible plugin" not in done.stdout
    assert done.stdout.count("--test-alembic") == 1


def test_pytest_alembic_blocked_means_dbshift_answers(with_pytest_alembic) -> None:
    done = _help(with_pytest_alembic, "-p", "no:pytest_alembic")
    assert done.returncode == 0, done.stderr
    assert "Enable pytest-alembic built-in tests" not in done.stdout
    assert "dbshift's pytest-alembic-compatible plugin" in done.stdout


def test_without_pytest_alembic_dbshift_answers() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    done = _help(env)
    assert done.returncode == 0, done.stderr
    assert "dbshift's pytest-alembic-compatible plugin" in done.stdout
    assert done.stdout.count("--test-alembic") == 1
