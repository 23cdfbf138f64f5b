"""The fixtures: ``alembic_config`` and ``alembic_engine`` (a project overrides them) and
``alembic_runner`` (tests use it), as pytest-alembic defines them.

Without an ``alembic_engine`` of the project's, the tests run on an in-memory SQLite database (as
under pytest-alembic); a failing built-in test then says so. What the fixtures are given is
checked when the runner is made: a wrong type, a missing ini file or script folder, a revision
graph that does not hold together end the test with one line naming the fixture or file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy

from ...util.error_text import one_line
from .runner import MigrationContext, runner
from .settings import Config

__all__ = ["alembic_config", "alembic_engine", "alembic_runner", "create_alembic_fixture"]

#: Set on the engine of the default ``alembic_engine`` fixture.
DEFAULT_ENGINE_FLAG = "_dbshift_default_alembic_engine"


def _engine_problem(engine: Any) -> str | None:
    from sqlalchemy.engine import Connection, Engine

    if isinstance(engine, (Engine, Connection)):
        return None
    try:
        from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
    except ImportError:  # pragma: no cover - SQLAlchemy without greenlet
        pass
    else:
        if isinstance(engine, (AsyncEngine, AsyncConnection)):
            return None
    return (
        f"the alembic_engine fixture gave {type(engine).__module__}.{type(engine).__qualname__}"
        f" ({engine!r:.80}); it must give a SQLAlchemy Engine or Connection"
    )


def _open_runner(raw_config: Any, engine: Any) -> Iterator[MigrationContext]:
    """Yield a runner, turning bad input into one-line setup errors."""
    problem = _engine_problem(engine)
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        config = Config.from_raw_config(raw_config)
        manager = runner(config=config, engine=engine)
        context = manager.__enter__()
    except TypeError as err:
        pytest.fail(str(err), pytrace=False)
    except Exception as err:
        pytest.fail(
            f"alembic_runner: the project's migrations could not be read "
            f"({type(err).__name__}: {one_line(err)})",
            pytrace=False,
        )
    if getattr(engine, DEFAULT_ENGINE_FLAG, False):
        context.uses_default_engine = True  # type: ignore[attr-defined]
    try:
        yield context
    finally:
        manager.__exit__(None, None, None)


def create_alembic_fixture(raw_config: Any = None) -> Callable[..., Iterator[MigrationContext]]:
    """A fixture like ``alembic_runner`` for another configuration (a second history)."""

    @pytest.fixture
    def alembic_fixture(alembic_engine: Any) -> Iterator[MigrationContext]:
        yield from _open_runner(raw_config, alembic_engine)

    return alembic_fixture


@pytest.fixture
def alembic_runner(alembic_config: Any, alembic_engine: Any) -> Iterator[MigrationContext]:
    """The runner the built-in tests (and a project's own migration tests) use."""
    yield from _open_runner(alembic_config, alembic_engine)


@pytest.fixture
def alembic_config() -> Any:
    """Override to configure the project: a dict of options, an ``alembic.config.Config`` or a
    ``pytest_alembic.config.Config``. Default: ``alembic.ini`` in the working directory."""
    return {}


@pytest.fixture
def alembic_engine() -> Iterator[Any]:
    """Override to give the built-in tests a database. Default: in-memory SQLite."""
    engine = sqlalchemy.create_engine("sqlite:///")
    setattr(engine, DEFAULT_ENGINE_FLAG, True)
    try:
        yield engine
    finally:
        engine.dispose()
