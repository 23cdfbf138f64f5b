"""The command-line flags and ini options, with pytest-alembic's names and meanings.

``--test-alembic`` turns the built-in tests on; ``pytest_alembic_include`` /
``pytest_alembic_include_experimental`` / ``pytest_alembic_exclude`` (``--alembic-exclude``)
choose them; ``pytest_alembic_tests_path`` (``--alembic-tests-path``, default
``tests/conftest.py``) is the file they are collected under; ``pytest_alembic_enabled`` turns the
plugin off entirely.
"""

from __future__ import annotations

from typing import Any

from .catalog import DEFAULT_NAMES, EXPERIMENTAL_NAMES

__all__ = ["DEFAULT_TESTS_PATH", "add_options", "tests_path"]

DEFAULT_TESTS_PATH = "tests/conftest.py"


def add_options(parser: Any) -> None:
    """Register the flags and ini options on pytest's ``parser``."""
    default = ", ".join(DEFAULT_NAMES)
    experimental = ", ".join(EXPERIMENTAL_NAMES)
    parser.addini(
        "pytest_alembic_enabled",
        "Whether the built-in migration tests plugin (dbshift's) is on at all. Default: true.",
        default=True,
    )
    parser.addini(
        "pytest_alembic_include",
        f"Built-in tests to run instead of the default ones. Valid names: {default}",
    )
    parser.addini(
        "pytest_alembic_exclude",
        f"Built-in tests not to run. Valid names: {default}, {experimental}",
    )
    parser.addini(
        "pytest_alembic_include_experimental",
        f"Experimental built-in tests to run (never run otherwise). Valid names: {experimental}",
    )
    parser.addini(
        "pytest_alembic_tests_path",
        "The file the built-in tests are collected under, relative to the rootdir "
        f"(default {DEFAULT_TESTS_PATH}); the file that defines the alembic_engine fixture.",
    )
    parser.addini(
        "dbshift_lint_since",
        "lint_pending_revisions: lint the revisions after this one (default: those the test "
        "database has not applied)",
    )
    group = parser.getgroup("collect")
    group.addoption(
        "--test-alembic",
        action="store_true",
        default=False,
        dest="pytest_alembic_registration_enabled",
        help="Run the built-in migration tests (dbshift's pytest-alembic-compatible plugin)",
    )
    group.addoption(
        "--alembic-exclude",
        default=None,
        dest="pytest_alembic_exclude",
        help=f"Built-in tests not to run. Valid names: {default}",
    )
    group.addoption(
        "--alembic-tests-path",
        default=None,
        dest="pytest_alembic_tests_path",
        help="The file the built-in tests are collected under (wins over the ini option)",
    )


def tests_path(config: Any) -> str:
    """Where the built-in tests are collected: the flag, the ini option, or the default."""
    return (
        config.option.pytest_alembic_tests_path
        or config.getini("pytest_alembic_tests_path")
        or DEFAULT_TESTS_PATH
    )
