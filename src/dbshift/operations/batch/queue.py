"""The queue of a ``batch_alter_table`` block and the choice between ALTERs and a rebuild.

:class:`BatchOperationsImpl` stands in for the dialect impl inside a batch: the op implementations
call the same methods they call on a :class:`~dbshift.ddl.impl.DefaultImpl`, and each call is queued.
On exit, :meth:`BatchOperationsImpl.flush` either replays the queue on the real impl (plain ALTERs) or
rebuilds the table ("move and copy", :mod:`dbshift.operations.batch.rebuild`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.schema import Constraint, Index

    from ...ddl.impl import DefaultImpl
    from ..running_migration import RunningMigration


class BatchOwner(Protocol):
    """What the queue uses of the ``Operations`` whose ``batch_alter_table`` made it."""

    #: The real dialect implementation.
    impl: DefaultImpl
    #: The migration the batch runs in.
    migration_context: RunningMigration


class BatchOperationsImpl:
    """The queue of one ``batch_alter_table`` block.

    ``batch`` holds ``(method_name, args, kw)`` in call order; ``recreate`` is ``"auto"`` (ask the
    dialect), ``"always"`` or ``"never"``.
    """

    def __init__(
        self,
        operations: BatchOwner,
        table_name: str,
        schema: str | None,
        recreate: str,
        copy_from: Table | None,
        table_args: tuple[Any, ...],
        table_kwargs: dict[str, Any],
        reflect_args: tuple[Any, ...],
        reflect_kwargs: dict[str, Any],
        naming_convention: dict[str, Any] | None,
        partial_reordering: list[tuple[str, ...]] | None,
    ) -> None:
        if recreate not in ("auto", "always", "never"):
            raise ValueError("recreate may be one of 'auto', 'always', or 'never'.")
        self.operations = operations
        self.table_name = table_name
        self.schema = schema
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = tuple(table_args)
        self.table_kwargs = dict(table_kwargs)
        self.reflect_args = tuple(reflect_args)
        self.reflect_kwargs = dict(reflect_kwargs)
        self.naming_convention = naming_convention
        self.partial_reordering = list(partial_reordering or [])
        self.batch: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        #: Tables of the columns queued by add_column: their constraints come with the column.
        self._added_column_tables: list[Any] = []

    # ------------------------------------------------------------------ what op impls read

    @property
    def impl(self) -> DefaultImpl:
        """The real dialect implementation."""
        return self.operations.impl

    @property
    def dialect(self) -> Dialect:
        """The dialect of the migration."""
        return self.operations.migration_context.dialect

    @property
    def as_sql(self) -> bool:
        """Whether the migration writes a SQL script instead of running."""
        return self.impl.as_sql

    @property
    def connection(self) -> Any:
        """The connection of the real implementation."""
        return self.impl.connection

    # ------------------------------------------------------------------ flushing

    def flush(self) -> None:
        """Apply the queued changes: replayed as ALTERs, or by rebuilding the table."""
        if self._should_recreate():
            from .rebuild import TableRebuild

            TableRebuild(self).run()
        else:
            if self.partial_reordering:
                # Alembic ignores it here without a word
                import warnings

                warnings.warn(
                    f"batch_alter_table({self.table_name!r}): partial_reordering is ignored, "
                    "as the table is altered in place, not rebuilt (recreate='always' rebuilds it)",
                    stacklevel=3,
                )
            self._replay()
        self.batch = []

    def _should_recreate(self) -> bool:
        if self.recreate == "always":
            return True
        if self.recreate == "never" or not self.batch:
            return False
        return bool(self.impl.requires_recreate_in_batch(self))

    def _replay(self) -> None:
        impl = self.impl
        for opname, args, kw in self.batch:
            if opname == "add_column" and (kw.get("insert_before") or kw.get("insert_after")):
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): insert_before/insert_after need the "
                    "table to be rebuilt; pass recreate='always'"
                )
            if opname == "add_constraint":
                const = args[0]
                if kw.pop("_column_bound", False) and impl.column_constraint_rendered_inline(const):
                    continue
            kw = {k: v for k, v in kw.items() if k not in ("insert_before", "insert_after")}
            getattr(impl, opname)(*args, **kw)

    # ------------------------------------------------------------------ queued methods

    def alter_column(self, table_name: str, column_name: str, **kw: Any) -> None:
        """Queue a column change."""
        self.batch.append(("alter_column", (table_name, column_name), kw))

    def add_column(self, table_name: str, column: Column, **kw: Any) -> None:
        """Queue a new column (``insert_before``/``insert_after`` position it on a rebuild).

        Unlike Alembic, which wants ``recreate="always"`` for a position, any batch that ends up
        rebuilding accepts one (SQLite's "auto" does); a batch replayed as ALTERs refuses it.
        """
        self._added_column_tables.append(getattr(column, "table", None))
        self.batch.append(("add_column", (table_name, column), kw))

    def drop_column(self, table_name: str, column: Column, **kw: Any) -> None:
        """Queue a column drop."""
        self.batch.append(("drop_column", (table_name, column), kw))

    def add_constraint(self, const: Constraint) -> None:
        """Queue a new constraint."""
        table = getattr(const, "table", None)
        bound = table is not None and any(table is t for t in self._added_column_tables)
        self.batch.append(("add_constraint", (const,), {"_column_bound": bound}))

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        """Queue a constraint drop."""
        self.batch.append(("drop_constraint", (const,), kw))

    def column_constraint_rendered_inline(self, constraint: Constraint) -> bool:
        """Queued constraints are sorted out on flush (inline on a rebuild, dialect rules on replay)."""
        return False

    def create_index(self, index: Index, **kw: Any) -> None:
        """Queue a new index."""
        self.batch.append(("create_index", (index,), kw))

    def drop_index(self, index: Index, **kw: Any) -> None:
        """Queue an index drop."""
        self.batch.append(("drop_index", (index,), kw))

    def create_table_comment(self, table: Table) -> None:
        """Queue a table comment."""
        self.batch.append(("create_table_comment", (table,), {}))

    def drop_table_comment(self, table: Table) -> None:
        """Queue the removal of the table comment."""
        self.batch.append(("drop_table_comment", (table,), {}))

    def create_column_comment(self, column: Column) -> None:
        """Queue a column comment."""
        self.batch.append(("create_column_comment", (column,), {}))

    def execute(self, sql: Any, execution_options: Any = None) -> None:
        """Run SQL now, before the queued changes (as Alembic does for ``batch_op.execute``).

        Running it at once keeps scripts that fix data before a rebuild working, e.g. an UPDATE of
        NULLs ahead of ``alter_column(nullable=False)``.
        """
        self.impl.execute(sql, execution_options)

    def rename_table(self, *arg: Any, **kw: Any) -> None:
        """Not available in batch mode."""
        raise NotImplementedError("rename_table is not available inside batch_alter_table")

    def create_table(self, *arg: Any, **kw: Any) -> None:
        """Not available in batch mode."""
        raise NotImplementedError("create_table is not available inside batch_alter_table")

    def drop_table(self, *arg: Any, **kw: Any) -> None:
        """Not available in batch mode."""
        raise NotImplementedError("drop_table is not available inside batch_alter_table")

    def bulk_insert(self, *arg: Any, **kw: Any) -> None:
        """Not available in batch mode."""
        raise NotImplementedError("bulk_insert is not available inside batch_alter_table")

    def __getattr__(self, name: str) -> Any:
        # Anything else (flags such as transactional_ddl, memo, dialect hooks) comes from the impl.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.operations.impl, name)
