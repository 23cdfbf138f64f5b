"""Table operations: create, drop, rename, and table comments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.sql.schema import SchemaItem

from ..base import BatchOperations, Operations
from .base import MigrateOperation, schema_objects

if TYPE_CHECKING:
    from ..running_migration import RunningMigration


@Operations.register_operation("create_table")
class CreateTableOp(MigrateOperation):
    """CREATE TABLE from columns and constraints."""

    def __init__(
        self,
        table_name: str,
        columns: list[SchemaItem],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        _namespace_metadata: Any = None,
        _constraints_included: bool = False,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", {})
        self.comment = kw.pop("comment", None)
        self.prefixes = kw.pop("prefixes", None)
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    @property
    def info(self) -> dict[Any, Any]:  # type: ignore[override]
        return self._info

    @info.setter
    def info(self, value: dict[Any, Any]) -> None:
        self._info = value

    def reverse(self) -> DropTableOp:
        return DropTableOp.from_table(self.to_table(), _namespace_metadata=self._namespace_metadata)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table", self.to_table())

    @classmethod
    def from_table(cls, table: Table, *, _namespace_metadata: Any = None) -> CreateTableOp:
        """The op that creates ``table``."""
        if _namespace_metadata is None:
            _namespace_metadata = table.metadata
        return cls(
            table.name,
            # constraints in creation order, so CREATE TABLE comes out the same every time
            list(table.c) + sorted(table.constraints, key=lambda c: c._creation_order),
            schema=table.schema,
            _namespace_metadata=_namespace_metadata,
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

    def to_table(self, migration_context: RunningMigration | None = None) -> Table:
        """A ``Table`` for this op (fresh metadata with the project's naming convention)."""
        kw = dict(self.kw)
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.info:
            kw["info"] = dict(self.info)
        if self.prefixes:
            kw["prefixes"] = list(self.prefixes)
        return schema_objects(migration_context).table(
            self.table_name,
            *self.columns,
            schema=self.schema,
            _constraints_included=self._constraints_included,
            **kw,
        )

    @classmethod
    def create_table(
        cls,
        operations: Operations,
        table_name: str,
        *columns: SchemaItem,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> Table:
        """Issue CREATE TABLE and return the ``Table`` (usable with ``bulk_insert``).

        Takes ``Column``/``Constraint``/``Index`` objects; ``**kw`` goes to ``Table`` (``schema``,
        ``comment``, ``info``, ``prefixes``, dialect options such as ``mysql_engine``). Indexes
        and comments are created too, and create events fire (PostgreSQL ENUM types are made).
        """
        op = cls(table_name, list(columns), if_not_exists=if_not_exists, **kw)
        return operations.invoke(op)  # type: ignore[no-any-return]


@Operations.register_operation("drop_table")
class DropTableOp(MigrateOperation):
    """DROP TABLE."""

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        table_kw: dict[str, Any] | None = None,
        _reverse: CreateTableOp | None = None,
    ) -> None:
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = dict(table_kw or {})
        self.comment = self.table_kw.pop("comment", None)
        self.prefixes = self.table_kw.pop("prefixes", None)
        self._reverse = _reverse

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table", self.to_table())

    def reverse(self) -> CreateTableOp:
        return CreateTableOp.from_table(self.to_table())

    @classmethod
    def from_table(cls, table: Table, *, _namespace_metadata: Any = None) -> DropTableOp:
        """The op that drops ``table`` (and can re-create it on reverse)."""
        return cls(
            table.name,
            schema=table.schema,
            table_kw={
                "comment": table.comment,
                "info": dict(table.info),
                "prefixes": list(table._prefixes),
                **table.kwargs,
            },
            _reverse=CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata),
        )

    def to_table(self, migration_context: RunningMigration | None = None) -> Table:
        """A ``Table`` for this op, with the original columns when known."""
        items: list[Any] = list(self._reverse.columns) if self._reverse else []
        kw = dict(self.table_kw)
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.prefixes:
            kw["prefixes"] = self.prefixes
        return schema_objects(migration_context).table(
            self.table_name,
            *items,
            schema=self.schema,
            _constraints_included=bool(self._reverse and self._reverse._constraints_included),
            **kw,
        )

    @classmethod
    def drop_table(
        cls,
        operations: Operations,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Issue DROP TABLE [IF EXISTS]; ``**kw`` goes to the ``Table`` built for it."""
        operations.invoke(cls(table_name, schema=schema, if_exists=if_exists, table_kw=kw))


@Operations.register_operation("rename_table")
class RenameTableOp(MigrateOperation):
    """ALTER TABLE ... RENAME TO."""

    def __init__(self, old_table_name: str, new_table_name: str, *, schema: str | None = None) -> None:
        self.table_name = old_table_name
        self.new_table_name = new_table_name
        self.schema = schema

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)

    @classmethod
    def rename_table(
        cls,
        operations: Operations,
        old_table_name: str,
        new_table_name: str,
        *,
        schema: str | None = None,
    ) -> None:
        """Rename a table."""
        operations.invoke(cls(old_table_name, new_table_name, schema=schema))


@Operations.register_operation("create_table_comment")
@BatchOperations.register_operation("create_table_comment", "batch_create_table_comment")
class CreateTableCommentOp(MigrateOperation):
    """Set a table comment."""

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        self.table_name = table_name
        self.comment = comment
        self.existing_comment = existing_comment
        self.schema = schema

    def reverse(self) -> MigrateOperation:
        if self.existing_comment is None:
            return DropTableCommentOp(
                self.table_name, existing_comment=self.comment, schema=self.schema
            )
        return CreateTableCommentOp(
            self.table_name,
            self.existing_comment,
            existing_comment=self.comment,
            schema=self.schema,
        )

    def to_table(self, migration_context: RunningMigration | None = None) -> Table:
        """A stub ``Table`` carrying the comment."""
        return schema_objects(migration_context).table(
            self.table_name, schema=self.schema, comment=self.comment
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table_comment", self.to_table(), self.existing_comment)

    @classmethod
    def create_table_comment(
        cls,
        operations: Operations,
        table_name: str,
        comment: str | None,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Set the comment of a table (``existing_comment`` only helps autogenerate reverse it)."""
        operations.invoke(
            cls(table_name, comment, existing_comment=existing_comment, schema=schema)
        )

    @classmethod
    def batch_create_table_comment(
        cls,
        operations: BatchOperations,
        comment: str | None,
        *,
        existing_comment: str | None = None,
    ) -> None:
        """Set the comment of the batch's table."""
        operations.invoke(
            cls(
                operations.impl.table_name,  # type: ignore[attr-defined]
                comment,
                existing_comment=existing_comment,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
            )
        )


@Operations.register_operation("drop_table_comment")
@BatchOperations.register_operation("drop_table_comment", "batch_drop_table_comment")
class DropTableCommentOp(MigrateOperation):
    """Remove a table comment."""

    def __init__(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        self.table_name = table_name
        self.existing_comment = existing_comment
        self.schema = schema

    def reverse(self) -> CreateTableCommentOp:
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_table(self, migration_context: RunningMigration | None = None) -> Table:
        """A stub ``Table``."""
        return schema_objects(migration_context).table(self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table_comment", self.to_table())

    @classmethod
    def drop_table_comment(
        cls,
        operations: Operations,
        table_name: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Remove the comment of a table."""
        operations.invoke(cls(table_name, existing_comment=existing_comment, schema=schema))

    @classmethod
    def batch_drop_table_comment(
        cls, operations: BatchOperations, *, existing_comment: str | None = None
    ) -> None:
        """Remove the comment of the batch's table."""
        operations.invoke(
            cls(
                operations.impl.table_name,  # type: ignore[attr-defined]
                existing_comment=existing_comment,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
            )
        )


__all__ = [
    "CreateTableCommentOp",
    "CreateTableOp",
    "DropTableCommentOp",
    "DropTableOp",
    "RenameTableOp",
]
