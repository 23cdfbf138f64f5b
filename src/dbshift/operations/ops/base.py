"""``MigrateOperation``, the base of every operation object, and the op containers.

Operation objects are small data holders: what to change, by plain names. They can describe the
inverse change (``reverse()``) and a diff tuple (``to_diff_tuple()``); running them is the job of an
implementation registered with ``Operations.implementation_for``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..running_migration import RunningMigration
    from ..schemaobj import SchemaObjects


class MigrateOperation:
    """Base class of every operation (directive) object."""

    @property
    def info(self) -> dict[Any, Any]:
        """A dictionary for user-defined data attached to this operation."""
        try:
            return self._info  # type: ignore[has-type,no-any-return]
        except AttributeError:
            self._info: dict[Any, Any] = {}
            return self._info

    def reverse(self) -> MigrateOperation:
        """The operation that undoes this one."""
        raise NotImplementedError(f"{type(self).__name__} has no reverse operation")

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """This operation as an autogenerate diff tuple."""
        raise NotImplementedError(f"{type(self).__name__} has no diff tuple form")

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and v is not None
        )
        return f"<{type(self).__name__}({fields})>"


def schema_objects(migration_context: RunningMigration | None) -> SchemaObjects:
    """A :class:`SchemaObjects` for ``migration_context`` (or a bare one)."""
    from ..schemaobj import SchemaObjects

    return SchemaObjects(migration_context)


class OpContainer(MigrateOperation):
    """An ordered sequence of operations."""

    def __init__(self, ops: Sequence[MigrateOperation] = ()) -> None:
        self.ops = list(ops)

    def is_empty(self) -> bool:
        """True when there are no operations."""
        return not self.ops

    def as_diffs(self) -> list[Any]:
        """The flattened diff tuples of every operation inside."""
        return list(_flatten_diffs(self))


def _flatten_diffs(container: OpContainer) -> Iterator[Any]:
    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _flatten_diffs(op)
        else:
            yield op.to_diff_tuple()


class ModifyTableOps(OpContainer):
    """The operations that change one existing table."""

    def __init__(
        self, table_name: str, ops: Sequence[MigrateOperation], *, schema: str | None = None
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(
            self.table_name, [op.reverse() for op in reversed(self.ops)], schema=self.schema
        )


class UpgradeOps(OpContainer):
    """The operations of a revision's ``upgrade()``."""

    def __init__(self, ops: Sequence[MigrateOperation] = (), upgrade_token: str = "upgrades") -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops: DowngradeOps) -> DowngradeOps:
        """Fill ``downgrade_ops`` with the reverse of these operations and return it."""
        downgrade_ops.ops[:] = [op.reverse() for op in reversed(self.ops)]
        return downgrade_ops

    def reverse(self) -> DowngradeOps:
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The operations of a revision's ``downgrade()``."""

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(ops=[op.reverse() for op in reversed(self.ops)])


class MigrationScript(MigrateOperation):
    """A whole revision to be written: id, message and its upgrade/downgrade operations.

    ``upgrade_ops``/``downgrade_ops`` may each be a list (one entry per database in a multi-database
    environment); ``upgrade_ops_list``/``downgrade_ops_list`` always give lists.
    """

    def __init__(
        self,
        rev_id: str | None,
        upgrade_ops: UpgradeOps | list[UpgradeOps],
        downgrade_ops: DowngradeOps | list[DowngradeOps],
        *,
        message: str | None = None,
        imports: set[str] | None = None,
        head: str | None = None,
        splice: bool | None = None,
        branch_label: Any = None,
        version_path: str | None = None,
        depends_on: Any = None,
    ) -> None:
        self.rev_id = rev_id
        self.message = message
        self.imports = imports if imports is not None else set()
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = version_path
        self.depends_on = depends_on
        self.upgrade_ops = upgrade_ops
        self.downgrade_ops = downgrade_ops

    @property
    def upgrade_ops(self) -> UpgradeOps | None:
        """The single UpgradeOps (an error if there are several)."""
        if len(self._upgrade_ops) > 1:
            raise ValueError("This MigrationScript has several UpgradeOps; use upgrade_ops_list")
        return self._upgrade_ops[0] if self._upgrade_ops else None

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps | list[UpgradeOps]) -> None:
        self._upgrade_ops = list(value) if isinstance(value, (list, tuple)) else [value]

    @property
    def downgrade_ops(self) -> DowngradeOps | None:
        """The single DowngradeOps (an error if there are several)."""
        if len(self._downgrade_ops) > 1:
            raise ValueError("This MigrationScript has several DowngradeOps; use downgrade_ops_list")
        return self._downgrade_ops[0] if self._downgrade_ops else None

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps | list[DowngradeOps]) -> None:
        self._downgrade_ops = list(value) if isinstance(value, (list, tuple)) else [value]

    @property
    def upgrade_ops_list(self) -> list[UpgradeOps]:
        """Every UpgradeOps, one per database pass."""
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self) -> list[DowngradeOps]:
        """Every DowngradeOps, one per database pass."""
        return self._downgrade_ops
