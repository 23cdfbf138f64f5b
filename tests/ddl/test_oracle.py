"""Oracle DDL, proved by compiling offline and comparing the exact SQL (no server exists)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from dbshift.ddl.oracle import OracleImpl


def statements(sql: list[str]) -> list[str]:
    """The recorded statements without the "/" separators."""
    return [s for s in sql if s != "/"]


# ---------------------------------------------------------------- offline script shape


def test_slash_follows_every_statement_and_there_is_no_terminator(offline_op):
    op, sql = offline_op("oracle")
    op.execute("SELECT 1 FROM dual")
    op.add_column("t", sa.Column("x", sa.Integer))
    assert sql.raw == [
        "SELECT 1 FROM dual\n\n",
        "/\n\n",
        "ALTER TABLE t ADD x INTEGER\n\n",
        "/\n\n",
    ]


def test_custom_batch_separator(offline_op):
    op, sql = offline_op("oracle", oracle_batch_separator="//")
    op.execute("SELECT 1 FROM dual")
    assert sql.raw == ["SELECT 1 FROM dual\n\n", "//\n\n"]


def test_mssql_separator_option_does_not_affect_oracle(offline_op):
    op, sql = offline_op("oracle", mssql_batch_separator="GO")
    op.execute("SELECT 1 FROM dual")
    assert sql == ["SELECT 1 FROM dual", "/"]


def test_offline_run_is_not_wrapped_in_a_transaction_by_default(offline_op):
    op, sql = offline_op("oracle")
    with op.migration_context.begin_transaction():
        op.execute("SELECT 1 FROM dual")
    assert sql == ["SELECT 1 FROM dual", "/"]


def test_offline_transaction_forms_when_transactional(offline_op):
    op, sql = offline_op("oracle", transactional_ddl=True)
    with op.migration_context.begin_transaction():
        op.execute("SELECT 1 FROM dual")
    assert sql.raw == [
        "SET TRANSACTION READ WRITE\n\n",
        "/\n\n",
        "SELECT 1 FROM dual\n\n",
        "/\n\n",
        "COMMIT\n\n",
        "/\n\n",
    ]


def test_impl_flags():
    assert OracleImpl.transactional_ddl is False
    assert OracleImpl.command_terminator == ""
    synonyms = OracleImpl.type_synonyms
    assert {"VARCHAR", "VARCHAR2"} in synonyms
    assert any({"NUMBER", "NUMERIC", "DECIMAL", "INTEGER"} <= group for group in synonyms)
    assert any({"FLOAT", "DOUBLE"} <= group for group in synonyms)


# ---------------------------------------------------------------- columns


def test_add_column_has_no_column_keyword(offline_op):
    op, sql = offline_op("oracle")
    op.add_column(
        "t", sa.Column("x", sa.Integer, nullable=False, server_default="0"), schema="s"
    )
    assert statements(sql) == ["ALTER TABLE s.t ADD x INTEGER DEFAULT '0' NOT NULL"]


def test_add_column_inline_references_and_comment(offline_op):
    op, sql = offline_op("oracle")
    op.add_column(
        "t",
        sa.Column("p_id", sa.Integer, sa.ForeignKey("p.id"), comment="parent"),
        inline_references=True,
    )
    assert statements(sql) == [
        "ALTER TABLE t ADD p_id INTEGER REFERENCES p (id)",
        "COMMENT ON COLUMN t.p_id IS 'parent'",
    ]


def test_add_column_if_not_exists_adds_unconditionally_with_a_warning(offline_op):
    # Oracle has no ADD ... IF NOT EXISTS; Alembic drops the flag, so does dbshift (saying so)
    op, sql = offline_op("oracle")
    with pytest.warns(UserWarning, match=r"oracle has no ADD \.\.\. IF NOT EXISTS: column t\.x"):
        op.add_column("t", sa.Column("x", sa.Integer), if_not_exists=True)
    assert statements(sql) == ["ALTER TABLE t ADD x INTEGER"]


def test_drop_column(offline_op):
    op, sql = offline_op("oracle")
    op.drop_column("t", "x", schema="s")
    assert statements(sql) == ["ALTER TABLE s.t DROP COLUMN x"]


def test_nullable_uses_modify(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "c", nullable=False)
    op.alter_column("t", "c", nullable=True, schema="s")
    assert statements(sql) == ["ALTER TABLE t MODIFY c NOT NULL", "ALTER TABLE s.t MODIFY c NULL"]


def test_type_uses_modify(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "c", type_=sa.Numeric(10, 2))
    op.alter_column("t", "d", type_=sa.String(30))
    assert statements(sql) == [
        "ALTER TABLE t MODIFY c NUMERIC(10, 2)",
        "ALTER TABLE t MODIFY d VARCHAR2(30 CHAR)",
    ]


def test_default_set_and_drop(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "c", server_default="x")
    op.alter_column("t", "c", server_default=sa.text("SYSDATE"))
    op.alter_column("t", "c", server_default=None)
    assert statements(sql) == [
        "ALTER TABLE t MODIFY c DEFAULT 'x'",
        "ALTER TABLE t MODIFY c DEFAULT SYSDATE",
        "ALTER TABLE t MODIFY c DEFAULT NULL",
    ]


def test_rename_column(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "c", new_column_name="d", schema="s")
    assert statements(sql) == ["ALTER TABLE s.t RENAME COLUMN c TO d"]


def test_several_changes_in_order(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column(
        "t",
        "c",
        nullable=False,
        server_default="1",
        type_=sa.Integer,
        comment="count",
        new_column_name="n",
    )
    assert statements(sql) == [
        "ALTER TABLE t MODIFY c NOT NULL",
        "ALTER TABLE t MODIFY c DEFAULT '1'",
        "ALTER TABLE t MODIFY c INTEGER",
        "COMMENT ON COLUMN t.c IS 'count'",
        "ALTER TABLE t RENAME COLUMN c TO n",
    ]


def test_add_and_change_identity(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "id", server_default=sa.Identity(start=3, increment=2))
    op.alter_column(
        "t",
        "id",
        server_default=sa.Identity(always=True),
        existing_server_default=sa.Identity(start=3, increment=2),
    )
    assert statements(sql) == [
        "ALTER TABLE t MODIFY id GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 2 START WITH 3)",
        "ALTER TABLE t MODIFY id GENERATED ALWAYS AS IDENTITY",
    ]


def test_drop_identity(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "id", server_default=None, existing_server_default=sa.Identity())
    assert statements(sql) == ["ALTER TABLE t MODIFY id DROP IDENTITY"]


def test_computed_change_is_refused(offline_op):
    op, _ = offline_op("oracle")
    with pytest.raises(sa_exc.CompileError, match="computed"):
        op.alter_column("t", "c", server_default=sa.Computed("a + 1"))


def test_column_comment_set_and_remove(offline_op):
    op, sql = offline_op("oracle")
    op.alter_column("t", "c", comment="it's", schema="s")
    op.alter_column("t", "c", comment=None, existing_comment="it's", schema="s")
    assert statements(sql) == [
        "COMMENT ON COLUMN s.t.c IS 'it''s'",
        "COMMENT ON COLUMN s.t.c IS ''",
    ]


# ---------------------------------------------------------------- tables


def test_rename_table_leaves_new_name_unqualified(offline_op):
    op, sql = offline_op("oracle")
    op.rename_table("old", "new", schema="s")
    op.rename_table("old", "new")
    assert statements(sql) == ["ALTER TABLE s.old RENAME TO new", "ALTER TABLE old RENAME TO new"]


def test_create_table_with_comments(offline_op):
    op, sql = offline_op("oracle")
    op.create_table(
        "t", sa.Column("id", sa.Integer, primary_key=True, comment="key"), comment="things"
    )
    assert statements(sql) == [
        "CREATE TABLE t ( id INTEGER NOT NULL, PRIMARY KEY (id) )",
        "COMMENT ON TABLE t IS 'things'",
        "COMMENT ON COLUMN t.id IS 'key'",
    ]


def test_table_comment_ops(offline_op):
    op, sql = offline_op("oracle")
    op.create_table_comment("t", "hello")
    op.drop_table_comment("t", existing_comment="hello")
    assert statements(sql) == ["COMMENT ON TABLE t IS 'hello'", "COMMENT ON TABLE t IS ''"]


def test_offline_bulk_insert_one_statement_per_row(offline_op):
    op, sql = offline_op("oracle")
    table = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.bulk_insert(table, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    assert sql == [
        "INSERT INTO t (id, name) VALUES (1, 'a')",
        "/",
        "INSERT INTO t (id, name) VALUES (2, 'b')",
        "/",
    ]
