"""PostgreSQL ENUM type operations (dbshift's addition over Alembic) as ``op.execute(...)``.

Adding a value runs in ``with op.get_context().autocommit_block():`` (PostgreSQL cannot use a
new label in the transaction that added it); the block ends with an empty line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...operations.ops import AddEnumValueOp, EnumTypeOp
from ...operations.ops.enums import escape_colons
from .dispatch import renderers

if TYPE_CHECKING:
    from ..context import AutogenContext


@renderers.dispatch_for(EnumTypeOp)
def _render_enum_op(ctx: AutogenContext, op: EnumTypeOp) -> list[str]:
    prefix = ctx.opts.get("alembic_module_prefix", "op.") or ""
    dialect = ctx.dialect if ctx.dialect is not None and ctx.dialect.name == "postgresql" else None
    calls = [f"{prefix}execute({escape_colons(sql)!r})" for sql in op.statements(dialect)]
    if isinstance(op, AddEnumValueOp):
        return [f"with {prefix}get_context().autocommit_block():", *calls, ""]
    return calls
