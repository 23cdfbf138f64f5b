"""Where an interrupted step stands: "revision X: 3 of 7 statements applied".

Read from the statement journal (``current`` and ``history --applied`` show it). The number of
statements of the revision is found by running it offline (``--sql``) for the same dialect; a
revision that needs the database to run gives none.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .journal import statement_kind
from .journal_table import JournalTable

if TYPE_CHECKING:
    from ..migration import MigrationContext

__all__ = ["PartialStep", "partial_steps"]


@dataclass(frozen=True)
class PartialStep:
    """A step that started and did not finish: its journalled statements."""

    revision: str
    direction: str
    applied: int
    total: int | None
    failed_statement: int | None

    def describe(self) -> str:
        """One line for ``current`` and ``history --applied``."""
        of = f" of {self.total}" if self.total is not None else ""
        text = f"revision {self.revision}: {self.applied}{of} statements applied"
        text += f" (interrupted {self.direction}"
        if self.failed_statement is not None:
            text += f", statement {self.failed_statement} failed"
        return text + f"; the next `dbshift {self.direction}` resumes it)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "direction": self.direction,
            "applied_statements": self.applied,
            "total_statements": self.total,
            "failed_statement": self.failed_statement,
        }


def partial_steps(context: MigrationContext) -> list[PartialStep]:
    """The interrupted steps the journal of ``context``'s database records (none when the
    database keeps no journal)."""
    connection = context.connection
    if context.as_sql or connection is None or context.impl.journal_noop_sql() is None:
        return []
    recorder = context.version_recorder
    table = JournalTable(recorder.name, recorder.schema)
    if not table.exists(connection):
        return []
    found = []
    for (revision, direction), entries in sorted(table.read(connection).items()):
        applied = sum(1 for entry in entries.values() if entry.state == "done")
        failed = [p + 1 for p, entry in entries.items() if entry.state == "failed"]
        total = _statement_count(context, revision, direction == "upgrade")
        found.append(
            PartialStep(revision, direction, applied, total, failed[0] if failed else None)
        )
    return found


_CHUNK_END = re.compile(r";\s*\n\n")


def _statement_count(context: MigrationContext, revision: str, upgrade: bool) -> int | None:
    """The statements the revision runs, written offline for the context's dialect."""
    from ...operations import Operations
    from ..migration import MigrationContext

    script = context.script
    found = script.get_revision(revision) if script is not None else None
    if found is None:
        return None
    buffer = io.StringIO()
    offline = MigrationContext.configure(
        dialect=context.dialect, opts={"as_sql": True, "output_buffer": buffer}
    )
    try:
        fn = getattr(found.module, "upgrade" if upgrade else "downgrade")
        with Operations.context(offline):
            fn()
    except Exception:
        return None
    chunks = [chunk.strip() for chunk in _CHUNK_END.split(buffer.getvalue())]
    return sum(
        1
        for chunk in chunks
        if chunk and not chunk.startswith("--") and statement_kind(chunk) in ("data", "ddl")
    )
