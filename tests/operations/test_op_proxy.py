"""``dbshift.op``: module proxies to the running migration's Operations."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from dbshift import op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations
from dbshift.util.exc import NoActiveContext


def _ctx() -> tuple[MigrationContext, io.StringIO]:
    buf = io.StringIO()
    return (
        MigrationContext.configure(dialect_name="default", opts={"as_sql": True, "output_buffer": buf}),
        buf,
    )


def test_op_without_a_running_migration_says_so():
    with pytest.raises(NoActiveContext, match="No migration is running") as info:
        op.add_column("t", sa.Column("x", sa.Integer))
    assert "'add_column'" in str(info.value)
    assert isinstance(info.value, NameError)  # what Alembic raises, for code that catches it


def test_op_proxies_the_context_operations_and_restores_on_exit():
    outer_ctx, outer_buf = _ctx()
    inner_ctx, inner_buf = _ctx()
    with Operations.context(outer_ctx) as outer:
        assert op.get_context() is outer_ctx
        assert isinstance(outer, Operations)
        with Operations.context(inner_ctx):
            op.drop_table("t_inner")
        op.drop_table("t_outer")
    assert outer_buf.getvalue().strip() == "DROP TABLE t_outer;"
    assert inner_buf.getvalue().strip() == "DROP TABLE t_inner;"
    with pytest.raises(NoActiveContext):
        op.get_bind()


def test_proxy_is_removed_when_the_block_raises():
    ctx, _ = _ctx()
    with pytest.raises(RuntimeError), Operations.context(ctx):
        raise RuntimeError("boom")
    with pytest.raises(NoActiveContext):
        op.get_context()


def test_op_module_exposes_every_operations_method():
    import inspect

    expected = {
        "add_column", "alter_column", "batch_alter_table", "bulk_insert",
        "create_check_constraint", "create_exclude_constraint", "create_foreign_key",
        "create_index", "create_primary_key", "create_table", "create_table_comment",
        "create_unique_constraint", "drop_column", "drop_constraint", "drop_index", "drop_table",
        "drop_table_comment", "execute", "f", "get_bind", "get_context", "implementation_for",
        "inline_literal", "invoke", "register_operation", "rename_table", "run_async",
    }
    missing = {name for name in expected if not callable(getattr(op, name, None))}
    assert missing == set()
    assert list(inspect.signature(op.drop_constraint).parameters) == [
        "constraint_name", "table_name", "type_", "schema", "if_exists"
    ]
    assert op.implementation_for == Operations.implementation_for


def test_op_imported_first_inside_a_running_migration_proxies_it():
    # A revision file's ``from alembic import op`` is often the first import of the module,
    # made while Operations.context is already active.
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import io, sys
        from dbshift.migration import MigrationContext
        from dbshift.operations import Operations
        assert "dbshift.op" not in sys.modules
        buf = io.StringIO()
        ctx = MigrationContext.configure(
            dialect_name="default", opts={"as_sql": True, "output_buffer": buf}
        )
        with Operations.context(ctx):
            from dbshift import op
            assert op.get_context() is ctx
            op.drop_table("t")
        assert op._proxy is None
        print(buf.getvalue().strip())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "DROP TABLE t;"
