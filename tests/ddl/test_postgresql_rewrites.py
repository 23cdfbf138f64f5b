"""When PostgreSQL rewrites a table: what ``postgresql_rewrites`` says, checked against a live
server (a rewrite gives the table a new ``relfilenode``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dbshift.ddl.postgresql_rewrites import (
    add_column_rewrite,
    default_is_volatile,
    set_not_null_skips_scan_with_check,
    type_change,
)

PG = postgresql.dialect()

TYPE_CASES = [
    (sa.String(20), sa.String(40), False),
    (sa.String(20), sa.String(), False),
    (sa.String(20), sa.Text(), False),
    (sa.Text(), sa.String(), False),
    (sa.Numeric(10, 2), sa.Numeric(12, 2), False),
    (sa.Numeric(10, 2), sa.Numeric(), False),
    (postgresql.CIDR(), postgresql.INET(), False),
    (sa.String(40), sa.String(20), True),
    (sa.Text(), sa.String(20), True),
    (sa.Integer(), sa.BigInteger(), True),
    (sa.Numeric(10, 2), sa.Numeric(10, 3), True),
    (sa.DateTime(), sa.DateTime(timezone=True), True),
    (sa.CHAR(3), sa.CHAR(5), True),
]


@pytest.mark.parametrize(("old", "new", "rewrites"), TYPE_CASES)
def test_type_change_verdicts(old, new, rewrites):
    assert type_change(old, new, PG).rewrites is rewrites


def test_type_change_unknowns_and_using():
    assert type_change(None, sa.Integer(), PG).rewrites is None
    assert type_change(sa.String(10), sa.String(20), PG, using=True).rewrites is True
    assert type_change("character varying(10)", "text").rewrites is False
    assert type_change("integer", "bigint").rewrites is True


def _relfilenode(conn, table="rw"):
    return conn.exec_driver_sql(
        "SELECT relfilenode FROM pg_class WHERE oid = %(t)s::regclass", {"t": table}
    ).scalar()


# timestamp -> timestamptz depends on the session's TimeZone: its own test below
LIVE_TYPE_CASES = [case for case in TYPE_CASES if not isinstance(case[0], sa.DateTime)]


@pytest.mark.parametrize(("old", "new", "rewrites"), LIVE_TYPE_CASES)
def test_type_change_verdicts_match_postgresql(pg_engine, old, new, rewrites):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("SET TIME ZONE 'Europe/Paris'")
        old_sql = old.compile(dialect=PG)
        new_sql = new.compile(dialect=PG)
        conn.exec_driver_sql(f"CREATE TABLE rw (id int, v {old_sql})")
        value = "'10.0.0.0/8'" if "CIDR" in old_sql else "'1'"
        conn.exec_driver_sql(f"INSERT INTO rw VALUES (1, {value})")
        before = _relfilenode(conn)
        conn.exec_driver_sql(f"ALTER TABLE rw ALTER COLUMN v TYPE {new_sql}")
        assert (_relfilenode(conn) != before) is rewrites


def test_timestamp_to_timestamptz_rewrites_outside_utc(pg_engine):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("SET TIME ZONE 'Europe/Paris'")
        conn.exec_driver_sql("CREATE TABLE rw (v timestamp)")
        before = _relfilenode(conn)
        conn.exec_driver_sql("ALTER TABLE rw ALTER COLUMN v TYPE timestamptz")
        assert _relfilenode(conn) != before


DEFAULT_CASES = [
    ("integer DEFAULT 0", None, False),
    ("timestamptz DEFAULT now()", None, False),
    ("timestamptz DEFAULT clock_timestamp()", None, True),
    ("uuid DEFAULT gen_random_uuid()", None, True),
    ("double precision DEFAULT random()", None, True),
    ("bigint GENERATED ALWAYS AS IDENTITY", True, True),
    ("integer GENERATED ALWAYS AS (id * 2) STORED", True, True),
    ("bigserial", True, True),
    ("integer", None, False),
]


@pytest.mark.parametrize(("column", "generated", "rewrites"), DEFAULT_CASES)
def test_add_column_verdicts_match_postgresql(pg_engine, column, generated, rewrites):
    default = column.split(" DEFAULT ", 1)[1] if " DEFAULT " in column else None
    verdict = add_column_rewrite(default, (15,), generated=bool(generated))
    assert (verdict is not None) is rewrites
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rw (id int)")
        conn.exec_driver_sql("INSERT INTO rw VALUES (1), (2)")
        before = _relfilenode(conn)
        conn.exec_driver_sql(f"ALTER TABLE rw ADD COLUMN n {column}")
        assert (_relfilenode(conn) != before) is rewrites


def test_versions():
    assert add_column_rewrite("0", (10, 5)) == "before PostgreSQL 11 any default is written into every row"
    assert add_column_rewrite("0", (11,)) is None
    assert add_column_rewrite("0", None) is None
    assert add_column_rewrite("NULL", (10,)) is None
    assert set_not_null_skips_scan_with_check((12,)) and not set_not_null_skips_scan_with_check((11, 9))
    assert default_is_volatile("uuid_generate_v4()") and not default_is_volatile("now()")
