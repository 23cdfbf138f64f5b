"""Constraint operations: primary key, unique, foreign key, check, and drop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy.sql.schema import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    UniqueConstraint,
)

from ..base import BatchOperations, Operations
from .base import MigrateOperation, schema_objects

if TYPE_CHECKING:
    from ..running_migration import RunningMigration


def _table_of(constraint: Constraint) -> Any:
    return constraint.table  # type: ignore[attr-defined]


def _constraint_name(constraint: Constraint) -> Any:
    return constraint.name


class AddConstraintOp(MigrateOperation):
    """Base of the ``create_*_constraint`` ops; ``from_constraint`` picks the subclass by kind."""

    constraint_type: ClassVar[str]
    _by_visit_name: ClassVar[dict[str, type[AddConstraintOp]]] = {}

    @classmethod
    def register_add_constraint(cls, type_: str) -> Any:
        """Class decorator: this subclass handles constraints whose ``__visit_name__`` is ``type_``."""

        def go(klass: type[AddConstraintOp]) -> type[AddConstraintOp]:
            cls._by_visit_name[type_] = klass
            return klass

        return go

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> AddConstraintOp:
        """The op that creates ``constraint``."""
        return cls._by_visit_name[constraint.__visit_name__].from_constraint(constraint)

    def to_constraint(self, migration_context: RunningMigration | None = None) -> Constraint:
        raise NotImplementedError()

    def reverse(self) -> DropConstraintOp:
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_constraint", self.to_constraint())


_DROP_TYPES = {
    "unique_constraint": "unique",
    "foreign_key_constraint": "foreignkey",
    "primary_key_constraint": "primary",
    "check_constraint": "check",
    "column_check_constraint": "check",
    "table_or_column_check_constraint": "check",
}


@Operations.register_operation("drop_constraint")
@BatchOperations.register_operation("drop_constraint", "batch_drop_constraint")
class DropConstraintOp(MigrateOperation):
    """ALTER TABLE ... DROP CONSTRAINT."""

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddConstraintOp | None = None,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    def reverse(self) -> AddConstraintOp:
        if self._reverse is None:
            raise ValueError(
                f"drop_constraint of {self.constraint_name!r} on {self.table_name} is not "
                "reversible; the original constraint is not known"
            )
        return AddConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[Any, ...]:
        if self.constraint_type == "foreignkey":
            return ("remove_fk", self.to_constraint())
        return ("remove_constraint", self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> DropConstraintOp:
        """The op that drops ``constraint`` (reversible)."""
        table = _table_of(constraint)
        return cls(
            _constraint_name(constraint),
            table.name,
            schema=table.schema,
            type_=_DROP_TYPES.get(constraint.__visit_name__),
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> Constraint:
        """The constraint to drop: the original when known, else one known only by name."""
        if self._reverse is not None:
            constraint = self._reverse.to_constraint(migration_context)
            constraint.name = self.constraint_name
            table = _table_of(constraint)
            table.name = self.table_name
            table.schema = self.schema
            return constraint
        return schema_objects(migration_context).generic_constraint(
            self.constraint_name, self.table_name, self.constraint_type, schema=self.schema
        )

    @classmethod
    def drop_constraint(
        cls,
        operations: Operations,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        """Drop a constraint. ``type_`` ('foreignkey', 'primary', 'unique', 'check') is
        required on MySQL/MariaDB, which spell each kind differently."""
        operations.invoke(
            cls(constraint_name, table_name, type_=type_, schema=schema, if_exists=if_exists)
        )

    @classmethod
    def batch_drop_constraint(
        cls, operations: BatchOperations, constraint_name: str, type_: str | None = None
    ) -> None:
        """Drop a constraint of the batch's table."""
        operations.invoke(
            cls(
                constraint_name,
                operations.impl.table_name,  # type: ignore[attr-defined]
                type_=type_,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
            )
        )


class _ColumnsConstraintOp(AddConstraintOp):
    """A constraint over a list of columns of one table (PRIMARY KEY, UNIQUE)."""

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw


