"""Offline (``--sql``) shortcuts for the directives long histories are made of.

``create_index`` on plain column names and ``add_column`` of a plain column differ from one revision
to the next only in their names. In offline mode, and only for shapes whose SQL depends on nothing
but those names and a few flags, these functions write the statement through the implementation's
:class:`~dbshift.ddl.statement_templates.StatementTemplates` instead of building and compiling
SQLAlchemy objects every time; the first op of each shape runs the normal path (``build``) with
placeholder names to make the template. Anything outside those shapes -- a schema, dialect options,
a naming convention that rewrites given names, a subclassed op, defaults, constraints, comments,
types that are not plain SQLAlchemy types -- returns False and goes the normal way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column

from ..ddl.impl import DefaultImpl
from ..ddl.statement_templates import plain_column_shape
from . import ops

if TYPE_CHECKING:
    from ..ddl.statement_templates import StatementTemplates
    from .base import Operations


def write_create_index(
    operations: Operations,
    operation: ops.CreateIndexOp,
    build: Callable[[Operations, ops.CreateIndexOp], None],
) -> bool:
    """Write CREATE INDEX from a template; False when the caller must run ``build`` itself."""
    templates = _templates(operations)
    if (
        templates is None
        or type(operation) is not ops.CreateIndexOp
        or operation.kw
        or operation.schema is not None
        or not operation.columns
        or _convention_renames_given_names(operations)
    ):
        return False
    names = (operation.index_name, operation.table_name, *operation.columns)
    if not templates.usable_names(names):
        return False
    shape = ("create_index", bool(operation.unique), operation.if_not_exists, len(names))

    def record(placeholders: Any) -> None:
        build(
            operations,
            ops.CreateIndexOp(
                placeholders[0],
                placeholders[1],
                list(placeholders[2:]),
                unique=operation.unique,
                if_not_exists=operation.if_not_exists,
            ),
        )

    return templates.write(shape, names, record)


def write_add_column(
    operations: Operations,
    operation: ops.AddColumnOp,
    build: Callable[[Operations, ops.AddColumnOp], None],
) -> bool:
    """Write ADD COLUMN from a template; False when the caller must run ``build`` itself."""
    templates = _templates(operations)
    if (
        templates is None
        or type(operation) is not ops.AddColumnOp
        or operation.kw
        or operation.schema is not None
    ):
        return False
    column = operation.column
    column_shape = plain_column_shape(column)
    if column_shape is None:
        return False
    names = (operation.table_name, column.name)
    if not templates.usable_names(names):
        return False
    shape = (
        "add_column",
        column_shape,
        operation.if_not_exists,
        operation.inline_references,
        operation.inline_primary_key,
    )

    def record(placeholders: Any) -> None:
        build(
            operations,
            ops.AddColumnOp(
                placeholders[0],
                Column(
                    placeholders[1],
                    column.type,
                    nullable=column.nullable,
                    autoincrement=column.autoincrement,
                ),
                if_not_exists=operation.if_not_exists,
                inline_references=operation.inline_references,
                inline_primary_key=operation.inline_primary_key,
            ),
        )

    return templates.write(shape, names, record, [type(column.type)])


def _templates(operations: Operations) -> StatementTemplates | None:
    """The offline templates of the database implementation ``operations`` runs on (None online
    and inside batch operations, whose implementation queues the ops)."""
    impl = operations.impl
    return impl.statement_templates if isinstance(impl, DefaultImpl) else None


def _convention_renames_given_names(operations: Operations) -> bool:
    """Whether ``target_metadata``'s naming convention rewrites explicitly given names."""
    convention = operations.schema_obj._naming_convention()
    return bool(convention) and any("constraint_name" in str(v) for v in convention.values())
