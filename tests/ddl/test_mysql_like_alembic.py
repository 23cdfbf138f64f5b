"""MySQL/MariaDB ``alter_column`` statements written by Alembic 1.20 and by dbshift, compared.

A DATETIME/TIMESTAMP column is restated with ``CHANGE`` unless its default is dropped (Alembic
does so whenever ``server_default`` is not ``None``, given or not): airflow's type change of
``task_instance.trigger_timeout`` is one such statement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alembic_reference import TOOLS, require_alembic, run_python

_SNIPPET = r'''
import io
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

buf = io.StringIO()
ctx = MigrationContext.configure(dialect_name=DIALECT, opts={"as_sql": True, "output_buffer": buf})
op = Operations(ctx)
op.alter_column("t", "c", existing_type=sa.DateTime(), type_=sa.TIMESTAMP(timezone=True),
                existing_nullable=True)
op.alter_column("t", "c", type_=sa.DateTime(), existing_server_default=sa.text("CURRENT_TIMESTAMP"))
op.alter_column("t", "c", existing_type=sa.DateTime(), nullable=False)
op.alter_column("t", "c", existing_type=sa.DateTime(), server_default=None)
op.alter_column("t", "c", existing_type=sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"))
op.alter_column("t", "c", existing_type=sa.Integer(), type_=sa.BigInteger())
op.alter_column("t", "c", existing_type=sa.Integer(), nullable=False, existing_server_default="0")
op.alter_column("t", "c", existing_type=sa.DateTime, nullable=False)  # a class: MODIFY
print(buf.getvalue())
'''


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_alter_column_statements_are_alembics(tmp_path: Path, dialect: str) -> None:
    require_alembic()
    out = {}
    for tool in TOOLS:
        result = run_python(tool, f"DIALECT = {dialect!r}\n" + _SNIPPET, tmp_path)
        assert result.ok, result.stderr
        out[tool] = [line for line in result.stdout.splitlines() if line.strip()]
    assert out["dbshift"] == out["alembic"]
    assert out["dbshift"][0] == "ALTER TABLE t CHANGE c c TIMESTAMP NULL;"
    assert out["dbshift"][3] == "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;"
    assert out["dbshift"][-1] == "ALTER TABLE t MODIFY c DATETIME NOT NULL;"
