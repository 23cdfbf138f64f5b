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

from .project import script_directory

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext

__all__ = ["plan"]


def plan(
    config: Config, revision: str = "heads", url: str | None = None, output_format: str = "text"
) -> dict[str, Any]:
    """Show the statements upgrade would run, with their locks and the sizes of their tables.

    Connected and read-only: nothing is executed. Returns the plan as a dictionary (the
    ``--format json`` output).
    """
    from .live_database import check_output_format, print_document, with_database
    from .plan_steps import make_plan

    check_output_format(output_format)
    script = script_directory(config)

    def work(context: MigrationContext) -> dict[str, Any]:
        return make_plan(config, script, context, revision)

    result = with_database(config, script, work, url=url)
    print_document(config, result, output_format, _text)
    return result


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
