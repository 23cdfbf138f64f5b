"""Rules about the migration's transaction: locks taken with no lock_timeout, CONCURRENTLY
statements of raw SQL inside the transaction, raw SQL dbshift cannot read."""

from __future__ import annotations

from dataclasses import dataclass, field

from ....ddl.postgresql_locks import ACCESS_EXCLUSIVE, statement_lock
from ..op_kinds import OpStatement, TableKey, op_statements, table_key
from .base import CheckContext, Item

__all__ = ["LockTimeoutCheck", "check_raw_statement"]

#: Raw statements that must run outside a transaction block (PostgreSQL).
_OUTSIDE_TRANSACTION = frozenset(
    {"reindex_concurrently", "refresh_view_concurrently", "detach_partition_concurrently"}
)


def item_statements(item: Item) -> list[OpStatement]:
    """The statement kinds of an item, with their tables."""
    if item.op is not None:
        return op_statements(item.op)
    statement = item.statement
    if statement is None:
        return []
    table = table_key(statement.table, statement.schema) if statement.table else None
    return [OpStatement(statement.kind, table)]


def check_raw_statement(item: Item, ctx: CheckContext) -> None:
    """raw-sql-not-analysed, and concurrently-inside-transaction for raw statements no
    directive spells (``REINDEX CONCURRENTLY``, ...)."""
    statement = item.statement
    if statement is None:
        return
    line = item.record.line
    if statement.kind == "unknown":
        shown = " ".join(statement.sql.split())
        if len(shown) > 60:
            shown = shown[:57] + "..."
        ctx.report(
            "raw-sql-not-analysed", line,
            f"dbshift cannot tell what this SQL locks or rewrites: {shown}",
        )
    elif (
        statement.kind in _OUTSIDE_TRANSACTION
        and ctx.target.postgresql
        and not item.record.autocommit
    ):
        ctx.report(
            "concurrently-inside-transaction", line,
            f"{statement.kind.replace('_', ' ').upper()} cannot run inside a transaction "
            "block; it fails at upgrade time",
        )


@dataclass
class LockTimeoutCheck:
    """missing-lock-timeout: collects the statements that take ACCESS EXCLUSIVE on an existing
    table with no lock_timeout in force, and reports the first one (with the count)."""

    found: list[tuple[Item, OpStatement, TableKey]] = field(default_factory=list)

    def see(self, item: Item, ctx: CheckContext) -> None:
        """Look at one item (before the revision state learns from it)."""
        target = ctx.target
        if not target.postgresql or target.lock_timeout_configured:
            return
        if item.rebuilt_by_batch or ctx.state.lock_timeout_set(item.record.segment):
            return
        for statement in item_statements(item):
            if statement.kind == "create_table" or statement.table is None:
                continue
            if statement_lock(statement.kind).mode != ACCESS_EXCLUSIVE:
                continue
            if ctx.state.is_new(statement.table):
                continue
            self.found.append((item, statement, statement.table))
            return

    def report(self, ctx: CheckContext) -> None:
        """Report the first statement found, if any."""
        if not self.found:
            return
        item, statement, table = self.found[0]
        name = f"{table[0]}.{table[1]}" if table[0] else table[1]
        more = len(self.found) - 1
        extra = f" ({more} more such statement(s) in this revision)" if more else ""
        ctx.report(
            "missing-lock-timeout", item.record.line,
            f"{statement.kind.replace('_', ' ').upper()} takes an ACCESS EXCLUSIVE lock on "
            f"{name} and no lock_timeout is set: queued behind a long query, it blocks every "
            f"query on {name}{extra}",
        )
