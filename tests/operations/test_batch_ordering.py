"""Column order of a batch rebuild: the pure rules, and the orders Alembic gives on a real table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.operations.batch.ordering import OrderConflict, partial_order, place_column
from dbshift.util.exc import CommandError

from .test_batch_sqlite import create, run_batch

COLUMNS = ["id", "x", "y", "rid", "flag"]


def test_partial_order_leaves_unmentioned_columns_in_the_first_round() -> None:
    assert partial_order(COLUMNS, [("y", "x")]) == ["id", "y", "rid", "flag", "x"]
    assert partial_order(COLUMNS, [("rid", "y"), ("y", "id")]) == ["x", "rid", "flag", "y", "id"]


def test_partial_order_refuses_a_cycle() -> None:
    with pytest.raises(OrderConflict):
        partial_order(COLUMNS, [("y", "x"), ("x", "y")])


def test_place_after_keeps_call_order_of_columns_added_after_the_same_one() -> None:
    names = place_column([*COLUMNS, "z"], "z", after="x", added=["z"])
    assert names == ["id", "x", "z", "y", "rid", "flag"]
    names = place_column([*names, "w"], "w", after="x", added=["z", "w"])
    assert names == ["id", "x", "z", "w", "y", "rid", "flag"]
    assert place_column(names, "flag", before="x") == ["id", "flag", "x", "z", "w", "y", "rid"]


def _column(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer)


# Each expected order is the one Alembic 1.20 gives for the same batch on SQLite.
CASES: list[tuple[str, Callable[[Any], Any], dict[str, Any], list[str]]] = [
    ("unmentioned_stay_first", lambda b: None, {"partial_reordering": [("y", "x")]},
     ["id", "y", "rid", "flag", "x"]),
    ("two_orders", lambda b: None, {"partial_reordering": [("y", "x"), ("flag", "rid")]},
     ["id", "y", "flag", "x", "rid"]),
    ("added_column", lambda b: b.add_column(_column("z")), {"partial_reordering": [("y", "x")]},
     ["id", "y", "rid", "flag", "z", "x"]),
    ("added_before", lambda b: b.add_column(_column("z"), insert_before="rid"),
     {"partial_reordering": [("y", "x")]}, ["id", "y", "flag", "z", "x", "rid"]),
    ("added_after", lambda b: b.add_column(_column("z"), insert_after="x"),
     {"partial_reordering": [("y", "x")]}, ["id", "y", "rid", "flag", "x", "z"]),
    ("dropped", lambda b: b.drop_column("rid"), {"partial_reordering": [("y", "x")]},
     ["id", "y", "flag", "x"]),
    ("renamed_by_old_name", lambda b: b.alter_column("x", new_column_name="xx"),
     {"partial_reordering": [("y", "x")]}, ["id", "y", "rid", "flag", "xx"]),
    ("two_after_same", lambda b: (b.add_column(_column("z"), insert_after="x"),
                                  b.add_column(_column("w"), insert_after="x")),
     {}, ["id", "x", "z", "w", "y", "rid", "flag"]),
]


@pytest.mark.parametrize(("fn", "kw", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rebuilt_column_order_matches_alembic(
    sqlite_engine: sa.Engine, fn: Callable[[Any], Any], kw: dict[str, Any], expected: list[str]
) -> None:
    create(sqlite_engine,
           "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, y VARCHAR(20), rid INTEGER, "
           "flag BOOLEAN)",
           "INSERT INTO t VALUES (1, 2, 'three', 4, 1)")
    run_batch(sqlite_engine, "t", fn, recreate="always", **kw)
    with sqlite_engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM t").mappings().one()
    assert list(row) == expected
    original = {"id": 1, "x": 2, "xx": 2, "y": "three", "rid": 4, "flag": 1}
    assert {k: v for k, v in row.items() if k in original} == {
        k: original[k] for k in expected if k in original
    }


def test_contradictory_partial_reordering_is_a_command_error(sqlite_engine: sa.Engine) -> None:
    create(sqlite_engine, "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER)")
    with pytest.raises(CommandError, match="partial_reordering .* is contradictory"):
        run_batch(sqlite_engine, "t", lambda b: None, recreate="always",
                  partial_reordering=[("y", "x"), ("x", "y")])
