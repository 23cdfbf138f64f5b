"""MigrationContext (§2.1): configuration, version table, heads, transactions, offline output."""

from __future__ import annotations

import io
from contextlib import nullcontext

import pytest
import sqlalchemy as sa

from dbshift import op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations
from dbshift.runtime.steps import MigrationInfo
from dbshift.util.exc import CommandError

from .conftest import FakeRevision, downgrade_chain, upgrade_chain

# -------------------------------------------------------------------------------- configure


def test_configure_from_connection(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.bind is conn and ctx.connection is conn
        assert ctx.dialect is conn.dialect
        assert type(ctx.impl).__dialect__ == "sqlite"
        assert ctx.as_sql is False


@pytest.mark.parametrize(
    ("how", "impl_name"),
    [
        ({"url": "postgresql+psycopg2://u@h/db"}, "postgresql"),
        ({"url": sa.make_url("mysql+pymysql://")}, "mysql"),
        ({"url": "mariadb+pymysql://"}, "mariadb"),
        ({"dialect_name": "sqlite"}, "sqlite"),
        ({"dialect_name": "default"}, "default"),
        ({"dialect": sa.create_engine("sqlite://").dialect}, "sqlite"),
    ],
)
def test_configure_without_connection(how, impl_name):
    ctx = MigrationContext.configure(**how, opts={"as_sql": True, "output_buffer": io.StringIO()})
    assert type(ctx.impl).__dialect__ == impl_name
    assert ctx.dialect.name == impl_name


def test_configure_dialect_opts_reach_the_dialect():
    ctx = MigrationContext.configure(
        dialect_name="postgresql", dialect_opts={"paramstyle": "named"},
        opts={"as_sql": True, "output_buffer": io.StringIO()},
    )
    assert ctx.dialect.paramstyle == "named"


def test_configure_with_engine_is_a_command_error(sqlite_engine):
    with pytest.raises(CommandError, match="got an Engine"):
        MigrationContext.configure(sqlite_engine)


@pytest.mark.parametrize("url", ["nosuchdb+driver://x", "::not a url::"])
def test_configure_bad_url_is_a_one_line_command_error(url):
    with pytest.raises(CommandError, match="Can't use database URL") as info:
        MigrationContext.configure(url=url)
    assert "\n" not in str(info.value)
    assert url in str(info.value)


def test_configure_with_nothing_is_a_command_error():
    with pytest.raises(CommandError, match="required"):
        MigrationContext.configure()


def test_literal_binds_online_is_a_command_error(sqlite_engine):
    with sqlite_engine.connect() as conn, pytest.raises(CommandError, match="literal_binds"):
        MigrationContext.configure(conn, opts={"literal_binds": True})


def test_config_property_without_environment(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert MigrationContext.configure(conn).config is None


# ---------------------------------------------------------------------------- version table


def _migrate(conn: sa.Connection, *revisions: FakeRevision, **opts) -> MigrationContext:
    ctx = MigrationContext.configure(conn, opts={"fn": upgrade_chain(*revisions), **opts})
    with Operations.context(ctx), ctx.begin_transaction():
        ctx.run_migrations()
    return ctx


def test_version_table_default_name_and_pk(engine):
    with engine.connect() as conn:
        ctx = _migrate(conn, FakeRevision("a1"))
        assert ctx.get_current_revision() == "a1"
    insp = sa.inspect(engine)
    assert insp.get_pk_constraint("alembic_version") ["constrained_columns"] == ["version_num"]
    if engine.dialect.name == "postgresql":
        assert insp.get_pk_constraint("alembic_version")["name"] == "alembic_version_pkc"
    col = insp.get_columns("alembic_version")[0]
    assert (col["name"], col["type"].length, col["nullable"]) == ("version_num", 32, False)


def test_version_table_name_schema_and_no_pk(pg_engine):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA vs")
    with pg_engine.connect() as conn:
        ctx = _migrate(
            conn, FakeRevision("a1"), version_table="my_versions", version_table_schema="vs",
            version_table_pk=False,
        )
        assert (ctx.version_table, ctx.version_table_schema) == ("my_versions", "vs")
        assert ctx.get_current_heads() == ("a1",)
    insp = sa.inspect(pg_engine)
    assert "my_versions" in insp.get_table_names(schema="vs")
    assert "alembic_version" not in insp.get_table_names()
    assert insp.get_pk_constraint("my_versions", schema="vs")["constrained_columns"] == []


def test_custom_version_table_pk_name(sqlite_engine):
    with sqlite_engine.connect() as conn:
        _migrate(conn, FakeRevision("a1"), version_table="ver")
    insp = sa.inspect(sqlite_engine)
    pk = insp.get_pk_constraint("ver")
    assert pk["constrained_columns"] == ["version_num"]
    assert pk["name"] == "ver_pkc"


def test_heads_empty_without_table_then_one_per_head(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_heads() == ()
        assert ctx.get_current_revision() is None
        assert "alembic_version" not in sa.inspect(conn).get_table_names()
        _migrate(conn, FakeRevision("a1"), FakeRevision("a2", ("a1",)))
        assert ctx.get_current_heads() == ("a2",)
        conn.execute(ctx._version.insert().values(version_num="b1"))
        assert sorted(ctx.get_current_heads()) == ["a2", "b1"]
        with pytest.raises(CommandError, match="more than one head"):
            ctx.get_current_revision()


def test_starting_rev_offline_and_online(sqlite_engine):
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "starting_rev": "abc", "output_buffer": io.StringIO()}
    )
    assert ctx.get_current_heads() == ("abc",)
    assert ctx.get_current_revision() == "abc"
    base = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "starting_rev": "base", "output_buffer": io.StringIO()}
    )
    assert base.get_current_heads() == ()
    with sqlite_engine.connect() as conn:
        online = MigrationContext.configure(conn, opts={"starting_rev": "abc"})
        with pytest.raises(CommandError, match="current_rev"):
            online.get_current_heads()


