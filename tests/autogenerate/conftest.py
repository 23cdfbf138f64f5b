"""Helpers for the autogenerate tests: contexts, applying op objects, reflected snapshots.

The server backends run in a database of their own (``<test database>_autogen``, so that suites
run side by side with their own ``DBSHIFT_TEST_*_URL`` never share it), created afresh for each
test: autogenerate compares *everything* in a schema, so tables other test runs leave behind in
the shared test database would show up as differences.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.migration import MigrationContext
from dbshift.operations import Operations
from dbshift.operations.ops import ModifyTableOps, OpContainer

_URLS = {
    "postgresql": os.environ.get(
        "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get("DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
_DATABASE_SUFFIX = "_autogen"
_down: dict[str, str] = {}


_created: set[str] = set()


def _fresh_database(name: str) -> sa.Engine:
    """An engine on an emptied ``<test database>_autogen`` database of backend ``name``.

    The database is created once per run; PostgreSQL is emptied schema by schema (faster than
    recreating it), MariaDB by recreating the database.
    """
    if name in _down:
        _skip_or_fail(name, _down[name])
    server_url = sa.make_url(_URLS[name])
    database = f"{server_url.database or 'dbshift'}{_DATABASE_SUFFIX}"
    url = server_url.set(database=database)
    if name == "postgresql" and name in _created:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            schemas = conn.exec_driver_sql(
                "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                "AND nspname <> 'information_schema'"
            ).scalars().all()
            for schema in schemas:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            conn.exec_driver_sql("CREATE SCHEMA public")
        return engine
    server = sa.create_engine(_URLS[name], poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            if name == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}")
            conn.exec_driver_sql(f"CREATE DATABASE {database}")
    except sa.exc.OperationalError as err:  # pragma: no cover - depends on the machine
        _down[name] = " ".join(str(err).split())[:200]
        _skip_or_fail(name, _down[name])
    finally:
        server.dispose()
    _created.add(name)
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def _skip_or_fail(name: str, reason: str) -> None:
    message = f"{name} is not reachable: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI requires every backend)")
    pytest.skip(message)


BACKENDS = ("sqlite", "postgresql", "mariadb")


def applicable(changes: list[str]) -> list[tuple[str, str]]:
    """``(backend, change)`` pairs where the backend has the feature the change is about:
    SQLite keeps no comments, named ENUM types are PostgreSQL's."""
    return [
        (backend, change)
        for backend in BACKENDS
        for change in changes
        if not (backend == "sqlite" and change == "comment")
        and not (backend != "postgresql" and change.startswith("enum"))
    ]


@pytest.fixture(params=BACKENDS)
def engine(request: Any, tmp_path: Any) -> Iterator[sa.Engine]:
    """Each backend in turn; server backends in a fresh database of their own."""
    if request.param == "sqlite":
        eng = sa.create_engine(f"sqlite:///{tmp_path / 'test.db'}", poolclass=sa.pool.NullPool)
    else:
        eng = _fresh_database(request.param)
    yield eng
    eng.dispose()


def configure(conn: sa.Connection, metadata: Any, **opts: Any) -> MigrationContext:
    """A MigrationContext with ``target_metadata`` and the given autogenerate options."""
    return MigrationContext.configure(conn, opts={"target_metadata": metadata, **opts})


def apply_ops(engine: sa.Engine, container: OpContainer, metadata: Any = None) -> None:
    """Invoke every op of ``container`` on ``engine`` (per-table ops in a batch on SQLite)."""
    with engine.connect() as conn:
        ctx = configure(conn, metadata)
        operations = Operations(ctx)
        with ctx.begin_transaction():
            for op in container.ops:
                if isinstance(op, ModifyTableOps):
                    if engine.dialect.name == "sqlite":
                        with operations.batch_alter_table(op.table_name, schema=op.schema) as batch:
                            for child in op.ops:
                                batch.invoke(child)
                    else:
                        for child in op.ops:
                            operations.invoke(child)
                else:
                    operations.invoke(op)
        if conn.in_transaction():
            conn.commit()


def snapshot(engine: sa.Engine, schemas: tuple[str | None, ...] = (None,)) -> dict[str, Any]:
    """Plain reflected data of every table (and PostgreSQL enum), for before/after checks.

    Columns are sorted by name: a column dropped and added back comes back last.
    """
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        for schema in schemas:
            for name in sorted(insp.get_table_names(schema=schema)):
                if name == "alembic_version":
                    continue
                cols = sorted(
                    (
                        c["name"],
                        str(c["type"].compile(dialect=engine.dialect)),
                        c["nullable"],
                        c.get("default"),
                        c.get("comment"),
                    )
                    for c in insp.get_columns(name, schema=schema)
                )
                fks = sorted(
                    (
                        tuple(f["constrained_columns"]),
                        f["referred_table"],
                        tuple(f["referred_columns"]),
                        tuple(sorted((f.get("options") or {}).items())),
                    )
                    for f in insp.get_foreign_keys(name, schema=schema)
                )
                ixs = sorted(
                    (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                    for i in insp.get_indexes(name, schema=schema)
                )
                uqs = sorted(
                    (str(u["name"]), tuple(u["column_names"]))
                    for u in insp.get_unique_constraints(name, schema=schema)
                )
                comment = None
                if engine.dialect.name != "sqlite":
                    comment = insp.get_table_comment(name, schema=schema)["text"]
                pk = insp.get_pk_constraint(name, schema=schema)["constrained_columns"]
                out[f"{schema}.{name}"] = {
                    "columns": cols, "fks": fks, "indexes": ixs, "uniques": uqs,
                    "comment": comment, "pk": pk,
                }
        if engine.dialect.name == "postgresql":
            out["enums"] = sorted(
                (e["schema"], e["name"], tuple(e["labels"])) for e in insp.get_enums(schema="*")
            )
    return out


@pytest.fixture
def create() -> Callable[[sa.Engine, sa.MetaData], None]:
    """``create(engine, metadata)``: create_all in a committed transaction."""

    def make(engine: sa.Engine, metadata: sa.MetaData) -> None:
        with engine.begin() as conn:
            metadata.create_all(conn)

    return make
