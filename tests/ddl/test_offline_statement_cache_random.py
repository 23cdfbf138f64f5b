"""The offline statement cache against compiling, on random directives: the same SQL, the same
errors.

Each case draws a sequence of create_table / add_column / create_index calls (names that need
quoting, reserved words, long names, many column types and options, shapes that repeat so that
the cache is used) and runs it twice per dialect: with the offline statement cache and without.
Both runs must write the same statements, and fail (if they fail) at the same call with the same
error.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa

DIALECTS = ["postgresql", "mysql", "sqlite", "mssql", "oracle", "default"]

NAMES = ["t", "c", "Order", "select", "has space", "x" * 70, "MiXeD", "from", "a1", "ix"]


def _type(rnd: random.Random) -> Any:
    return rnd.choice([
        lambda: sa.Integer(),
        lambda: sa.BigInteger(),
        lambda: sa.String(rnd.choice([10, 50])),
        lambda: sa.String(20, collation="C"),
        lambda: sa.Text(),
        lambda: sa.Numeric(10, rnd.choice([0, 2])),
        lambda: sa.Float(),
        lambda: sa.Boolean(),
        lambda: sa.Date(),
        lambda: sa.DateTime(timezone=rnd.random() < 0.5),
        lambda: sa.Enum("a", "b", name="kind"),
        lambda: sa.LargeBinary(),
        lambda: sa.Uuid(),
    ])()


def _column(rnd: random.Random, name: str, pk: bool = False) -> sa.Column:
    kw: dict[str, Any] = {"nullable": rnd.random() < 0.6}
    if pk:
        kw["primary_key"] = True
    roll = rnd.random()
    if roll < 0.1:
        kw["server_default"] = "0"
    elif roll < 0.15:
        kw["comment"] = "note"
    elif roll < 0.2:
        kw["autoincrement"] = False
    return sa.Column(name, _type(rnd) if not pk else sa.Integer(), **kw)


def _names(rnd: random.Random, k: int) -> list[str]:
    return rnd.sample(NAMES, k)


def _directives(seed: int) -> list[tuple[str, tuple, dict]]:
    rnd = random.Random(seed)
    calls: list[tuple[str, tuple, dict]] = []
    for _ in range(30):
        kind = rnd.choice(["create_table", "add_column", "add_column", "create_index"])
        if kind == "create_table":
            table, pk, *cols = _names(rnd, rnd.choice([2, 3, 4]))
            columns = [_column(rnd, pk, pk=True)] + [_column(rnd, c) for c in cols]
            kw: dict[str, Any] = {}
            if rnd.random() < 0.2:
                kw["if_not_exists"] = True
            if rnd.random() < 0.1:
                kw["schema"] = "s"
            calls.append(("create_table", (table, *columns), kw))
        elif kind == "add_column":
            table, column = _names(rnd, 2)
            kw = {"schema": "s"} if rnd.random() < 0.1 else {}
            calls.append(("add_column", (table, _column(rnd, column)), kw))
        else:
            index, table, *cols = _names(rnd, rnd.choice([3, 4]))
            kw = {}
            if rnd.random() < 0.3:
                kw["unique"] = True
            if rnd.random() < 0.2:
                kw["if_not_exists"] = True
            calls.append(("create_index", (index, table, cols), kw))
    return calls


def _run(offline_op: Any, dialect: str, seed: int, cache: bool) -> tuple[list[str], Any]:
    op, sql = offline_op(dialect)
    if not cache:
        op.impl.offline_statement_cache = None
    error = None
    # drawn again for each run: fresh Column objects (a Column belongs to one table)
    for i, (name, args, kw) in enumerate(_directives(seed)):
        try:
            getattr(op, name)(*args, **kw)
        except Exception as err:  # both runs must fail the same way
            error = (i, type(err).__name__, str(err))
            break
    return list(sql.raw), error


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("seed", range(12))
def test_random_directives_write_the_same_sql_with_and_without_the_cache(
    offline_op: Any, dialect: str, seed: int
) -> None:
    cached = _run(offline_op, dialect, seed, cache=True)
    compiled = _run(offline_op, dialect, seed, cache=False)
    assert cached == compiled
    assert cached[0], "nothing was written"


def test_the_random_cases_do_use_the_cache(offline_op: Any, monkeypatch: Any) -> None:
    """Not a vacuous comparison: most random cases run to the end, and the cache writes."""
    from dbshift.ddl.offline_statement_cache import OfflineStatementCache

    written = []
    original = OfflineStatementCache.write

    def write(self: Any, *args: Any, **kw: Any) -> bool:
        done = original(self, *args, **kw)
        written.append(done)
        return done

    monkeypatch.setattr(OfflineStatementCache, "write", write)
    finished = 0
    for dialect in DIALECTS:
        for seed in range(12):
            finished += _run(offline_op, dialect, seed, cache=True)[1] is None
    assert finished >= 50  # of 72
    assert written.count(True) >= 800
