"""batch_alter_table in --sql mode: the exact rebuild script with copy_from, an error without."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dbshift.util.exc import CommandError


def _table() -> sa.Table:
    return sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.String(10)),
        sa.Column("old", sa.Integer),
        sa.Index("ix_a", "a"),
    )


def test_sqlite_offline_rebuild_with_copy_from(offline_op) -> None:
    op, sql = offline_op("sqlite")
    with op.batch_alter_table("t", copy_from=_table()) as batch:
        batch.alter_column("a", type_=sa.Integer)
        batch.add_column(sa.Column("b", sa.Integer))
        batch.drop_column("old")
    assert sql == [
        "CREATE TABLE _alembic_tmp_t ( id INTEGER NOT NULL, a INTEGER, b INTEGER, "
        "PRIMARY KEY (id) )",
        "INSERT INTO _alembic_tmp_t (id, a) SELECT t.id, CASE WHEN (t.a IS NULL OR "
        "t.a = CAST(t.a AS INTEGER)) THEN CAST(t.a AS INTEGER) "
        "ELSE abs(-9223372036854775807 - 1) END AS anon_1 FROM t",
        "DROP TABLE t",
        "ALTER TABLE _alembic_tmp_t RENAME TO t",
        "CREATE INDEX ix_a ON t (a)",
    ]


def test_postgresql_offline_recreate_always(offline_op) -> None:
    op, sql = offline_op("postgresql")
    with op.batch_alter_table("t", copy_from=_table(), recreate="always") as batch:
        batch.alter_column("old", new_column_name="renamed")
    assert sql == [
        "CREATE TABLE _alembic_tmp_t ( id SERIAL NOT NULL, a VARCHAR(10), renamed INTEGER, "
        "PRIMARY KEY (id) )",
        'INSERT INTO _alembic_tmp_t (id, a, renamed) SELECT t.id, t.a, t."old" FROM t',
        "DROP TABLE t",
        "ALTER TABLE _alembic_tmp_t RENAME TO t",
        "CREATE INDEX ix_a ON t (a)",
    ]


def test_offline_without_copy_from_says_to_pass_it(offline_op) -> None:
    op, sql = offline_op("sqlite")
    with pytest.raises(CommandError, match="copy_from"):
        with op.batch_alter_table("t") as batch:
            batch.drop_column("old")
    assert sql == []


def test_offline_plain_alters_need_no_copy_from(offline_op) -> None:
    op, sql = offline_op("sqlite")
    with op.batch_alter_table("t") as batch:
        batch.add_column(sa.Column("b", sa.Integer))
        batch.create_index("ix_b", ["b"])
    assert sql == ["ALTER TABLE t ADD COLUMN b INTEGER", "CREATE INDEX ix_b ON t (b)"]