def test_dont_mutate_leaves_no_version_table(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": lambda heads, ctx: [], "dont_mutate": True})
        ctx.run_migrations()
        assert "alembic_version" not in sa.inspect(conn).get_table_names()


def test_purge_empties_version_table_first(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = _migrate(conn, FakeRevision("a1"))
        conn.execute(ctx._version.insert().values(version_num="junk"))
        conn.commit()
        _migrate(conn, FakeRevision("b1"), purge=True)
        assert MigrationContext.configure(conn).get_current_heads() == ("b1",)


def test_purge_offline_is_refused():
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "purge": True, "output_buffer": io.StringIO(),
                                     "fn": lambda h, c: []}
    )
    with pytest.raises(CommandError, match="--purge"):
        ctx.run_migrations()


def test_upgrade_then_downgrade_moves_rows(sqlite_engine):
    a1 = FakeRevision("a1", upgrade=lambda **kw: op.create_table("t", sa.Column("x", sa.Integer)),
                      downgrade=lambda **kw: op.drop_table("t"))
    a2 = FakeRevision("a2", ("a1",), upgrade=lambda **kw: op.add_column("t", sa.Column("y", sa.Integer)),
                      downgrade=lambda **kw: op.drop_column("t", "y"))
    with sqlite_engine.connect() as conn:
        _migrate(conn, a1, a2)
        assert [c["name"] for c in sa.inspect(conn).get_columns("t")] == ["x", "y"]
        ctx = MigrationContext.configure(conn, opts={"fn": downgrade_chain(a2, a1)})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
        assert ctx.get_current_heads() == ()
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]


def test_run_migrations_passes_kw_to_upgrade(sqlite_engine):
    seen = []
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"fn": upgrade_chain(FakeRevision("a1", upgrade=lambda **kw: seen.append(kw)))}
        )
        with ctx.begin_transaction():
            ctx.run_migrations(engine_name="one")
    assert seen == [{"engine_name": "one"}]


# ------------------------------------------------------------------------- on_version_apply


