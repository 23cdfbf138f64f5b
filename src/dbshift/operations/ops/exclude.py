"""``create_exclude_constraint``: PostgreSQL's EXCLUDE constraint as an operation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, literal_column
from sqlalchemy.types import NULLTYPE

from ..base import BatchOperations, Operations
from .base import schema_objects
from .constraints import AddConstraintOp

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    from ..running_migration import RunningMigration


@Operations.register_operation("create_exclude_constraint")
@BatchOperations.register_operation("create_exclude_constraint", "batch_create_exclude_constraint")
@AddConstraintOp.register_add_constraint("exclude_constraint")
class CreateExcludeConstraintOp(AddConstraintOp):
    """ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE (PostgreSQL only)."""

    constraint_type = "exclude"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        elements: Any,
        *,
        where: Any = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = list(elements)
        self.where = where
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Any) -> CreateExcludeConstraintOp:
        table = constraint.table
        kw: dict[str, Any] = {}
        for attr in ("deferrable", "initially"):
            if getattr(constraint, attr):
                kw[attr] = getattr(constraint, attr)
        if constraint.using:
            kw["using"] = constraint.using
        return cls(
            constraint.name,
            table.name,
            [(expr, op) for expr, _name, op in constraint._render_exprs],
            where=constraint.where,
            schema=table.schema,
            **kw,
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> ExcludeConstraint:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        table = schema_objects(migration_context).table(self.table_name, schema=self.schema)
        elements = []
        for expr, operator in self.elements:
            if isinstance(expr, str):
                if expr not in table.c:
                    table.append_column(Column(expr, NULLTYPE))
                expr = table.c[expr]
            elements.append((expr, operator))
        where = literal_column(self.where) if isinstance(self.where, str) else self.where
        constraint = ExcludeConstraint(*elements, name=self.constraint_name, where=where, **self.kw)
        table.append_constraint(constraint)
        return constraint

    @classmethod
    def create_exclude_constraint(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        *elements: Any,
        **kw: Any,
    ) -> Any:
        """Add an EXCLUDE constraint; ``elements`` are ``(column or expression, operator)`` pairs.

        kw: ``where``, ``using``, ``deferrable``, ``initially``, ``schema``. PostgreSQL only.
        """
        return operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(
        cls, operations: BatchOperations, constraint_name: str | None, *elements: Any, **kw: Any
    ) -> Any:
        """Add an EXCLUDE constraint to the batch's table."""
        kw["schema"] = operations.impl.schema  # type: ignore[attr-defined]
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, elements, **kw)  # type: ignore[attr-defined]
        )
