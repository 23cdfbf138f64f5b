"""The version table's owner (``runtime/version_table.py``): the table, its rows, hooks, identity.

Also the names Alembic's users reach it by: ``MigrationContext._version`` (read and replaced) and
``alembic.runtime.migration.HeadMaintainer`` (built from a context, subclassed, swapped).
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from dbshift.ddl.sqlite import SQLiteImpl
from dbshift.migration import MigrationContext
from dbshift.operations import Operations
from dbshift.runtime import migration as runtime_migration
from dbshift.runtime.version_table import VersionRecorder, VersionTableHooks
from dbshift.util.exc import CommandError

from .conftest import FakeRevision, downgrade_chain, upgrade_chain


def _run(conn: sa.Connection, fn, **opts) -> MigrationContext:
    ctx = MigrationContext.configure(conn, opts={"fn": fn, **opts})
    with Operations.context(ctx), ctx.begin_transaction():
        ctx.run_migrations()
    return ctx


def _rows(engine: sa.Engine, table: str = "alembic_version") -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.text(f"SELECT version_num FROM {table}")).scalars())


# ----------------------------------------------------------------------------- table and rows


def test_create_read_and_write_rows(engine):
    with engine.connect() as conn:
        recorder = MigrationContext.configure(conn).version_recorder
        assert recorder.exists() is False
        assert recorder.read_heads() == ()
        recorder.create()
        assert recorder.exists() is True
        recorder.create(checkfirst=True)
        recorder.insert_row("a1")
        recorder.insert_row("b1")
        recorder.update_row("a1", "a2")
        recorder.delete_row("b1")
        assert recorder.read_heads() == ("a2",)
        conn.commit()
    assert _rows(engine) == ["a2"]


def test_row_write_that_matches_no_row_is_an_error(sqlite_engine):
    with sqlite_engine.connect() as conn:
        recorder = MigrationContext.configure(conn).version_recorder
        recorder.create()
        with pytest.raises(CommandError, match="expected to match one row when deleting 'x1'"):
            recorder.delete_row("x1")
        with pytest.raises(CommandError, match="updating 'x1' to 'x2' in 'alembic_version'"):
            recorder.update_row("x1", "x2")


def test_delete_all_rows(sqlite_engine):
    with sqlite_engine.connect() as conn:
        recorder = MigrationContext.configure(conn).version_recorder
        recorder.create()
        recorder.insert_row("a1")
        recorder.insert_row("b1")
        recorder.delete_all_rows()
        assert recorder.read_heads() == ()


def test_offline_rows_and_create_are_written_to_the_script():
    out = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": out}
    )
    recorder = ctx.version_recorder
    recorder.create()
    recorder.insert_row("a1")
    recorder.update_row("a1", "it's")
    recorder.delete_row("it's")
    sql = " ".join(out.getvalue().split())
    assert "CREATE TABLE alembic_version ( version_num VARCHAR(32) NOT NULL" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING" in sql
    assert "UPDATE alembic_version SET version_num='it''s' WHERE alembic_version.version_num = 'a1';" in sql
    assert "DELETE FROM alembic_version WHERE alembic_version.version_num = 'it''s';" in sql


def test_offline_ensure_version_table_writes_create_table():
    out = io.StringIO()
    ctx = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True, "output_buffer": out})
    ctx._ensure_version_table()
    assert "CREATE TABLE alembic_version" in out.getvalue()


class _WideVersionImpl(SQLiteImpl):
    """A third-party style implementation that widens ``version_num`` (not registered)."""

    def version_table_impl(self, *, version_table, version_table_schema, version_table_pk, **kw):
        table = super().version_table_impl(
            version_table=version_table, version_table_schema=version_table_schema,
            version_table_pk=version_table_pk, **kw,
        )
        table.c.version_num.type = sa.String(64)
        return table


def test_table_comes_from_the_impls_version_table_impl(sqlite_engine):
    with sqlite_engine.connect() as conn:
        impl = _WideVersionImpl(conn.dialect, conn, False, None, None, {})
        recorder = VersionRecorder(impl, name="ver", schema=None, primary_key=False)
        recorder.create()
        conn.commit()
    column = sa.inspect(sqlite_engine).get_columns("ver")[0]
    assert (column["name"], column["type"].length) == ("version_num", 64)
    assert sa.inspect(sqlite_engine).get_pk_constraint("ver")["constrained_columns"] == []


# ----------------------------------------------------------------------------- identity


def test_identity_names_database_schema_and_table(pg_engine):
    with_password = pg_engine.url.set(password="s3cret")
    engine = sa.create_engine(with_password)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"version_table": "ver", "version_table_schema": "public"}
            )
            identity = ctx.version_recorder.identity
    finally:
        engine.dispose()
    assert identity.name == "ver" and identity.schema == "public"
    assert identity.url == with_password.render_as_string(hide_password=True)
    assert "s3cret" not in identity.url


def test_identity_offline_has_no_url():
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    assert tuple(ctx.version_recorder.identity) == (None, None, "alembic_version")


# ----------------------------------------------------------------------------- hooks


class _Recording(VersionTableHooks):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, list[str]]] = []

    def before_step_recorded(self, step, heads):
        self.calls.append(("before", step.short_log, sorted(heads)))

    def after_step_recorded(self, step, heads):
        self.calls.append(("after", step.short_log, sorted(heads)))


@pytest.mark.parametrize("per_migration", [False, True])
def test_hooks_see_every_step_deferred_or_not(sqlite_engine, per_migration):
    a1, a2 = FakeRevision("a1"), FakeRevision("a2", ("a1",))
    hooks = _Recording()
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"fn": upgrade_chain(a1, a2), "transaction_per_migration": per_migration}
        )
        ctx.version_recorder.add_hooks(hooks)
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
    assert hooks.calls == [
        ("before", "upgrade  -> a1", []),
        ("after", "upgrade  -> a1", ["a1"]),
        ("before", "upgrade a1 -> a2", ["a1"]),
        ("after", "upgrade a1 -> a2", ["a2"]),
    ]
    assert _rows(sqlite_engine) == ["a2"]


def test_hooks_see_a_downgrade(sqlite_engine):
    a1 = FakeRevision("a1")
    with sqlite_engine.connect() as conn:
        _run(conn, upgrade_chain(a1))
        hooks = _Recording()
        ctx = MigrationContext.configure(conn, opts={"fn": downgrade_chain(a1)})
        ctx.version_recorder.add_hooks(hooks)
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
    assert hooks.calls == [
        ("before", "downgrade a1 -> ", ["a1"]),
        ("after", "downgrade a1 -> ", []),
    ]


# ----------------------------------------------------------------------------- Alembic's names


def test_replacing__version_changes_the_table_written(pg_engine):
    long_id = "r" * 40
    wide = sa.Table(
        "alembic_version", sa.MetaData(), sa.Column("version_num", sa.String(64), primary_key=True)
    )
    with pg_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": upgrade_chain(FakeRevision(long_id))})
        ctx._version = wide
        assert ctx._version is wide and ctx.version_recorder.table is wide
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
    assert _rows(pg_engine) == [long_id]
    assert sa.inspect(pg_engine).get_columns("alembic_version")[0]["type"].length == 64


def test_head_maintainer_built_from_a_context_writes_rows(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        ctx._ensure_version_table()
        maintainer = runtime_migration.HeadMaintainer(ctx, [])
        assert maintainer.context is ctx
        maintainer._insert_version("a1")
        maintainer._update_version("a1", "a2")
        assert maintainer.heads == {"a2"}
        assert ctx.get_current_heads() == ("a2",)


def test_a_head_maintainer_swapped_in_is_the_one_a_run_uses(sqlite_engine, monkeypatch):
    made: list[tuple[str, ...]] = []

    class Counting(runtime_migration.HeadMaintainer):
        def __init__(self, context, heads):
            made.append(tuple(heads))
            super().__init__(context, heads)

    monkeypatch.setattr(runtime_migration, "HeadMaintainer", Counting)
    with sqlite_engine.connect() as conn:
        _run(conn, upgrade_chain(FakeRevision("a1")))
    assert made == [()]
    assert _rows(sqlite_engine) == ["a1"]
