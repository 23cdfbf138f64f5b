"""``verify``: the applied revisions' files against the checksums recorded when they ran.

Read-only, except ``--accept REV``, which records the file of an applied revision as it is now
(a history row ``accept``/``accepted`` with its new checksum), so later runs go on over it.
Exit status 0 when every applied revision's file is as recorded (or has no checksum yet: a
database migrated by Alembic, adopted by the next run), non-zero otherwise.
"""

from __future__ import annotations

from ..util.exc import CommandError
from .project import run_env, script_directory

TYPE_CHECKING = False  # typing is not imported: `dbshift --help` imports this module
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ..config import Config
    from ..runtime.history.verification import RevisionCheck
    from ..runtime.migration import MigrationContext

__all__ = ["VerificationFailed", "verify"]


class VerificationFailed(CommandError):
    """``verify`` found applied revision files that differ from their recorded checksums."""


def verify(config: Config, accept: str | None = None, json_output: bool = False) -> None:
    """Check the applied revisions' files against their recorded checksums (CI: non-zero exit
    on a change); ``--accept REV`` records an applied revision's file as it is now."""
    script = script_directory(config)
    outcome: list[tuple[list[RevisionCheck], str, str | None]] = []

    def work(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        from ..runtime.history.table import HistoryTable
        from ..runtime.history.verification import check_applied, recorded_checksums

        connection = context.connection
        if context.as_sql or connection is None:
            raise CommandError("verify needs a database connection (env.py ran offline)")
        recorder = context.version_recorder
        table = HistoryTable(recorder.name, recorder.schema)
        exists = table.exists(connection)
        rows = table.read(connection) if exists else []
        checks = check_applied(script, heads, recorded_checksums(rows))
        accepted = None
        if accept is not None:
            accepted = _accept(context, table, exists, checks, accept, heads)
            checks = [
                _accepted(check) if check.revision == accepted else check for check in checks
            ]
        outcome.append((checks, table.display_name, accepted))
        return []

    def _accepted(check: RevisionCheck) -> RevisionCheck:
        from ..runtime.history.verification import RevisionCheck

        return RevisionCheck(check.revision, check.path, "ok", check.current, check.current)

    run_env(config, script, fn=work)
    if not outcome:
        raise CommandError("verify: env.py did not call context.run_migrations()")
    checks, table_name, accepted = outcome[0]
    bad = [check for check in checks if check.status in ("changed", "missing")]
    if json_output:
        from .json_output import document, print_json

        print_json(
            config,
            document(
                "verify",
                ok=not bad,
                table=table_name,
                accepted=accepted,
                revisions=[check.as_dict() for check in checks],
            ),
        )
    else:
        for check in checks:
            config.print_stdout(_line(check))
        if accepted is not None:
            config.print_stdout(f"Recorded the file of {accepted} as it is now (accepted).")
        if not checks:
            config.print_stdout("No applied revisions to verify.")
    if bad:
        raise VerificationFailed(
            f"{len(bad)} applied revision file(s) differ from what was recorded in {table_name}: "
            + ", ".join(f"{c.revision} ({c.path or 'no file'}: {c.status})" for c in bad)
        )


def _line(check: RevisionCheck) -> str:
    text = {
        "ok": "ok (as recorded)",
        "changed": "CHANGED since it was applied",
        "unrecorded": "no checksum recorded yet (adopted by the next upgrade or downgrade)",
        "missing": "MISSING: no revision file",
    }[check.status]
    return f"{check.revision}  {check.path or '-'}: {text}"


def _accept(
    context: MigrationContext,
    table: Any,
    exists: bool,
    checks: list[RevisionCheck],
    revision: str,
    heads: Sequence[str],
) -> str:
    """Record the file of the applied ``revision`` as it is now; its id."""
    from ..runtime.history.recorder import record_accepted

    script = context.script
    found = None
    try:
        found = script.get_revision(revision) if script is not None else None
    except Exception:
        found = None
    if found is None:
        raise CommandError(
            f"verify --accept {revision}: no such revision in the script directory; nothing "
            "was changed"
        )
    check = next((c for c in checks if c.revision == found.revision), None)
    if check is None:
        raise CommandError(
            f"verify --accept {revision}: revision {found.revision} is not applied (database at "
            f"{', '.join(heads) or 'base'}); nothing was changed"
        )
    if check.current is None:
        raise CommandError(
            f"verify --accept {revision}: the file of {found.revision} cannot be read; nothing "
            "was changed"
        )
    record_accepted(context, table, exists, found.revision, check.current, check.recorded)
    return found.revision
