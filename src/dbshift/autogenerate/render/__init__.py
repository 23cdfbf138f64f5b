"""Operation objects -> Python source for a revision's ``upgrade()``/``downgrade()``.

Each op class has a renderer in :data:`renderers` (``@renderers.dispatch_for(MyOp)`` adds or
replaces one). The text is Alembic 1.20's for the same ops (``tests/autogenerate/
test_render_vs_alembic.py`` compares the two), except the marker comments, which name dbshift.
Imports that dialect and user types need are collected in ``AutogenContext.imports``.

Modules: :mod:`.dispatch` (registry and body layout), :mod:`.values` (names, prefixes,
expressions, defaults), :mod:`.types`, :mod:`.schema_items` (columns and constraints),
:mod:`.op_renderers` and :mod:`.enum_renderers` (one renderer per op class).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import enum_renderers, op_renderers  # noqa: F401 - registers the renderers
from .dispatch import (
    BEGIN_MARKER,
    END_MARKER,
    RendererRegistry,
    render_body,
    render_cmd_body,
    render_imports,
    render_op,
    render_op_text,
    renderers,
)
from .op_renderers import alter_column, within_batch
from .schema_items import render_column, render_constraint
from .types import render_type
from .values import render_server_default

if TYPE_CHECKING:
    from ...operations.ops import OpContainer
    from ...runtime.migration import MigrationContext
    from ..context import AutogenContext


def render_python_code(
    up_or_down_op: OpContainer,
    sqlalchemy_module_prefix: str = "sa.",
    alembic_module_prefix: str = "op.",
    render_as_batch: bool = False,
    imports: Iterable[str] = (),
    render_item: Callable[..., Any] | None = None,
    migration_context: MigrationContext | None = None,
    user_module_prefix: str | None = None,
) -> str:
    """Python source for the ops of an ``UpgradeOps``/``DowngradeOps`` (no database needed)."""
    from ..context import AutogenContext

    opts = {
        "sqlalchemy_module_prefix": sqlalchemy_module_prefix,
        "alembic_module_prefix": alembic_module_prefix,
        "render_item": render_item,
        "render_as_batch": render_as_batch,
        "user_module_prefix": user_module_prefix,
    }
    if migration_context is not None:
        opts = {**migration_context.opts, **opts}
    autogen_context = AutogenContext(migration_context, opts=opts, autogenerate=False)
    autogen_context.imports = set(imports)
    return render_body(up_or_down_op, autogen_context)


# Alembic's private names, for pytest-alembic and other tools that import them
# (Alembic's argument order: the object first, then the autogen context).
_render_cmd_body = render_cmd_body
_alter_column = alter_column


def _repr_type(type_: Any, autogen_context: AutogenContext) -> str:
    return render_type(autogen_context, type_)


def _render_column(column: Any, autogen_context: AutogenContext) -> str:
    return render_column(autogen_context, column)


def _render_server_default(default: Any, autogen_context: AutogenContext,
                           repr_: bool = True) -> str | None:
    return render_server_default(autogen_context, default, repr_)


def _render_constraint(constraint: Any, autogen_context: AutogenContext,
                       namespace_metadata: Any = None) -> str | None:
    return render_constraint(autogen_context, constraint, namespace_metadata)


__all__ = [
    "BEGIN_MARKER",
    "END_MARKER",
    "RendererRegistry",
    "render_body",
    "render_cmd_body",
    "render_imports",
    "render_column",
    "render_constraint",
    "render_op",
    "render_op_text",
    "render_python_code",
    "render_server_default",
    "render_type",
    "renderers",
    "within_batch",
]
