"""``safe_operations = true``: autogenerate writes the forms that do not block a live table.

On PostgreSQL, for tables that exist before the revision (not created by it):

* ``create_index`` / ``drop_index`` get ``postgresql_concurrently=True`` and move into
  ``with op.get_context().autocommit_block():``;
* ``create_foreign_key`` / ``create_check_constraint`` get ``postgresql_not_valid=True`` and are
  followed by ``op.validate_constraint(...)`` in an autocommit block (a later transaction, so
  the lock the ADD took is released before the rows are checked);
* ``alter_column(..., nullable=False)`` becomes a ``CHECK (col IS NOT NULL) NOT VALID``, its
  validation in an autocommit block, the ``SET NOT NULL`` (which PostgreSQL 12+ proves from the
  valid CHECK without a scan) and the CHECK's removal.

``dbshift lint`` passes on what this writes. Turn it on with ``safe_operations = true`` in the
``[alembic]`` section (or ``[tool.alembic]``/``[tool.dbshift]``), or
``context.configure(..., safe_operations=True)`` in ``env.py``. Other databases are left as
they are (their index builds are online already, or they have no ``NOT VALID``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.sql.elements import conv

from ..operations import ops
from ..operations.ops import MigrateOperation, ModifyTableOps, OpContainer
from .render import render_op, renderers

if TYPE_CHECKING:
    from .context import AutogenContext

__all__ = ["AutocommitBlockOps", "apply_safe_operations", "safe_operations_enabled"]

_TRUE = ("true", "yes", "on", "1", "y", "t")


class AutocommitBlockOps(OpContainer):
    """Operations rendered inside ``with op.get_context().autocommit_block():``."""


def safe_operations_enabled(autogen_context: AutogenContext) -> bool:
    """Whether ``safe_operations`` is on (configure option first, then the config file)."""
    value = autogen_context.opts.get("safe_operations")
    if value is None:
        context = autogen_context.migration_context
        config = getattr(context, "config", None) if context is not None else None
        getter = getattr(config, "get_alembic_option", None)
        value = getter("safe_operations") if getter is not None else None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE if value is not None else False


def apply_safe_operations(autogen_context: AutogenContext, script: ops.MigrationScript) -> None:
    """Rewrite the upgrade and downgrade ops of ``script`` into their safe forms (PostgreSQL,
    when ``safe_operations`` is on; otherwise nothing changes)."""
    dialect = autogen_context.dialect
    if dialect is None or dialect.name != "postgresql":
        return
    if not safe_operations_enabled(autogen_context):
        return
    quote = dialect.identifier_preparer.quote
    for container in (*script.upgrade_ops_list, *script.downgrade_ops_list):
        container.ops[:] = _rewrite(container.ops, set(), quote)


def _rewrite(
    operations: Iterable[MigrateOperation], created: set[tuple[Any, str]], quote: Any
) -> list[MigrateOperation]:
    out: list[MigrateOperation] = []
    for op in operations:
        if isinstance(op, ops.CreateTableOp):
            created.add((op.schema, op.table_name))
            out.append(op)
        elif isinstance(op, ModifyTableOps):
            if (op.schema, op.table_name) in created:
                out.append(op)
                continue
            inner: list[MigrateOperation] = []
            for child in op.ops:
                inner.extend(_safe_forms(child, quote))
            out.extend(_split_blocks(op, inner))
        else:
            out.extend(_safe_forms(op, quote))
    return out


def _split_blocks(table_ops: ModifyTableOps, inner: list[MigrateOperation]) -> list[Any]:
    """The table's ops with each autocommit block lifted out (a batch block cannot hold one)."""
    out: list[Any] = []
    pending: list[MigrateOperation] = []
    for op in inner:
        if isinstance(op, AutocommitBlockOps):
            if pending:
                out.append(ModifyTableOps(table_ops.table_name, pending, schema=table_ops.schema))
                pending = []
            if out and isinstance(out[-1], AutocommitBlockOps):
                out[-1].ops.extend(op.ops)
            else:
                out.append(op)
        else:
            pending.append(op)
    if pending:
        out.append(ModifyTableOps(table_ops.table_name, pending, schema=table_ops.schema))
    return out


