"""``dbshift trace``: run the pending migrations in one transaction, record the locks each
statement takes, roll everything back (PostgreSQL).

Every statement of every pending revision runs for real, inside one transaction (a savepoint
when ``env.py`` already began one), exactly as one ``upgrade`` run would hold its locks. After each
statement the session's relation locks are read from ``pg_locks``
(:func:`dbshift.ddl.postgresql_locks.session_locks`); a lock is held from the statement that took
it until the end of the transaction, which is what the summary measures. At the end everything is
rolled back and the version table is never written: the database is left as it was. Steps that
cannot run inside a transaction (``autocommit_block`` bodies, ``ALTER TYPE ... ADD VALUE``, a
``COMMIT``) are listed as not traced. A ``lock_timeout`` of 10 seconds keeps the trace from
queueing behind other sessions for long.
"""

from __future__ import annotations

from ..util.exc import CommandError
from .project import script_directory

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext

__all__ = ["trace"]


def trace(
    config: Config, revision: str = "heads", url: str | None = None, output_format: str = "text"
) -> dict[str, Any]:
    """Run the pending migrations in a transaction, record the locks each statement takes,
    and roll everything back (PostgreSQL). Returns the trace as a dictionary."""
    from .live_database import check_output_format, print_document, with_database
    from .trace_session import Tracer

    check_output_format(output_format)

    script = script_directory(config)

    def work(context: MigrationContext) -> dict[str, Any]:
        if context.dialect.name != "postgresql":
            raise CommandError(
                f"trace reads pg_locks and needs PostgreSQL, not {context.dialect.name}"
            )
        heads = context.get_current_heads()
        revisions = list(script.upgrade_revisions(revision, tuple(heads)))
        result = Tracer(context).run(revisions)
        info = context.dialect.server_version_info
        result.update(
            dialect="postgresql",
            server_version=".".join(str(p) for p in info) if info else None,
            current_heads=list(heads),
            target=revision,
        )
        return result

    result = with_database(config, script, work, url=url)
    print_document(config, result, output_format, _text)
    return result


def _text(result: dict[str, Any]) -> list[str]:
    version = f" {result['server_version']}" if result["server_version"] else ""
    heads = ", ".join(result["current_heads"]) or "<base>"
    lines = [
        f"Trace on postgresql{version}: {len(result['steps'])} step(s) from {heads} to "
        f"{result['target']}, in one transaction, rolled back"
    ]
    by_revision: dict[str, list[dict[str, Any]]] = {}
    for statement in result["statements"]:
        by_revision.setdefault(statement["revision"], []).append(statement)
    skipped: dict[str, list[dict[str, Any]]] = {}
    for item in result["not_traced"]:
        skipped.setdefault(item["revision"], []).append(item)
    for step in result["steps"]:
        source = ", ".join(step["from"]) or "<base>"
        doc = f", {step['doc']}" if step["doc"] else ""
        lines.append(f"upgrade {source} -> {step['revision']}{doc}")
        for statement in by_revision.get(step["revision"], []):
            sql = " ".join(statement["sql"].split())
            lines.append(f"  [{statement['index']}] {sql} ({statement['elapsed_ms']:.1f} ms)")
            for lock in _strongest_per_relation(statement["locks_taken"]):
                name = f"{lock['schema']}.{lock['relation']}" if lock["schema"] else lock["relation"]
                new = ", new" if lock["new"] else ""
                lines.append(f"      + {lock['mode']} on {name} ({lock['kind']}{new})")
        for item in skipped.get(step["revision"], []):
            lines.append(f"  [not traced: {item['reason']}] {' '.join(item['sql'].split())}")
    if result["error"]:
        lines.append(f"stopped at {result['error']['revision']}: {result['error']['message']}")
    lines.append("Strongest lock per table, held until the end of the transaction:")
    for row in result["summary"]:
        name = f"{row['schema']}.{row['relation']}" if row["schema"] else row["relation"]
        new = " (new)" if row["new"] else ""
        lines.append(
            f"  {name}{new}: {row['mode']} for {row['held_seconds']:.3f} s "
            f"(from statement [{row['statement']}])"
        )
    lines.append("Rolled back: the schema and the version table are as they were.")
    return lines


def _strongest_per_relation(locks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One lock per relation, the strongest, in the order the relations came."""
    from ..ddl.postgresql_locks import lock_strength

    chosen: dict[tuple[Any, Any], dict[str, Any]] = {}
    for lock in locks:
        key = (lock["schema"], lock["relation"])
        if key not in chosen or lock_strength(lock["mode"]) > lock_strength(chosen[key]["mode"]):
            chosen[key] = lock
    return list(chosen.values())
