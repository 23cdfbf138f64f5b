"""The renderer of each operation: ``op.create_table('t',`` ... ``op.drop_constraint(...)``.

The layout of each call is Alembic's, so a revision dbshift writes reads the same as one
Alembic writes for the same change: ``create_table`` with one column or constraint a line and
its constraints sorted, ``alter_column`` with one keyword a line (aligned under the call),
``batch_alter_table('t', schema=None)`` blocks ended by an empty line, table comment calls
with one argument a line.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ...operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateCheckConstraintOp,
    CreateExcludeConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    CreatePrimaryKeyOp,
    CreateTableCommentOp,
    CreateTableOp,
    CreateUniqueConstraintOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    ExecuteSQLOp,
    ModifyTableOps,
    OpContainer,
)
from ..notes import notes_of
from .dispatch import render_op, renderers
from .schema_items import (
    exclude_constraint,
    render_column,
    render_constraint,
    unique_constraint,
)
from .types import render_type
from .values import (
    dialect_kwargs_items,
    gen_name,
    ident,
    in_batch,
    op_prefix,
    potential_expr,
    render_server_default,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..context import AutogenContext

#: More arguments than this go to create_table() as ``*[...]`` (Python's old call limit).
MAX_PYTHON_ARGS = 255
UNNAMED_CONSTRAINT_WARNING = [
    "# WARNING: this constraint has no name in the database or the model; "
    "drop_constraint(None, ...) fails unless you name it here",
]
#: ``alter_column`` puts each keyword on its own line, this far in (under the call's text).
_ALTER_INDENT = " " * 11


@contextmanager
def within_batch(ctx: AutogenContext) -> Iterator[None]:
    """Render ops as ``batch_op.<name>(...)`` (no table name or schema) inside the block."""
    ctx._has_batch = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        ctx._has_batch = False  # type: ignore[attr-defined]


@renderers.dispatch_for(OpContainer)
def _render_container(ctx: AutogenContext, op: OpContainer) -> list[str]:
    lines: list[str] = []
    for child in op.ops:
        lines.extend(render_op(ctx, child))
    return lines


@renderers.dispatch_for(ModifyTableOps)
def _render_modify_table(ctx: AutogenContext, op: ModifyTableOps) -> list[str]:
    if not op.ops:
        return []
    notes = [f"# {note}" for note in notes_of(op)]  # what autogenerate could not decide
    return notes + _render_modify_table_ops(ctx, op) if notes else _render_modify_table_ops(ctx, op)


def _render_modify_table_ops(ctx: AutogenContext, op: ModifyTableOps) -> list[str]:
    if not ctx.opts.get("render_as_batch", False):
        return _render_container(ctx, op)
    with within_batch(ctx):
        lines = [f"with op.batch_alter_table({op.table_name!r}, schema={op.schema!r}) as batch_op:"]
        for child in op.ops:
            lines.extend(render_op(ctx, child))
        lines.append("")
    return lines


# ---------------------------------------------------------------------------------------------
# tables


@renderers.dispatch_for(CreateTableOp)
def _render_create_table(ctx: AutogenContext, op: CreateTableOp) -> str:
    table = op.to_table()
    columns = [rendered for rendered in (render_column(ctx, c) for c in table.columns) if rendered]
    constraints = [
        rendered
        for rendered in (
            render_constraint(ctx, c, op._namespace_metadata) for c in table.constraints
        )
        if rendered is not None
    ]
    args = columns + sorted(constraints)
    body = "*[" + ",\n".join(args) + "]" if len(args) > MAX_PYTHON_ARGS else ",\n".join(args)
    text = f"{op_prefix(ctx)}create_table({ident(op.table_name)!r},\n{body}"
    if op.schema:
        text += f",\nschema={ident(op.schema)!r}"
    if table.comment is not None:
        text += f",\ncomment={ident(table.comment)!r}"
    if table.info:
        text += f",\ninfo={table.info!r}"
    for key in sorted(op.kw):
        text += f",\n{key.replace(' ', '_')}={op.kw[key]!r}"
    if table._prefixes:
        text += ",\nprefixes=[" + ", ".join(f"'{p}'" for p in table._prefixes) + "]"
    if op.if_not_exists is not None:
        text += f",\nif_not_exists={bool(op.if_not_exists)!r}"
    return text + "\n)"


@renderers.dispatch_for(DropTableOp)
def _render_drop_table(ctx: AutogenContext, op: DropTableOp) -> str:
    text = f"{op_prefix(ctx)}drop_table({ident(op.table_name)!r}"
    if op.schema:
        text += f", schema={ident(op.schema)!r}"
    if op.if_exists is not None:
        text += f", if_exists={bool(op.if_exists)!r}"
    return text + ")"


def _comment_call(ctx: AutogenContext, name: str, op: Any, args: list[str]) -> str:
    if not in_batch(ctx):
        schema = f"'{op.schema}'" if op.schema is not None else None
        args = [f"'{op.table_name}'", *args, f"schema={schema}"]
    return f"{op_prefix(ctx)}{name}(\n" + ",\n".join("    " + a for a in args) + "\n)"


def _repr_or_none(value: Any) -> str:
    return repr(value) if value is not None else "None"


@renderers.dispatch_for(CreateTableCommentOp)
def _render_create_table_comment(ctx: AutogenContext, op: CreateTableCommentOp) -> str:
    args = [_repr_or_none(op.comment), f"existing_comment={_repr_or_none(op.existing_comment)}"]
    return _comment_call(ctx, "create_table_comment", op, args)


@renderers.dispatch_for(DropTableCommentOp)
def _render_drop_table_comment(ctx: AutogenContext, op: DropTableCommentOp) -> str:
    args = [f"existing_comment={_repr_or_none(op.existing_comment)}"]
    return _comment_call(ctx, "drop_table_comment", op, args)


# ---------------------------------------------------------------------------------------------
# columns


@renderers.dispatch_for(AddColumnOp)
def _render_add_column(ctx: AutogenContext, op: AddColumnOp) -> str:
    column = render_column(ctx, op.column)
    if in_batch(ctx):
        return f"{op_prefix(ctx)}add_column({column})"
    text = f"{op_prefix(ctx)}add_column({op.table_name!r}, {column}"
    if op.schema:
        text += f", schema={op.schema!r}"
    if_not_exists = getattr(op, "if_not_exists", None)
    if if_not_exists is not None:
        text += f", if_not_exists={if_not_exists!r}"
    return text + ")"


@renderers.dispatch_for(DropColumnOp)
def _render_drop_column(ctx: AutogenContext, op: DropColumnOp) -> str:
    if in_batch(ctx):
        return f"{op_prefix(ctx)}drop_column({ident(op.column_name)!r})"
    text = f"{op_prefix(ctx)}drop_column({ident(op.table_name)!r}, {ident(op.column_name)!r}"
    if op.schema:
        text += f", schema={ident(op.schema)!r}"
    if_exists = getattr(op, "if_exists", None)
    if if_exists is not None:
        text += f", if_exists={if_exists!r}"
    return text + ")"


@renderers.dispatch_for(AlterColumnOp)
def alter_column(ctx: AutogenContext, op: AlterColumnOp) -> str:
    """``op.alter_column('t', 'c',`` then one keyword a line, in Alembic's order."""
    lines: list[str] = []

    def add(key: str, value: str) -> None:
        lines.append(f"{_ALTER_INDENT}{key}={value}")

    server_default = op.modify_server_default
    if op.existing_type is not None:
        add("existing_type", render_type(ctx, op.existing_type))
    if server_default is not False:
        add("server_default", str(render_server_default(ctx, server_default)))
    if op.modify_name is not None:
        add("new_column_name", repr(op.modify_name))
    if op.modify_type is not None:
        add("type_", render_type(ctx, op.modify_type))
    if op.modify_nullable is not None:
        add("nullable", repr(op.modify_nullable))
    if op.modify_comment is not False:
        add("comment", repr(op.modify_comment))
    if op.existing_comment is not None:
        add("existing_comment", repr(op.existing_comment))
    if op.modify_nullable is None and op.existing_nullable is not None:
        add("existing_nullable", repr(op.existing_nullable))
    autoincrement = op.kw.get("autoincrement")
    if autoincrement is not None:
        add("autoincrement", repr(autoincrement))
    if server_default is False and op.existing_server_default:
        add("existing_server_default", str(render_server_default(ctx, op.existing_server_default)))
    if op.schema and not in_batch(ctx):
        add("schema", repr(op.schema))
    if in_batch(ctx):
        head = f"{op_prefix(ctx)}alter_column({op.column_name!r}"
    else:
        head = f"{op_prefix(ctx)}alter_column({op.table_name!r}, {op.column_name!r}"
    return "".join([head] + [",\n" + line for line in lines]) + ")"


# ---------------------------------------------------------------------------------------------
# indexes


def index_expressions(ctx: AutogenContext, index: Any) -> list[str]:
    """An index's columns by name and its expressions as ``sa.literal_column('...')``."""
    from sqlalchemy import Column

    return [
        repr(ident(getattr(expr, "name", None))) if isinstance(expr, Column)
        else potential_expr(ctx, expr, is_index=True)
        for expr in index.expressions
    ]


@renderers.dispatch_for(CreateIndexOp)
def _render_create_index(ctx: AutogenContext, op: CreateIndexOp) -> str:
    index = op.to_index()
    options = dialect_kwargs_items(ctx, index.dialect_kwargs)
    if op.if_not_exists is not None:
        options.append(f"if_not_exists={bool(op.if_not_exists)!r}")
    args = [repr(gen_name(ctx, index.name))]
    if not in_batch(ctx):
        args.append(repr(ident(index.table.name)))
    args.append("[" + ", ".join(index_expressions(ctx, index)) + "]")
    args.append(f"unique={bool(index.unique or False)!r}")
    if not in_batch(ctx) and index.table.schema:
        args.append(f"schema={ident(index.table.schema)!r}")
    return f"{op_prefix(ctx)}create_index({', '.join(args + options)})"


@renderers.dispatch_for(DropIndexOp)
def _render_drop_index(ctx: AutogenContext, op: DropIndexOp) -> str:
    index = op.to_index()
    options = dialect_kwargs_items(ctx, index.dialect_kwargs)
    if op.if_exists is not None:
        options.append(f"if_exists={bool(op.if_exists)!r}")
    args = [repr(gen_name(ctx, op.index_name))]
    if not in_batch(ctx):
        args.append(f"table_name={ident(op.table_name)!r}")
        if op.schema:
            args.append(f"schema={ident(op.schema)!r}")
    return f"{op_prefix(ctx)}drop_index({', '.join(args + options)})"


# ---------------------------------------------------------------------------------------------
# constraints


@renderers.dispatch_for(CreateUniqueConstraintOp)
def _render_create_unique(ctx: AutogenContext, op: CreateUniqueConstraintOp) -> list[str]:
    return [unique_constraint(ctx, op.to_constraint(), alter=True)]


@renderers.dispatch_for(CreatePrimaryKeyOp)
def _render_create_primary_key(ctx: AutogenContext, op: CreatePrimaryKeyOp) -> str:
    # Alembic has no renderer for this op (autogenerate never makes it); dbshift writes the call
    args = [repr(gen_name(ctx, op.constraint_name))]
    if not in_batch(ctx):
        args.append(repr(op.table_name))
    args.append(repr(list(op.columns)))
    if op.schema and not in_batch(ctx):
        args.append(f"schema={op.schema!r}")
    return f"{op_prefix(ctx)}create_primary_key({', '.join(args)})"


@renderers.dispatch_for(CreateForeignKeyOp)
def _render_create_foreign_key(ctx: AutogenContext, op: CreateForeignKeyOp) -> str:
    constraint = op.to_constraint()
    args = [repr(gen_name(ctx, op.constraint_name))]
    if not in_batch(ctx):
        args.append(repr(ident(op.source_table)))
    args += [
        repr(ident(op.referent_table)),
        repr([ident(c) for c in op.local_cols]),
        repr([ident(c) for c in op.remote_cols]),
    ]
    keys = ["referent_schema", "onupdate", "ondelete", "initially", "deferrable", "use_alter",
            "match"]
    if not in_batch(ctx):
        keys.insert(0, "source_schema")
    for key in keys:
        value = op.kw.get(key)
        if value is not None:
            args.append(f"{key}={value!r}")
    args.extend(dialect_kwargs_items(ctx, constraint.dialect_kwargs))
    return f"{op_prefix(ctx)}create_foreign_key({', '.join(args)})"


@renderers.dispatch_for(CreateCheckConstraintOp)
def _render_create_check(ctx: AutogenContext, op: CreateCheckConstraintOp) -> str:
    constraint = op.to_constraint()
    args = [repr(gen_name(ctx, op.constraint_name))]
    if not in_batch(ctx):
        args.append(repr(ident(op.table_name)))
    args.append(potential_expr(ctx, constraint.sqltext, wrap_in_element=False))
    if not in_batch(ctx) and op.schema:
        args.append(f"schema={ident(op.schema)!r}")
    args.extend(dialect_kwargs_items(ctx, constraint.dialect_kwargs))
    return f"{op_prefix(ctx)}create_check_constraint({', '.join(args)})"


@renderers.dispatch_for(CreateExcludeConstraintOp)
def _render_create_exclude(ctx: AutogenContext, op: CreateExcludeConstraintOp) -> str:
    return exclude_constraint(ctx, op.to_constraint(), alter=True)


@renderers.dispatch_for(DropConstraintOp)
def _render_drop_constraint(ctx: AutogenContext, op: DropConstraintOp) -> list[str]:
    name = gen_name(ctx, op.constraint_name)
    args = [repr(name)]
    if not in_batch(ctx):
        args.append(repr(ident(op.table_name)))
        if op.schema:
            args.append(f"schema={ident(op.schema)!r}")
    if op.constraint_type:
        args.append(f"type_={ident(op.constraint_type)!r}")
    if op.if_exists is not None:
        args.append(f"if_exists={op.if_exists}")
    lines: list[str] = []
    if name is None:
        import warnings

        warnings.warn(
            f"autogenerate wrote drop_constraint() for an unnamed constraint on table "
            f"{op.table_name!r}; the migration fails unless a name is added to it (a naming "
            "convention gives constraints known names)",
            stacklevel=2,
        )
        lines.extend(UNNAMED_CONSTRAINT_WARNING)
    lines.append(f"{op_prefix(ctx)}drop_constraint({', '.join(args)})")
    return lines


# ---------------------------------------------------------------------------------------------
# SQL


@renderers.dispatch_for(ExecuteSQLOp)
def _render_execute(ctx: AutogenContext, op: ExecuteSQLOp) -> str:
    if isinstance(op.sqltext, str):
        return f"{op_prefix(ctx)}execute({op.sqltext!r})"
    # Alembic refuses SQL expression objects here; dbshift writes their SQL as sa.text()
    return f"{op_prefix(ctx)}execute({potential_expr(ctx, op.sqltext)})"


