"""Hooks and plugins: include_name/include_object, compare callables, several MetaData,
comparator plugins by dialect and priority, autogenerate_plugins, the Rewriter."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.autogenerate import (
    PriorityDispatchResult,
    Rewriter,
    comparators,
    compare_metadata,
    produce_migrations,
)
from dbshift.operations import ops
from dbshift.util.exc import CommandError

from .conftest import configure


@pytest.fixture
def db(sqlite_engine: sa.Engine) -> sa.Engine:
    """SQLite with tables ``a(id, x INTEGER)`` and ``legacy(id)``."""
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER)")
        conn.exec_driver_sql("CREATE TABLE legacy (id INTEGER PRIMARY KEY)")
    return sqlite_engine


def target(x_type: Any = sa.Integer) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", x_type))
    sa.Table("b", md, sa.Column("id", sa.Integer, primary_key=True))
    return md


def kinds(diffs: list[Any]) -> list[str]:
    return [d[0][0] if isinstance(d, list) else d[0] for d in diffs]


def test_include_name_and_include_object(db: sa.Engine) -> None:
    md = target()
    with db.connect() as conn:
        assert kinds(compare_metadata(configure(conn, md), md)) == ["add_table", "remove_table"]

        def include_name(name: Any, type_: str, parents: dict[str, Any]) -> bool:
            return not (type_ == "table" and name == "legacy")

        ctx = configure(conn, md, include_name=include_name)
        assert kinds(compare_metadata(ctx, md)) == ["add_table"]

        seen: list[tuple[str, str, bool]] = []

        def include_object(obj: Any, name: str, type_: str, reflected: bool, compare_to: Any) -> bool:
            seen.append((name, type_, reflected))
            return name != "b"

        ctx = configure(conn, md, include_object=include_object)
        assert kinds(compare_metadata(ctx, md)) == ["remove_table"]
        assert ("legacy", "table", True) in seen and ("x", "column", False) in seen


def test_compare_type_setting_and_callable(db: sa.Engine) -> None:
    md = target(sa.String(10))
    with db.connect() as conn:
        assert "modify_type" in str(compare_metadata(configure(conn, md), md))
        assert "modify_type" not in str(compare_metadata(configure(conn, md, compare_type=False), md))
        calls: list[Any] = []

        def same(ctx: Any, conn_col: Any, meta_col: Any, conn_type: Any, meta_type: Any) -> bool:
            calls.append((conn_col.name, str(conn_type), str(meta_type)))
            return False

        assert "modify_type" not in str(compare_metadata(configure(conn, md, compare_type=same), md))
        assert ("x", "INTEGER", "VARCHAR(10)") in calls
        md_same = target()
        assert "modify_type" in str(
            compare_metadata(configure(conn, md_same, compare_type=lambda *a: True), md_same)
        )


def test_compare_server_default_callable(db: sa.Engine) -> None:
    md = sa.MetaData()
    sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("x", sa.Integer, server_default="5"))
    with db.connect() as conn:
        assert compare_metadata(configure(conn, md, include_name=lambda n, t, p: n != "legacy"), md) == []
        args: list[Any] = []

        def differ(ctx: Any, conn_col: Any, meta_col: Any, conn_text: Any, meta_default: Any,
                   rendered: Any) -> bool:
            args.append((meta_col.name, conn_text, rendered))
            return True if meta_col.name == "x" else None

        ctx = configure(conn, md, compare_server_default=differ, include_name=lambda n, t, p: n != "legacy")
        assert kinds(compare_metadata(ctx, md)) == ["modify_default"]
        assert args == [("id", None, None), ("x", None, "'5'")]


def test_several_metadata_objects_and_duplicates(db: sa.Engine) -> None:
    one, two = sa.MetaData(), sa.MetaData()
    sa.Table("a", one, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Integer))
    sa.Table("legacy", two, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("c", two, sa.Column("id", sa.Integer, primary_key=True))
    with db.connect() as conn:
        assert kinds(compare_metadata(configure(conn, [one, two]), [one, two])) == ["add_table"]
        sa.Table("a", two, sa.Column("id", sa.Integer, primary_key=True))
        with pytest.raises(ValueError, match="Duplicate table keys.*'a'"):
            compare_metadata(configure(conn, [one, two]), [one, two])


def test_comparator_plugins_by_dialect_and_priority(db: sa.Engine) -> None:
    order: list[str] = []

    def early(ctx: Any, modify_ops: Any, schema: Any, tname: str, conn_table: Any, meta: Any) -> Any:
        order.append("early")
        modify_ops.ops.append(
            ops.CreateTableCommentOp(tname, f"saw {len(conn_table.columns)} cols", schema=schema)
        )
        return None

    def late(*args: Any) -> Any:
        order.append("late")
        return PriorityDispatchResult.STOP

    def never(*args: Any) -> None:
        order.append("never")

    def postgresql_only(*args: Any) -> None:
        order.append("postgresql")

    comparators.add(early, "table", qualifier="sqlite", priority=40)
    comparators.add(late, "table", priority=5)
    comparators.add(never, "table", priority=1)
    comparators.add(postgresql_only, "table", qualifier="postgresql")
    try:
        md = target()
        with db.connect() as conn:
            diffs = compare_metadata(configure(conn, md), md)
    finally:
        for fn in (early, late, never, postgresql_only):
            comparators.remove(fn)
    assert [d[2] for d in diffs if d[0] == "add_table_comment"] == [None]
    assert [d[1].comment for d in diffs if d[0] == "add_table_comment"] == ["saw 2 cols"]
    assert order == ["early", "late"]


def test_autogenerate_plugins_option(db: sa.Engine) -> None:
    md = target(sa.String(10))
    with db.connect() as conn:
        ctx = configure(conn, md, autogenerate_plugins=["alembic.autogenerate.*", "~alembic.autogenerate.types"])
        assert "modify_type" not in str(compare_metadata(ctx, md))
        ctx = configure(conn, md, autogenerate_plugins=["dbshift.autogenerate.nosuch"])
        with pytest.raises(CommandError, match="nosuch"):
            compare_metadata(ctx, md)


def test_rewriter_rewrites_and_chains(db: sa.Engine) -> None:
    md = target()
    md.tables["a"].append_column(sa.Column("y", sa.Integer, nullable=False))
    writer, second = Rewriter(), Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def nullable_first(context: Any, revision: Any, op: ops.AddColumnOp) -> Any:
        op.column.nullable = True
        return [op, ops.AlterColumnOp(op.table_name, op.column.name, modify_nullable=False,
                                      existing_type=op.column.type)]

    @second.rewrites(ops.CreateTableOp)
    def drop_creates(context: Any, revision: Any, op: Any) -> Any:
        return []

    with db.connect() as conn:
        script = produce_migrations(configure(conn, md, include_name=lambda n, t, p: n != "legacy"), md)
    writer.chain(second)(None, None, [script])
    flat = kinds(script.upgrade_ops.as_diffs())
    assert flat == ["add_column", "modify_nullable"]
