"""Names, module prefixes, SQL expressions and server defaults as Python source.

The helpers every renderer shares: which prefix an ``op``/``sa``/user name gets (``batch_op.``
inside a batch block), how a constraint name is written (``op.f('...')`` for names a naming
convention made final), how a SQL expression becomes ``sa.text('...')``, and how server
defaults, ``Computed`` and ``Identity`` are written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Computed, DefaultClause, FetchedValue, Identity
from sqlalchemy.sql.elements import ClauseElement, Label, conv, quoted_name

if TYPE_CHECKING:
    from ..context import AutogenContext

#: ``render_item`` did not handle the object: render it the built-in way.
NOT_HANDLED = object()


class FName:
    """A name a naming convention produced (``conv``): rendered as ``op.f('name')``."""

    def __init__(self, prefix: str, name: str) -> None:
        self.prefix = prefix
        self.name = name

    def __repr__(self) -> str:
        return f"{self.prefix}f({self.name!r})"


def in_batch(ctx: AutogenContext) -> bool:
    """Whether rendering is inside ``with op.batch_alter_table(...) as batch_op:``."""
    return bool(getattr(ctx, "_has_batch", False))


def op_prefix(ctx: AutogenContext) -> str:
    """``op.`` (``alembic_module_prefix``), or ``batch_op.`` inside a batch block."""
    if in_batch(ctx):
        return "batch_op."
    return ctx.opts.get("alembic_module_prefix", "op.") or ""


def sa_prefix(ctx: AutogenContext) -> str:
    """``sa.`` (``sqlalchemy_module_prefix``)."""
    return ctx.opts.get("sqlalchemy_module_prefix", "sa.") or ""


def ident(name: Any) -> str | None:
    """A plain ``str`` for a name (``quoted_name`` and subclasses repr differently)."""
    if name is None:
        return None
    return str(name) if isinstance(name, (quoted_name, str)) else name


def gen_name(ctx: AutogenContext, name: Any) -> Any:
    """A constraint/index name for ``repr()``: ``op.f('x')`` for final names, None when unset."""
    if isinstance(name, conv):
        return FName(op_prefix(ctx), str(name))
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return ident(name)


def user_render(ctx: AutogenContext, kind: str, obj: Any) -> Any:
    """What the ``render_item`` hook returns for ``obj``, or :data:`NOT_HANDLED`."""
    hook = ctx.opts.get("render_item")
    if not hook:
        return NOT_HANDLED
    result = hook(kind, obj, ctx)
    return NOT_HANDLED if result is False else result


def sql_text(ctx: AutogenContext, expr: ClauseElement, *, is_server_default: bool = False,
             is_index: bool = False) -> str:
    """The SQL of ``expr`` for the database being compared (bound values inlined)."""
    impl = ctx.impl
    if impl is not None and hasattr(impl, "render_ddl_sql_expr"):
        return str(impl.render_ddl_sql_expr(expr, is_server_default=is_server_default,
                                            is_index=is_index))
    compiled = expr.compile(
        dialect=ctx.dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


def potential_expr(ctx: AutogenContext, value: Any, *, wrap_in_element: bool = True,
                   is_server_default: bool = False, is_index: bool = False) -> str:
    """``value`` as Python: SQL expressions as ``sa.text('...')`` (``sa.literal_column`` in an
    index), columns by name, lists and tuples item by item, anything else by ``repr``."""
    if isinstance(value, (list, tuple)):
        items = [potential_expr(ctx, item) for item in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, Column):
        return repr(ident(value.name))
    if isinstance(value, ClauseElement):
        text = sql_text(ctx, value, is_server_default=is_server_default, is_index=is_index)
        if not wrap_in_element:
            return repr(text)
        element = "literal_column" if is_index else "text"
        rendered = f"{sa_prefix(ctx)}{element}({text!r})"
        if is_index and isinstance(value, Label) and type(value.name) is str:
            rendered += f".label({value.name!r})"
        return rendered
    return repr(value)


def dialect_kwargs_items(ctx: AutogenContext, dialect_kwargs: Any) -> list[str]:
    """``key=value`` for each dialect option of a construct (``postgresql_where=...``)."""
    return [f"{key}={potential_expr(ctx, value)}" for key, value in dialect_kwargs.items()]


def render_computed(ctx: AutogenContext, computed: Computed) -> str:
    """``sa.Computed('expr', persisted=...)`` (Alembic's spacing kept when there is no option)."""
    text = potential_expr(ctx, computed.sqltext, wrap_in_element=False)
    options = "" if computed.persisted is None else f"persisted={computed.persisted}"
    return f"{sa_prefix(ctx)}Computed({text}, {options})"


def render_identity(ctx: AutogenContext, identity: Identity) -> str:
    """``sa.Identity(always=False, start=10)``: the options the construct was given."""
    options = dict(identity._as_dict())
    options.update(identity.dialect_kwargs)
    body = ", ".join(f"{key}={value}" for key, value in options.items())
    return f"{sa_prefix(ctx)}Identity({body})"


def is_positional_default(default: Any) -> bool:
    """Computed and Identity go positionally in ``sa.Column(...)``, not as ``server_default=``."""
    return isinstance(default, (Computed, Identity))


def render_server_default(ctx: AutogenContext, default: Any, repr_: bool = True) -> str | None:
    """A server default as Python: ``'text'``, ``sa.text('now()')``, ``sa.Computed(...)`` ..."""
    custom = user_render(ctx, "server_default", default)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    if isinstance(default, Computed):
        return render_computed(ctx, default)
    if isinstance(default, Identity):
        return render_identity(ctx, default)
    if isinstance(default, DefaultClause):
        if not isinstance(default.arg, str):
            return potential_expr(ctx, default.arg, is_server_default=True)
        default = default.arg
    elif isinstance(default, FetchedValue):
        return f"{sa_prefix(ctx)}FetchedValue()"
    if isinstance(default, str) and repr_:
        return repr(re.sub(r"^'|'$", "", default))
    return default  # type: ignore[no-any-return]
