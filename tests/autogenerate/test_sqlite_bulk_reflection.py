"""SQLite bulk reflection (dbshift.ddl.sqlite_reflection) returns what SQLAlchemy's inspector
returns, in a number of statements that does not grow with the number of tables."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause

from dbshift.autogenerate import compare_metadata
from dbshift.ddl.sqlite_reflection import reflect_bulk

from .conftest import configure
from .models import rich_metadata

EXTRA_DDL = [
    'CREATE TABLE "Odd ""Name""" (a INTEGER NOT NULL, b VARCHAR(5) UNIQUE, '
    "c NUMERIC(10, 2) DEFAULT 3, d INTEGER GENERATED ALWAYS AS (a + 1) STORED, "
    "e INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL, "
    "PRIMARY KEY (a, b), CONSTRAINT ck_a CHECK (a > 0), CHECK (c < 100))",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, acc INTEGER REFERENCES account, "
    "street VARCHAR(100), zip VARCHAR(10), "
    "CONSTRAINT fk_child_address FOREIGN KEY (street, zip) REFERENCES address (street, zip) "
    "ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, "
    "CONSTRAINT uq_child UNIQUE (zip, street))",
    "CREATE INDEX ix_child_expr ON child (lower(street))",
    "CREATE UNIQUE INDEX ix_child_partial ON child (zip) WHERE zip > '5'",
    "CREATE INDEX ix_child_desc ON child (street DESC, zip)",
    "CREATE TABLE nothing_special (x)",
]

KINDS = {
    "columns": "get_multi_columns",
    "pk": "get_multi_pk_constraint",
    "foreign_keys": "get_multi_foreign_keys",
    "indexes": "get_multi_indexes",
    "uniques": "get_multi_unique_constraints",
    "checks": "get_multi_check_constraints",
}


def plain(value: Any) -> Any:
    """Reflected data with types and SQL text as strings (they have no value equality)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, TextClause):
        return ("text", value.text)
    if isinstance(value, sa.types.TypeEngine):
        return ("type", repr(value))
    return value


def build(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        rich_metadata("sqlite").create_all(conn)
        for ddl in EXTRA_DDL:
            conn.exec_driver_sql(ddl)


def _inspector_data(conn: sa.Connection, schema: str | None, names: list[str] | None) -> dict:
    insp = sa.inspect(conn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            kind: dict(getattr(insp, method)(schema=schema, filter_names=names))
            for kind, method in KINDS.items()
        }


@pytest.mark.parametrize("names", [None, ["child", 'Odd "Name"']])
def test_bulk_reflection_equals_inspector(sqlite_engine: sa.Engine, names: Any) -> None:
    build(sqlite_engine)
    with sqlite_engine.connect() as conn:
        expected = _inspector_data(conn, None, names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = reflect_bulk(conn, None, names)
    assert got is not None
    assert set(got) == set(KINDS)
    for kind in KINDS:
        assert plain(sorted(got[kind].items())) == plain(sorted(expected[kind].items())), kind
    assert got["checks"][(None, 'Odd "Name"')]  # the rich parts were really there
    by_name = {ix["name"]: ix for ix in got["indexes"][(None, "child")]}
    assert by_name["ix_child_partial"]["dialect_options"]["sqlite_where"].text == "zip > '5'"
    assert "ix_child_expr" not in by_name  # skipped, as SQLAlchemy does
    assert by_name["ix_child_desc"]["column_names"] == ["street", "zip"]


def test_bulk_reflection_of_an_attached_schema(sqlite_engine: sa.Engine, tmp_path: Any) -> None:
    other = tmp_path / "other.db"
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{other}' AS other")
        conn.exec_driver_sql(
            "CREATE TABLE other.p (id INTEGER PRIMARY KEY, name VARCHAR(20) UNIQUE)"
        )
        conn.exec_driver_sql(
            "CREATE TABLE other.c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id))"
        )
        conn.exec_driver_sql("CREATE INDEX other.ix_c_p ON c (p_id)")
        expected = _inspector_data(conn, "other", None)
        got = reflect_bulk(conn, "other", None)
    assert got is not None
    for kind in KINDS:
        assert plain(sorted(got[kind].items())) == plain(sorted(expected[kind].items())), kind
    assert list(got["columns"]) == [("other", "c"), ("other", "p")]


def test_statement_count_does_not_grow_with_tables(sqlite_engine: sa.Engine) -> None:
    def run(n: int) -> int:
        md = sa.MetaData()
        for i in range(n):
            sa.Table(
                f"t{i}", md,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("p", sa.ForeignKey("t0.id")),
                sa.Column("x", sa.String(10), unique=True, index=False),
                sa.Index(f"ix_t{i}_p", "p"),
            )
        with sqlite_engine.begin() as conn:
            md.create_all(conn)
        seen: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        sa.event.listen(sqlite_engine, "before_cursor_execute", record)
        try:
            with sqlite_engine.connect() as conn:
                assert compare_metadata(configure(conn, md), md) == []
        finally:
            sa.event.remove(sqlite_engine, "before_cursor_execute", record)
        count = len(seen)
        with sqlite_engine.begin() as conn:
            md.drop_all(conn)
        return count

    few, many = run(3), run(40)
    assert few == many
    assert many <= 8
