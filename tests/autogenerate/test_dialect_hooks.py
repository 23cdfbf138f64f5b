"""The autogenerate hooks of the dialect implementations (ddl/<dialect>.py), called directly and
through a live comparison where the database is needed."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from dbshift.autogenerate import compare_metadata, produce_migrations
from dbshift.ddl.impl import DefaultImpl
from dbshift.migration import MigrationContext

from .conftest import _fresh_database, apply_ops, configure


def impl(dialect_name: str) -> Any:
    return MigrationContext.configure(dialect_name=dialect_name).impl


def kinds(diffs: list[Any]) -> list[str]:
    out: list[str] = []
    for diff in diffs:
        out.extend(d[0] for d in diff) if isinstance(diff, list) else out.append(diff[0])
    return out


# ------------------------------------------------------------------ server defaults


@pytest.mark.parametrize(
    ("reflected", "metadata", "differs"),
    [
        ("((0))", "0", False),
        ("'5'", "5", False),
        ("'anon'", "'anon'", False),
        ("'anon'", "'other'", True),
        ("CURRENT_TIMESTAMP", "now()", False),
        ("true", "1", False),
        (None, "'x'", True),
        ("'x'", None, True),
    ],
)
def test_default_normalisation(reflected: Any, metadata: Any, differs: bool) -> None:
    col = sa.Column("c", sa.Integer)
    assert impl("sqlite").compare_server_default(None, col, metadata, reflected) is differs


def test_postgresql_strips_casts_and_mysql_reads_bare_strings() -> None:
    col = sa.Column("c", sa.String)
    pg, my = impl("postgresql"), impl("mysql")
    assert pg.normalize_server_default("'anon'::character varying") == ("str", "anon")
    assert pg.normalize_server_default("(0)::numeric(10,2)") == ("num", 0.0)
    assert pg.compare_server_default(None, col, "'anon'", "'anon'::character varying") is False
    assert my.compare_server_default(None, col, "'anon'", "anon") is False
    assert my.compare_server_default(None, col, "'anon'", "other") is True
    assert impl("sqlite").compare_server_default(None, col, "'anon'", "anon") is True
    assert my.compare_server_default(None, col, "CURRENT_DATE", "curdate()") is False


def test_postgresql_asks_the_server_for_defaults_text_cannot_settle() -> None:
    engine = _fresh_database("postgresql")
    col = sa.Column("c", sa.Interval)
    with engine.connect() as conn:
        pg = MigrationContext.configure(conn).impl
        # the texts differ, the server says the intervals are equal
        assert pg.compare_server_default(None, col, "'1 day'", "'24:00:00'::interval") is False
        assert pg.compare_server_default(None, col, "interval '1 day'", "'1 day'::interval") is False
        assert pg.compare_server_default(None, col, "interval '2 days'", "'1 day'::interval") is True
    engine.dispose()


# ------------------------------------------------------------------ columns and types


def test_postgresql_serial_default_is_not_a_user_default() -> None:
    pg = impl("postgresql")
    table = sa.table("t")
    serial = {"name": "id", "default": "nextval('t_id_seq'::regclass)", "autoincrement": True}
    other = {"name": "n", "default": "nextval('shared_seq'::regclass)", "autoincrement": False}
    pg.autogen_column_reflect(None, table, serial)
    pg.autogen_column_reflect(None, table, other)
    assert serial["default"] is None
    assert other["default"] == "nextval('shared_seq'::regclass)"


def test_mysql_enum_members_compare_as_a_set() -> None:
    my = impl("mysql")
    conn_col = sa.Column("e", mysql.ENUM("b", "a"))
    assert my.compare_type(conn_col, sa.Column("e", sa.Enum("a", "b"))) is False
    assert my.compare_type(conn_col, sa.Column("e", sa.Enum("a", "b", "c"))) is True
    assert my.compare_type(sa.Column("e", sa.Integer()), sa.Column("e", sa.Integer())) is None
    assert impl("sqlite").compare_type(conn_col, sa.Column("e", sa.Enum("a", "b"))) is None


def test_mysql_restates_auto_increment() -> None:
    assert impl("mariadb").autogen_alter_column_existing({"autoincrement": True}) == {
        "existing_autoincrement": True
    }
    assert impl("postgresql").autogen_alter_column_existing({"autoincrement": True}) == {}


def test_mssql_implicit_identity_on_the_primary_key_is_no_change() -> None:
    ms = impl("mssql")
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer))
    assert ms.compare_identity_default(t.c.id, {"start": 1, "increment": 1}) is False
    assert ms.compare_identity_default(t.c.id, {"start": 5, "increment": 1}) is None
    assert ms.compare_identity_default(t.c.n, {"start": 1, "increment": 1}) is None
    assert impl("postgresql").compare_identity_default(t.c.id, {"start": 1}) is None


def test_custom_column_reflect_hook_runs_during_autogenerate(sqlite_engine: sa.Engine) -> None:
    class Renaming(type(impl("sqlite"))):  # type: ignore[misc]
        __dialect__ = None  # not registered

        def autogen_column_reflect(self, inspector: Any, table: Any, column_info: dict) -> None:
            if column_info["name"] == "legacy_x":
                column_info["name"] = "x"

    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY, legacy_x INTEGER)")
    md = sa.MetaData()
    sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Integer))
    with sqlite_engine.connect() as conn:
        ctx = configure(conn, md)
        assert kinds(compare_metadata(ctx, md)) == ["add_column", "remove_column"]
        ctx = configure(conn, md)
        ctx.impl.__class__ = Renaming
        assert compare_metadata(ctx, md) == []


# ------------------------------------------------------------------ constraints and indexes


def test_mysql_keeps_a_unique_once_and_leaves_out_implicit_fk_indexes() -> None:
    my = impl("mysql")
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("a", sa.Integer), sa.Column("b", sa.Integer),
                 sa.Column("p", sa.Integer), sa.Index("uix_b", "b", unique=True))
    uniques = [
        {"name": "uq_a", "column_names": ["a"], "duplicates_index": "uq_a"},
        {"name": "uix_b", "column_names": ["b"], "duplicates_index": "uix_b"},
    ]
    indexes = [
        {"name": "uq_a", "column_names": ["a"], "unique": True},
        {"name": "uix_b", "column_names": ["b"], "unique": True},
        {"name": "fk_t_p", "column_names": ["p"], "unique": False},
        {"name": "ix_t_a_b", "column_names": ["a", "b"], "unique": False},
    ]
    fks = [{"name": "fk_t_p", "constrained_columns": ["p"]}]
    my.correct_for_autogen_constraints(uniques, indexes, [], list(t.indexes), conn_foreign_keys=fks)
    # as Alembic: a UNIQUE the model does not have as a unique constraint is kept as its index
    assert uniques == []
    assert [i["name"] for i in indexes] == ["uq_a", "uix_b", "ix_t_a_b"]
    uniques = [{"name": "uq_a", "column_names": ["a"], "duplicates_index": "uq_a"}]
    indexes = [{"name": "uq_a", "column_names": ["a"], "unique": True}]
    model_uq = sa.UniqueConstraint(t.c.a, name="uq_a")
    my.correct_for_autogen_constraints(uniques, indexes, [model_uq], [], conn_foreign_keys=[])
    assert [u["name"] for u in uniques] == ["uq_a"]  # the model's kind: a constraint
    assert indexes == []


def test_foreign_key_option_rules() -> None:
    def run(dialect: str, conn: dict, meta: dict) -> tuple[dict, dict]:
        base = {"ondelete": None, "onupdate": None, "deferrable": None, "initially": None}
        c, m = {**base, **conn}, {**base, **meta}
        impl(dialect).correct_for_autogen_foreignkeys([c], [m])
        return c, m

    c, m = run("mysql", {"ondelete": "RESTRICT", "deferrable": True}, {})
    assert c == m
    c, m = run("postgresql", {"deferrable": True, "initially": "DEFERRED"}, {})
    assert c != m
    c, m = run("postgresql", {"deferrable": False, "initially": "IMMEDIATE"}, {})
    assert c == m
    c, m = run("oracle", {"deferrable": True}, {})
    assert c != m
    c, m = run("sqlite", {"deferrable": True, "initially": "DEFERRED"}, {})
    assert c == m


def test_sqlite_skips_expression_indexes_with_a_warning(sqlite_engine: sa.Engine) -> None:
    md = sa.MetaData()
    t = sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.String))
    sa.Index("ix_a_lower", sa.func.lower(t.c.n))
    with sqlite_engine.begin() as conn:
        md.create_all(conn)
    with sqlite_engine.connect() as conn:
        with pytest.warns(UserWarning, match="skips expression-based index 'ix_a_lower'"):
            assert compare_metadata(configure(conn, md), md) == []


def test_system_schemas() -> None:
    assert impl("postgresql").autogen_is_system_schema("pg_toast")
    assert not impl("postgresql").autogen_is_system_schema("app")
    assert impl("mariadb").autogen_is_system_schema("performance_schema")
    assert impl("mssql").autogen_is_system_schema("db_owner")
    assert isinstance(impl("sqlite"), DefaultImpl)
    assert not impl("sqlite").autogen_is_system_schema("main")


def _pg_model(where: str | None, include: list[str], start: int) -> sa.MetaData:
    md = sa.MetaData()
    t = sa.Table(
        "job",
        md,
        sa.Column("id", sa.Integer, sa.Identity(start=start, increment=1), primary_key=True),
        sa.Column("state", sa.String(10)),
        sa.Column("owner", sa.Integer),
        sa.Column("note", sa.Text),
    )
    kw: dict[str, Any] = {"postgresql_include": include}
    if where is not None:
        kw["postgresql_where"] = sa.text(where)
    sa.Index("ix_job_owner", t.c.owner, **kw)
    return md


def test_postgresql_index_where_include_and_identity_changes() -> None:
    engine = _fresh_database("postgresql")
    base = _pg_model("state = 'open'", ["note"], 10)
    with engine.begin() as conn:
        base.create_all(conn)
    with engine.connect() as conn:
        assert compare_metadata(configure(conn, base), base) == []
        for target, expected in [
            (_pg_model("state = 'done'", ["note"], 10), ["remove_index", "add_index"]),
            (_pg_model(None, ["note"], 10), ["remove_index", "add_index"]),
            (_pg_model("state = 'open'", [], 10), ["remove_index", "add_index"]),
            (_pg_model("state = 'open'", ["note"], 20), ["modify_default"]),
        ]:
            assert kinds(compare_metadata(configure(conn, target), target)) == expected
    target = _pg_model("(state)::text = 'done'", [], 20)
    with engine.connect() as conn:
        script = produce_migrations(configure(conn, target), target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        apply_ops(engine, script.upgrade_ops, target)
    with engine.connect() as conn:
        assert compare_metadata(configure(conn, target), target) == []
    engine.dispose()
