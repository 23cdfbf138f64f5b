"""Columns and table-level constraints as the Python that builds them in ``create_table()``.

``sa.Column('name', type, [Computed/Identity,] server_default=..., autoincrement=...,
nullable=..., comment=..., <dialect options>)`` and ``sa.PrimaryKeyConstraint``,
``sa.ForeignKeyConstraint``, ``sa.UniqueConstraint``, ``sa.CheckConstraint`` and
``postgresql.ExcludeConstraint``, each with its options in a fixed order. A ``render_item``
hook may replace any of them (returning None omits a constraint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement

from .types import render_type
from .values import (
    NOT_HANDLED,
    dialect_kwargs_items,
    gen_name,
    ident,
    in_batch,
    is_positional_default,
    op_prefix,
    potential_expr,
    render_server_default,
    sa_prefix,
    user_render,
)

if TYPE_CHECKING:
    from sqlalchemy import ForeignKey, MetaData

    from ..context import AutogenContext

#: What ``Column(autoincrement=...)`` is when not given: not written.
_AUTOINCREMENT_DEFAULT = "auto"


def render_column(ctx: AutogenContext, column: Column) -> str:
    """``sa.Column(...)`` for ``column``."""
    custom = user_render(ctx, "column", column)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    positional: list[str] = []
    options: list[str] = []
    if column.server_default:
        rendered = render_server_default(ctx, column.server_default)
        if rendered:
            if is_positional_default(column.server_default):
                positional.append(str(rendered))
            else:
                options.append(f"server_default={rendered}")
    if column.autoincrement is not None and column.autoincrement != _AUTOINCREMENT_DEFAULT:
        options.append(f"autoincrement={column.autoincrement}")
    if column.nullable is not None:
        options.append(f"nullable={column.nullable}")
    if column.system:
        options.append(f"system={column.system}")
    if column.comment is not None:
        options.append(f"comment={column.comment!r}")
    options.extend(f"{key}={potential_expr(ctx, value)}" for key, value in column.kwargs.items())
    head = f"{sa_prefix(ctx)}Column({ident(column.name)!r}, {render_type(ctx, column.type)}, "
    return head + "".join(p + ", " for p in positional) + ", ".join(options) + ")"


def render_constraint(ctx: AutogenContext, constraint: Any,
                      namespace_metadata: MetaData | None = None) -> str | None:
    """A table-level constraint for ``create_table()`` (None: nothing to write)."""
    if isinstance(constraint, PrimaryKeyConstraint):
        return _primary_key(ctx, constraint)
    if isinstance(constraint, ForeignKeyConstraint):
        return _foreign_key(ctx, constraint, namespace_metadata)
    if isinstance(constraint, UniqueConstraint):
        custom = user_render(ctx, "unique", constraint)
        if custom is not NOT_HANDLED:
            return custom  # type: ignore[no-any-return]
        return unique_constraint(ctx, constraint, alter=False)
    if isinstance(constraint, CheckConstraint):
        return _check(ctx, constraint)
    if type(constraint).__name__ == "ExcludeConstraint":
        custom = user_render(ctx, "exclude", constraint)
        if custom is not NOT_HANDLED:
            return custom  # type: ignore[no-any-return]
        return exclude_constraint(ctx, constraint, alter=False)
    return f"[Unknown Python object {constraint!r}]"


def _named(ctx: AutogenContext, constraint: Any) -> list[str]:
    if constraint.name:
        return [f"name={gen_name(ctx, constraint.name)!r}"]
    return []


def _primary_key(ctx: AutogenContext, constraint: PrimaryKeyConstraint) -> str | None:
    custom = user_render(ctx, "primary_key", constraint)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    if not constraint.columns:
        return None
    args = [repr(c.name) for c in constraint.columns] + _named(ctx, constraint)
    return f"{sa_prefix(ctx)}PrimaryKeyConstraint({', '.join(args)})"


def fk_colspec(fk: ForeignKey, metadata_schema: str | None,
               namespace_metadata: MetaData | None) -> str:
    """``[schema.]table.column`` of ``fk``'s target, without resolving the remote table (the
    column's name, not its key, when the remote table is in ``namespace_metadata``)."""
    tokens = getattr(fk, "target_tokens", None) or fk._column_tokens  # type: ignore[attr-defined]
    schema, table_name, column_name = tokens
    if metadata_schema is not None and schema is None:
        table_key = f"{metadata_schema}.{table_name}"
    else:
        table_key = table_name if schema is None else f"{schema}.{table_name}"
    if (
        column_name is not None
        and not fk.link_to_name
        and fk.parent is not None
        and fk.parent.table is not None
        and namespace_metadata is not None
        and table_key in namespace_metadata.tables
    ):
        column = namespace_metadata.tables[table_key].c.get(column_name)
        if column is not None:
            column_name = ident(column.name)
    return f"{table_key}.{column_name}"