def test_on_version_apply_receives_migration_info(sqlite_engine):
    calls = []

    def callback(*, ctx, step, heads, run_args):
        calls.append((ctx, step, heads, run_args))

    a1 = FakeRevision("a1", doc="first")
    a2 = FakeRevision("a2", ("a1",), doc="second")
    with sqlite_engine.connect() as conn:
        ctx = _migrate(conn, a1, a2, on_version_apply=[callback])
        ctx2 = MigrationContext.configure(
            conn, opts={"fn": downgrade_chain(a2), "on_version_apply": callback}
        )
        with ctx2.begin_transaction():
            ctx2.run_migrations()
    assert [c[0] for c in calls] == [ctx, ctx, ctx2]
    infos = [c[1] for c in calls]
    assert all(isinstance(i, MigrationInfo) for i in infos)
    first, second, down = infos
    assert (first.is_upgrade, first.is_stamp, first.is_migration) == (True, False, True)
    assert first.up_revision_id == "a1" and first.up_revision_ids == ("a1",)
    assert first.down_revision_ids == ()
    assert first.source_revision_ids == () and first.destination_revision_ids == ("a1",)
    assert first.up_revision is a1 and first.up_revisions == (a1,)
    assert second.down_revisions == (a1,) and second.source_revisions == (a1,)
    assert second.destination_revisions == (a2,)
    assert down.is_upgrade is False
    assert (down.source_revision_ids, down.destination_revision_ids) == (("a2",), ("a1",))
    assert [c[2] for c in calls] == [{"a1"}, {"a2"}, {"a1"}]
    assert calls[0][3] == {}


# -------------------------------------------------------------------------------- transactions


def _ctx(conn, **opts) -> MigrationContext:
    return MigrationContext.configure(conn, opts=opts)


@pytest.mark.parametrize("transactional_ddl", [True, False])
@pytest.mark.parametrize("per_migration", [True, False])
def test_begin_transaction_online_matrix(sqlite_engine, transactional_ddl, per_migration):
    """Which of the two calls (whole run / per migration) opens the real transaction."""
    with sqlite_engine.connect() as conn:
        ctx = _ctx(conn, transactional_ddl=transactional_ddl,
                   transaction_per_migration=per_migration)
        outer = ctx.begin_transaction()
        with outer:
            inner = ctx.begin_transaction(_per_migration=True)
            with inner:
                assert conn.in_transaction()
        if transactional_ddl and not per_migration:
            real, noop = outer, inner
        else:
            real, noop = inner, outer
        assert isinstance(noop, nullcontext)
        assert not isinstance(real, nullcontext)
        assert hasattr(real, "commit") and hasattr(real, "rollback")
        assert not conn.in_transaction()


@pytest.mark.parametrize("transactional_ddl", [True, False])
@pytest.mark.parametrize("per_migration", [True, False])
def test_begin_transaction_offline_matrix(transactional_ddl, per_migration):
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql",
        opts={"as_sql": True, "output_buffer": buf, "transactional_ddl": transactional_ddl,
              "transaction_per_migration": per_migration},
    )
    with ctx.begin_transaction():
        ctx.execute("SELECT 'outer'")
        with ctx.begin_transaction(_per_migration=True):
            ctx.execute("SELECT 'inner'")
    statements = [s.strip() for s in buf.getvalue().split("\n\n") if s.strip()]
    if not transactional_ddl:
        expected = ["SELECT 'outer';", "SELECT 'inner';"]
    elif per_migration:
        expected = ["SELECT 'outer';", "BEGIN;", "SELECT 'inner';", "COMMIT;"]
    else:
        expected = ["BEGIN;", "SELECT 'outer';", "SELECT 'inner';", "COMMIT;"]
    assert statements == expected


def test_external_transaction_makes_begin_transaction_a_no_op(pg_engine):
    with pg_engine.connect() as conn:
        external = conn.begin()
        ctx = _ctx(conn)
        assert isinstance(ctx.begin_transaction(), nullcontext)
        assert isinstance(ctx.begin_transaction(_per_migration=True), nullcontext)
        with ctx.begin_transaction(), ctx.begin_transaction(_per_migration=True):
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        assert conn.in_transaction()  # the block neither committed nor ended the caller's
        external.rollback()
    assert sa.inspect(pg_engine).get_table_names() == []


def test_transaction_commits_on_success_and_rolls_back_on_error(pg_engine):
    with pg_engine.connect() as conn:
        ctx = _ctx(conn)
        with ctx.begin_transaction():
            conn.exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        with pytest.raises(RuntimeError), ctx.begin_transaction():
            conn.exec_driver_sql("CREATE TABLE gone (x INTEGER)")
            raise RuntimeError("boom")
    assert sa.inspect(pg_engine).get_table_names() == ["kept"]


