"""Every directive executed for real on SQLite, PostgreSQL and MariaDB, checked by reflection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.sql import column, table

SERVERS = ["postgresql", "mariadb"]


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def _make_parent_child(op) -> sa.Table:
    op.create_table(
        "parent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(10), nullable=False),
        mysql_engine="InnoDB",
    )
    return op.create_table(
        "child",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_child_parent")),
        sa.Column("name", sa.String(30), nullable=False, index=True),
        sa.Column("qty", sa.Integer, server_default="3"),
        sa.UniqueConstraint("name", "qty", name="uq_child_name_qty"),
        sa.Index("ix_child_qty", "qty"),
        mysql_engine="InnoDB",
    )


def test_create_table_reflects(engine, live_op):
    with live_op(engine) as op:
        child = _make_parent_child(op)
    assert isinstance(child, sa.Table)
    insp = sa.inspect(engine)
    assert {"parent", "child"} <= set(insp.get_table_names())
    cols = {c["name"]: c for c in insp.get_columns("child")}
    assert list(cols) == ["id", "parent_id", "name", "qty"]
    assert cols["name"]["nullable"] is False
    assert "3" in str(cols["qty"]["default"])
    assert insp.get_pk_constraint("child")["constrained_columns"] == ["id"]
    fks = insp.get_foreign_keys("child")
    assert [(f["constrained_columns"], f["referred_table"], f["referred_columns"]) for f in fks] == [
        (["parent_id"], "parent", ["id"])
    ]
    indexes = {i["name"]: i["column_names"] for i in insp.get_indexes("child")}
    assert indexes["ix_child_name"] == ["name"]
    assert indexes["ix_child_qty"] == ["qty"]
    uniques = {u["name"]: u["column_names"] for u in insp.get_unique_constraints("child")}
    assert uniques["uq_child_name_qty"] == ["name", "qty"]


@pytest.mark.parametrize("engine", SERVERS, indirect=True)
def test_create_table_comments_and_drop_table(engine, live_op):
    with live_op(engine) as op:
        op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("x", sa.Integer, comment="column note"), comment="table note",
        )
    insp = sa.inspect(engine)
    assert insp.get_table_comment("t")["text"] == "table note"
    assert {c["name"]: c.get("comment") for c in insp.get_columns("t")}["x"] == "column note"
    with live_op(engine) as op:
        op.create_table_comment("t", "changed", existing_comment="table note")
    assert sa.inspect(engine).get_table_comment("t")["text"] == "changed"
    with live_op(engine) as op:
        op.drop_table_comment("t", existing_comment="changed")
    assert sa.inspect(engine).get_table_comment("t")["text"] in (None, "")
    with live_op(engine) as op:
        op.drop_table("t")
        op.drop_table("t", if_exists=True)
    assert "t" not in sa.inspect(engine).get_table_names()


def test_drop_table_and_create_if_not_exists(engine, live_op):
    with live_op(engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("t", sa.Column("other", sa.Integer), if_not_exists=True)
    assert [c["name"] for c in sa.inspect(engine).get_columns("t")] == ["id"]
    with live_op(engine) as op:
        op.drop_table("t")
        op.drop_table("never_there", if_exists=True)
    assert sa.inspect(engine).get_table_names() == []


def test_add_and_drop_column(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(t, [{"id": 1}])
        op.add_column("t", sa.Column("score", sa.Integer, nullable=False, server_default="7"))
        op.add_column("t", sa.Column("tag", sa.String(5), index=True))
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("t")] == ["id", "score", "tag"]
    assert [i["name"] for i in insp.get_indexes("t")] == ["ix_t_tag"]
    assert _rows(engine, "SELECT id, score, tag FROM t") == [(1, 7, None)]
    with live_op(engine) as op:
        op.drop_index("ix_t_tag", "t")
        op.drop_column("t", "tag")
    assert [c["name"] for c in sa.inspect(engine).get_columns("t")] == ["id", "score"]


@pytest.mark.parametrize("engine", SERVERS, indirect=True)
def test_add_column_if_not_exists_and_drop_if_exists(engine, live_op):
    with live_op(engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("t", sa.Column("x", sa.Integer))
        op.add_column("t", sa.Column("x", sa.String(3)), if_not_exists=True)
    cols = sa.inspect(engine).get_columns("t")
    assert [(c["name"], type(c["type"]).__name__) for c in cols][1] == ("x", "INTEGER")
    with live_op(engine) as op:
        op.drop_column("t", "x", if_exists=True)
        op.drop_column("t", "x", if_exists=True)
    assert [c["name"] for c in sa.inspect(engine).get_columns("t")] == ["id"]


@pytest.mark.parametrize("engine", SERVERS, indirect=True)
def test_add_column_with_foreign_key_inline_and_separate(engine, live_op):
    with live_op(engine) as op:
        _make_parent_child(op)
        op.add_column(
            "child", sa.Column("p2", sa.Integer, sa.ForeignKey("parent.id", name="fk_p2"))
        )
        op.add_column(
            "child",
            sa.Column("p3", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
            inline_references=True,
        )
    fks = {
        tuple(f["constrained_columns"]): (f["referred_table"], f["options"].get("ondelete"))
        for f in sa.inspect(engine).get_foreign_keys("child")
    }
    assert fks[("p2",)] == ("parent", None)
    assert fks[("p3",)] == ("parent", "CASCADE")


@pytest.mark.parametrize("engine", SERVERS, indirect=True)
def test_constraints_create_and_drop(engine, live_op):
    with live_op(engine) as op:
        op.create_table(
            "parent", sa.Column("id", sa.Integer, nullable=False), mysql_engine="InnoDB"
        )
        op.create_table(
            "child", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("pid", sa.Integer), sa.Column("a", sa.Integer), mysql_engine="InnoDB",
        )
        op.create_primary_key("pk_parent", "parent", ["id"])
        op.create_unique_constraint("uq_child_a", "child", ["a"])
        op.create_check_constraint("ck_child_a", "child", "a > 0")
        op.create_foreign_key("fk_child_pid", "child", "parent", ["pid"], ["id"], ondelete="CASCADE")
    insp = sa.inspect(engine)
    assert insp.get_pk_constraint("parent")["constrained_columns"] == ["id"]
    assert [u["name"] for u in insp.get_unique_constraints("child")] == ["uq_child_a"]
    assert [c["name"] for c in insp.get_check_constraints("child")] == ["ck_child_a"]
    assert [(f["name"], f["options"].get("ondelete")) for f in insp.get_foreign_keys("child")] == [
        ("fk_child_pid", "CASCADE")
    ]
    with engine.connect() as conn, pytest.raises((sa.exc.IntegrityError, sa.exc.OperationalError)):
        conn.execute(sa.text("INSERT INTO child (id, a) VALUES (1, -1)"))
    with live_op(engine) as op:
        op.drop_constraint("fk_child_pid", "child", type_="foreignkey")
        op.drop_constraint("ck_child_a", "child", type_="check")
        op.drop_constraint("uq_child_a", "child", type_="unique")
    insp = sa.inspect(engine)
    assert insp.get_foreign_keys("child") == []
    assert insp.get_check_constraints("child") == []
    assert insp.get_unique_constraints("child") == []


def test_indexes_create_and_drop(engine, live_op):
    with live_op(engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("a", sa.String(20)), sa.Column("b", sa.Integer))
        op.create_index("ix_t_a_b", "t", ["a", "b"], unique=True)
        op.create_index("ix_t_b", "t", ["b"])
        op.create_index("ix_t_b", "t", ["b"], if_not_exists=True)
    indexes = {i["name"]: (i["column_names"], bool(i["unique"])) for i in sa.inspect(engine).get_indexes("t")}
    assert indexes == {"ix_t_a_b": (["a", "b"], True), "ix_t_b": (["b"], False)}
    with live_op(engine) as op:
        op.drop_index("ix_t_a_b", "t")
        op.drop_index("ix_t_b", "t", if_exists=True)
        op.drop_index("ix_t_b", "t", if_exists=True)
    assert sa.inspect(engine).get_indexes("t") == []


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_expression_index(engine, live_op):
    with live_op(engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.String(20)))
        op.create_index("ix_t_lower_a", "t", [sa.text("lower(a)")], unique=True)
    with engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO t (id, a) VALUES (1, 'Abc')"))
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("INSERT INTO t (id, a) VALUES (2, 'aBC')"))


def test_rename_table(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table("old_name", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(t, [{"id": 5}])
        op.rename_table("old_name", "new_name")
    assert sa.inspect(engine).get_table_names() == ["new_name"]
    assert _rows(engine, "SELECT id FROM new_name") == [(5,)]


def test_alter_column_rename(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Integer))
        op.bulk_insert(t, [{"id": 1, "a": 10}])
        op.alter_column("t", "a", new_column_name="b", existing_type=sa.Integer)
    assert [c["name"] for c in sa.inspect(engine).get_columns("t")] == ["id", "b"]
    assert _rows(engine, "SELECT b FROM t") == [(10,)]


@pytest.mark.parametrize("engine", SERVERS, indirect=True)
def test_alter_column_nullable_default_type_with_data(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Integer))
        op.bulk_insert(t, [{"id": 1, "a": 10}, {"id": 2, "a": 20}])
        op.alter_column("t", "a", nullable=False, existing_type=sa.Integer)
        op.alter_column("t", "a", server_default="5", existing_type=sa.Integer, existing_nullable=False)
    cols = {c["name"]: c for c in sa.inspect(engine).get_columns("t")}
    assert cols["a"]["nullable"] is False
    assert "5" in str(cols["a"]["default"])
    with live_op(engine) as op:
        kw = {"postgresql_using": "a::varchar"} if engine.dialect.name == "postgresql" else {}
        op.alter_column(
            "t", "a", type_=sa.String(10), existing_type=sa.Integer, existing_nullable=False,
            server_default=None, existing_server_default="5", **kw,
        )
    cols = {c["name"]: c for c in sa.inspect(engine).get_columns("t")}
    assert isinstance(cols["a"]["type"], sa.String) and cols["a"]["type"].length == 10
    assert cols["a"]["default"] is None
    assert _rows(engine, "SELECT a FROM t ORDER BY id") == [("10",), ("20",)]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_alter_column_type_swaps_enum_check_live(engine, live_op):
    old = sa.Enum("a", "b", name="ck_old", native_enum=False, create_constraint=True)
    new = sa.Enum("a", "b", "c", name="ck_new", native_enum=False, create_constraint=True)
    with live_op(engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("e", old))
        op.alter_column("t", "e", type_=new, existing_type=old)
    assert [c["name"] for c in sa.inspect(engine).get_check_constraints("t")] == ["ck_new"]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (id, e) VALUES (1, 'c')"))


@pytest.mark.parametrize("multiinsert", [True, False])
def test_bulk_insert_rows(engine, live_op, multiinsert):
    with live_op(engine) as op:
        t = op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("name", sa.String(20)), sa.Column("n", sa.Integer),
        )
        op.bulk_insert(
            t, [{"id": 1, "name": "a'b", "n": 1}, {"id": 2, "name": None, "n": 2}],
            multiinsert=multiinsert,
        )
        # a lightweight table() works too
        op.bulk_insert(
            table("t", column("id", sa.Integer), column("name", sa.String), column("n", sa.Integer)),
            [{"id": 3, "name": "c", "n": 3}],
            multiinsert=multiinsert,
        )
    assert _rows(engine, "SELECT id, name, n FROM t ORDER BY id") == [
        (1, "a'b", 1), (2, None, 2), (3, "c", 3)
    ]


def test_bulk_insert_inline_literal_rows_one_by_one(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("name", sa.String(20)),
        )
        op.bulk_insert(
            t,
            [{"id": 1, "name": op.inline_literal("lit'eral")}, {"id": 2, "name": op.inline_literal("x")}],
            multiinsert=False,
        )
    assert _rows(engine, "SELECT id, name FROM t ORDER BY id") == [(1, "lit'eral"), (2, "x")]


def test_execute_string_construct_and_options(engine, live_op):
    with live_op(engine) as op:
        t = op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("s", sa.String(20)),
        )
        op.bulk_insert(t, [{"id": 1, "s": "x"}])
        op.execute(r"UPDATE t SET s = 'at 10\:30' WHERE id = 1")
        op.execute(
            t.insert().values(id=op.inline_literal(2), s=op.inline_literal("two")),
            execution_options={"compiled_cache": None},
        )
        tt = table("t", column("id", sa.Integer), column("s", sa.String))
        op.execute(tt.update().where(tt.c.id == 2).values(s="TWO"))
        assert op.execute("SELECT 1") is None
    assert _rows(engine, "SELECT id, s FROM t ORDER BY id") == [(1, "at 10:30"), (2, "TWO")]


def test_get_bind_is_the_live_connection(engine, live_op):
    with live_op(engine) as op:
        bind = op.get_bind()
        assert isinstance(bind, sa.Connection)
        assert bind is op.get_context().connection
        assert bind.execute(sa.text("SELECT 1")).scalar() == 1
