"""Rendered revisions run against a live database: upgrade closes the gap, downgrade undoes it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.autogenerate import compare_metadata, run_autogenerate
from dbshift.operations import Operations
from dbshift.operations.ops import DowngradeOps, MigrationScript, UpgradeOps

from .conftest import applicable, configure, snapshot
from .test_roundtrip import OPTS, model

#: The round trip of every kind runs in test_roundtrip; here each renderer family once.
RENDERED = [
    "add_table", "drop_table", "add_column", "type", "default", "index", "unique", "fk",
    "comment", "enum_value", "enum_new", "check",
]


def run_rendered(engine: sa.Engine, code: str, imports: set[str], metadata: Any) -> None:
    """Exec ``code`` (a rendered function body) as a revision's upgrade() would run."""
    source = "\n".join(["import sqlalchemy as sa", "from dbshift import op", *sorted(imports)])
    source += "\n\ndef upgrade():\n    " + code + "\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<rendered>", "exec"), namespace)  # noqa: S102 - the point of the test
    with engine.connect() as conn:
        ctx = configure(conn, metadata)
        with Operations.context(ctx), ctx.begin_transaction():
            namespace["upgrade"]()
        if conn.in_transaction():
            conn.commit()


@pytest.mark.parametrize("engine, change", applicable(RENDERED), indirect=["engine"])
def test_rendered_code_round_trip(engine: sa.Engine, create: Any, change: str) -> None:
    dialect = engine.dialect.name
    opts: dict[str, Any] = dict(OPTS, render_as_batch=dialect == "sqlite")
    if change == "check":
        opts["autogenerate_plugins"] = ["dbshift.autogenerate.*", "dbshift.ext.checkconstraint_byname"]
    base, target = model(dialect), model(dialect, change)
    create(engine, base)
    before = snapshot(engine)
    with engine.connect() as conn:
        script = MigrationScript(None, UpgradeOps([]), DowngradeOps([]))
        template_args = run_autogenerate(configure(conn, target, **opts), script)
    assert script.upgrade_ops.ops
    up, down = template_args["upgrades"], template_args["downgrades"]
    extra = set(template_args["imports"].splitlines())
    if dialect == "postgresql" and "postgresql." in up + down:
        assert "from sqlalchemy.dialects import postgresql" in extra
    run_rendered(engine, up, extra, target)
    with engine.connect() as conn:
        assert compare_metadata(configure(conn, target, **opts), target) == []
    run_rendered(engine, down, extra, base)
    assert snapshot(engine) == before
