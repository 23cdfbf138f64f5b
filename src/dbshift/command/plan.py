"""``dbshift plan``: what ``upgrade`` would run, and what each statement would do to the tables.

Connected and read-only. The pending revisions run in recording mode with their statements
compiled for the connected database (nothing is executed; a revision that reads the database
runs inside a read-only transaction that is rolled back). Each statement is shown with:

* PostgreSQL: the lock it takes (:mod:`dbshift.ddl.postgresql_locks`), what that lock blocks, and
  whether it rewrites or scans the table;
* MySQL/MariaDB: whether the ALTER can run INSTANT, INPLACE or only as a table COPY
  (:mod:`dbshift.ddl.mysql_alter_algorithm`);
* the estimated rows and size of the tables it touches (:mod:`dbshift.ddl.table_sizes`);

and each step with its lint findings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .project import script_directory

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..config import Config
    from ..ddl.statement_kinds import SqlStatement
    from ..runtime.migration import MigrationContext
    from .lint.findings import Finding
    from .lint.recording import RecordedOp, RevisionRecording
    from .lint.rules.base import LintTarget

__all__ = ["plan"]


def plan(
    config: Config, revision: str = "heads", url: str | None = None, output_format: str = "text"
) -> dict[str, Any]:
    """Show the statements upgrade would run, with their locks and the sizes of their tables.

    Connected and read-only: nothing is executed. Returns the plan as a dictionary (the
    ``--format json`` output).
    """
    from .live_database import check_output_format, print_document, with_database

    check_output_format(output_format)
    script = script_directory(config)

    def work(context: MigrationContext) -> dict[str, Any]:
        return _make_plan(config, script, context, revision)

    result = with_database(config, script, work, url=url)
    print_document(config, result, output_format, _text)
    return result


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


def _make_plan(
    config: Config, script: Any, context: MigrationContext, revision: str
) -> dict[str, Any]:
    from .lint.command_run import lint_revisions_for_plan

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
        from ..ddl.table_sizes import table_size

        key = (schema, name)
        if key in self.created:
            return _TableInfo(name, schema, None, None, True)
        if key not in self.cache:
            size = table_size(self.connection, name, schema)
            self.cache[key] = _TableInfo(name, schema, size.rows, size.bytes, not size.exists)
        return self.cache[key]

    def learn(self, recording: RevisionRecording) -> None:
        from ..operations import ops

        for record in recording.ops:
            op = record.op
            if isinstance(op, ops.CreateTableOp):
                self.created.add((op.schema, op.table_name))


def _step(
    recording: RevisionRecording, findings: list[Finding], target: LintTarget, sizes: _Sizes
) -> dict[str, Any]:
    from .lint.findings import display_path

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
    from ..ddl.postgresql_locks import blocked_by, lock_strength, statement_lock
    from ..ddl.statement_kinds import classify_sql

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
    from ..ddl.postgresql_locks import statement_lock
    from ..ddl.postgresql_rewrites import add_column_rewrite, type_change
    from ..operations import ops

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
    from ..ddl.mysql_alter_algorithm import alter_algorithm
    from ..operations import ops

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


def _size_text(table: dict[str, Any]) -> str:
    name = f"{table['schema']}.{table['name']}" if table["schema"] else table["name"]
    if table["new"]:
        return f"{name}: new"
    parts = []
    parts.append(f"~{table['rows']:,} rows" if table["rows"] is not None else "rows unknown")
    if table["bytes"] is not None:
        parts.append(_bytes(table["bytes"]))
    return f"{name}: {', '.join(parts)}"


def _bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"  # pragma: no cover


def _text(result: dict[str, Any]) -> list[str]:
    version = f" {result['server_version']}" if result["server_version"] else ""
    heads = ", ".join(result["current_heads"]) or "<base>"
    lines = [
        f"Plan for {result['dialect']}{version}: {len(result['steps'])} step(s) from {heads} "
        f"to {result['target']}"
    ]
    for step in result["steps"]:
        source = ", ".join(step["from"]) or "<base>"
        doc = f", {step['doc']}" if step["doc"] else ""
        lines.append(f"upgrade {source} -> {step['revision']}{doc} ({step['path']})")
        for statement in step["statements"]:
            lines.append("  " + " ".join(statement["sql"].split()))
            details = []
            if statement["lock"]:
                details.append(f"{statement['lock']} lock (blocks {statement['blocks']})")
            if statement["effect"] and statement["effect"] != "none":
                details.append(statement["effect"])
            if statement["algorithm"]:
                details.append(f"ALGORITHM={statement['algorithm']}")
            if statement["outside_transaction"]:
                details.append("outside the transaction")
            details.extend(_size_text(t) for t in statement["tables"])
            if details:
                lines.append("    " + "; ".join(details))
        if step["note"]:
            lines.append(f"  ({step['note']})")
        for finding in step["findings"]:
            if "suppressed" not in finding:
                lines.append(
                    f"  lint: {finding['path']}:{finding['line']} {finding['rule']} "
                    f"{finding['message']}"
                )
    return lines