@Operations.register_operation("create_primary_key")
@BatchOperations.register_operation("create_primary_key", "batch_create_primary_key")
@AddConstraintOp.register_add_constraint("primary_key_constraint")
class CreatePrimaryKeyOp(_ColumnsConstraintOp):
    """ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY."""

    constraint_type = "primarykey"

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreatePrimaryKeyOp:
        table = _table_of(constraint)
        assert isinstance(constraint, PrimaryKeyConstraint)
        return cls(
            _constraint_name(constraint),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> PrimaryKeyConstraint:
        return schema_objects(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_primary_key(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        columns: list[str],
        *,
        schema: str | None = None,
    ) -> None:
        """Add a PRIMARY KEY constraint (``constraint_name=None`` uses the naming convention)."""
        operations.invoke(cls(constraint_name, table_name, columns, schema=schema))

    @classmethod
    def batch_create_primary_key(
        cls, operations: BatchOperations, constraint_name: str | None, columns: list[str]
    ) -> None:
        """Add a PRIMARY KEY to the batch's table."""
        operations.invoke(
            cls(
                constraint_name,
                operations.impl.table_name,  # type: ignore[attr-defined]
                columns,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
            )
        )


@Operations.register_operation("create_unique_constraint")
@BatchOperations.register_operation("create_unique_constraint", "batch_create_unique_constraint")
@AddConstraintOp.register_add_constraint("unique_constraint")
class CreateUniqueConstraintOp(_ColumnsConstraintOp):
    """ALTER TABLE ... ADD CONSTRAINT ... UNIQUE."""

    constraint_type = "unique"

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateUniqueConstraintOp:
        table = _table_of(constraint)
        assert isinstance(constraint, UniqueConstraint)
        kw: dict[str, Any] = {}
        if constraint.deferrable:
            kw["deferrable"] = constraint.deferrable
        if constraint.initially:
            kw["initially"] = constraint.initially
        kw.update(constraint.dialect_kwargs)
        return cls(
            _constraint_name(constraint),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **kw,
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> UniqueConstraint:
        return schema_objects(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_unique_constraint(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> Any:
        """Add a UNIQUE constraint. kw: ``deferrable``, ``initially``, dialect options such as
        ``postgresql_nulls_not_distinct``."""
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema, **kw))

    @classmethod
    def batch_create_unique_constraint(
        cls, operations: BatchOperations, constraint_name: str, columns: Sequence[str], **kw: Any
    ) -> Any:
        """Add a UNIQUE constraint to the batch's table."""
        kw["schema"] = operations.impl.schema  # type: ignore[attr-defined]
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, columns, **kw)  # type: ignore[attr-defined]
        )


@Operations.register_operation("create_foreign_key")
@BatchOperations.register_operation("create_foreign_key", "batch_create_foreign_key")
@AddConstraintOp.register_add_constraint("foreign_key_constraint")
class CreateForeignKeyOp(AddConstraintOp):
    """ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... REFERENCES."""

    constraint_type = "foreignkey"

    def __init__(
        self,
        constraint_name: Any,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = list(local_cols)
        self.remote_cols = list(remote_cols)
        self.kw = kw

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_fk", self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateForeignKeyOp:
        assert isinstance(constraint, ForeignKeyConstraint)
        kw: dict[str, Any] = {}
        for attr in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
            value = getattr(constraint, attr)
            if value:
                kw[attr] = value
        source_table = _table_of(constraint)
        first = constraint.elements[0]
        referent_table = first.column.table if first._table_column is not None else None
        if referent_table is not None:
            ref_name, ref_schema = referent_table.name, referent_table.schema
        else:
            spec_parts = first._get_colspec().split(".")
            ref_name = spec_parts[-2]
            ref_schema = ".".join(spec_parts[:-2]) or None
        kw["source_schema"] = source_table.schema
        kw["referent_schema"] = ref_schema
        kw.update(constraint.dialect_kwargs)
        return cls(
            _constraint_name(constraint),
            source_table.name,
            ref_name,
            [c.name for c in constraint.columns],
            [e._get_colspec().split(".")[-1] for e in constraint.elements],
            **kw,
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> ForeignKeyConstraint:
        return schema_objects(migration_context).foreign_key_constraint(
            self.constraint_name,
            self.source_table,
            self.referent_table,
            self.local_cols,
            self.remote_cols,
            **self.kw,
        )

    @classmethod
    def create_foreign_key(
        cls,
        operations: Operations,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Add a FOREIGN KEY constraint from ``source_table(local_cols)`` to
        ``referent_table(remote_cols)``."""
        operations.invoke(
            cls(
                constraint_name,
                source_table,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                source_schema=source_schema,
                referent_schema=referent_schema,
                initially=initially,
                match=match,
                **dialect_kw,
            )
        )

    @classmethod
    def batch_create_foreign_key(
        cls,
        operations: BatchOperations,
        constraint_name: str | None,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Add a FOREIGN KEY to the batch's table."""
        operations.invoke(
            cls(
                constraint_name,
                operations.impl.table_name,  # type: ignore[attr-defined]
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                source_schema=operations.impl.schema,  # type: ignore[attr-defined]
                referent_schema=referent_schema,
                initially=initially,
                match=match,
                **dialect_kw,
            )
        )


@Operations.register_operation("create_check_constraint")
@BatchOperations.register_operation("create_check_constraint", "batch_create_check_constraint")
@AddConstraintOp.register_add_constraint("check_constraint")
@AddConstraintOp.register_add_constraint("table_or_column_check_constraint")
@AddConstraintOp.register_add_constraint("column_check_constraint")
class CreateCheckConstraintOp(AddConstraintOp):
    """ALTER TABLE ... ADD CONSTRAINT ... CHECK."""

    constraint_type = "check"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateCheckConstraintOp:
        assert isinstance(constraint, CheckConstraint)
        table = _table_of(constraint)
        kw: dict[str, Any] = {}
        if constraint.deferrable:
            kw["deferrable"] = constraint.deferrable
        if constraint.initially:
            kw["initially"] = constraint.initially
        kw.update(constraint.dialect_kwargs)
        return cls(
            _constraint_name(constraint),
            table.name,
            constraint.sqltext,
            schema=table.schema,
            **kw,
        )

    def to_constraint(self, migration_context: RunningMigration | None = None) -> CheckConstraint:
        return schema_objects(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )

    @classmethod
    def create_check_constraint(
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Add a CHECK constraint; ``condition`` is a string or a SQL expression."""
        operations.invoke(cls(constraint_name, table_name, condition, schema=schema, **kw))

    @classmethod
    def batch_create_check_constraint(
        cls, operations: BatchOperations, constraint_name: str, condition: Any, **kw: Any
    ) -> None:
        """Add a CHECK constraint to the batch's table."""
        operations.invoke(
            cls(
                constraint_name,
                operations.impl.table_name,  # type: ignore[attr-defined]
                condition,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
                **kw,
            )
        )


@Operations.register_operation("validate_constraint")
class ValidateConstraintOp(MigrateOperation):
    """ALTER TABLE ... VALIDATE CONSTRAINT (PostgreSQL).

    The second half of adding a foreign key or CHECK constraint to a big table without blocking
    writes: ``create_foreign_key(..., postgresql_not_valid=True)`` (or
    ``create_check_constraint``) adds it for new rows only, under a brief lock; validating it
    later checks the existing rows under a lock that lets reads and writes go on. Run it in a
    later transaction than the ``NOT VALID`` step (an ``autocommit_block`` or the next
    revision): inside the same one, the stronger lock the first step took is still held.
    """

    def __init__(self, constraint_name: str, table_name: str, *, schema: str | None = None) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.schema = schema

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("validate_constraint", self.schema, self.table_name, self.constraint_name)

    @classmethod
    def validate_constraint(
        cls,
        operations: Operations,
        constraint_name: str,
        table_name: str,
        *,
        schema: str | None = None,
    ) -> None:
        """Check the existing rows against a constraint added with ``postgresql_not_valid=True``
        (``ALTER TABLE ... VALIDATE CONSTRAINT``). Other databases validate a constraint when it
        is added, so there it does nothing."""
        operations.invoke(cls(constraint_name, table_name, schema=schema))