def test_proxy_transaction_explicit_commit_and_rollback(pg_engine):
    with pg_engine.connect() as conn:
        ctx = _ctx(conn)
        txn = ctx.begin_transaction()
        conn.exec_driver_sql("CREATE TABLE a (x INTEGER)")
        txn.commit()
        with pytest.raises(CommandError, match="already committed"):
            txn.commit()
        txn2 = ctx.begin_transaction()
        conn.exec_driver_sql("CREATE TABLE b (x INTEGER)")
        txn2.rollback()
    assert sa.inspect(pg_engine).get_table_names() == ["a"]


def test_failed_step_on_postgresql_leaves_nothing(pg_engine):
    def bad(**kw):
        op.create_table("half", sa.Column("x", sa.Integer))
        op.execute("SELECT no_such_column FROM half")

    with pg_engine.connect() as conn:
        _migrate(conn, FakeRevision("a1"))
        with pytest.raises(sa.exc.ProgrammingError):
            _migrate(conn, FakeRevision("a1"), FakeRevision("a2", ("a1",), upgrade=bad))
    assert sorted(sa.inspect(pg_engine).get_table_names()) == ["alembic_version"]
    with pg_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == ("a1",)


def test_autocommit_block_online_postgresql(pg_engine):
    with pg_engine.connect() as conn:
        ctx = _ctx(conn)
        with Operations.context(ctx), ctx.begin_transaction():
            op.create_table("t", sa.Column("x", sa.Integer))
            with ctx.autocommit_block():
                assert conn.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
                op.create_index("ix_t_x", "t", ["x"], postgresql_concurrently=True)
            assert conn.get_execution_options()["isolation_level"] != "AUTOCOMMIT"
            assert conn.in_transaction()
            op.create_table("after", sa.Column("x", sa.Integer))
    insp = sa.inspect(pg_engine)
    assert sorted(insp.get_table_names()) == ["after", "t"]
    assert [i["name"] for i in insp.get_indexes("t")] == ["ix_t_x"]


def test_autocommit_block_commits_work_done_before_it(pg_engine):
    with pg_engine.connect() as conn:
        ctx = _ctx(conn)
        with pytest.raises(RuntimeError), ctx.begin_transaction():
            conn.exec_driver_sql("CREATE TABLE before_block (x INTEGER)")
            with ctx.autocommit_block():
                pass
            conn.exec_driver_sql("CREATE TABLE after_block (x INTEGER)")
            raise RuntimeError("after the block")
    assert sa.inspect(pg_engine).get_table_names() == ["before_block"]


@pytest.mark.parametrize(("dialect", "expected"), [
    ("postgresql", ["BEGIN;", "SELECT 1;", "COMMIT;", "SELECT 2;", "BEGIN;", "SELECT 3;", "COMMIT;"]),
    ("mysql", ["SELECT 1;", "SELECT 2;", "SELECT 3;"]),
])
def test_autocommit_block_offline(dialect, expected):
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf})
    with ctx.begin_transaction():
        ctx.execute("SELECT 1")
        with ctx.autocommit_block():
            ctx.execute("SELECT 2")
        ctx.execute("SELECT 3")
    assert [s.strip() for s in buf.getvalue().split("\n\n") if s.strip()] == expected


def test_a_run_logs_alembics_lines_under_alembics_logger(sqlite_engine, caplog):
    # Projects' logging configs name Alembic's loggers ([logger_alembic] qualname = alembic).
    a1 = FakeRevision("a1", doc="users")
    a2 = FakeRevision("a2", ("a1",), doc="shorter")
    with sqlite_engine.connect() as conn, caplog.at_level("INFO", logger="alembic"):
        _migrate(conn, a1, a2)
        ctx = MigrationContext.configure(conn, opts={"fn": downgrade_chain(a2)})
        with Operations.context(ctx), ctx.begin_transaction():
            ctx.run_migrations()
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("alembic.runtime.migration", "Context impl SQLiteImpl."),
        # dbshift's SQLite DDL is transactional (Alembic says non-transactional): see the README
        ("alembic.runtime.migration", "Will assume transactional DDL."),
        ("alembic.runtime.migration", "Running upgrade  -> a1, users"),
        ("alembic.runtime.migration", "Running upgrade a1 -> a2, shorter"),
        ("alembic.runtime.migration", "Context impl SQLiteImpl."),
        ("alembic.runtime.migration", "Will assume transactional DDL."),
        ("alembic.runtime.migration", "Running downgrade a2 -> a1, shorter"),
    ]


