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


@pytest.fixture
def pg_extras(pg_engine: sa.Engine) -> Any:
    """pg_engine; the ENUM type and trigger function (not tables) are dropped before and after."""
    cleanup = ("DROP VIEW IF EXISTS v_v, v_d", "DROP TABLE IF EXISTS kid, d, log",
               "DROP FUNCTION IF EXISTS blog_d", "DROP TYPE IF EXISTS bmood")
    create(pg_engine, *cleanup)
    yield pg_engine
    create(pg_engine, *cleanup)


PG_DEPENDENTS = (
    "CREATE TYPE bmood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE TABLE d (id SERIAL PRIMARY KEY, m bmood NOT NULL DEFAULT 'ok', n INTEGER, "
    "code INTEGER GENERATED ALWAYS AS IDENTITY (START WITH 100), CONSTRAINT uq_n UNIQUE (n))",
    "CREATE TABLE kid (id INTEGER PRIMARY KEY, d_id INTEGER, d_n INTEGER, "
    "CONSTRAINT fk_kid_d FOREIGN KEY (d_id) REFERENCES d (id) ON DELETE CASCADE, "
    "CONSTRAINT fk_kid_n FOREIGN KEY (d_n) REFERENCES d (n))",
    "CREATE VIEW v_d AS SELECT id, m FROM d",
    "CREATE VIEW v_v AS SELECT v_d.id, d.n FROM v_d JOIN d ON d.id = v_d.id",
    "CREATE TABLE log (msg TEXT)",
    "CREATE FUNCTION blog_d() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN INSERT INTO log VALUES (NEW.m::text); RETURN NEW; END $$",
    "CREATE TRIGGER tr_d AFTER INSERT ON d FOR EACH ROW EXECUTE FUNCTION blog_d()",
    "INSERT INTO d (m, n) VALUES ('sad', 1), ('happy', 2), ('ok', 3)",
    "DELETE FROM d WHERE n = 3",
    "INSERT INTO kid VALUES (1, 1, 1), (2, 2, 2)",
)


def test_postgresql_rebuild_keeps_views_fks_triggers_sequences_enums(pg_extras: sa.Engine) -> None:
    pg_engine = pg_extras
    create(pg_engine, *PG_DEPENDENTS)
    run_batch(pg_engine, "d", lambda b: b.add_column(sa.Column("extra", sa.Text), insert_after="m"),
              recreate="always")
    with pg_engine.connect() as conn:
        q = lambda sql: conn.exec_driver_sql(sql).fetchall()  # noqa: E731
        assert q("SELECT id, m::text, extra, n, code FROM d ORDER BY id") == [
            (1, "sad", None, 1, 100), (2, "happy", None, 2, 101)
        ]
        assert q("SELECT udt_name FROM information_schema.columns "
                 "WHERE table_name = 'd' AND column_name = 'm'") == [("bmood",)]
        assert q("SELECT * FROM v_v ORDER BY id") == [(1, 1), (2, 2)]
        # SERIAL and identity go on from where they were; the sequences have their old names
        conn.exec_driver_sql("INSERT INTO d (n) VALUES (7)")
        assert q("SELECT id, m::text, code FROM d WHERE n = 7") == [(4, "ok", 103)]
        assert q("SELECT pg_get_serial_sequence('d', 'id'), pg_get_serial_sequence('d', 'code')") == [
            ("public.d_id_seq", "public.d_code_seq")
        ]
        # the trigger fires on the new table (3 rows before, 1 now)
        assert q("SELECT count(*) FROM log") == [(4,)]
        # the children's FKs point at the new table
        fks = sa.inspect(conn).get_foreign_keys("kid")
        assert sorted((fk["name"], fk["referred_table"]) for fk in fks) == [
            ("fk_kid_d", "d"), ("fk_kid_n", "d")
        ]
        conn.exec_driver_sql("DELETE FROM d WHERE id = 1")
        assert q("SELECT id FROM kid") == [(2,)]
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO kid VALUES (9, 99, NULL)")
        conn.rollback()
        assert "_alembic_tmp_d" not in sa.inspect(conn).get_table_names()


