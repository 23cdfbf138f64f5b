"""batch_alter_table(recreate="always") on PostgreSQL and MariaDB, and a failed copy on each."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.util.exc import CommandError

from .test_batch_sqlite import create, run_batch, snapshot

TABLES = (
    "CREATE TABLE p (id INTEGER PRIMARY KEY)",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(10) NOT NULL, b INTEGER DEFAULT 3, "
    "pid INTEGER, CONSTRAINT uq_a UNIQUE (a), CONSTRAINT ck_b CHECK (b > 0), "
    "CONSTRAINT fk_p FOREIGN KEY (pid) REFERENCES p (id))",
    "CREATE INDEX ix_b ON t (b)",
    "INSERT INTO p VALUES (1)",
    "INSERT INTO t VALUES (1, '10', 5, 1), (2, '20', 6, NULL)",
)


@pytest.fixture(params=["pg_engine", "mariadb_engine"])
def server(request: Any) -> sa.Engine:
    engine: sa.Engine = request.getfixturevalue(request.param)
    create(engine, *TABLES)
    return engine


def test_recreate_always_keeps_schema_and_rows(server: sa.Engine) -> None:
    before = snapshot(server, "t")
    run_batch(server, "t", lambda b: None, recreate="always")
    assert snapshot(server, "t") == before


def test_recreate_always_applies_ops(server: sa.Engine) -> None:
    def ops(b: Any) -> None:
        b.add_column(sa.Column("c", sa.String(5), server_default="z"), insert_after="a")
        b.alter_column("a", type_=sa.Integer, existing_type=sa.String(10))
        b.drop_index("ix_b")
        b.create_index("ix_c", ["c"])

    run_batch(server, "t", ops, recreate="always")
    snap = snapshot(server, "t")
    assert [c["name"] for c in snap["columns"]] == ["id", "a", "c", "b", "pid"]
    assert snap["rows"] == [(1, 10, "z", 5, 1), (2, 20, "z", 6, None)]
    assert ("uq_a", ("a",)) in snap["uqs"]
    assert [fk[0] for fk in snap["fks"]] == ["fk_p"]
    assert [c[0] for c in snap["checks"]] == ["ck_b"]
    assert "ix_c" in [i[0] for i in snap["indexes"]] and "ix_b" not in [i[0] for i in snap["indexes"]]


def test_failed_copy_leaves_table_untouched(server: sa.Engine) -> None:
    before = snapshot(server, "t")
    with pytest.raises(CommandError, match=r"column 'pid' is NOT NULL but 1 row\(s\) hold NULL"):
        run_batch(server, "t", lambda b: b.alter_column("pid", nullable=False), recreate="always")
    assert snapshot(server, "t") == before
    with server.connect() as conn:
        assert "_alembic_tmp_t" not in sa.inspect(conn).get_table_names()
