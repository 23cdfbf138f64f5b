"""Every lint rule: its id, default severity, what it finds and the safe way to do it.

Rule ids are stable (configuration and ``# dbshift: ignore[rule-id]`` comments name them).
``[dbshift.lint]`` in ``alembic.ini`` (or ``[tool.dbshift.lint]`` in ``pyproject.toml``) maps a
rule id to ``error``, ``warning``, ``info`` or ``off``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "Rule"]


@dataclass(frozen=True)
class Rule:
    """A rule's id, default severity, one-line summary and the safe way to do it."""

    id: str
    severity: str
    summary: str
    fix: str


_ALL = [
    Rule(
        "not-null-column-without-default", "error",
        "a NOT NULL column without a server default is added to an existing table",
        "add the column nullable, backfill it in batches, then make it NOT NULL (on PostgreSQL "
        "through a validated CHECK); or give it a server_default",
    ),
    Rule(
        "volatile-default-rewrites-table", "error",
        "a column whose default is computed per row (volatile default, identity, serial, stored "
        "generated) is added to an existing table: every row is rewritten under an ACCESS "
        "EXCLUSIVE lock",
        "add the column without the default (or with a constant one), set the default for new "
        "rows, then backfill existing rows in batches",
    ),
    Rule(
        "constant-default-rewrites-table", "error",
        "before PostgreSQL 11 a column added with any default rewrites the table",
        "add the column without a default, set the default in a second statement, then "
        "backfill existing rows in batches",
    ),
    Rule(
        "column-type-rewrites-table", "error",
        "a column type change rewrites (PostgreSQL) or copies (MySQL/MariaDB) the whole table "
        "while writes (and on PostgreSQL reads) wait",
        "add a column of the new type, write both, backfill in batches, switch reads, drop the "
        "old column later; in-place changes (widening a varchar, varchar to text) need no rewrite",
    ),
    Rule(
        "set-not-null-scans-table", "error",
        "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
        "add CHECK (col IS NOT NULL) NOT VALID, validate it in a later transaction "
        "(op.validate_constraint in an autocommit_block), then SET NOT NULL (PostgreSQL 12+ "
        "skips the scan) and drop the CHECK",
    ),
    Rule(
        "blocking-index-creation", "error",
        "CREATE INDEX without CONCURRENTLY blocks writes to the table while the index is built",
        "with op.get_context().autocommit_block(): op.create_index(..., "
        "postgresql_concurrently=True)",
    ),
    Rule(
        "blocking-index-drop", "warning",
        "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table",
        "with op.get_context().autocommit_block(): op.drop_index(..., "
        "postgresql_concurrently=True)",
    ),
    Rule(
        "foreign-key-validates-under-lock", "error",
        "adding a foreign key checks every row while both tables are locked against writes",
        "op.create_foreign_key(..., postgresql_not_valid=True), then op.validate_constraint(...) "
        "in a later transaction (an autocommit_block or the next revision)",
    ),
    Rule(
        "check-validates-under-lock", "error",
        "adding a CHECK constraint checks every row under an ACCESS EXCLUSIVE lock",
        "op.create_check_constraint(..., postgresql_not_valid=True), then "
        "op.validate_constraint(...) in a later transaction",
    ),
    Rule(
        "unique-constraint-blocks-writes", "error",
        "adding a UNIQUE constraint builds its index under an ACCESS EXCLUSIVE lock",
        "CREATE UNIQUE INDEX CONCURRENTLY in an autocommit_block, then ALTER TABLE ... ADD "
        "CONSTRAINT ... UNIQUE USING INDEX",
    ),
    Rule(
        "primary-key-blocks-writes", "error",
        "adding a PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock",
        "CREATE UNIQUE INDEX CONCURRENTLY in an autocommit_block, then ALTER TABLE ... ADD "
        "CONSTRAINT ... PRIMARY KEY USING INDEX",
    ),
    Rule(
        "rename-column-breaks-code", "warning",
        "renaming a column breaks the application code still running that uses the old name",
        "add the new column, write both, backfill, move reads, drop the old one in a later "
        "release",
    ),
    Rule(
        "rename-table-breaks-code", "warning",
        "renaming a table breaks the application code still running that uses the old name",
        "rename it and create a view with the old name until every client moved, or copy "
        "through a new table",
    ),
    Rule(
        "drop-column-breaks-code", "warning",
        "dropping a column breaks the application code still running that reads it",
        "stop using the column in code (deferred/excluded from the ORM model) and deploy that "
        "first; drop it in a later release",
    ),
    Rule(
        "drop-table-loses-data", "warning",
        "dropping a table loses its data and breaks code still using it",
        "stop using the table, keep a backup (or rename it away), drop it in a later release",
    ),
    Rule(
        "enum-value-removal-rewrites", "error",
        "removing or reordering ENUM values converts every row of every column using the type",
        "only append values (ALTER TYPE ... ADD VALUE / op.add_enum_value); migrate rows off a "
        "value before removing it, in a maintenance window",
    ),
    Rule(
        "concurrently-inside-transaction", "error",
        "a CONCURRENTLY statement cannot run inside the migration's transaction",
        "run it in `with op.get_context().autocommit_block():`",
    ),
    Rule(
        "missing-lock-timeout", "warning",
        "a statement takes an ACCESS EXCLUSIVE lock while no lock_timeout is set: queued behind "
        "a long query, it blocks every other query on the table",
        "SET lock_timeout (op.execute(\"SET LOCAL lock_timeout = '5s'\")) before it, or "
        "configure dbshift's lock_timeout, and retry on timeout",
    ),
    Rule(
        "batch-rebuilds-table", "warning",
        "batch_alter_table rebuilds (copies) an existing table",
        "for big tables, avoid the rebuild (recreate='never' where the database can ALTER) or "
        "run it in a maintenance window",
    ),
    Rule(
        "raw-sql-not-analysed", "info",
        "dbshift could not classify the SQL of an op.execute",
        "use the op directive for the change, or review the statement's locks by hand (plan, "
        "trace)",
    ),
    Rule(
        "needs-connection", "info",
        "the revision needs a database to run (op.get_bind()); only what it did before that "
        "was checked",
        "lint with --url (or a reachable database) to run it against a connection inside a "
        "transaction that is rolled back",
    ),
    Rule(
        "recording-failed", "warning",
        "the revision failed in recording mode; what it did before the error was checked",
        "make upgrade() importable and runnable without side effects",
    ),
    Rule(
        "invalid-suppression", "warning",
        "a `# dbshift: ignore[...]` comment without a reason or with an unknown rule id",
        "write `# dbshift: ignore[rule-id] why this is safe here`",
    ),
]

#: Every rule by id.
RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
