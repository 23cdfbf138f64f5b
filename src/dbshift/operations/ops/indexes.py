"""Index operations: create and drop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Index

from ..base import BatchOperations, Operations
from .base import MigrateOperation, schema_objects

if TYPE_CHECKING:
    from ..running_migration import RunningMigration


@Operations.register_operation("create_index")
@BatchOperations.register_operation("create_index", "batch_create_index")
class CreateIndexOp(MigrateOperation):
    """CREATE [UNIQUE] INDEX."""

    def __init__(
        self,
        index_name: Any,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    def reverse(self) -> DropIndexOp:
        return DropIndexOp.from_index(self.to_index())

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_index", self.to_index())

    @classmethod
    def from_index(cls, index: Index) -> CreateIndexOp:
        """The op that creates ``index``."""
        assert index.table is not None
        return cls(
            index.name,
            index.table.name,
            list(index.expressions),
            schema=index.table.schema,
            unique=index.unique,
            **index.kwargs,
        )

    def to_index(self, migration_context: RunningMigration | None = None) -> Index:
        """An ``Index`` on a stub table."""
        kw = dict(self.kw)
        if self.unique:
            kw["unique"] = True
        return schema_objects(migration_context).index(
            self.index_name, self.table_name, self.columns, schema=self.schema, **kw
        )

    @classmethod
    def create_index(
        cls,
        operations: Operations,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Create an index. ``columns`` mixes column names, ``text()`` and SQL expressions.

        Dialect options: ``postgresql_where``, ``postgresql_using``, ``postgresql_include``,
        ``postgresql_concurrently`` (inside ``autocommit_block()``), ``mssql_include``,
        ``mssql_clustered``, ``mysql_length``, ...
        """
        operations.invoke(
            cls(
                index_name,
                table_name,
                columns,
                schema=schema,
                unique=unique,
                if_not_exists=if_not_exists,
                **kw,
            )
        )

    @classmethod
    def batch_create_index(
        cls, operations: BatchOperations, index_name: str, columns: list[str], **kw: Any
    ) -> None:
        """Create an index on the batch's table."""
        operations.invoke(
            cls(
                index_name,
                operations.impl.table_name,  # type: ignore[attr-defined]
                columns,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
                **kw,
            )
        )


@Operations.register_operation("drop_index")
@BatchOperations.register_operation("drop_index", "batch_drop_index")
class DropIndexOp(MigrateOperation):
    """DROP INDEX."""

    def __init__(
        self,
        index_name: Any,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateIndexOp | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_index", self.to_index())

    def reverse(self) -> CreateIndexOp:
        return CreateIndexOp.from_index(self.to_index())

    @classmethod
    def from_index(cls, index: Index) -> DropIndexOp:
        """The op that drops ``index`` (reversible)."""
        assert index.table is not None
        return cls(
            index.name,
            table_name=index.table.name,
            schema=index.table.schema,
            _reverse=CreateIndexOp.from_index(index),
            **index.kwargs,
        )

    def to_index(self, migration_context: RunningMigration | None = None) -> Index:
        """An ``Index`` on a stub table (with the original columns when known)."""
        columns = self._reverse.columns if self._reverse else ["x"]
        kw = dict(self.kw)
        if self._reverse is not None and self._reverse.unique:
            kw["unique"] = True
        return schema_objects(migration_context).index(
            self.index_name, self.table_name, columns, schema=self.schema, **kw
        )

    @classmethod
    def drop_index(
        cls,
        operations: Operations,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop an index (MySQL and SQL Server need ``table_name``)."""
        operations.invoke(
            cls(index_name, table_name=table_name, schema=schema, if_exists=if_exists, **kw)
        )

    @classmethod
    def batch_drop_index(cls, operations: BatchOperations, index_name: str, **kw: Any) -> None:
        """Drop an index of the batch's table."""
        operations.invoke(
            cls(
                index_name,
                table_name=operations.impl.table_name,  # type: ignore[attr-defined]
                schema=operations.impl.schema,  # type: ignore[attr-defined]
                **kw,
            )
        )
