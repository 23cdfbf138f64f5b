"""MySQL and MariaDB DDL: exact offline SQL for both dialects, and the same directives on MariaDB."""

from __future__ import annotations

import types
import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import mysql

from dbshift.ddl import elements
from dbshift.ddl.mysql import MariaDBImpl, MySQLImpl
from dbshift.migration import MigrationContext
from dbshift.operations import Operations, ops
from dbshift.runtime.steps import RevisionStep
from dbshift.util.exc import CommandError, PartialMigrationError

BOTH = pytest.mark.parametrize("dialect", ["mysql", "mariadb"])


# ---------------------------------------------------------------------------------------------
# offline: registry and flags


@BOTH
def test_impl_class_and_flags(offline_op, dialect):
    op, _ = offline_op(dialect)
    impl = op.impl
    assert type(impl) is {"mysql": MySQLImpl, "mariadb": MariaDBImpl}[dialect]
    assert impl.transactional_ddl is False
    assert {"BOOL", "TINYINT"} in impl.type_synonyms
    assert {"JSON", "LONGTEXT"} in impl.type_synonyms


# ---------------------------------------------------------------------------------------------
# offline: alter_column


@BOTH
def test_rename_column_uses_change_with_full_colspec(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column("t1", "c1", new_column_name="c2", existing_type=sa.Integer)
    op.alter_column(
        "t1",
        "c1",
        new_column_name="c2",
        existing_type=sa.Integer,
        existing_nullable=False,
        existing_server_default="q",
        existing_autoincrement=True,
        existing_comment="the c",
    )
    op.alter_column(
        "t1",
        "c1",
        new_column_name="c2",
        existing_type=sa.Integer,
        existing_server_default=sa.func.utc_thing(sa.func.current_timestamp()),
    )
    assert sql == [
        "ALTER TABLE t1 CHANGE c1 c2 INTEGER NULL",
        "ALTER TABLE t1 CHANGE c1 c2 INTEGER NOT NULL AUTO_INCREMENT DEFAULT 'q' COMMENT 'the c'",
        "ALTER TABLE t1 CHANGE c1 c2 INTEGER NULL DEFAULT utc_thing(CURRENT_TIMESTAMP)",
    ]


@BOTH
def test_rename_with_other_changes_is_one_change(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column(
        "t", "c", new_column_name="d", type_=sa.String(20), nullable=False, server_default="x",
        existing_type=sa.String(10),
    )
    assert sql == ["ALTER TABLE t CHANGE c d VARCHAR(20) NOT NULL DEFAULT 'x'"]


@BOTH
def test_names_and_schema_are_quoted_with_backticks(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column(
        "MyTable", "ColumnOne", new_column_name="ColumnTwo", existing_type=sa.Integer,
        schema="Other",
    )
    assert sql == ["ALTER TABLE `Other`.`MyTable` CHANGE `ColumnOne` `ColumnTwo` INTEGER NULL"]


@BOTH
def test_nullable_type_autoincrement_comment_use_modify(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column(
        "t", "c", nullable=False, existing_type=sa.Integer, existing_server_default="5",
        existing_comment="it's",
    )
    op.alter_column("t", "c", type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=False)
    op.alter_column("t", "c", existing_type=sa.Integer, autoincrement=True)
    op.alter_column("t", "c", existing_type=sa.Integer, autoincrement=False,
                    existing_autoincrement=True)
    op.alter_column("t", "c", existing_type=sa.Boolean(), comment="a 'quoted' comment",
                    schema="foo")
    op.alter_column("t", "c", existing_type=sa.Boolean(), comment=None,
                    existing_comment="old comment")
    op.alter_column("t", "c", type_=sa.String(30), server_default=None,
                    existing_type=sa.String(10), existing_server_default="z")
    assert sql == [
        "ALTER TABLE t MODIFY c INTEGER NOT NULL DEFAULT '5' COMMENT 'it''s'",
        "ALTER TABLE t MODIFY c BIGINT NOT NULL",
        "ALTER TABLE t MODIFY c INTEGER NULL AUTO_INCREMENT",
        "ALTER TABLE t MODIFY c INTEGER NULL",
        "ALTER TABLE foo.t MODIFY c BOOL NULL COMMENT 'a ''quoted'' comment'",
        "ALTER TABLE t MODIFY c BOOL NULL",
        "ALTER TABLE t MODIFY c VARCHAR(30) NULL",
    ]


@BOTH
def test_autoincrement_does_not_warn(offline_op, dialect):
    op, _ = offline_op(dialect)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        op.alter_column("t", "c", existing_type=sa.Integer, autoincrement=True)


@BOTH
def test_default_only_change_uses_alter_column(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column("t", "c", existing_type=sa.Integer, server_default="5")
    op.alter_column("t", "c", server_default=sa.text("NOW()"))
    op.alter_column("t", "c", existing_type=sa.Integer, server_default=None)
    op.alter_column("t", "c", existing_type=mysql.DATETIME(), server_default=None)
    assert sql == [
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT '5'",
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT NOW()",
        "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
    ]


@BOTH
def test_datetime_default_uses_change(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column("t", "c", existing_type=mysql.DATETIME(),
                    server_default=sa.text("CURRENT_TIMESTAMP"))
    op.alter_column("t", "c", existing_type=sa.TIMESTAMP(), existing_nullable=False,
                    server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"))
    # an op built programmatically (as autogenerate does) carries a DefaultClause
    op.invoke(
        ops.AlterColumnOp(
            "t", "c", existing_type=mysql.DATETIME(),
            modify_server_default=sa.DefaultClause(sa.text("CURRENT_TIMESTAMP")),
        )
    )
    assert sql == [
        "ALTER TABLE t CHANGE c c DATETIME NULL DEFAULT CURRENT_TIMESTAMP",
        "ALTER TABLE t CHANGE c c TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE "
        "CURRENT_TIMESTAMP",
        "ALTER TABLE t CHANGE c c DATETIME NULL DEFAULT CURRENT_TIMESTAMP",
    ]


@BOTH
def test_change_or_modify_without_existing_type_is_a_command_error(offline_op, dialect):
    op, sql = offline_op(dialect)
    for kw in ({"nullable": False}, {"new_column_name": "d"}, {"comment": "x"},
               {"autoincrement": True}):
        with pytest.raises(CommandError) as err:
            op.alter_column("t", "c", **kw)
        assert "MySQL CHANGE/MODIFY COLUMN operations require the existing type" in str(err.value)
        assert "t.c" in str(err.value)
    assert sql == []


@BOTH
def test_computed_default_change_is_refused(offline_op, dialect):
    op, sql = offline_op(dialect)
    with pytest.raises(sa_exc.CompileError, match="computed"):
        op.alter_column("t", "c", existing_type=sa.Integer, server_default=sa.Computed("a + 1"))
    with pytest.raises(sa_exc.CompileError, match="computed"):
        op.alter_column("t", "c", existing_type=sa.Integer, nullable=False,
                        existing_server_default=sa.Computed("a + 1"))
    assert sql == []


@BOTH
def test_schema_type_change_skips_type_bound_check_drop(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column(
        "t", "c", type_=sa.Integer,
        existing_type=sa.Enum("a", "b", native_enum=False, create_constraint=True, name="ck1"),
        server_default=None,
    )
    assert sql == ["ALTER TABLE t MODIFY c INTEGER NULL"]


@BOTH
def test_single_aspect_alter_constructs_are_not_implemented(offline_op, dialect):
    op, _ = offline_op(dialect)
    for element in (
        elements.ColumnNullable("t", "c", False),
        elements.ColumnType("t", "c", sa.Integer),
        elements.ColumnName("t", "c", "d"),
        elements.ColumnDefault("t", "c", "x"),
    ):
        with pytest.raises(NotImplementedError, match="t.c"):
            element.compile(dialect=op.impl.dialect)


# ---------------------------------------------------------------------------------------------
# offline: constraints


@BOTH
def test_drop_constraint_spelled_by_kind(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.drop_constraint("fk1", "t", type_="foreignkey")
    op.drop_constraint("pk1", "t", type_="primary")
    op.drop_constraint("uq1", "t", type_="unique", schema="s")
    op.drop_constraint("ck1", "t", type_="check")
    check = "CONSTRAINT" if dialect == "mariadb" else "CHECK"
    assert sql == [
        "ALTER TABLE t DROP FOREIGN KEY fk1",
        "ALTER TABLE t DROP PRIMARY KEY",
        "ALTER TABLE s.t DROP INDEX uq1",
        f"ALTER TABLE t DROP {check} ck1",
    ]


@BOTH
def test_drop_constraint_without_type_names_the_constraint(offline_op, dialect):
    op, sql = offline_op(dialect)
    with pytest.raises(CommandError, match=r"'my_fk' on table 'orders'.*type_="):
        op.drop_constraint("my_fk", "orders")
    assert sql == []


def test_drop_constraint_if_exists_on_mariadb(offline_op):
    op, sql = offline_op("mariadb")
    op.drop_constraint("fk1", "t", type_="foreignkey", if_exists=True)
    op.drop_constraint("uq1", "t", type_="unique", if_exists=True)
    op.drop_constraint("ck1", "t", type_="check", if_exists=True)
    with pytest.warns(UserWarning, match="MariaDB has no DROP PRIMARY KEY IF EXISTS"):
        op.drop_constraint("pk", "t", type_="primary", if_exists=True)
    assert sql == [
        "ALTER TABLE t DROP FOREIGN KEY IF EXISTS fk1",
        "ALTER TABLE t DROP INDEX IF EXISTS uq1",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS ck1",
        "ALTER TABLE t DROP PRIMARY KEY",
    ]


def test_drop_constraint_if_exists_on_mysql_drops_the_flag_with_a_warning(offline_op):
    # as Alembic: MySQL has no IF EXISTS for these; the DROP is written without it
    op, sql = offline_op("mysql")
    with pytest.warns(UserWarning, match="constraint 'fk1' on table 't' is dropped unconditionally"):
        op.drop_constraint("fk1", "t", type_="foreignkey", if_exists=True)
    assert sql == ["ALTER TABLE t DROP FOREIGN KEY fk1"]


@BOTH
def test_type_bound_check_is_not_dropped(offline_op, dialect):
    op, sql = offline_op(dialect)
    table = sa.Table(
        "t", sa.MetaData(),
        sa.Column("c", sa.Enum("a", "b", native_enum=False, create_constraint=True, name="ck_e")),
    )
    (check,) = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    op.impl.drop_constraint(check)
    assert sql == []


@BOTH
def test_create_constraints(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.create_foreign_key("fk1", "c", "p", ["pid"], ["id"], ondelete="CASCADE")
    op.create_unique_constraint("uq1", "t", ["a", "b"])
    op.create_check_constraint("ck1", "t", "a > 0")
    op.create_primary_key("pk1", "t", ["id"])
    assert sql == [
        "ALTER TABLE c ADD CONSTRAINT fk1 FOREIGN KEY(pid) REFERENCES p (id) ON DELETE CASCADE",
        "ALTER TABLE t ADD CONSTRAINT uq1 UNIQUE (a, b)",
        "ALTER TABLE t ADD CONSTRAINT ck1 CHECK (a > 0)",
        "ALTER TABLE t ADD CONSTRAINT pk1 PRIMARY KEY (id)",
    ]


# ---------------------------------------------------------------------------------------------
# offline: tables, comments, columns, indexes, data


@BOTH
def test_rename_table(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.rename_table("a", "b")
    op.rename_table("a", "b", schema="s")
    assert sql == ["ALTER TABLE a RENAME TO b", "ALTER TABLE s.a RENAME TO s.b"]


@BOTH
def test_table_comments(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.create_table_comment("t2", "t2's table", schema="foo")
    op.drop_table_comment("t2", existing_comment="t2's table", schema="foo")
    assert sql == ["ALTER TABLE foo.t2 COMMENT 't2''s table'", "ALTER TABLE foo.t2 COMMENT ''"]


@BOTH
def test_create_table_renders_comments_inline(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.create_table(
        "t", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("c", sa.String(5), comment="col c"), comment="table t",
    )
    assert sql == [
        "CREATE TABLE t ( id INTEGER NOT NULL AUTO_INCREMENT, c VARCHAR(5) COMMENT 'col c', "
        "PRIMARY KEY (id) )COMMENT='table t'"
    ]


@BOTH
def test_create_table_mysql_options(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.create_table(
        "t", sa.Column("a", sa.Text), sa.Index("ix_a", "a", mysql_length=8),
        mysql_engine="InnoDB", mysql_charset="utf8mb4",
    )
    assert sql == [
        "CREATE TABLE t ( a TEXT )ENGINE=InnoDB CHARSET=utf8mb4",
        "CREATE INDEX ix_a ON t (a(8))",
    ]


@BOTH
def test_add_column_forms(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.add_column("t", sa.Column("q", sa.Integer, comment="This is a comment"))
    op.add_column("t", sa.Column("q", sa.Integer, nullable=False, server_default="3"),
                  if_not_exists=True)
    op.add_column("t", sa.Column("pid", sa.Integer, sa.ForeignKey("p.id", ondelete="CASCADE")),
                  inline_references=True)
    op.add_column("t", sa.Column("pid", sa.Integer, sa.ForeignKey("p.id", name="fk_p")))
    op.add_column("t", sa.Column("id", sa.Integer, primary_key=True), inline_primary_key=True)
    assert sql == [
        "ALTER TABLE t ADD COLUMN q INTEGER COMMENT 'This is a comment'",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS q INTEGER NOT NULL DEFAULT '3'",
        "ALTER TABLE t ADD COLUMN pid INTEGER REFERENCES p (id) ON DELETE CASCADE",
        "ALTER TABLE t ADD COLUMN pid INTEGER",
        "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY(pid) REFERENCES p (id)",
        "ALTER TABLE t ADD COLUMN id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY",
    ]


@BOTH
def test_drop_column(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.drop_column("t", "c")
    op.drop_column("t", "c", if_exists=True, schema="s")
    assert sql == ["ALTER TABLE t DROP COLUMN c", "ALTER TABLE s.t DROP COLUMN IF EXISTS c"]


@BOTH
def test_indexes(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.create_index("ix1", "t", ["a", "b"], mysql_length={"a": 4})
    op.create_index("ix2", "t", ["a"], unique=True, mysql_length=10)
    op.create_index("ix3", "t", ["doc"], mysql_prefix="FULLTEXT")
    op.create_index("ix4", "t", [sa.text("(lower(a))")], if_not_exists=True)
    op.drop_index("ix1", "t")
    op.drop_index("ix1", "t", schema="s", if_exists=True)
    assert sql == [
        "CREATE INDEX ix1 ON t (a(4), b)",
        "CREATE UNIQUE INDEX ix2 ON t (a(10))",
        "CREATE FULLTEXT INDEX ix3 ON t (doc)",
        "CREATE INDEX IF NOT EXISTS ix4 ON t ((lower(a)))",
        "DROP INDEX ix1 ON t",
        "DROP INDEX IF EXISTS ix1 ON s.t",
    ]


@BOTH
def test_drop_index_without_table_name_offline_is_alembics_placeholder(offline_op, dialect):
    op, sql = offline_op(dialect)
    with pytest.warns(UserWarning, match=r"drop_index\('ix1'\) without table_name.*ON no_table"):
        op.drop_index("ix1")
    assert sql == ["DROP INDEX ix1 ON no_table"]


def test_drop_index_without_table_name_online_stops_before_the_database(mariadb_engine, live_op):
    # Alembic sends DROP INDEX ix ON no_table, which the server refuses; dbshift asks for the
    # table before sending anything
    with live_op(mariadb_engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))
        op.create_index("ix_v", "t", ["v"])
        with pytest.raises(CommandError, match=r"drop_index\('ix_v'\) without table_name.*pass table_name="):
            op.drop_index("ix_v")
    with mariadb_engine.connect() as conn:
        assert [ix["name"] for ix in sa.inspect(conn).get_indexes("t")] == ["ix_v"]


@BOTH
def test_bulk_insert_offline_renders_literals(offline_op, dialect):
    op, sql = offline_op(dialect)
    table = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.bulk_insert(table, [{"id": 1, "name": "it's"}, {"id": 2, "name": "b\\c"}])
    assert sql == [
        "INSERT INTO t (id, name) VALUES (1, 'it''s')",
        "INSERT INTO t (id, name) VALUES (2, 'b\\\\c')",
    ]


# ---------------------------------------------------------------------------------------------
# live MariaDB


def _columns(conn: sa.Connection, table: str) -> dict[str, dict]:
    return {c["name"]: c for c in sa.inspect(conn).get_columns(table)}


def _rows(conn: sa.Connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_live_dialect_is_mariadb(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        assert op.impl.dialect.is_mariadb
        assert isinstance(op.impl, MySQLImpl)


def test_live_alter_column_keeps_data_and_restates_column(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table(
            "t",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("name", sa.String(10), nullable=False, server_default="n",
                      comment="the name"),
            sa.Column("n", sa.Integer),
        )
        op.bulk_insert(
            sa.table("t", sa.column("id"), sa.column("name"), sa.column("n")),
            [{"id": 1, "name": "abcdefghij", "n": 7}, {"id": 2, "name": "x", "n": None}],
        )
        # widen the type: MODIFY keeps the data, default and comment when restated
        op.alter_column("t", "name", type_=sa.String(50), existing_type=sa.String(10),
                        existing_nullable=False, existing_server_default="n",
                        existing_comment="the name")
        # rename: CHANGE keeps the data
        op.alter_column("t", "name", new_column_name="label", existing_type=sa.String(50),
                        existing_nullable=False, existing_server_default="n",
                        existing_comment="the name")
        op.alter_column("t", "n", type_=sa.BigInteger, existing_type=sa.Integer)
    with mariadb_engine.connect() as conn:
        cols = _columns(conn, "t")
        assert list(cols) == ["id", "label", "n"]
        assert cols["label"]["type"].length == 50
        assert cols["label"]["nullable"] is False
        assert cols["label"]["default"] == "'n'"
        assert cols["label"]["comment"] == "the name"
        assert isinstance(cols["n"]["type"], mysql.BIGINT)
        assert _rows(conn, "SELECT id, label, n FROM t ORDER BY id") == [
            (1, "abcdefghij", 7), (2, "x", None)]


def test_live_nullable_default_and_comment(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("c", sa.Integer, server_default="4"))
        op.alter_column("t", "c", nullable=False, existing_type=sa.Integer,
                        existing_server_default="4")
        op.alter_column("t", "c", comment="counted", existing_type=sa.Integer,
                        existing_nullable=False, existing_server_default="4")
        cols = _columns(op.get_bind(), "t")
        assert cols["c"]["nullable"] is False
        assert cols["c"]["default"] == "4"
        assert cols["c"]["comment"] == "counted"
        op.alter_column("t", "c", server_default="9", existing_type=sa.Integer)
        op.execute("INSERT INTO t (id) VALUES (1)")
        op.alter_column("t", "c", server_default=None, existing_type=sa.Integer)
        op.alter_column("t", "c", comment=None, existing_type=sa.Integer,
                        existing_nullable=False, existing_comment="counted")
    with mariadb_engine.connect() as conn:
        cols = _columns(conn, "t")
        assert cols["c"]["default"] is None
        assert cols["c"]["comment"] is None
        assert cols["c"]["nullable"] is False
        assert _rows(conn, "SELECT c FROM t") == [(9,)]


def test_live_datetime_default_and_autoincrement(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table(
            "t",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("ts", sa.DateTime, nullable=True),
        )
        op.alter_column("t", "ts", server_default=sa.text("CURRENT_TIMESTAMP"),
                        existing_type=sa.DateTime)
        op.alter_column("t", "id", autoincrement=True, existing_type=sa.Integer,
                        existing_nullable=False)
        cols = _columns(op.get_bind(), "t")
        assert cols["id"]["autoincrement"] is True
        assert "current_timestamp" in cols["ts"]["default"].lower()
        op.execute("INSERT INTO t () VALUES ()")
        op.execute("INSERT INTO t () VALUES ()")
        op.alter_column("t", "id", autoincrement=False, existing_autoincrement=True,
                        existing_type=sa.Integer, existing_nullable=False)
    with mariadb_engine.connect() as conn:
        assert _columns(conn, "t")["id"]["autoincrement"] is False
        rows = _rows(conn, "SELECT id, ts IS NOT NULL FROM t ORDER BY id")
        assert rows == [(1, 1), (2, 1)]


def test_live_tables_columns_and_comments(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table("p", sa.Column("id", sa.Integer, primary_key=True), comment="parents")
        op.create_table("c", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(sa.table("p", sa.column("id")), [{"id": 1}, {"id": 2}])
        op.add_column("c", sa.Column("pid", sa.Integer, sa.ForeignKey("p.id", ondelete="CASCADE")),
                      inline_references=True)
        op.add_column("c", sa.Column("note", sa.String(5), comment="a note"), if_not_exists=True)
        op.add_column("c", sa.Column("note", sa.String(5)), if_not_exists=True)
        op.drop_column("c", "gone", if_exists=True)
        op.create_table_comment("c", "children")
        op.rename_table("p", "parent")
        insp = sa.inspect(op.get_bind())
        assert insp.get_table_comment("parent")["text"] == "parents"
        op.drop_table_comment("parent", existing_comment="parents")
    with mariadb_engine.connect() as conn:
        insp = sa.inspect(conn)
        assert set(insp.get_table_names()) == {"parent", "c"}
        assert _rows(conn, "SELECT id FROM parent ORDER BY id") == [(1,), (2,)]
        assert insp.get_table_comment("parent")["text"] is None
        assert insp.get_table_comment("c")["text"] == "children"
        (fk,) = insp.get_foreign_keys("c")
        assert (fk["constrained_columns"], fk["referred_table"], fk["options"]) == (
            ["pid"], "parent", {"ondelete": "CASCADE"})
        cols = _columns(conn, "c")
        assert list(cols) == ["id", "pid", "note"]
        assert cols["note"]["comment"] == "a note"


def test_live_constraints_dropped_by_kind(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table("p", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("c", sa.Column("id", sa.Integer, nullable=False),
                        sa.Column("pid", sa.Integer), sa.Column("v", sa.Integer))
        op.create_primary_key("pk_c", "c", ["id"])
        op.create_foreign_key("fk_c_p", "c", "p", ["pid"], ["id"])
        op.create_unique_constraint("uq_c_v", "c", ["v"])
        op.create_check_constraint("ck_c_v", "c", "v > 0")
        insp = sa.inspect(op.get_bind())
        assert [f["name"] for f in insp.get_foreign_keys("c")] == ["fk_c_p"]
        assert [u["name"] for u in insp.get_unique_constraints("c")] == ["uq_c_v"]
        assert [k["name"] for k in insp.get_check_constraints("c")] == ["ck_c_v"]
        op.drop_constraint("fk_c_p", "c", type_="foreignkey")
        op.drop_constraint("uq_c_v", "c", type_="unique")
        op.drop_constraint("ck_c_v", "c", type_="check")
        op.drop_constraint("pk_c", "c", type_="primary")
        op.drop_constraint("fk_c_p", "c", type_="foreignkey", if_exists=True)
        op.drop_constraint("ck_c_v", "c", type_="check", if_exists=True)
        with pytest.warns(UserWarning, match="MariaDB has no DROP PRIMARY KEY IF EXISTS"):
            with pytest.raises(sa.exc.OperationalError):  # as under Alembic: no key to drop
                op.drop_constraint("pk_c", "c", type_="primary", if_exists=True)
    with mariadb_engine.connect() as conn:
        insp = sa.inspect(conn)
        assert insp.get_foreign_keys("c") == []
        assert insp.get_unique_constraints("c") == []
        assert insp.get_check_constraints("c") == []
        assert insp.get_pk_constraint("c")["constrained_columns"] == []


def test_live_indexes_with_prefix_length(mariadb_engine, live_op):
    with live_op(mariadb_engine) as op:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("body", sa.Text), sa.Column("v", sa.Integer))
        op.create_index("ix_body", "t", ["body"], mysql_length=12)
        op.create_index("ix_v", "t", ["v"], unique=True, if_not_exists=True)
        op.create_index("ix_v", "t", ["v"], unique=True, if_not_exists=True)
        insp = sa.inspect(op.get_bind())
        found = {ix["name"]: ix for ix in insp.get_indexes("t")}
        assert found["ix_body"]["dialect_options"]["mysql_length"] == {"body": 12}
        assert found["ix_v"]["unique"]
        op.drop_index("ix_body", "t")
        op.drop_index("ix_body", "t", if_exists=True)
    with mariadb_engine.connect() as conn:
        assert [ix["name"] for ix in sa.inspect(conn).get_indexes("t")] == ["ix_v"]


def test_live_mariadb_dialect_name_honours_mysql_options(mariadb_engine):
    """A ``mariadb://`` URL reads only ``mariadb_*`` options; mysql_* ones still apply."""
    url = mariadb_engine.url.set(drivername="mariadb+pymysql")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            assert isinstance(ctx.impl, MariaDBImpl)
            op = Operations(ctx)
            op.create_table("t", sa.Column("body", sa.Text), mysql_engine="MyISAM")
            op.create_index("ix_body", "t", ["body"], mysql_length=5)
            insp = sa.inspect(conn)
            assert insp.get_table_options("t")["mariadb_engine"] == "MyISAM"
            (ix,) = insp.get_indexes("t")
            assert ix["dialect_options"]["mariadb_length"] == {"body": 5}
    finally:
        engine.dispose()


def test_live_failing_migration_reports_what_stayed_applied(mariadb_engine):
    def upgrade() -> None:
        op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("t", sa.Column("x", sa.Integer))
        op.add_column("t", sa.Column("x", sa.Integer))  # duplicate column: fails

    script = types.SimpleNamespace(
        revision="aaa1", versioned_down_revisions=(), normalized_down_revisions=(),
        doc="two steps",
        module=types.SimpleNamespace(upgrade=upgrade, downgrade=upgrade),
    )
    step = RevisionStep(None, script, True)  # type: ignore[arg-type]
    with mariadb_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"fn": lambda heads, ctx: [step]})
        op = Operations(ctx)
        with pytest.raises(PartialMigrationError) as err:
            ctx.run_migrations()
        message = str(err.value)
        assert "upgrade" in message and "aaa1" in message
        assert "2 statement(s)" in message
        assert err.value.applied_statements[0].startswith("CREATE TABLE t")
        assert err.value.applied_statements[1] == "ALTER TABLE t ADD COLUMN x INTEGER"
        assert "Duplicate column" in message
    with mariadb_engine.connect() as conn:
        assert list(_columns(conn, "t")) == ["id", "x"]
        assert _rows(conn, "SELECT version_num FROM alembic_version") == []
