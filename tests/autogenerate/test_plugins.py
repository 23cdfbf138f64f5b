"""The Plugin API (dbshift.runtime.plugins): comparators by target and element, enabling by
``autogenerate_plugins``, removal, and discovery through entry points at the first run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.autogenerate import PriorityDispatchResult, comparators, compare_metadata
from dbshift.autogenerate.registry import DispatchPriority
from dbshift.runtime.plugins import Plugin, load_entry_point_plugins, plugin_names

from .conftest import configure

ALL_BUILTIN = ["alembic.autogenerate.*"]


@pytest.fixture
def db(sqlite_engine: sa.Engine) -> sa.Engine:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER)")
    return sqlite_engine


def model() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "a", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(10)),
        sa.Column("y", sa.Integer, nullable=False),
    )
    return md


def kinds(diffs: list[Any]) -> list[str]:
    out = []
    for diff in diffs:
        out.extend(d[0] for d in diff) if isinstance(diff, list) else out.append(diff[0])
    return out


def test_plugin_comparator_stops_only_its_element_chain(db: sa.Engine) -> None:
    seen: list[str] = []

    def keep_types(ctx: Any, alter: Any, schema: Any, tname: str, cname: str, *args: Any) -> Any:
        seen.append(cname)
        return PriorityDispatchResult.STOP

    plugin = Plugin("test.keep_types")
    plugin.add_autogenerate_comparator(
        keep_types, "column", "types", priority=DispatchPriority.FIRST
    )
    md = model()
    try:
        with db.connect() as conn:
            # not enabled: the built-in type comparison runs
            assert sorted(kinds(compare_metadata(configure(conn, md), md))) == [
                "modify_nullable", "modify_type",
            ]
            assert seen == []
            ctx = configure(conn, md, autogenerate_plugins=[*ALL_BUILTIN, "test.keep_types"])
            # enabled: STOP ends the "types" chain; nullability is still compared
            assert kinds(compare_metadata(ctx, md)) == ["modify_nullable"]
            assert sorted(seen) == ["id", "x", "y"]
        with pytest.raises(ValueError, match="already registered"):
            Plugin("test.keep_types")
    finally:
        plugin.remove()
    assert "test.keep_types" not in plugin_names()
    assert "test.keep_types" not in comparators.plugin_names()


def test_populate_autogenerate_priority_dispatch() -> None:
    from dbshift.autogenerate.registry import ComparatorRegistry

    one, two = Plugin("test.pop.one"), Plugin("test.pop.two")
    try:
        one.add_autogenerate_comparator(lambda *a: None, "table", "indexes")
        two.add_autogenerate_comparator(lambda *a: None, "column", qualifier="mysql")
        target = ComparatorRegistry()
        Plugin.populate_autogenerate_priority_dispatch(target, ["test.pop.*", "~test.pop.two"])
        assert target.plugin_names() == {"test.pop.one"}
    finally:
        one.remove()
        two.remove()


def test_alembic_name_of_the_named_check_plugin(db: sa.Engine) -> None:
    md = model()
    md.tables["a"].append_constraint(sa.CheckConstraint("x > 0", name="ck_x"))
    with db.connect() as conn:
        assert "add_constraint" not in kinds(compare_metadata(configure(conn, md), md))
        ctx = configure(
            conn, md, autogenerate_plugins=[*ALL_BUILTIN, "alembic.ext.checkconstraint_byname"]
        )
        assert "add_constraint" in kinds(compare_metadata(ctx, md))


def _entry_point_dist(root: Path, group: str) -> None:
    (root / "dbshift_test_ep_plugin.py").write_text(
        textwrap.dedent(
            """
            from dbshift.operations import ops

            def mark(ctx, modify_ops, schema, tname, conn_table, metadata_table):
                modify_ops.ops.append(ops.CreateTableCommentOp(tname, "seen by plugin"))

            def setup(plugin):
                plugin.add_autogenerate_comparator(mark, "table")
            """
        )
    )
    info = root / "dbshift_test_ep-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dbshift-test-ep\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\ntest.ep = dbshift_test_ep_plugin\n")


@pytest.mark.parametrize("group", ["alembic.plugins", "dbshift.plugins"])
def test_entry_point_plugins_load_at_first_autogenerate_run(tmp_path: Path, group: str) -> None:
    _entry_point_dist(tmp_path, group)
    script = textwrap.dedent(
        """
        import sys
        import sqlalchemy as sa
        import dbshift, dbshift.autogenerate
        from dbshift.migration import MigrationContext
        from dbshift.runtime import plugins

        assert "test.ep" not in plugins.plugin_names()
        engine = sa.create_engine("sqlite://")
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY)")
        md = sa.MetaData()
        sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True))
        with engine.connect() as conn:
            for names in (None, ["alembic.autogenerate.*", "test.ep"]):
                opts = {"target_metadata": md}
                if names:
                    opts["autogenerate_plugins"] = names
                ctx = MigrationContext.configure(conn, opts=opts)
                diffs = dbshift.autogenerate.compare_metadata(ctx, md)
                print(len(diffs), "test.ep" in plugins.plugin_names())
        """
    )
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), src])
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout.split("\n")
    assert out[:2] == ["0 True", "1 True"]


def test_entry_point_loading_names_a_broken_plugin(tmp_path: Path, monkeypatch: Any) -> None:
    info = tmp_path / "dbshift_broken_ep-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dbshift-broken-ep\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dbshift.plugins]\ntest.broken = no_such_module_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from dbshift.util.exc import CommandError

    with pytest.raises(CommandError, match="test.broken.*no_such_module_xyz"):
        load_entry_point_plugins(force=True)


def test_plugins_and_their_vocabulary_need_no_autogenerate() -> None:
    # Alembic's plugin docs import these from alembic.util; the runtime's Plugin keeps its
    # comparators until autogenerate asks for them.
    script = textwrap.dedent(
        """
        import sys
        from dbshift.util import DispatchPriority, PriorityDispatchResult
        from dbshift.runtime.plugins import Plugin, plugin_comparators

        plugin = Plugin("test.standalone")
        plugin.add_autogenerate_comparator(
            lambda *a: PriorityDispatchResult.STOP, "table", priority=DispatchPriority.LAST
        )
        assert [(n, c.target, c.priority) for n, c in plugin_comparators()] == [
            ("test.standalone", "table", 10)
        ]
        assert not [m for m in sys.modules if m.startswith("dbshift.autogenerate")]
        import dbshift.autogenerate as autogenerate
        assert autogenerate.DispatchPriority is DispatchPriority
        assert "test.standalone" in autogenerate.comparators.plugin_names()
        print("ok")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.strip() == "ok"


def test_plugin_comparator_target_is_checked_with_a_warning() -> None:
    # Alembic registers a comparator for any target name (one it never calls) without a word
    plugin = Plugin("test.bad_target")
    try:
        with pytest.warns(UserWarning, match="unknown comparator target 'index'.*never be called"):
            plugin.add_autogenerate_comparator(lambda *a: None, "index")
    finally:
        plugin.remove()


def test_excluding_a_plugin_that_is_not_there_is_fine_including_one_is_not() -> None:
    # as Alembic: only names to include must match a registered plugin
    from dbshift.runtime.plugins import plugin_filter
    from dbshift.util.exc import CommandError

    enabled = plugin_filter(["test.*", "~no.such.plugin"], {"test.one"})
    assert enabled("test.one") and not enabled("no.such.plugin")
    with pytest.raises(CommandError, match="unknown plugin 'no.such.plugin'"):
        plugin_filter(["no.such.plugin"], {"test.one"})
