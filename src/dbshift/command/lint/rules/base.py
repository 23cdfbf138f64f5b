"""What every rule works with: the target database, the state of the revision so far, the item
being checked, and the context a rule reports through.

Rules run over a revision's recorded operations in order. :class:`RevisionState` remembers what
the revision did before the current item: the tables it created (an index on one of those blocks
nobody), the constraints it added ``NOT VALID``, the CHECKs that prove a column non-null,
whether it set a ``lock_timeout``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..op_kinds import TableKey, table_key
from .catalog import RULES

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from ....ddl.statement_kinds import SqlStatement
    from ....operations.ops import MigrateOperation
    from ..recording import RecordedOp

__all__ = ["CheckContext", "Item", "LintTarget", "RevisionState"]


@dataclass
class LintTarget:
    """The database the revisions are checked for.

    ``flavor`` is ``postgresql``, ``mysql``, ``mariadb``, ``sqlite`` or another dialect name;
    ``server_version`` a tuple such as ``(15, 4)`` or None for a current release;
    ``lock_timeout_configured`` whether dbshift itself sets a lock timeout for the run.
    """

    dialect: Dialect
    flavor: str
    server_version: tuple[int, ...] | None = None
    lock_timeout_configured: bool = False

    @property
    def postgresql(self) -> bool:
        return self.flavor == "postgresql"

    @property
    def mysql_family(self) -> bool:
        return self.flavor in ("mysql", "mariadb")


@dataclass
class Item:
    """One thing to check: a recorded op, or a statement of an ``op.execute`` (``op`` is then
    the operation the statement stands for, when there is one)."""

    record: RecordedOp
    op: MigrateOperation | None
    statement: SqlStatement | None = None

    @property
    def raw(self) -> bool:
        """True for an item read from raw SQL."""
        return self.statement is not None

    @property
    def rebuilt_by_batch(self) -> bool:
        """True inside a batch block that rebuilds its table (no ALTER runs)."""
        batch = self.record.batch
        return batch is not None and batch.rebuilds


@dataclass
class RevisionState:
    """What the revision did before the item being checked."""

    created: set[TableKey] = field(default_factory=set)
    created_names: set[str] = field(default_factory=set)
    created_indexes: set[str] = field(default_factory=set)
    #: constraint name -> (table, "foreignkey"/"check", segment it was added in)
    not_valid: dict[str, tuple[TableKey, str, int]] = field(default_factory=dict)
    #: CHECK constraint name -> (table, column) for ``column IS NOT NULL`` checks
    not_null_checks: dict[str, tuple[TableKey, str]] = field(default_factory=dict)
    #: (table, column) pairs a valid CHECK proves non-null
    proven_not_null: set[tuple[TableKey, str]] = field(default_factory=set)
    lock_timeout_session: bool = False
    lock_timeout_segment: int | None = None

    def is_new(self, key: TableKey | None) -> bool:
        """Whether the revision created this table before now."""
        if key is None:
            return False
        if key in self.created:
            return True
        return key[0] is None and key[1] in self.created_names

    def create(self, key: TableKey) -> None:
        self.created.add(key)
        self.created_names.add(key[1])

    def forget(self, key: TableKey) -> None:
        self.created.discard(key)
        if not any(k[1] == key[1] for k in self.created):
            self.created_names.discard(key[1])

    def lock_timeout_set(self, segment: int) -> bool:
        """Whether a lock_timeout is in force in transaction ``segment``."""
        return self.lock_timeout_session or self.lock_timeout_segment == segment


class CheckContext:
    """What a rule reports through, for one revision."""

    def __init__(
        self,
        target: LintTarget,
        state: RevisionState,
        revision: str,
        path: str,
    ) -> None:
        self.target = target
        self.state = state
        self.revision = revision
        self.path = path
        self.findings: list[Finding] = []

    def table_is_new(self, name: Any, schema: Any = None) -> bool:
        """Whether the revision created the table ``name`` earlier."""
        return self.state.is_new(table_key(name, schema))

    def report(
        self,
        rule: str,
        line: int,
        message: str,
        *,
        fix: str | None = None,
        severity: str | None = None,
    ) -> None:
        """Add a finding of ``rule`` at ``line`` (the rule's own severity and fix by default)."""
        known = RULES[rule]
        self.findings.append(
            Finding(
                rule,
                severity or known.severity,
                self.revision,
                self.path,
                line,
                message,
                fix or known.fix,
            )
        )
