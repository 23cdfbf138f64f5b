"""The rules, by kind of operation, and :func:`check_recording`, which runs them over one
revision's recorded operations in order.

Each check function looks at one :class:`~.base.Item` (an op, or one statement of an
``op.execute``) with the revision state of everything before it; after the checks,
:func:`remember` teaches the state what the item did (a table created, a constraint added
``NOT VALID``, a ``lock_timeout`` set).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ....operations import ops
from ..op_kinds import table_key
from ..raw_sql import op_for_statement, statements_of
from ..recording import BUILTIN_OPS
from .base import CheckContext, Item, LintTarget, RevisionState
from .batch import check_batch
from .catalog import RULES, Rule
from .columns import check_add_column, check_alter_column, check_drop_column
from .constraints import (
    check_check_constraint,
    check_foreign_key,
    check_primary_key,
    check_unique_constraint,
    check_validate_constraint,
)
from .enums import check_recreate_enum
from .indexes import check_create_index, check_drop_index
from .tables import check_drop_table, check_rename_table
from .transactions import LockTimeoutCheck, check_raw_statement

if TYPE_CHECKING:
    from ..findings import Finding
    from ..recording import RecordedOp, RevisionRecording

__all__ = ["RULES", "LintTarget", "Rule", "check_recording", "items_of"]

Check = Callable[[Item, CheckContext], None]

_CHECKS: dict[type, Check] = {
    ops.AddColumnOp: check_add_column,
    ops.DropColumnOp: check_drop_column,
    ops.AlterColumnOp: check_alter_column,
    ops.CreateIndexOp: check_create_index,
    ops.DropIndexOp: check_drop_index,
    ops.CreateForeignKeyOp: check_foreign_key,
    ops.CreateCheckConstraintOp: check_check_constraint,
    ops.CreateUniqueConstraintOp: check_unique_constraint,
    ops.CreatePrimaryKeyOp: check_primary_key,
    ops.ValidateConstraintOp: check_validate_constraint,
    ops.DropTableOp: check_drop_table,
    ops.RenameTableOp: check_rename_table,
    ops.RecreateEnumTypeOp: check_recreate_enum,
}


def items_of(record: RecordedOp, ctx: CheckContext) -> Iterator[Item]:
    """The items one recorded op gives: the op itself, or for ``op.execute`` (and ops dbshift
    does not know, whose SQL was captured) one item per statement of its SQL."""
    op = record.op
    if isinstance(op, ops.ExecuteSQLOp):
        statements = statements_of(op, ctx.target.dialect)
        if statements is None:
            ctx.report(
                "raw-sql-not-analysed", record.line,
                f"dbshift cannot compile the SQL construct {type(op.sqltext).__name__} to read it",
            )
            return
    elif type(op) not in BUILTIN_OPS and record.statements:
        statements = [
            s for sql in record.statements
            for s in statements_of(ops.ExecuteSQLOp(sql), ctx.target.dialect) or ()
        ]
    else:
        yield Item(record, op)
        return
    for statement in statements:
        yield Item(record, op_for_statement(statement), statement)


def check_recording(recording: RevisionRecording, target: LintTarget) -> list[Finding]:
    """Every finding of one revision's recording (before suppression and configuration)."""
    state = RevisionState()
    revision = recording.revision.revision
    ctx = CheckContext(target, state, revision, recording.path)
    lock_timeout = LockTimeoutCheck()
    seen_batches: set[int] = set()
    if recording.failure is not None:
        ctx.report(
            "recording-failed", recording.failure_line,
            f"upgrade() failed in recording mode: {recording.failure}",
        )
    for record in recording.ops:
        batch = record.batch
        if batch is not None and id(batch) not in seen_batches:
            seen_batches.add(id(batch))
            check_batch(batch, ctx)
        for item in items_of(record, ctx):
            if item.op is not None:
                check = _CHECKS.get(type(item.op))
                if check is not None:
                    check(item, ctx)
            check_raw_statement(item, ctx)
            lock_timeout.see(item, ctx)
            remember(item, state)
    lock_timeout.report(ctx)
    if recording.needs_connection is not None:
        ctx.report(
            "needs-connection", recording.needs_connection_line,
            f"upgrade() needs a database ({recording.needs_connection}); only the operations "
            "before that point were checked",
        )
    return ctx.findings


_NOT_NULL_CONDITION = re.compile(r'^\(?\s*"?(\w+)"?\s+IS\s+NOT\s+NULL\s*\)?$', re.I)


def _not_null_column(condition: Any) -> str | None:
    text = condition if isinstance(condition, str) else getattr(condition, "text", None)
    if text is None:
        try:
            text = str(condition)
        except Exception:  # pragma: no cover - an odd construct
            return None
    match = _NOT_NULL_CONDITION.match(text.strip())
    return match.group(1).lower() if match else None


def remember(item: Item, state: RevisionState) -> None:
    """Teach ``state`` what ``item`` did."""
    op = item.op
    segment = item.record.segment
    if isinstance(op, ops.CreateTableOp):
        state.create(table_key(op.table_name, op.schema))
    elif isinstance(op, ops.DropTableOp):
        state.forget(table_key(op.table_name, op.schema))
    elif isinstance(op, ops.RenameTableOp):
        old = table_key(op.table_name, op.schema)
        if state.is_new(old):
            state.forget(old)
            state.create(table_key(op.new_table_name, op.schema))
    elif isinstance(op, ops.CreateIndexOp) and op.index_name:
        state.created_indexes.add(str(op.index_name).lower())
    elif isinstance(op, ops.CreateForeignKeyOp) and op.constraint_name:
        if op.kw.get("postgresql_not_valid"):
            key = table_key(op.source_table, op.kw.get("source_schema"))
            state.not_valid[str(op.constraint_name).lower()] = (key, "foreignkey", segment)
    elif isinstance(op, ops.CreateCheckConstraintOp) and op.constraint_name:
        key = table_key(op.table_name, op.schema)
        name = str(op.constraint_name).lower()
        column = _not_null_column(op.condition)
        if op.kw.get("postgresql_not_valid"):
            state.not_valid[name] = (key, "check", segment)
            if column:
                state.not_null_checks[name] = (key, column)
        elif column:
            state.proven_not_null.add((key, column))
    elif isinstance(op, ops.ValidateConstraintOp):
        proven = state.not_null_checks.get(str(op.constraint_name).lower())
        if proven is not None:
            state.proven_not_null.add(proven)
    statement = item.statement
    if statement is not None and statement.kind == "set":
        if statement.detail.get("setting") == "lock_timeout":
            value = statement.detail.get("value", "").strip().lower()
            enabled = value not in ("0", "default", "")
            if "local" in statement.sql.lower().split()[:2]:
                state.lock_timeout_segment = segment if enabled else None
            else:
                state.lock_timeout_session = enabled
