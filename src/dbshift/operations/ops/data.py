"""Data operations: bulk_insert and execute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..base import BatchOperations, Operations
from .base import MigrateOperation


@Operations.register_operation("bulk_insert")
class BulkInsertOp(MigrateOperation):
    """INSERT rows into a table."""

    def __init__(
        self, table: Any, rows: Sequence[Mapping[str, Any]], *, multiinsert: bool = True
    ) -> None:
        self.table = table
        self.rows = rows
        self.multiinsert = multiinsert

    @classmethod
    def bulk_insert(
        cls,
        operations: Operations,
        table: Any,
        rows: Sequence[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """INSERT a list of dicts into a ``Table`` or ``table()``.

        Online, ``multiinsert=True`` runs one executemany; ``multiinsert=False`` runs one INSERT
        per row (needed when rows hold ``inline_literal`` values). Offline, every row is one INSERT
        with its values inlined.
        """
        operations.invoke(cls(table, rows, multiinsert=multiinsert))


@Operations.register_operation("execute")
@BatchOperations.register_operation("execute", "batch_execute")
class ExecuteSQLOp(MigrateOperation):
    """Run a SQL string or construct."""

    def __init__(
        self, sqltext: Any, *, execution_options: Mapping[str, Any] | None = None
    ) -> None:
        self.sqltext = sqltext
        self.execution_options = execution_options

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("execute", self.sqltext)

    @classmethod
    def execute(
        cls,
        operations: Operations,
        sqltext: Any,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run SQL: a string (made into ``text()``, so write a literal colon as ``\\:``) or any
        executable construct. Offline, the SQL is written to the script."""
        operations.invoke(cls(sqltext, execution_options=execution_options))

    @classmethod
    def batch_execute(
        cls,
        operations: BatchOperations,
        sqltext: Any,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run SQL inside a batch (queued in order with the other batch operations)."""
        operations.invoke(cls(sqltext, execution_options=execution_options))