def test_postgresql_failed_rebuild_with_dependents_changes_nothing(pg_extras: sa.Engine) -> None:
    pg_engine = pg_extras
    create(pg_engine, *PG_DEPENDENTS)
    before = snapshot(pg_engine, "d")

    def ops(b: Any) -> None:
        b.add_column(sa.Column("extra", sa.Text))
        b.create_check_constraint("ck_n", "n > 1")

    with pytest.raises(CommandError, match=r"constraint 'ck_n': 1 row\(s\) fail CHECK \(n > 1\)"):
        run_batch(pg_engine, "d", ops, recreate="always")
    assert snapshot(pg_engine, "d") == before
    with pg_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM v_v").scalar() == 2
        assert len(sa.inspect(conn).get_foreign_keys("kid")) == 2


def test_postgresql_dropping_a_column_a_view_uses_rolls_back(pg_extras: sa.Engine) -> None:
    pg_engine = pg_extras
    create(pg_engine, *PG_DEPENDENTS)
    before = snapshot(pg_engine, "d")
    with pytest.raises(CommandError, match="could not re-create view v_d"):
        run_batch(pg_engine, "d", lambda b: b.drop_column("m"), recreate="always")
    assert snapshot(pg_engine, "d") == before


MARIADB_DEPENDENTS = (
    "CREATE TABLE d (id INTEGER AUTO_INCREMENT PRIMARY KEY, m ENUM('sad', 'ok', 'happy') NOT NULL "
    "DEFAULT 'ok', n INTEGER, CONSTRAINT uq_n UNIQUE (n))",
    "CREATE TABLE kid (id INTEGER PRIMARY KEY, d_id INTEGER, "
    "CONSTRAINT fk_kid_d FOREIGN KEY (d_id) REFERENCES d (id) ON DELETE CASCADE)",
    "CREATE VIEW v_d AS SELECT id, m FROM d",
    "CREATE TABLE log (msg TEXT)",
    "CREATE TRIGGER tr_d AFTER INSERT ON d FOR EACH ROW INSERT INTO log VALUES (NEW.m)",
    "INSERT INTO d (m, n) VALUES ('sad', 1), ('happy', 2), ('ok', 3)",
    "DELETE FROM d WHERE n = 3",
    "INSERT INTO kid VALUES (1, 1), (2, 2)",
)


def test_mariadb_rebuild_keeps_views_fks_triggers_auto_increment(mariadb_engine: sa.Engine) -> None:
    create(mariadb_engine, *MARIADB_DEPENDENTS)
    run_batch(mariadb_engine, "d", lambda b: b.add_column(sa.Column("extra", sa.Text)),
              recreate="always")
    with mariadb_engine.connect() as conn:
        q = lambda sql: conn.exec_driver_sql(sql).fetchall()  # noqa: E731
        assert q("SELECT id, m, n, extra FROM d ORDER BY id") == [
            (1, "sad", 1, None), (2, "happy", 2, None)
        ]
        assert q("SELECT * FROM v_d ORDER BY id") == [(1, "sad"), (2, "happy")]
        conn.exec_driver_sql("INSERT INTO d (n) VALUES (7)")
        assert q("SELECT id, m FROM d WHERE n = 7") == [(4, "ok")]  # id 3 was used before
        assert q("SELECT count(*) FROM log") == [(4,)]
        fks = sa.inspect(conn).get_foreign_keys("kid")
        assert [(fk["name"], fk["referred_table"]) for fk in fks] == [("fk_kid_d", "d")]
        conn.exec_driver_sql("DELETE FROM d WHERE id = 1")
        assert q("SELECT id FROM kid") == [(2,)]
        conn.commit()
