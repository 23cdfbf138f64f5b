"""SQL Server DDL, proved by compiling offline and comparing the exact SQL (no server exists)."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from dbshift.ddl.mssql import MSSQLImpl
from dbshift.util.exc import CommandError

_LOOKUPS = {
    "default": "sys.default_constraints as k join sys.columns as col "
    "on col.object_id = k.parent_object_id and col.column_id = k.parent_column_id",
    "check": "sys.check_constraints as k join sys.columns as col "
    "on col.object_id = k.parent_object_id and col.column_id = k.parent_column_id",
    "foreign_key": "sys.foreign_keys as k join sys.foreign_key_columns as fkc "
    "on fkc.constraint_object_id = k.object_id join sys.columns as col "
    "on col.object_id = fkc.parent_object_id and col.column_id = fkc.parent_column_id",
}


def drop_block(table: str, column: str, kind: str = "default") -> str:
    """The normalised lookup-and-drop block for ``table.column``."""
    return (
        "declare @const_name nvarchar(258) select @const_name = quotename(k.name) "
        f"from {_LOOKUPS[kind]} where k.parent_object_id = object_id(N'{table}') "
        f"and col.name = N'{column}' exec('alter table {table} drop constraint ' + @const_name)"
    )


def statements(sql: list[str]) -> list[str]:
    """The recorded statements without the GO separators."""
    return [s for s in sql if s != "GO"]


# ---------------------------------------------------------------- offline script shape


def test_go_follows_every_statement(offline_op):
    op, sql = offline_op("mssql")
    op.execute("SELECT 1")
    op.add_column("t", sa.Column("x", sa.Integer))
    assert sql == ["SELECT 1", "GO", "ALTER TABLE t ADD x INTEGER NULL", "GO"]
    assert sql.raw == ["SELECT 1;\n\n", "GO\n\n", "ALTER TABLE t ADD x INTEGER NULL;\n\n", "GO\n\n"]


def test_custom_batch_separator(offline_op):
    op, sql = offline_op("mssql", mssql_batch_separator="GO 1")
    op.execute("SELECT 1")
    assert sql.raw == ["SELECT 1;\n\n", "GO 1\n\n"]


def test_batch_separator_can_be_turned_off(offline_op):
    op, sql = offline_op("mssql", mssql_batch_separator=None)
    op.execute("SELECT 1")
    assert sql.raw == ["SELECT 1;\n\n"]


def test_offline_transaction_is_begin_transaction_and_commit(offline_op):
    op, sql = offline_op("mssql")
    ctx = op.migration_context
    with ctx.begin_transaction():
        op.execute("SELECT 1")
    assert sql.raw == [
        "BEGIN TRANSACTION;\n\n",
        "SELECT 1;\n\n",
        "GO\n\n",
        "COMMIT;\n\n",
        "GO\n\n",
    ]


def test_offline_transaction_uses_custom_separator(offline_op):
    op, sql = offline_op("mssql", mssql_batch_separator="go")
    with op.migration_context.begin_transaction():
        op.execute("SELECT 1")
    assert sql == ["BEGIN TRANSACTION", "SELECT 1", "go", "COMMIT", "go"]


def test_autocommit_block_commits_and_begins_again(offline_op):
    op, sql = offline_op("mssql")
    ctx = op.migration_context
    with ctx.begin_transaction():
        with ctx.autocommit_block():
            op.execute("SELECT 1")
    assert statements(sql) == [
        "BEGIN TRANSACTION",
        "COMMIT",
        "SELECT 1",
        "BEGIN TRANSACTION",
        "COMMIT",
    ]


def test_impl_flags():
    assert MSSQLImpl.transactional_ddl is True
    assert MSSQLImpl.command_terminator == ";"
    assert {"VARCHAR", "NVARCHAR"} in MSSQLImpl.type_synonyms
    assert {"NUMERIC", "DECIMAL"} in MSSQLImpl.type_synonyms


# ---------------------------------------------------------------- add / drop column


def test_add_column_has_no_column_keyword(offline_op):
    op, sql = offline_op("mssql")
    op.add_column(
        "t", sa.Column("x", sa.String(20), nullable=False, server_default="a"), schema="s"
    )
    assert statements(sql) == ["ALTER TABLE s.t ADD x VARCHAR(20) NOT NULL DEFAULT 'a'"]


def test_add_column_with_comment_sets_extended_property(offline_op):
    op, sql = offline_op("mssql")
    op.add_column("t", sa.Column("x", sa.Integer, comment="it's x"))
    assert statements(sql) == [
        "ALTER TABLE t ADD x INTEGER NULL",
        "execute sp_addextendedproperty 'MS_Description', N'it''s x', "
        "'schema', dbo, 'table', t, 'column', x",
    ]


def test_add_column_inline_references(offline_op):
    op, sql = offline_op("mssql")
    op.add_column(
        "t",
        sa.Column("p_id", sa.Integer, sa.ForeignKey("p.id", ondelete="CASCADE")),
        inline_references=True,
    )
    assert statements(sql) == [
        "ALTER TABLE t ADD p_id INTEGER NULL REFERENCES p (id) ON DELETE CASCADE"
    ]


def test_add_column_if_not_exists_adds_unconditionally_with_a_warning(offline_op):
    # SQL Server has no ADD ... IF NOT EXISTS; Alembic drops the flag, so does dbshift (saying so)
    op, sql = offline_op("mssql")
    for _ in range(2):  # the second plain ADD of the same shape warns too
        with pytest.warns(UserWarning, match=r"mssql has no ADD \.\.\. IF NOT EXISTS: column t\.x"):
            op.add_column("t", sa.Column("x", sa.Integer), if_not_exists=True)
    assert statements(sql) == ["ALTER TABLE t ADD x INTEGER NULL"] * 2


def test_drop_column_plain(offline_op):
    op, sql = offline_op("mssql")
    op.drop_column("t", "x")
    assert statements(sql) == ["ALTER TABLE t DROP COLUMN x"]


def test_drop_column_drops_default_check_and_foreign_key_first(offline_op):
    op, sql = offline_op("mssql")
    op.drop_column(
        "t",
        "x",
        schema="s",
        mssql_drop_default=True,
        mssql_drop_check=True,
        mssql_drop_foreign_key=True,
    )
    assert sql == [
        drop_block("s.t", "x", "default"),
        "GO",
        drop_block("s.t", "x", "check"),
        "GO",
        drop_block("s.t", "x", "foreign_key"),
        "GO",
        "ALTER TABLE s.t DROP COLUMN x",
        "GO",
    ]


def test_drop_column_drops_only_the_asked_constraints(offline_op):
    op, sql = offline_op("mssql")
    op.drop_column("t", "x", mssql_drop_check=True)
    assert statements(sql) == [drop_block("t", "x", "check"), "ALTER TABLE t DROP COLUMN x"]


def test_drop_block_escapes_quotes_in_names(offline_op):
    op, sql = offline_op("mssql")
    op.drop_column("o'brien", "x", mssql_drop_default=True)
    assert statements(sql)[0] == (
        "declare @const_name nvarchar(258) select @const_name = quotename(k.name) "
        f"from {_LOOKUPS['default']} where k.parent_object_id = object_id(N'[o''brien]') "
        "and col.name = N'x' exec('alter table [o''brien] drop constraint ' + @const_name)"
    )


# ---------------------------------------------------------------- alter column


def test_nullable_restates_existing_type(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", nullable=False, existing_type=sa.Integer)
    op.alter_column("t", "c", nullable=True, existing_type=sa.String(10), schema="s")
    assert statements(sql) == [
        "ALTER TABLE t ALTER COLUMN c INTEGER NOT NULL",
        "ALTER TABLE s.t ALTER COLUMN c VARCHAR(10) NULL",
    ]


def test_nullable_without_any_type_is_an_error_naming_the_column(offline_op):
    op, sql = offline_op("mssql")
    with pytest.raises(CommandError, match=r"existing_type.*t\.c"):
        op.alter_column("t", "c", nullable=False)
    assert sql == []


def test_type_and_nullable_are_one_statement(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", type_=sa.BigInteger, nullable=False, existing_type=sa.Integer)
    assert statements(sql) == ["ALTER TABLE t ALTER COLUMN c BIGINT NOT NULL"]


def test_type_change_keeps_existing_nullable(offline_op):
    op, sql = offline_op("mssql")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        op.alter_column("t", "c", type_=sa.String(50), existing_nullable=False)
    assert statements(sql) == ["ALTER TABLE t ALTER COLUMN c VARCHAR(50) NOT NULL"]


def test_type_change_without_nullable_warns(offline_op):
    op, sql = offline_op("mssql")
    with pytest.warns(UserWarning, match=r"t\.c.*NULL-able"):
        op.alter_column("t", "c", type_=sa.String(50))
    assert statements(sql) == ["ALTER TABLE t ALTER COLUMN c VARCHAR(50)"]


def test_new_default_drops_old_constraint_then_adds(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", server_default="5")
    op.alter_column("t", "d", server_default=sa.text("getdate()"), schema="s")
    assert statements(sql) == [
        drop_block("t", "c"),
        "ALTER TABLE t ADD DEFAULT '5' FOR c",
        drop_block("s.t", "d"),
        "ALTER TABLE s.t ADD DEFAULT getdate() FOR d",
    ]


def test_removing_default_only_drops_the_constraint(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", server_default=None, existing_server_default="5")
    assert statements(sql) == [drop_block("t", "c")]


def test_type_and_default_change_drops_default_before_the_type(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column(
        "access",
        "created_at",
        type_=sa.DateTime(timezone=True),
        existing_type=sa.DateTime(),
        server_default=sa.text("sysdatetimeoffset()"),
        existing_server_default=sa.text("(getutcdate())"),
        existing_nullable=False,
    )
    assert statements(sql) == [
        drop_block("access", "created_at"),
        "ALTER TABLE access ALTER COLUMN created_at DATETIMEOFFSET NOT NULL",
        "ALTER TABLE access ADD DEFAULT sysdatetimeoffset() FOR created_at",
    ]


def test_type_change_puts_a_known_default_back(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column(
        "t",
        "c",
        type_=sa.String(40),
        existing_type=sa.String(20),
        existing_nullable=True,
        existing_server_default="x",
    )
    assert statements(sql) == [
        drop_block("t", "c"),
        "ALTER TABLE t ALTER COLUMN c VARCHAR(40) NULL",
        "ALTER TABLE t ADD DEFAULT 'x' FOR c",
    ]


def test_nullable_change_leaves_the_default_alone(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column(
        "t", "c", nullable=False, existing_type=sa.Integer, existing_server_default="0"
    )
    assert statements(sql) == ["ALTER TABLE t ALTER COLUMN c INTEGER NOT NULL"]


def test_identity_change_is_refused(offline_op):
    op, _ = offline_op("mssql")
    with pytest.raises(sa_exc.CompileError, match="IDENTITY"):
        op.alter_column("t", "c", server_default=sa.Identity(), existing_type=sa.Integer)


def test_rename_column_uses_sp_rename(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", new_column_name="d")
    op.alter_column("t", "c", new_column_name="it's", schema="s")
    assert statements(sql) == [
        "EXEC sp_rename N't.c', N'd', 'COLUMN'",
        "EXEC sp_rename N's.t.c', N'it''s', 'COLUMN'",
    ]


def test_rename_comes_after_the_other_changes(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", nullable=True, existing_type=sa.Integer, new_column_name="d")
    assert statements(sql) == [
        "ALTER TABLE t ALTER COLUMN c INTEGER NULL",
        "EXEC sp_rename N't.c', N'd', 'COLUMN'",
    ]


def test_column_comment_add_update_drop(offline_op):
    op, sql = offline_op("mssql")
    op.alter_column("t", "c", comment="new")
    op.alter_column("t", "c", comment="newer", existing_comment="new", schema="s")
    op.alter_column("t", "c", comment=None, existing_comment="newer")
    assert statements(sql) == [
        "execute sp_addextendedproperty 'MS_Description', N'new', "
        "'schema', dbo, 'table', t, 'column', c",
        "execute sp_updateextendedproperty 'MS_Description', N'newer', "
        "'schema', s, 'table', t, 'column', c",
        "execute sp_dropextendedproperty 'MS_Description', 'schema', dbo, 'table', t, 'column', c",
    ]


# ---------------------------------------------------------------- tables, indexes, data


def test_rename_table_uses_sp_rename(offline_op):
    op, sql = offline_op("mssql")
    op.rename_table("old", "new")
    op.rename_table("old", "new", schema="s")
    assert statements(sql) == ["EXEC sp_rename N'old', N'new'", "EXEC sp_rename N's.old', N'new'"]


def test_create_table_with_comments(offline_op):
    op, sql = offline_op("mssql")
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True, comment="key"),
        comment="things",
        schema="s",
    )
    assert statements(sql) == [
        "CREATE TABLE s.t ( id INTEGER NOT NULL IDENTITY, PRIMARY KEY (id) )",
        "execute sp_addextendedproperty 'MS_Description', N'things', 'schema', s, 'table', t",
        "execute sp_addextendedproperty 'MS_Description', N'key', "
        "'schema', s, 'table', t, 'column', id",
    ]


def test_table_comment_ops(offline_op):
    op, sql = offline_op("mssql")
    op.create_table_comment("t", "hello")
    op.drop_table_comment("t", existing_comment="hello")
    assert statements(sql) == [
        "execute sp_addextendedproperty 'MS_Description', N'hello', 'schema', dbo, 'table', t",
        "execute sp_dropextendedproperty 'MS_Description', 'schema', dbo, 'table', t",
    ]


def test_create_index_include_and_clustered(offline_op):
    op, sql = offline_op("mssql")
    op.create_index("ix_a", "t", ["a"], mssql_include=["b", "c"])
    op.create_index("ix_b", "t", ["b"], unique=True, mssql_clustered=True)
    op.create_index("ix_c", "t", ["c"], mssql_clustered=False)
    assert statements(sql) == [
        "CREATE INDEX ix_a ON t (a) INCLUDE (b, c)",
        "CREATE UNIQUE CLUSTERED INDEX ix_b ON t (b)",
        "CREATE NONCLUSTERED INDEX ix_c ON t (c)",
    ]


def test_drop_index_names_the_table(offline_op):
    op, sql = offline_op("mssql")
    op.drop_index("ix_a", "t", schema="s")
    assert statements(sql) == ["DROP INDEX ix_a ON s.t"]


def test_drop_index_without_table_writes_alembics_placeholder_with_a_warning(offline_op):
    # offline: the script Alembic writes (it fails when run); online see test_mysql.py
    op, sql = offline_op("mssql")
    with pytest.warns(UserWarning, match=r"drop_index\('ix_a'\) without table_name.*ON no_table"):
        op.drop_index("ix_a")
    assert statements(sql) == ["DROP INDEX ix_a ON no_table"]


def test_offline_bulk_insert_is_wrapped_in_identity_insert(offline_op):
    op, sql = offline_op("mssql")
    table = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String), schema="s")
    op.bulk_insert(table, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    assert statements(sql) == [
        "SET IDENTITY_INSERT s.t ON",
        "INSERT INTO s.t (id, name) VALUES (1, 'a')",
        "INSERT INTO s.t (id, name) VALUES (2, 'b')",
        "SET IDENTITY_INSERT s.t OFF",
    ]


def test_offline_bulk_insert_into_table_with_identity_values(offline_op):
    op, sql = offline_op("mssql")
    table = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer))
    del sql[:]
    op.bulk_insert(table, [{"id": 5, "n": 1}])
    assert statements(sql) == [
        "SET IDENTITY_INSERT t ON",
        "INSERT INTO t (id, n) VALUES (5, 1)",
        "SET IDENTITY_INSERT t OFF",
    ]


def test_offline_bulk_insert_without_identity_values_is_not_wrapped(offline_op):
    op, sql = offline_op("mssql")
    meta = sa.MetaData()
    with_identity = sa.Table(
        "a", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer)
    )
    no_identity = sa.Table(
        "b", meta, sa.Column("code", sa.String(5), primary_key=True), sa.Column("n", sa.Integer)
    )
    op.bulk_insert(with_identity, [{"n": 1}])
    op.bulk_insert(no_identity, [{"code": "x", "n": 2}])
    assert statements(sql) == [
        "INSERT INTO a (n) VALUES (1)",
        "INSERT INTO b (code, n) VALUES ('x', 2)",
    ]
