"""Rules on constraints: foreign keys and CHECKs validated under a lock, UNIQUE and PRIMARY KEY
indexes built under one, NOT VALID constraints validated in the transaction that added them."""

from __future__ import annotations

from ....operations import ops
from .base import CheckContext, Item
from .columns import label

__all__ = [
    "check_check_constraint",
    "check_foreign_key",
    "check_primary_key",
    "check_unique_constraint",
    "check_validate_constraint",
]

_MYSQL_COPY_FIX = (
    "for big tables use an online schema change tool (gh-ost, pt-online-schema-change); a "
    "foreign key can be added INPLACE with foreign_key_checks=0 once the data is known to match"
)


def _validated_under_lock(item: Item, ctx: CheckContext, rule: str, pg: str, mysql: str) -> None:
    """``rule`` for a constraint validated as it is added: ``pg`` says what PostgreSQL locks
    while it checks the rows (unless added NOT VALID), ``mysql`` what MySQL/MariaDB copy."""
    op = item.op
    if ctx.target.postgresql and not getattr(op, "kw", {}).get("postgresql_not_valid"):
        ctx.report(rule, item.record.line, pg)
    elif ctx.target.mysql_family:
        ctx.report(
            rule, item.record.line, f"{mysql}; writes wait until the copy is done",
            fix=_MYSQL_COPY_FIX,
        )


def check_foreign_key(item: Item, ctx: CheckContext) -> None:
    """foreign-key-validates-under-lock."""
    op = item.op
    assert isinstance(op, ops.CreateForeignKeyOp)
    schema = op.kw.get("source_schema")
    if item.rebuilt_by_batch or ctx.table_is_new(op.source_table, schema):
        return
    table = label(op.source_table, schema)
    referent = label(op.referent_table, op.kw.get("referent_schema"))
    name = op.constraint_name or "(unnamed)"
    _validated_under_lock(
        item, ctx, "foreign-key-validates-under-lock",
        f"adding foreign key {name} checks every row of {table} while {table} and {referent} "
        "are locked against writes (SHARE ROW EXCLUSIVE)",
        f"adding foreign key {name} copies {table} (ALGORITHM=COPY while foreign_key_checks=1)",
    )


def check_check_constraint(item: Item, ctx: CheckContext) -> None:
    """check-validates-under-lock."""
    op = item.op
    assert isinstance(op, ops.CreateCheckConstraintOp)
    if item.rebuilt_by_batch or ctx.table_is_new(op.table_name, op.schema):
        return
    table = label(op.table_name, op.schema)
    name = op.constraint_name or "(unnamed)"
    _validated_under_lock(
        item, ctx, "check-validates-under-lock",
        f"adding CHECK constraint {name} checks every row of {table} under an ACCESS EXCLUSIVE "
        "lock",
        f"adding CHECK constraint {name} copies {table} (ALGORITHM=COPY)",
    )


def check_unique_constraint(item: Item, ctx: CheckContext) -> None:
    """unique-constraint-blocks-writes (PostgreSQL)."""
    assert isinstance(item.op, ops.CreateUniqueConstraintOp)
    _index_built_under_lock(item, ctx, "unique-constraint-blocks-writes", "UNIQUE constraint")


def check_primary_key(item: Item, ctx: CheckContext) -> None:
    """primary-key-blocks-writes (PostgreSQL)."""
    assert isinstance(item.op, ops.CreatePrimaryKeyOp)
    _index_built_under_lock(item, ctx, "primary-key-blocks-writes", "PRIMARY KEY")


def _index_built_under_lock(item: Item, ctx: CheckContext, rule: str, kind: str) -> None:
    """A constraint whose index PostgreSQL builds on an existing table under an ACCESS EXCLUSIVE
    lock (UNIQUE, PRIMARY KEY)."""
    op = item.op
    if not ctx.target.postgresql or item.rebuilt_by_batch:
        return
    if ctx.table_is_new(op.table_name, op.schema):
        return
    table = label(op.table_name, op.schema)
    ctx.report(
        rule, item.record.line,
        f"adding {kind} {op.constraint_name or '(unnamed)'} builds its index on {table} under an "
        "ACCESS EXCLUSIVE lock",
    )


def check_validate_constraint(item: Item, ctx: CheckContext) -> None:
    """A NOT VALID constraint validated in the transaction that added it: the lock of the ADD
    is still held while VALIDATE checks every row."""
    op = item.op
    assert isinstance(op, ops.ValidateConstraintOp)
    if not ctx.target.postgresql:
        return
    added = ctx.state.not_valid.get(str(op.constraint_name).lower())
    if added is None or item.record.autocommit or added[2] != item.record.segment:
        return
    rule = (
        "foreign-key-validates-under-lock" if added[1] == "foreignkey"
        else "check-validates-under-lock"
    )
    lock = "SHARE ROW EXCLUSIVE" if added[1] == "foreignkey" else "ACCESS EXCLUSIVE"
    ctx.report(
        rule, item.record.line,
        f"validating {op.constraint_name} in the transaction that added it NOT VALID: the "
        f"{lock} lock taken by the ADD is still held while every row of "
        f"{label(op.table_name, op.schema)} is checked",
        fix="validate it in a later transaction: `with op.get_context().autocommit_block(): "
        "op.validate_constraint(...)`, or in the next revision with transaction_per_migration",
    )
