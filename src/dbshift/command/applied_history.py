"""``history --applied``: the database's applied-history table, as lines or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .project import run_env

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..config import Config
    from ..runtime.migration import MigrationContext
    from ..script import ScriptDirectory

__all__ = ["show_applied_history"]


def show_applied_history(config: Config, script: ScriptDirectory, json_output: bool) -> None:
    """Print the applied history of the project's database (read-only)."""

    def show(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        from ..runtime.history.partial import partial_steps
        from ..runtime.history.table import HistoryTable

        recorder = context.version_recorder
        table = HistoryTable(recorder.name, recorder.schema)
        connection = context.connection
        exists = connection is not None and not context.as_sql and table.exists(connection)
        rows = table.read(connection) if exists else []
        partial = partial_steps(context)
        if json_output:
            from .json_output import document, print_json

            print_json(
                config,
                document(
                    "history",
                    applied=True,
                    table=table.display_name,
                    exists=exists,
                    rows=[row.as_dict() for row in rows],
                    partial=[step.as_dict() for step in partial],
                ),
            )
            return []
        if not exists:
            config.print_stdout(
                f"No applied history in this database yet (no table {table.display_name}): "
                "dbshift keeps it from the next upgrade or downgrade on."
            )
        for row in rows:
            config.print_stdout(_line(row))
        for step in partial:
            config.print_stdout(step.describe())
        return []

    run_env(config, script, fn=show, dont_mutate=True)


def _line(row: Any) -> str:
    when = row.started_at.isoformat(sep=" ", timespec="milliseconds")
    checksum = (row.checksum or "-")[:12]
    text = (
        f"{when} UTC  {row.direction:<9} {row.revision:<14} {row.outcome:<8} "
        f"{row.duration_ms:>9.1f} ms  {row.applied_by}@{row.host}  dbshift {row.dbshift_version}  "
        f"checksum {checksum}"
    )
    return f"{text}  ({row.detail})" if row.detail else text
