"""Batch cases where Alembic 1.20 goes on without a word: dbshift goes on the same way, warning.

- A constraint added under the name of one the table has replaces it (Alembic keeps one
  constraint per name in a rebuilt table).
- ``partial_reordering`` in a batch that is altered in place rather than rebuilt is ignored.

The same migration runs under Alembic (``.venv-alembic``) and dbshift on each live backend; the
reflected columns, unique constraints and indexes must be the same, and so must success or
failure (where both fail, the table must be left as it was by both).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic_reference import TOOLS, require_alembic, run_python
from conftest import drop_everything

_RUN = r'''
import json, sys, warnings
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

url, recreate, case = sys.argv[1:] if len(sys.argv) > 3 else (URL, RECREATE, CASE)
engine = sa.create_engine(url)
with engine.begin() as conn:
    conn.exec_driver_sql("DROP TABLE IF EXISTS t")
    conn.exec_driver_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, CONSTRAINT uq_a UNIQUE (a))"
    )
error = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            op = Operations(ctx)
            with ctx.begin_transaction():
                if case == "same_name":
                    with op.batch_alter_table("t", recreate=recreate) as bop:
                        bop.create_unique_constraint("uq_a", ["b"])
                else:
                    with op.batch_alter_table(
                        "t", recreate=recreate, partial_reordering=[("b", "a")]
                    ) as bop:
                        bop.add_column(sa.Column("c", sa.Integer))
    except Exception as err:
        error = type(err).__name__
with engine.begin() as conn:
    insp = sa.inspect(conn)
    print(json.dumps({
        "error": error,
        "columns": [c["name"] for c in insp.get_columns("t")],
        "uniques": sorted([u["name"], u["column_names"]] for u in insp.get_unique_constraints("t")),
        "warnings": [str(w.message) for w in caught if w.category is UserWarning],
    }))
    conn.exec_driver_sql("DROP TABLE t")
engine.dispose()
'''


@pytest.mark.parametrize(
    ("case", "recreate"),
    [("same_name", "auto"), ("same_name", "always"), ("reordering", "auto")],
)
def test_batch_goes_on_where_alembic_does(
    engine: sa.Engine, tmp_path: Path, case: str, recreate: str
) -> None:
    require_alembic()
    url = engine.url.render_as_string(hide_password=False)
    seen = {}
    for tool in TOOLS:
        drop_everything(engine)
        code = f"URL, RECREATE, CASE = {url!r}, {recreate!r}, {case!r}\n" + _RUN
        result = run_python(tool, code, tmp_path)
        assert result.ok, result.stderr
        seen[tool] = json.loads(result.stdout.strip().splitlines()[-1])
    warnings = seen["dbshift"].pop("warnings")
    assert seen["alembic"].pop("warnings") == []
    # both may fail (MariaDB refuses a second uq_a in the rebuilt table): then alike, with the
    # table as it was; dbshift wraps the database error in one naming the batch
    failed = {tool: seen[tool].pop("error") is not None for tool in TOOLS}
    assert failed["dbshift"] == failed["alembic"]
    assert seen["dbshift"] == seen["alembic"]
    rebuilt = recreate == "always" or engine.dialect.name == "sqlite"
    if case == "same_name" and rebuilt and not failed["dbshift"]:
        assert seen["dbshift"]["uniques"] == [["uq_a", ["b"]]]
        assert any("constraint 'uq_a' already exists; the new one replaces it" in w
                   for w in warnings), warnings
    if case == "reordering":
        assert any("partial_reordering is ignored" in w for w in warnings), warnings
