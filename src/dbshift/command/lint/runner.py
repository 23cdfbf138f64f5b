"""One lint pass: record each revision, check it, apply suppressions and the configuration.

Shared by ``lint`` and ``plan``. Revisions that need a database are run again against
``live_connection`` when one is given and its database rolls DDL back (PostgreSQL, SQLite):
inside a savepoint (or a transaction) that is always rolled back, with their ``op.*`` calls
still only recorded. On MySQL/MariaDB, whose DDL commits by itself, they are not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .recording import RevisionRecording, record_revision
from .rules import check_recording
from .suppression import apply_suppressions

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ...config import Config
    from ...script import Script, ScriptDirectory
    from .findings import Finding
    from .rules.base import LintTarget
    from .settings import LintSettings

__all__ = ["LintRun", "lint_revisions"]


@dataclass
class LintRun:
    """The recordings of a pass (in order) and its findings (suppressed ones included)."""

    target: LintTarget
    recordings: list[RevisionRecording] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def findings_of(self, revision: str) -> list[Finding]:
        """The findings of one revision."""
        return [f for f in self.findings if f.revision == revision]

    @property
    def errors(self) -> list[Finding]:
        """The error findings no comment suppressed."""
        return [f for f in self.findings if f.severity == "error" and f.suppressed is None]


def lint_revisions(
    revisions: list[Script],
    target: LintTarget,
    settings: LintSettings,
    *,
    config: Config | None = None,
    script: ScriptDirectory | None = None,
    opts: dict[str, Any] | None = None,
    live_connection: Connection | None = None,
    compile_sql: bool = False,
    read_only: bool = False,
) -> LintRun:
    """Record and check ``revisions`` (base first) for ``target``. With ``read_only``, a
    revision run against ``live_connection`` cannot write either (its writes fail)."""
    run = LintRun(target)
    for revision in revisions:
        recording = record_revision(
            revision, target.dialect, config=config, script=script, opts=opts,
            compile_sql=compile_sql,
        )
        if recording.needs_connection is not None and _can_rerun(live_connection):
            assert live_connection is not None
            with _rolled_back(live_connection, read_only):
                recording = record_revision(
                    revision, target.dialect, config=config, script=script, opts=opts,
                    live_connection=live_connection, compile_sql=compile_sql,
                )
        run.recordings.append(recording)
        findings = check_recording(recording, target)
        findings = apply_suppressions(findings, recording.path, revision.revision)
        findings.sort(key=lambda finding: finding.line)
        run.findings.extend(settings.apply(findings))
    return run


def _can_rerun(connection: Connection | None) -> bool:
    if connection is None:
        return False
    return connection.dialect.name in ("postgresql", "sqlite")


@contextmanager
def _rolled_back(connection: Connection, read_only: bool = False) -> Iterator[None]:
    """A savepoint (or transaction) that is rolled back whatever happens inside."""
    transaction = connection.begin_nested() if connection.in_transaction() else connection.begin()
    sqlite = connection.dialect.name == "sqlite"
    try:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            connection.exec_driver_sql("SET LOCAL statement_timeout = '60s'")
            if read_only:
                connection.exec_driver_sql("SET LOCAL transaction_read_only = on")
        elif sqlite and read_only:
            connection.exec_driver_sql("PRAGMA query_only = ON")
        yield
    finally:
        if transaction.is_active:
            transaction.rollback()
        if sqlite and read_only:
            connection.exec_driver_sql("PRAGMA query_only = OFF")
