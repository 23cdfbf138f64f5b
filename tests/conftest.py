"""Shared fixtures: live connections per backend and an offline SQL recorder.

Backends: SQLite (always), PostgreSQL and MariaDB at the URLs below (override with
``DBSHIFT_TEST_PG_URL`` / ``DBSHIFT_TEST_MARIADB_URL``). A backend that is down is a skip with a
reason on a developer's machine and a failure in CI (``CI`` set in the environment).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.migration import MigrationContext
from dbshift.operations import Operations

PG_URL = os.environ.get("DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get(
    "DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
IN_CI = bool(os.environ.get("CI"))

_engines: dict[str, sa.Engine] = {}
_down: dict[str, str] = {}


def _server_engine(name: str, url: str) -> sa.Engine:
    if name in _down:
        _unavailable(name, _down[name])
    if name not in _engines:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as err:  # pragma: no cover - depends on the machine
            _down[name] = " ".join(str(err).split())[:200]
            _unavailable(name, _down[name])
        _engines[name] = engine
    return _engines[name]


def _unavailable(name: str, reason: str) -> None:
    message = f"{name} is not reachable: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI requires every backend)")
    pytest.skip(message)


def drop_everything(engine: sa.Engine) -> None:
    """Drop every table, view and (PostgreSQL) enum type in the test database."""
    with engine.begin() as conn:
        insp = sa.inspect(conn)
        if engine.dialect.name == "postgresql":
            schemas = [s for s in insp.get_schema_names() if s not in ("information_schema",)
                       and not s.startswith("pg_")]
            for schema in schemas:
                if schema == "public":
                    continue
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            for view in insp.get_view_names():
                conn.exec_driver_sql(f'DROP VIEW IF EXISTS "{view}" CASCADE')
            for table in insp.get_table_names():
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
            for enum in insp.get_enums():
                conn.exec_driver_sql(f'DROP TYPE IF EXISTS "{enum["name"]}" CASCADE')
        elif engine.dialect.name in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
            for view in insp.get_view_names():
                conn.exec_driver_sql(f"DROP VIEW IF EXISTS `{view}`")
            for table in insp.get_table_names():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS `{table}`")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)


@pytest.fixture
def sqlite_engine(tmp_path: Any) -> Iterator[sa.Engine]:
    """A SQLite database file of its own."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'test.db'}", poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    """The PostgreSQL test database, emptied before and after the test."""
    engine = _server_engine("postgresql", PG_URL)
    drop_everything(engine)
    yield engine
    drop_everything(engine)


@pytest.fixture
def mariadb_engine() -> Iterator[sa.Engine]:
    """The MariaDB test database, emptied before and after the test."""
    engine = _server_engine("mariadb", MARIADB_URL)
    drop_everything(engine)
    yield engine
    drop_everything(engine)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: Any, tmp_path: Any) -> Iterator[sa.Engine]:
    """Each live backend in turn (SQLite, PostgreSQL, MariaDB)."""
    name = request.param
    if name == "sqlite":
        eng = sa.create_engine(f"sqlite:///{tmp_path / 'test.db'}", poolclass=sa.pool.NullPool)
        yield eng
        eng.dispose()
        return
    eng = _server_engine(name, PG_URL if name == "postgresql" else MARIADB_URL)
    drop_everything(eng)
    yield eng
    drop_everything(eng)


class RecordedSQL(list):
    """Statements written by an offline context, one entry per statement, terminator stripped."""

    def __init__(self, terminator: str = ";") -> None:
        super().__init__()
        self.terminator = terminator
        self.raw: list[str] = []

    def write(self, text: str) -> None:
        self.raw.append(text)
        statement = " ".join(text.split())
        if not statement:
            return
        if self.terminator and statement.endswith(self.terminator):
            statement = statement[: -len(self.terminator)].rstrip()
        self.append(statement)

    def flush(self) -> None:
        pass


@pytest.fixture
def offline_op() -> Callable[..., tuple[Operations, RecordedSQL]]:
    """Factory: ``op, sql = offline_op("postgresql", **opts)`` records each statement as one
    whitespace-normalised string in ``sql`` (terminator removed)."""

    def make(dialect_name: str = "default", **opts: Any) -> tuple[Operations, RecordedSQL]:
        from dbshift.ddl.impl import DefaultImpl

        recorded = RecordedSQL()
        dialect_opts = opts.pop("dialect_opts", None)
        ctx = MigrationContext.configure(
            dialect_name=dialect_name,
            dialect_opts=dialect_opts,
            opts={"as_sql": True, "output_buffer": recorded, **opts},
        )
        recorded.terminator = type(ctx.impl).command_terminator or ""
        assert isinstance(ctx.impl, DefaultImpl)
        return Operations(ctx), recorded

    return make


@pytest.fixture
def live_op() -> Callable[..., Any]:
    """Factory: ``with live_op(engine) as op:`` gives Operations on a connection in a transaction
    that commits on success."""
    from contextlib import contextmanager

    @contextmanager
    def make(engine: sa.Engine, **opts: Any) -> Iterator[Operations]:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts=opts)
            with ctx.begin_transaction(_per_migration=True) if not ctx.impl.transactional_ddl \
                    else ctx.begin_transaction():
                yield Operations(ctx)
            if conn.in_transaction():
                conn.commit()

    return make