# ------------------------------------------------------------------------------ offline output


def test_offline_run_writes_version_table_comments_and_rows():
    buf = io.StringIO()
    a1 = FakeRevision("a1", upgrade=lambda **kw: op.create_table("t", sa.Column("x", sa.Integer)))
    a2 = FakeRevision("a2", ("a1",), upgrade=lambda **kw: op.drop_table("t"))
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": buf, "fn": upgrade_chain(a1, a2)}
    )
    with Operations.context(ctx), ctx.begin_transaction():
        ctx.run_migrations()
    assert [" ".join(s.split()) for s in buf.getvalue().split("\n\n") if s.strip()] == [
        "BEGIN;",
        "CREATE TABLE alembic_version ( version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num) );",
        "-- Running upgrade -> a1",
        "CREATE TABLE t ( x INTEGER );",
        "INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING version_num;",
        "-- Running upgrade a1 -> a2",
        "DROP TABLE t;",
        "UPDATE alembic_version SET version_num='a2' WHERE alembic_version.version_num = 'a1';",
        "COMMIT;",
    ]


def test_offline_run_from_a_starting_rev_creates_no_version_table():
    buf = io.StringIO()
    a1, a2 = FakeRevision("a1"), FakeRevision("a2", ("a1",))
    ctx = MigrationContext.configure(
        dialect_name="sqlite",
        opts={"as_sql": True, "output_buffer": buf, "fn": upgrade_chain(a1, a2), "starting_rev": "a1"},
    )
    with ctx.begin_transaction():
        ctx.run_migrations()
    assert "CREATE TABLE" not in buf.getvalue()
    assert "UPDATE alembic_version SET version_num='a2'" in buf.getvalue()


def test_output_encoding_writes_bytes():
    raw = io.BytesIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql",
        opts={"as_sql": True, "output_buffer": raw, "output_encoding": "latin-1"},
    )
    Operations(ctx).execute("SELECT 'café'")
    assert raw.getvalue() == "SELECT 'café';\n\n".encode("latin-1")


def test_offline_default_output_is_stdout(capsys):
    ctx = MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True})
    Operations(ctx).drop_table("t")
    assert capsys.readouterr().out == "DROP TABLE t;\n\n"


def test_execute_on_context(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = _ctx(conn)
        with ctx.begin_transaction():
            ctx.execute("CREATE TABLE t (x INTEGER)")
            ctx.execute(sa.text("INSERT INTO t VALUES (7)"))
        assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 7


def test_failed_step_on_mariadb_names_the_statements_left_applied(mariadb_engine):
    from dbshift.util.exc import PartialMigrationError

    def bad(**kw):
        op.create_table("half", sa.Column("x", sa.Integer))
        op.add_column("half", sa.Column("y", sa.Integer))
        op.execute("SELECT no_such_column FROM half")

    with mariadb_engine.connect() as conn:
        _migrate(conn, FakeRevision("a1"))
        with pytest.raises(PartialMigrationError) as info:
            _migrate(conn, FakeRevision("a1"), FakeRevision("a2", ("a1",), upgrade=bad))
    err = info.value
    assert err.applied_statements == [
        "CREATE TABLE half ( x INTEGER )",
        "ALTER TABLE half ADD COLUMN y INTEGER",
    ]
    message = str(err)
    assert "upgrade a1 -> a2" in message and "2 statement(s)" in message
    assert "\n" not in message
    assert isinstance(err.__cause__, sa.exc.DBAPIError)
    assert sorted(sa.inspect(mariadb_engine).get_table_names()) == ["alembic_version", "half"]
    with mariadb_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == ("a1",)
