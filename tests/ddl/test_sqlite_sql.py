"""Reading SQLite's stored CREATE TABLE text (dbshift.ddl.sqlite_sql), checked against SQLite."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from dbshift.ddl.sqlite_sql import (
    column_affinity,
    column_collations,
    column_constraint_names,
    declared_affinity,
    generated_columns,
    mentions,
    quote,
    table_definitions,
    unquote,
)

SQL = (
    'CREATE TABLE "odd ""name""" (\n'
    "  id INTEGER PRIMARY KEY,\n"
    "  code VARCHAR(5) COLLATE NOCASE CONSTRAINT uq_code UNIQUE,\n"
    "  note TEXT DEFAULT ('a, b' COLLATE BINARY) CHECK (note COLLATE RTRIM <> 'x'),\n"
    '  "total" NUMERIC(10, 2) GENERATED ALWAYS AS (id * 2) STORED,\n'
    "  v AS (lower(code)),\n"
    "  ref INTEGER CONSTRAINT fk_ref REFERENCES other (id),\n"
    "  CONSTRAINT ck CHECK (id > 0)\n"
    ")"
)


def test_the_statement_is_valid_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    conn.execute(SQL)
    assert [r[1] for r in conn.execute("PRAGMA table_xinfo('odd \"name\"')")] == [
        "id", "code", "note", "total", "v", "ref"
    ]


def test_definitions_split_at_top_level_commas_only() -> None:
    items = table_definitions(SQL)
    assert len(items) == 7
    assert items[2].startswith("note TEXT DEFAULT ('a, b' COLLATE BINARY)")
    assert items[3].startswith('"total" NUMERIC(10, 2)')
    assert items[-1] == "CONSTRAINT ck CHECK (id > 0)"


def test_collations_of_columns_not_of_expressions() -> None:
    assert column_collations(SQL) == {"code": "NOCASE"}


def test_named_column_constraints() -> None:
    assert column_constraint_names(SQL, "UNIQUE") == [("code", "uq_code", "")]
    assert column_constraint_names(SQL, "REFERENCES") == [("ref", "fk_ref", "other")]


def test_generated_columns() -> None:
    assert generated_columns(SQL) == {"total": ("id * 2", True), "v": ("lower(code)", False)}


def test_quoting_round_trips_and_mentions() -> None:
    for name in ("plain", 'with "quotes"', "has space"):
        assert unquote(quote(name)) == name
    assert mentions("SELECT * FROM \"Odd\" WHERE x = 'parent'", {"odd"})
    assert not mentions("SELECT * FROM t WHERE x = 'parent'", {"parent"})


# how SQLite stores 1, '1' and '1.5' in a column of each affinity (INTEGER and NUMERIC store alike)
_STORED = {
    "INTEGER": ("integer", "integer", "real"),
    "NUMERIC": ("integer", "integer", "real"),
    "REAL": ("real", "real", "real"),
    "TEXT": ("text", "text", "text"),
    "BLOB": ("integer", "text", "text"),
}


def test_declared_affinity_is_how_sqlite_stores_values() -> None:
    declared = [
        "INTEGER", "BIGINT", "FLOATING POINT", "CHARINT", "VARCHAR(10)", "NCHAR", "CLOB", "TEXT",
        "BLOB", "", "REAL", "DOUBLE PRECISION", "FLOAT", "NUMERIC(10, 2)", "DECIMAL", "DATETIME",
        "BOOLEAN", "STRING",
    ]
    conn = sqlite3.connect(":memory:")
    for i, spelled in enumerate(declared):
        conn.execute(f"CREATE TABLE t{i} (v {spelled})")
        conn.executemany(f"INSERT INTO t{i} VALUES (?)", [(1,), ("1",), ("1.5",)])
        stored = tuple(r[0] for r in conn.execute(f"SELECT typeof(v) FROM t{i} ORDER BY rowid"))
        assert stored == _STORED[declared_affinity(spelled)], spelled
    assert declared_affinity("FLOATING POINT") == "INTEGER"
    assert declared_affinity("STRING") == "NUMERIC"


def test_column_affinity_of_sqlalchemy_types() -> None:
    dialect = sqlite.dialect()
    assert column_affinity(sa.Integer(), dialect) == "INTEGER"
    assert column_affinity(sa.String(5), dialect) == "TEXT"
    assert column_affinity(sa.Numeric(10, 2), dialect) == "NUMERIC"
    assert column_affinity(sa.Float(), dialect) == "REAL"
    assert column_affinity(sa.LargeBinary(), dialect) == "BLOB"
    assert column_affinity(sa.ARRAY(sa.Integer()), dialect) is None  # SQLite can't compile it
