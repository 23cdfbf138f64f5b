"""Column operations: add, drop and alter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column
from sqlalchemy.types import NULLTYPE

from ..base import BatchOperations, Operations
from .base import MigrateOperation, schema_objects

if TYPE_CHECKING:
    from ..running_migration import RunningMigration


@Operations.register_operation("add_column")
@BatchOperations.register_operation("add_column", "batch_add_column")
class AddColumnOp(MigrateOperation):
    """ALTER TABLE ... ADD COLUMN."""

    def __init__(
        self,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.column = column
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    def reverse(self) -> DropColumnOp:
        return DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_column", self.schema, self.table_name, self.column)

    def to_column(self) -> Column:
        """The column being added."""
        return self.column

    @classmethod
    def from_column(cls, col: Column) -> AddColumnOp:
        """The op that adds ``col`` (already part of a Table) to its table."""
        return cls(col.table.name, col, schema=col.table.schema)

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column
    ) -> AddColumnOp:
        """The op that adds ``col`` to table ``tname``."""
        return cls(tname, col, schema=schema)

    @classmethod
    def add_column(
        cls,
        operations: Operations,
        table_name: str,
        column: Column,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Add a column; its FK/CHECK constraints, indexes and comment follow as needed.

        ``inline_references=True`` renders a single-column FK inline as ``REFERENCES``;
        ``inline_primary_key=True`` with ``Column(primary_key=True)`` appends ``PRIMARY KEY``.
        """
        operations.invoke(
            cls(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    @classmethod
    def batch_add_column(
        cls,
        operations: BatchOperations,
        column: Column,
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Add a column to the batch's table, optionally positioned (needs a table rebuild)."""
        kw: dict[str, Any] = {}
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        operations.invoke(
            cls(
                operations.impl.table_name,  # type: ignore[attr-defined]
                column,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
                **kw,
            )
        )


@Operations.register_operation("drop_column")
@BatchOperations.register_operation("drop_column", "batch_drop_column")
class DropColumnOp(MigrateOperation):
    """ALTER TABLE ... DROP COLUMN."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        _reverse: AddColumnOp | None = None,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.schema = schema
        self.kw = kw
        self._reverse = _reverse

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_column", self.schema, self.table_name, self.to_column())

    def reverse(self) -> AddColumnOp:
        if self._reverse is None:
            raise ValueError(
                f"drop_column of {self.table_name}.{self.column_name} is not reversible; "
                "the original column is not known"
            )
        return AddColumnOp.from_column_and_tablename(
            self.schema, self.table_name, self._reverse.column
        )

    @classmethod
    def from_column_and_tablename(cls, schema: str | None, tname: str, col: Column) -> DropColumnOp:
        """The op that drops ``col`` from ``tname`` (reversible)."""
        return cls(
            tname,
            col.name,
            schema=schema,
            _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col),
        )

    def to_column(self, migration_context: RunningMigration | None = None) -> Column:
        """The dropped column: the original when known, else a typeless stand-in."""
        if self._reverse is not None:
            return self._reverse.column
        return schema_objects(migration_context).column(self.column_name, NULLTYPE)

    @classmethod
    def drop_column(
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Drop a column. ``if_exists=True`` renders IF EXISTS; SQL Server takes
        ``mssql_drop_default``, ``mssql_drop_check`` and ``mssql_drop_foreign_key``."""
        operations.invoke(cls(table_name, column_name, schema=schema, **kw))

    @classmethod
    def batch_drop_column(cls, operations: BatchOperations, column_name: str, **kw: Any) -> None:
        """Drop a column of the batch's table."""
        operations.invoke(
            cls(
                operations.impl.table_name,  # type: ignore[attr-defined]
                column_name,
                schema=operations.impl.schema,  # type: ignore[attr-defined]
                **kw,
            )
        )


@Operations.register_operation("alter_column")
@BatchOperations.register_operation("alter_column", "batch_alter_column")
class AlterColumnOp(MigrateOperation):
    """ALTER TABLE ... ALTER COLUMN: any mix of nullability, default, type, comment and name."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        modify_nullable: bool | None = None,
        modify_comment: str | None | bool = False,
        modify_server_default: Any = False,
        modify_name: str | None = None,
        modify_type: Any = None,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.schema = schema
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    def to_diff_tuple(self) -> Any:
        """One ``modify_*`` tuple per changed aspect: type, nullable, default, comment.

        Each is ``(kind, schema, table, column, existing, old, new)`` where ``existing`` holds
        the other ``existing_*`` values (never the one the tuple itself changes).
        """
        existing = {
            "existing_type": self.existing_type,
            "existing_nullable": self.existing_nullable,
            "existing_server_default": self.existing_server_default,
            "existing_comment": self.existing_comment,
        }
        changes = [
            ("modify_type", "existing_type", self.modify_type is not None, self.modify_type),
            (
                "modify_nullable",
                "existing_nullable",
                self.modify_nullable is not None,
                self.modify_nullable,
            ),
            (
                "modify_default",
                "existing_server_default",
                self.modify_server_default is not False,
                self.modify_server_default,
            ),
            (
                "modify_comment",
                "existing_comment",
                self.modify_comment is not False,
                self.modify_comment,
            ),
        ]
        col_diff: list[tuple[Any, ...]] = []
        for kind, own_key, changed, new_value in changes:
            if not changed:
                continue
            others = {k: v for k, v in existing.items() if k != own_key}
            old_value = (
                self.existing_server_default if own_key == "existing_server_default"
                else existing[own_key]
            )
            col_diff.append(
                (kind, self.schema, self.table_name, self.column_name, others, old_value, new_value)
            )
        return col_diff

    def has_changes(self) -> bool:
        """True when any aspect is changed (including ``modify_*`` keys in ``kw``)."""
        if (
            self.modify_nullable is not None
            or self.modify_server_default is not False
            or self.modify_type is not None
            or self.modify_comment is not False
            or self.modify_name is not None
        ):
            return True
        return any(key.startswith("modify_") or key == "autoincrement" for key in self.kw)

    def reverse(self) -> AlterColumnOp:
        kw = dict(self.kw)
        kw["existing_type"] = self.existing_type
        kw["existing_nullable"] = self.existing_nullable
        kw["existing_server_default"] = self.existing_server_default
        kw["existing_comment"] = self.existing_comment
        if self.modify_type is not None:
            kw["modify_type"] = self.modify_type
        if self.modify_nullable is not None:
            kw["modify_nullable"] = self.modify_nullable
        if self.modify_server_default is not False:
            kw["modify_server_default"] = self.modify_server_default
        if self.modify_comment is not False:
            kw["modify_comment"] = self.modify_comment
        for key in ("type", "nullable", "server_default", "comment"):
            if f"modify_{key}" in kw:
                swapped = kw[f"existing_{key}"]
                kw[f"existing_{key}"] = kw[f"modify_{key}"]
                kw[f"modify_{key}"] = swapped
        # autoincrement travels in kw and swaps the same way
        if "modify_autoincrement" in kw or "existing_autoincrement" in kw:
            mod = kw.pop("modify_autoincrement", None)
            ex = kw.pop("existing_autoincrement", None)
            if mod is not None:
                kw["modify_autoincrement"] = ex
            if ex is not None:
                kw["existing_autoincrement"] = mod
        table_name, column_name = self.table_name, self.column_name
        if self.modify_name is not None:
            kw["modify_name"] = self.column_name
            column_name = self.modify_name
        return AlterColumnOp(table_name, column_name, schema=self.schema, **kw)

    @classmethod
    def alter_column(
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Change a column: only the aspects given are changed.

        ``server_default``/``comment``: ``False`` = no change, ``None`` = drop. The ``existing_*``
        arguments describe the column as it is; MySQL and SQL Server need them to restate it.
        ``postgresql_using`` adds ``USING <expr>`` to a type change; ``autoincrement`` and
        ``existing_autoincrement`` are for MySQL.
        """
        op = cls(
            table_name,
            column_name,
            schema=schema,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            modify_name=new_column_name,
            modify_type=type_,
            modify_server_default=server_default,
            modify_nullable=nullable,
            modify_comment=comment,
            **kw,
        )
        if not op.has_changes():
            # Alembic goes on and emits nothing; such a call is usually a forgotten argument,
            # so dbshift says so, and goes on the same way.
            import warnings

            warnings.warn(
                f"alter_column of {table_name}.{column_name} changes nothing (no nullable, "
                "server_default, type_, comment or new_column_name given); nothing is emitted",
                stacklevel=3,
            )
        operations.invoke(op)

    @classmethod
    def batch_alter_column(
        cls,
        operations: BatchOperations,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None | bool = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        """Change a column of the batch's table (``insert_before/after`` move it on rebuild)."""
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        op = cls(
            operations.impl.table_name,  # type: ignore[attr-defined]
            column_name,
            schema=operations.impl.schema,  # type: ignore[attr-defined]
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            modify_name=new_column_name,
            modify_type=type_,
            modify_server_default=server_default,
            modify_nullable=nullable,
            modify_comment=comment,
            **kw,
        )
        # A call that changes nothing is still queued: it makes "auto" rebuild on SQLite and
        # carries the column through partial_reordering, as in Alembic.
        operations.invoke(op)
