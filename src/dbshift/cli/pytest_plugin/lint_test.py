"""dbshift's own built-in test ``lint_pending_revisions``: ``dbshift lint`` as a test.

The revisions not applied on the test database when the test starts (all of them on a fresh
one), or, with the ini option ``dbshift_lint_since = REV``, those after ``REV``, are linted for
the test database's dialect and server version, with the project's ``[dbshift.lint]`` settings;
error findings fail the test and are listed one per line, as ``dbshift lint`` prints them.
"""

from __future__ import annotations

from typing import Any

from .failure import MigrationTestFailure
from .runner import MigrationContext

__all__ = ["LINT_SINCE_OPTION", "test_lint_pending_revisions"]

LINT_SINCE_OPTION = "dbshift_lint_since"


def test_lint_pending_revisions(alembic_runner: MigrationContext, request: Any) -> None:
    """No error finding of ``dbshift lint`` in the revisions still to be applied."""
    from ...command.lint.command_run import connected_target
    from ...command.lint.findings import findings_text
    from ...command.lint.runner import lint_revisions
    from ...command.lint.selection import select_revisions
    from ...command.lint.settings import read_settings

    executor = alembic_runner.command_executor
    config, script = executor.alembic_config, executor.script
    since = request.config.getini(LINT_SINCE_OPTION) or None
    runs = []

    def lint(heads: Any, context: Any) -> list[Any]:
        revisions = select_revisions(script, None, since, None if since else heads)
        runs.append(
            lint_revisions(
                revisions, connected_target(config, context), read_settings(config),
                config=config, script=script, live_connection=context.connection,
            )
        )
        return []

    executor.execute_fn(lint)
    if not runs:
        raise MigrationTestFailure("env.py never configured a migration context to lint with")
    run = runs[-1]
    if run.errors:
        target = run.target
        raise MigrationTestFailure(
            f"dbshift lint: {len(run.errors)} error finding(s) in {len(run.recordings)} "
            f"pending revision(s), checked for {target.flavor}",
            context=[("Findings", "\n".join(findings_text(run.errors)))],
        )
