"""How the built-in tests become pytest items: collected under one file of the project.

They are bound to the file named by ``pytest_alembic_tests_path`` (``tests/conftest.py`` by
default), where projects define ``alembic_engine``, so that the project's fixtures are in scope;
their node ids are ``<file>::pytest-alembic::test_<name>``, as under pytest-alembic. With
``--test-alembic`` and no such file collected, a warning names the path that was looked for.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

import pytest

from .catalog import parse_test_names, select
from .options import tests_path

__all__ = ["MigrationTestsPlugin"]


class MigrationTestsPlugin:
    """The session's collection hooks (registered at session start)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.registered = False

    def should_register(self, path: PurePath) -> bool:
        """Whether ``path`` is the file the tests are bound to (true once per session)."""
        if self.registered:
            return False
        root = self.config.rootpath
        try:
            relative = PurePath(path).relative_to(root)
        except ValueError:
            return False
        if relative == PurePath(tests_path(self.config)):
            self.registered = True
            return True
        return False

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> Any:
        """Collect the built-in tests at the configured file."""
        if self.should_register(file_path):
            return MigrationTestsModule.from_parent(parent, path=file_path)
        return None

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        """Mark every test that uses ``alembic_runner`` with ``alembic``."""
        if "alembic_runner" in getattr(item, "fixturenames", ()):
            item.add_marker("alembic")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Warn when ``--test-alembic`` found no file to bind the tests to."""
        if self.registered or not self.config.option.pytest_alembic_registration_enabled:
            return
        if session.config.args and not _covers(session, tests_path(self.config)):
            return  # the command line named other files or tests
        self.config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"--test-alembic: no built-in migration test was collected: "
                f"{tests_path(self.config)} (pytest_alembic_tests_path, relative to "
                f"{self.config.rootpath}) was not collected; set pytest_alembic_tests_path to "
                "the conftest.py that defines alembic_engine"
            ),
            stacklevel=2,
        )


def _covers(session: pytest.Session, path: str) -> bool:
    """Whether the command line's paths include ``path`` (a folder above it, or itself)."""
    target = session.config.rootpath / path
    for arg in session.config.args:
        given = Path(str(arg).split("::", 1)[0])
        if not given.is_absolute():
            given = session.config.invocation_params.dir / given
        if target == given or given in target.parents:
            return True
    return False


class MigrationTestsModule(pytest.Module):
    """The built-in tests' parent node: presented as a module so that fixtures resolve as for
    any test under that file; it imports nothing itself."""

    def __init__(self, **kwargs: Any) -> None:
        path = kwargs.get("path")
        parent = kwargs.get("parent")
        if kwargs.get("nodeid") is None and path is not None and parent is not None:
            relative = Path(path).relative_to(parent.config.rootpath).as_posix()
            kwargs["nodeid"] = f"{relative}::pytest-alembic"
        super().__init__(**kwargs)
        self.add_marker("alembic")

    def _getobj(self) -> Any:
        import types

        return types.ModuleType(self.name)

    def collect(self) -> list[pytest.Item]:
        """The selected built-in tests (none without ``--test-alembic``)."""
        config = self.config
        if not config.option.pytest_alembic_registration_enabled:
            return []
        try:
            chosen = select(
                parse_test_names(config.getini("pytest_alembic_include")),
                parse_test_names(config.getini("pytest_alembic_include_experimental")),
                parse_test_names(
                    config.option.pytest_alembic_exclude or config.getini("pytest_alembic_exclude")
                ),
            )
        except ValueError as err:
            raise self.CollectError(f"pytest-alembic options: {err}") from None
        items: list[pytest.Item] = []
        for test in chosen:
            items.append(
                MigrationTestItem.from_parent(self, name=test.raw_name, callobj=test.function())
            )
        return items


class MigrationTestItem(pytest.Function):
    """One built-in test, reported as ``[pytest-alembic] test_<name>``."""

    def reportinfo(self) -> tuple[Any, int, str]:
        return (self.path, 0, f"[pytest-alembic] {self.name}")

    def repr_failure(self, excinfo: Any) -> Any:  # type: ignore[override]
        """A failure is shown as its message and context blocks (revision, error, SQL), without
        a traceback into the plugin; ``--tb=long``/``--tb=native`` show pytest's traceback of an
        error that is not a migration test failure."""
        from .failure import MigrationTestFailure, error_context

        error = excinfo.value
        if not isinstance(error, MigrationTestFailure) and self.config.option.tbstyle in (
            "long", "native", "short", "line"
        ):
            return super().repr_failure(excinfo)
        if not isinstance(error, MigrationTestFailure) and isinstance(error, Exception):
            error = MigrationTestFailure(
                f"{self.name} stopped on an error (run with --tb=long for the traceback)",
                context=error_context(error),
            )
        if isinstance(error, MigrationTestFailure):
            text = str(error)
            runner = getattr(self, "funcargs", {}).get("alembic_runner")
            if getattr(runner, "uses_default_engine", False):
                text += (
                    "\n\nalembic_engine:\n    no alembic_engine fixture is defined for "
                    f"{self.path.name} (or a conftest.py above it): the test ran on the "
                    "default in-memory SQLite database"
                )
            return text
        return super().repr_failure(excinfo)