class ConcurrentDropIndexOp(ops.DropIndexOp):
    """A ``drop_index`` rendered with ``postgresql_concurrently=True``."""

    @classmethod
    def from_drop(cls, op: ops.DropIndexOp) -> ConcurrentDropIndexOp:
        new = cls.__new__(cls)
        new.__dict__.update(op.__dict__)
        new.kw = {**op.kw, "postgresql_concurrently": True}
        return new


def _safe_forms(op: MigrateOperation, quote: Any) -> list[MigrateOperation]:
    if isinstance(op, ops.CreateIndexOp):
        op.kw["postgresql_concurrently"] = True
        return [AutocommitBlockOps([op])]
    if isinstance(op, ops.DropIndexOp):
        return [AutocommitBlockOps([ConcurrentDropIndexOp.from_drop(op)])]
    if isinstance(op, ops.CreateForeignKeyOp) and op.constraint_name is not None:
        op.kw["postgresql_not_valid"] = True
        schema = op.kw.get("source_schema")
        validate = ops.ValidateConstraintOp(op.constraint_name, op.source_table, schema=schema)
        return [op, AutocommitBlockOps([validate])]
    if isinstance(op, ops.CreateCheckConstraintOp) and op.constraint_name is not None:
        op.kw["postgresql_not_valid"] = True
        validate = ops.ValidateConstraintOp(op.constraint_name, op.table_name, schema=op.schema)
        return [op, AutocommitBlockOps([validate])]
    if isinstance(op, ops.AlterColumnOp) and op.modify_nullable is False:
        return _not_null_through_check(op, quote)
    return [op]


def _not_null_through_check(op: ops.AlterColumnOp, quote: Any) -> list[MigrateOperation]:
    table, column, schema = op.table_name, op.column_name, op.schema
    name = conv(f"ck_{table}_{column}_not_null"[:63])
    steps: list[MigrateOperation] = []
    op.modify_nullable = None
    if op.has_changes():
        steps.append(op)
    steps.append(
        ops.CreateCheckConstraintOp(
            name, table, f"{quote(column)} IS NOT NULL", schema=schema, postgresql_not_valid=True
        )
    )
    steps.append(AutocommitBlockOps([ops.ValidateConstraintOp(name, table, schema=schema)]))
    steps.append(
        ops.AlterColumnOp(
            table,
            column,
            schema=schema,
            existing_type=op.modify_type if op.modify_type is not None else op.existing_type,
            existing_server_default=op.existing_server_default,
            existing_comment=op.existing_comment,
            modify_nullable=False,
        )
    )
    steps.append(ops.DropConstraintOp(name, table, type_="check", schema=schema))
    return steps


@renderers.dispatch_for(AutocommitBlockOps)
def _render_autocommit_block(ctx: AutogenContext, op: AutocommitBlockOps) -> list[str]:
    prefix = ctx.opts.get("alembic_module_prefix", "op.") or ""
    body: list[str] = []
    for child in op.ops:
        body.extend(render_op(ctx, child))
    return [f"with {prefix}get_context().autocommit_block():", *(body or ["pass"]), ""]


@renderers.dispatch_for(ConcurrentDropIndexOp)
def _render_concurrent_drop_index(ctx: AutogenContext, op: ConcurrentDropIndexOp) -> str:
    plain = ops.DropIndexOp.__new__(ops.DropIndexOp)
    plain.__dict__.update(op.__dict__)
    plain.kw = {}
    [call] = render_op(ctx, plain)
    return call[:-1] + ", postgresql_concurrently=True)"


@renderers.dispatch_for(ops.ValidateConstraintOp)
def _render_validate_constraint(ctx: AutogenContext, op: ops.ValidateConstraintOp) -> str:
    prefix = ctx.opts.get("alembic_module_prefix", "op.") or ""
    name = op.constraint_name
    rendered = f"{prefix}f({str(name)!r})" if isinstance(name, conv) else repr(str(name))
    args = [rendered, repr(op.table_name)]
    if op.schema:
        args.append(f"schema={op.schema!r}")
    return f"{prefix}validate_constraint({', '.join(args)})"
