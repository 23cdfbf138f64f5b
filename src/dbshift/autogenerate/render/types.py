"""Column types as Python source: ``sa.String(length=50)``, ``postgresql.JSONB(astext_type=...)``.

A type is written as SQLAlchemy's own ``repr()`` of it behind a module prefix: ``sa.`` for
SQLAlchemy's generic types, the dialect module for dialect types (whose import is collected),
``user_module_prefix`` (or the type's module) for user types. Types holding another type
(``ARRAY``'s item type, ``JSON``'s ``astext_type``) get the inner type rendered the same way;
``with_variant()`` variants follow, by dialect name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .values import NOT_HANDLED, ident, potential_expr, sa_prefix, user_render

if TYPE_CHECKING:
    from sqlalchemy.types import TypeEngine

    from ..context import AutogenContext

#: visit name -> (attribute holding the inner type, text its repr follows in the outer repr)
_NESTED = {
    "ARRAY": ("item_type", "("),
    "JSON": ("astext_type", "astext_type="),
    "JSONB": ("astext_type", "astext_type="),
    "HSTORE": ("text_type", "text_type="),
}
_DIALECT_MODULE = re.compile(r"sqlalchemy\.dialects\.(\w+)")


def render_type(ctx: AutogenContext, type_: TypeEngine, skip_variants: bool = False) -> str:
    """``type_`` as Python, collecting the imports it needs in ``ctx.imports``."""
    custom = user_render(ctx, "type", type_)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    impl = ctx.impl
    from_impl = impl.render_type(type_, ctx) if impl is not None else False
    module = type(type_).__module__
    if not skip_variants and getattr(type_, "_variant_mapping", None):
        return _render_variants(ctx, type_)
    dialect_module = _DIALECT_MODULE.match(module)
    if dialect_module:
        name = dialect_module.group(1)
        ctx.imports.add(f"from sqlalchemy.dialects import {name}")
        if from_impl:
            return from_impl  # type: ignore[no-any-return]
        if name == "postgresql":
            nested = _render_nested(ctx, type_, f"{name}.")
            if nested is not None:
                return nested
            if type_.__visit_name__ == "DOMAIN":
                return _render_domain(ctx, type_)
        return f"{name}.{type_!r}"
    if from_impl:
        return from_impl  # type: ignore[no-any-return]
    if module.startswith("sqlalchemy."):
        if type_.__visit_name__ == "ARRAY":
            nested = _render_nested(ctx, type_, sa_prefix(ctx))
            if nested is not None:
                return nested
        return f"{sa_prefix(ctx)}{type_!r}"
    return f"{_user_prefix(ctx, type_)}{type_!r}"


def _user_prefix(ctx: AutogenContext, type_: Any) -> str:
    prefix = ctx.opts.get("user_module_prefix")
    if prefix is not None:
        return prefix  # type: ignore[no-any-return]
    module = type(type_).__module__
    # dbshift imports the module too (Alembic leaves that to the template), so the file runs
    ctx.imports.add(f"import {module}")
    return f"{module}."


def _render_variants(ctx: AutogenContext, type_: Any) -> str:
    text = render_type(ctx, type_, skip_variants=True)
    for dialect in sorted(type_._variant_mapping):
        variant = render_type(ctx, type_._variant_mapping[dialect], skip_variants=True)
        text += f".with_variant({variant}, {dialect!r})"
    return text


def _render_nested(ctx: AutogenContext, type_: Any, prefix: str) -> str | None:
    """``type_``'s repr with its inner type's repr replaced by the rendered inner type."""
    spec = _NESTED.get(type_.__visit_name__)
    if spec is None:
        return None
    attribute, marker = spec
    inner = getattr(type_, attribute, None)
    if inner is None:
        return None
    outer_repr, inner_repr = repr(type_), repr(inner)
    start = outer_repr.find(marker)
    if start >= 0:
        start += len(marker)
        if marker == "(":
            found = outer_repr.find(inner_repr, start)
        else:
            found = start if outer_repr.startswith(inner_repr, start) else -1
        if found >= 0:
            rendered = render_type(ctx, inner)
            outer_repr = outer_repr[:found] + rendered + outer_repr[found + len(inner_repr):]
    return prefix + outer_repr


def _render_domain(ctx: AutogenContext, type_: Any) -> str:
    args = [repr(ident(type_.name)), render_type(ctx, type_.data_type)]
    if type_.collation is not None:
        args.append(f"collation={type_.collation!r}")
    collation_schema = getattr(type_, "collation_schema", None)
    if collation_schema is not None:
        args.append(f"collation_schema={collation_schema!r}")
    if type_.default is not None:
        args.append(f"default={potential_expr(ctx, type_.default)}")
    if type_.constraint_name is not None:
        args.append(f"constraint_name={type_.constraint_name!r}")
    if type_.not_null:
        args.append("not_null=True")
    if type_.check is not None:
        args.append(f"check={potential_expr(ctx, type_.check, wrap_in_element=False)}")
    if type_.schema is not None:
        args.append(f"schema={ident(type_.schema)!r}")
    if type_.create_type is not True:
        args.append("create_type=False")
    return f"postgresql.DOMAIN({', '.join(args)})"
