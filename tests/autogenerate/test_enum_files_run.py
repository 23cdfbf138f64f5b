"""PostgreSQL ENUM changes: the generated code runs, up, down and up again.

The table uses its ENUM type in a partial index, a CHECK constraint, a server default and an
``ARRAY(Enum)`` column, which the type's re-creation (a value removed, renamed, or the downgrade
of an added value) must carry over. Each generated upgrade/downgrade body is executed as a
revision would run it.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dbshift.autogenerate import compare_metadata, produce_migrations, run_autogenerate
from dbshift.operations.ops import DowngradeOps, MigrationScript, UpgradeOps
from dbshift.util.exc import CommandError

from .conftest import configure, snapshot
from .test_render_live import run_rendered

BASE = ["new", "shipped", "cancelled"]
CHANGES = {
    "value_added": ["new", "shipped", "cancelled", "returned"],
    "value_inserted": ["new", "packed", "shipped", "cancelled"],
    "value_removed": ["new", "shipped"],
    "value_renamed": ["new", "shipped", "void"],
}


def orders_model(labels: list[str], *, array_only: bool = False) -> sa.MetaData:
    md = sa.MetaData()
    status = sa.Enum(*labels, name="order_status")
    columns: list[Any] = [sa.Column("id", sa.Integer, primary_key=True)]
    if not array_only:
        columns += [
            sa.Column("status", status, server_default="new", nullable=False),
            sa.Index("ix_orders_shipped", "id", postgresql_where=sa.text("status = 'shipped'")),
            sa.CheckConstraint("status <> 'new' OR id > 0", name="ck_orders_status"),
        ]
    columns.append(sa.Column("history", postgresql.ARRAY(status)))
    sa.Table("orders", md, *columns)
    return md


def _generate(engine: sa.Engine, target: sa.MetaData) -> tuple[str, str, set[str]]:
    with engine.connect() as conn:
        script = MigrationScript(None, UpgradeOps([]), DowngradeOps([]))
        args = run_autogenerate(configure(conn, target), script)
    return args["upgrades"], args["downgrades"], set(args["imports"].splitlines())


def _compare(engine: sa.Engine, target: sa.MetaData) -> list[Any]:
    with engine.connect() as conn:
        return compare_metadata(configure(conn, target), target)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_enum_change_runs_up_down_up(engine: sa.Engine, create: Any, change: str) -> None:
    base, target = orders_model(BASE), orders_model(CHANGES[change])
    create(engine, base)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO orders (id, status, history) VALUES "
            "(1, 'shipped', ARRAY['new', 'shipped']::order_status[]), (2, 'new', NULL)"
        )
    before = snapshot(engine)
    up, down, imports = _generate(engine, target)
    run_rendered(engine, up, imports, target)
    assert _compare(engine, target) == []
    run_rendered(engine, down, imports, base)
    assert snapshot(engine) == before
    assert _compare(engine, base) == []
    run_rendered(engine, up, imports, target)
    assert _compare(engine, target) == []
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, status::text, history::text[] FROM orders ORDER BY id"
        ).all()
    assert rows == [(1, "shipped", ["new", "shipped"]), (2, "new", None)]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_type_used_only_inside_an_array_is_in_use(engine: sa.Engine, create: Any) -> None:
    create(engine, orders_model(BASE, array_only=True))
    target = orders_model(["new", "shipped", "cancelled", "returned"], array_only=True)
    with engine.connect() as conn:
        ops = produce_migrations(configure(conn, target), target).upgrade_ops.ops
    assert [type(op).__name__ for op in ops] == ["AddEnumValueOp"]
    assert _compare(engine, orders_model(BASE, array_only=True)) == []


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_dropped_label_an_index_uses_fails_at_generation_time(
    engine: sa.Engine, create: Any
) -> None:
    create(engine, orders_model(BASE))
    target = orders_model(["new", "cancelled"])  # 'shipped' goes; ix_orders_shipped uses it
    with engine.connect() as conn, pytest.raises(CommandError) as err:
        produce_migrations(configure(conn, target), target)
    message = str(err.value)
    assert "re-creation of ENUM type 'order_status' without the label 'shipped'" in message
    assert "index 'ix_orders_shipped' on 'orders' uses it" in message
