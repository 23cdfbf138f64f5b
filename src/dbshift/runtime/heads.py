"""``HeadMaintainer``: keeps the version table's rows (one per head) in step with migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import literal_column

from ..util.exc import CommandError

if TYPE_CHECKING:
    from .migration import MigrationContext
    from .steps import MigrationStep


class HeadMaintainer:
    """Applies each step's version-table change: INSERT, UPDATE, DELETE, merge or unmerge."""

    def __init__(self, context: MigrationContext, heads: Any) -> None:
        self.context = context
        self.heads: set[str] = set(heads)

    def _literal(self, value: str) -> Any:
        escaped = value.replace("'", "''")
        return literal_column(f"'{escaped}'")

    def _check_rowcount(self, result: Any, what: str) -> None:
        ctx = self.context
        if ctx.as_sql or result is None:
            return
        if ctx.dialect.supports_sane_rowcount and result.rowcount != 1:
            raise CommandError(
                f"Online migration expected to match one row when {what} in "
                f"'{ctx.version_table}'; {result.rowcount} found"
            )

    def _insert_version(self, version: str) -> None:
        assert version not in self.heads
        self.heads.add(version)
        table = self.context._version
        # Compiled as Alembic compiles it, so offline scripts are identical (on SQLite and
        # PostgreSQL, SQLAlchemy adds RETURNING of the primary key to this INSERT).
        self.context.impl._exec(table.insert().values(version_num=self._literal(version)))

    def _delete_version(self, version: str) -> None:
        self.heads.remove(version)
        table = self.context._version
        result = self.context.impl._exec(
            table.delete().where(table.c.version_num == self._literal(version))
        )
        self._check_rowcount(result, f"deleting '{version}'")

    def _update_version(self, from_: str, to_: str) -> None:
        assert to_ not in self.heads
        self.heads.remove(from_)
        self.heads.add(to_)
        table = self.context._version
        result = self.context.impl._exec(
            table.update()
            .values(version_num=self._literal(to_))
            .where(table.c.version_num == self._literal(from_))
        )
        self._check_rowcount(result, f"updating '{from_}' to '{to_}'")

    def update_to_step(self, step: MigrationStep) -> None:
        """Move the rows for ``step``."""
        for change in step.head_changes(set(self.heads)):  # type: ignore[attr-defined]
            kind = change[0]
            if kind == "insert":
                if change[1] not in self.heads:
                    self._insert_version(change[1])
            elif kind == "delete":
                if change[1] in self.heads:
                    self._delete_version(change[1])
            elif change[2] in self.heads:
                self._delete_version(change[1])
            else:
                self._update_version(change[1], change[2])
