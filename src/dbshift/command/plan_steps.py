"""The document behind ``dbshift plan``: the pending steps, their compiled statements, and what
each statement does to its tables (lock, effect or ALTER algorithm, table size), with the lint
findings of each step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..ddl.mysql_alter_algorithm import alter_algorithm
from ..ddl.postgresql_locks import blocked_by, lock_strength, statement_lock
from ..ddl.postgresql_rewrites import add_column_rewrite, type_change
from ..ddl.statement_kinds import classify_sql
from ..ddl.table_sizes import table_size
from ..operations import ops
from .lint.command_run import lint_revisions_for_plan
from .lint.findings import display_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..config import Config
    from ..ddl.statement_kinds import SqlStatement
    from ..runtime.migration import MigrationContext
    from .lint.findings import Finding
    from .lint.recording import RecordedOp, RevisionRecording
    from .lint.rules.base import LintTarget

__all__ = ["make_plan"]


@dataclass
class _TableInfo:
    name: str
    schema: str | None
    rows: int | None
    bytes: int | None
    new: bool


@dataclass
class _Statement:
    sql: str
    kind: str
    tables: list[_TableInfo] = field(default_factory=list)
    lock: str | None = None
    blocks: str | None = None
    effect: str | None = None
    algorithm: str | None = None
    outside_transaction: bool = False


def make_plan(
    config: Config, script: Any, context: MigrationContext, revision: str
) -> dict[str, Any]:
    heads = context.get_current_heads()
    revisions = list(script.upgrade_revisions(revision, tuple(heads)))
    run = lint_revisions_for_plan(config, script, context, revisions)
    connection = context.connection
    assert connection is not None
    sizes = _Sizes(connection)
    steps = []
    for recording in run.recordings:
        findings = run.findings_of(recording.revision.revision)
        steps.append(_step(recording, findings, run.target, sizes))
        sizes.learn(recording)
    version = run.target.server_version
    return {
        "dialect": run.target.flavor,
        "server_version": ".".join(str(p) for p in version) if version else None,
        "current_heads": list(heads),
        "target": revision,
        "steps": steps,
    }


class _Sizes:
    """Table sizes, asked once per table; tables an earlier step creates count as new."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.cache: dict[tuple[str | None, str], _TableInfo] = {}
        self.created: set[tuple[str | None, str]] = set()

    def info(self, name: str, schema: str | None) -> _TableInfo:
        key = (schema, name)
        if key in self.created:
            return _TableInfo(name, schema, None, None, True)
        if key not in self.cache:
            size = table_size(self.connection, name, schema)
            self.cache[key] = _TableInfo(name, schema, size.rows, size.bytes, not size.exists)
        return self.cache[key]

    def learn(self, recording: RevisionRecording) -> None:
        for record in recording.ops:
            op = record.op
            if isinstance(op, ops.CreateTableOp):
                self.created.add((op.schema, op.table_name))


def _step(
    recording: RevisionRecording, findings: list[Finding], target: LintTarget, sizes: _Sizes
) -> dict[str, Any]:
    rev = recording.revision
    statements: list[_Statement] = []
    seen_batches: set[int] = set()
    for record in recording.ops:
        batch = record.batch
        if batch is not None:
            if id(batch) in seen_batches:
                continue
            seen_batches.add(id(batch))
            texts = batch.statements
        else:
            texts = record.statements
        for sql in texts:
            statements.append(_describe(sql, record, target, sizes, findings))
    note = None
    if recording.needs_connection:
        note = f"stops where it needs a database: {recording.needs_connection}"
    elif recording.failure:
        note = f"failed in recording mode: {recording.failure}"
    return {
        "revision": rev.revision,
        "from": list(rev.versioned_down_revisions),
        "doc": rev.doc,
        "path": display_path(recording.path),
        "statements": [asdict(s) for s in statements],
        "findings": [f.as_json() for f in findings],
        "note": note,
    }


def _describe(
    sql: str, record: RecordedOp, target: LintTarget, sizes: _Sizes, findings: list[Finding]
) -> _Statement:
    if sql.startswith("--"):
        return _Statement(sql, "not compiled")
    actions = [a for a in classify_sql(sql) if a.kind != "other"] or classify_sql(sql)
    statement = _Statement(sql, ",".join(dict.fromkeys(a.kind for a in actions)))
    statement.outside_transaction = record.autocommit
    seen: set[tuple[str | None, str]] = set()
    for action in actions:
        if action.table and (action.schema, action.table) not in seen:
            seen.add((action.schema, action.table))
            statement.tables.append(sizes.info(action.table, action.schema))
    if target.postgresql:
        strongest = max(actions, key=lambda a: lock_strength(statement_lock(a.kind).mode))
        lock = statement_lock(strongest.kind)
        statement.lock = lock.mode
        statement.blocks = blocked_by(lock.mode) if lock.mode else None
        if statement.tables and all(t.new for t in statement.tables):
            statement.blocks = "nothing: new table"
        statement.effect = _pg_effect(actions, record, target, findings)
    elif target.mysql_family:
        statement.algorithm = _mysql_algorithm(actions, record, target)
    return statement


_EFFECT_ORDER = ("none", "metadata", "rows", "scan", "rewrite")


def _pg_effect(
    actions: list[SqlStatement], record: RecordedOp, target: LintTarget, findings: list[Finding]
) -> str:
    op = record.op
    at_line = {f.rule for f in findings if f.line == record.line}
    effects = []
    for action in actions:
        effect = statement_lock(action.kind).effect
        if action.kind == "alter_column_type" and isinstance(op, ops.AlterColumnOp):
            change = type_change(
                op.existing_type, op.modify_type, target.dialect,
                using=op.kw.get("postgresql_using") is not None,
            )
            effect = "metadata" if change.rewrites is False else "rewrite"
        elif action.kind == "add_column":
            default = action.detail.get("default")
            generated = any(o in action.options for o in ("generated",))
            effect = "rewrite" if add_column_rewrite(
                default, target.server_version, generated=generated
            ) else "metadata"
        elif action.kind == "set_not_null" and "set-not-null-scans-table" not in at_line:
            effect = "metadata"
        effects.append(effect)
    return max(effects, key=_EFFECT_ORDER.index) if effects else "none"


def _mysql_algorithm(actions: list[SqlStatement], record: RecordedOp, target: LintTarget) -> str | None:
    op = record.op
    order = {"INSTANT": 0, "INPLACE": 1, "COPY": 2}
    found = []
    for action in actions:
        types: dict[str, Any] = {}
        if action.kind in ("alter_column_type", "modify_column") and isinstance(
            op, ops.AlterColumnOp
        ):
            if op.modify_type is None:
                continue  # MySQL restates the column for nullability and defaults
            types = {"existing_type": op.existing_type, "new_type": op.modify_type}
        algorithm = alter_algorithm(
            action.kind, mariadb=target.flavor == "mariadb", server_version=target.server_version,
            dialect=target.dialect, **types,
        )
        if algorithm is not None:
            found.append(algorithm)
    if not found:
        return None
    worst = max(found, key=lambda a: order[a.name])
    return worst.name + (" (rebuilds the table)" if worst.rebuilds and worst.name != "COPY" else "")
