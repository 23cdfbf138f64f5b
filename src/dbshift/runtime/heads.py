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
        # inline(): no RETURNING of the key (the value is known; offline scripts stay plain)
        self.context.impl._exec(
            table.insert().inline().values(version_num=self._literal(version))
        )

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
        heads = self.heads
        if step.should_delete_branch(heads):  # type: ignore[attr-defined]
            self._delete_version(step.delete_version_num)  # type: ignore[attr-defined]
        elif step.should_create_branch(heads):  # type: ignore[attr-defined]
            self._insert_version(step.insert_version_num)  # type: ignore[attr-defined]
        elif step.should_merge_branches(heads):  # type: ignore[attr-defined]
            delete_revs, update_from = step.merge_branch_idents(heads)  # type: ignore[attr-defined]
            to_rev = step.to_revisions[0]
            for rev in delete_revs:
                self._delete_version(rev)
            if update_from != to_rev:
                self._update_version(update_from, to_rev)
        elif step.should_unmerge_branches(heads):  # type: ignore[attr-defined]
            update_to, insert_revs = step.unmerge_branch_idents(heads)  # type: ignore[attr-defined]
            from_rev = step.from_revisions[0]
            if update_to not in heads:
                self._update_version(from_rev, update_to)
            else:
                self._delete_version(from_rev)
            for rev in insert_revs:
                if rev not in self.heads:
                    self._insert_version(rev)
        else:
            from_, to_ = step.from_revisions, step.to_revisions
            if not from_ or not to_:
                return
            from_rev = from_[0] if from_[0] in heads else next(
                (r for r in from_ if r in heads), from_[0]
            )
            to_rev = to_[0]
            if from_rev in heads and to_rev not in heads:
                self._update_version(from_rev, to_rev)
            elif from_rev in heads and to_rev in heads:
                self._delete_version(from_rev)
