"""Where Alembic 1.20 goes on, dbshift goes on with the same SQL (and may warn); where both
fail, both fail. Each call runs offline under both tools and the statements or the failure are
compared (the online MySQL ``drop_index`` case is in ``test_mysql.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alembic_reference import TOOLS, require_alembic, run_python

_SNIPPET = r'''
import io, json, warnings
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

buf = io.StringIO()
ctx = MigrationContext.configure(dialect_name=DIALECT, opts={"as_sql": True, "output_buffer": buf})
op = Operations(ctx)
error = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        exec(CALL)
    except Exception as err:
        error = [c.__name__ for c in type(err).__mro__]
print(json.dumps({
    "sql": [line for line in buf.getvalue().splitlines() if line.strip()],
    "error": error,
    "warnings": [str(w.message) for w in caught if issubclass(w.category, UserWarning)],
}))
'''

CASES = {
    "alter_column-nothing": ("postgresql", 'op.alter_column("t", "c", existing_type=sa.Integer())'),
    "add_column-if_not_exists-mssql": (
        "mssql", 'op.add_column("t", sa.Column("x", sa.Integer), if_not_exists=True)'),
    "add_column-if_not_exists-oracle": (
        "oracle", 'op.add_column("t", sa.Column("x", sa.Integer), if_not_exists=True)'),
    "drop_index-no-table-mysql": ("mysql", 'op.drop_index("ix1")'),
    "drop_index-no-table-mssql": ("mssql", 'op.drop_index("ix1")'),
    "drop_constraint-no-type-mysql": ("mysql", 'op.drop_constraint("fk1", "t")'),
}


@pytest.mark.parametrize("case", list(CASES))
def test_goes_on_or_fails_as_alembic_does(tmp_path: Path, case: str) -> None:
    require_alembic()
    dialect, call = CASES[case]
    seen = {}
    for tool in TOOLS:
        result = run_python(
            tool, f"DIALECT, CALL = {dialect!r}, {call!r}\n" + _SNIPPET, tmp_path
        )
        assert result.ok, result.stderr
        seen[tool] = json.loads(result.stdout.strip().splitlines()[-1])
    alembic, dbshift = seen["alembic"], seen["dbshift"]
    assert dbshift["sql"] == alembic["sql"]
    assert (dbshift["error"] is None) == (alembic["error"] is None)
    if alembic["error"] is not None:
        # dbshift's error is a CommandError that is also the class Alembic raises
        assert alembic["error"][0] in dbshift["error"] and "CommandError" in dbshift["error"]
    else:
        assert dbshift["warnings"], "dbshift says what it does where Alembic is silent"