def _foreign_key(ctx: AutogenContext, constraint: ForeignKeyConstraint,
                 namespace_metadata: MetaData | None) -> str:
    custom = user_render(ctx, "foreign_key", constraint)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    options = _named(ctx, constraint)
    for key in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
        value = getattr(constraint, key, None)
        if value:
            options.append(f"{key}={value!r}")
    options.extend(dialect_kwargs_items(ctx, constraint.dialect_kwargs))
    schema = namespace_metadata.schema if namespace_metadata is not None else None
    local = ", ".join(repr(ident(e.parent.name)) for e in constraint.elements)
    remote = ", ".join(
        repr(fk_colspec(e, schema, namespace_metadata)) for e in constraint.elements
    )
    return f"{sa_prefix(ctx)}ForeignKeyConstraint([{local}], [{remote}], {', '.join(options)})"


def unique_constraint(ctx: AutogenContext, constraint: UniqueConstraint, alter: bool) -> str:
    """``sa.UniqueConstraint(...)`` (in a table) or ``op.create_unique_constraint(...)``."""
    batch = in_batch(ctx)
    options: list[str] = []
    if constraint.deferrable:
        options.append(f"deferrable={constraint.deferrable!r}")
    if constraint.initially:
        options.append(f"initially={constraint.initially!r}")
    table = constraint.table
    if not batch and alter and table.schema:
        options.append(f"schema={ident(table.schema)!r}")
    if not alter and constraint.name:
        options.append(f"name={gen_name(ctx, constraint.name)!r}")
    options.extend(dialect_kwargs_items(ctx, constraint.dialect_kwargs))
    columns = [repr(ident(c.name)) for c in constraint.columns]
    if not alter:
        return f"{sa_prefix(ctx)}UniqueConstraint({', '.join(columns + options)})"
    args = [repr(gen_name(ctx, constraint.name))]
    if not batch:
        args.append(repr(ident(table.name)))
    args.append("[" + ", ".join(columns) + "]")
    return f"{op_prefix(ctx)}create_unique_constraint({', '.join(args + options)})"


def _check(ctx: AutogenContext, constraint: CheckConstraint) -> str | None:
    custom = user_render(ctx, "check", constraint)
    if custom is not NOT_HANDLED:
        return custom  # type: ignore[no-any-return]
    if getattr(constraint, "_type_bound", False):
        return None  # made by a type (Boolean/Enum create_constraint): the type writes it
    args = _named(ctx, constraint) + dialect_kwargs_items(ctx, constraint.dialect_kwargs)
    text = potential_expr(ctx, constraint.sqltext, wrap_in_element=False)
    tail = ", " + ", ".join(args) if args else ""
    return f"{sa_prefix(ctx)}CheckConstraint({text}{tail})"


def _exclude_element(ctx: AutogenContext, value: Any) -> str:
    if isinstance(value, ColumnClause):
        element = "literal_column" if value.is_literal else "column"
        return f"{sa_prefix(ctx)}{element}({value.name!r})"
    return potential_expr(
        ctx, value, wrap_in_element=isinstance(value, (TextClause, FunctionElement))
    )


def exclude_constraint(ctx: AutogenContext, constraint: Any, alter: bool) -> str:
    """``postgresql.ExcludeConstraint(...)`` or ``op.create_exclude_constraint(...)``."""
    batch = in_batch(ctx)
    options: list[tuple[str, Any]] = []
    if constraint.deferrable:
        options.append(("deferrable", str(constraint.deferrable)))
    if constraint.initially:
        options.append(("initially", str(constraint.initially)))
    if constraint.using:
        options.append(("using", str(constraint.using)))
    if not batch and alter and constraint.table.schema:
        options.append(("schema", ident(constraint.table.schema)))
    if not alter and constraint.name:
        options.append(("name", gen_name(ctx, constraint.name)))
    body = [
        f"({_exclude_element(ctx, expr)}, {operator!r})"
        for expr, _name, operator in constraint._render_exprs
    ]
    if constraint.where is not None:
        body.append(f"where={potential_expr(ctx, constraint.where)}")
    body.extend(f"{key}={value!r}" for key, value in options)
    if alter:
        head = [repr(gen_name(ctx, constraint.name))]
        if not batch:
            head.append(repr(ident(constraint.table.name)))
        return f"{op_prefix(ctx)}create_exclude_constraint({', '.join(head + body)})"
    ctx.imports.add("from sqlalchemy.dialects import postgresql")
    return f"postgresql.ExcludeConstraint({', '.join(body)})"
