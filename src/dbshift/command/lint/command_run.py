"""The ``lint`` command's run: where the revisions and the target come from, and the output."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ...util.error_text import one_line
from ..live_database import DatabaseUnavailable, check_output_format, with_database
from ..project import run_env, script_directory
from .findings import LintFailed, findings_json, findings_text
from .runner import LintRun, lint_revisions
from .selection import select_revisions
from .settings import parse_server_version, read_settings
from .target import (
    configured_dialect_name,
    lock_timeout_configured,
    offline_target,
    target_for_dialect,
)

if TYPE_CHECKING:
    from ...config import Config
    from ...runtime.migration import MigrationContext
    from ...script import Script, ScriptDirectory
    from .findings import Finding
    from .rules.base import LintTarget

__all__ = ["connected_target", "lint_revisions_for_plan", "run_lint"]


def run_lint(
    config: Config,
    *,
    rev_range: str | None,
    since: str | None,
    dialect: str | None,
    server_version: str | None,
    url: str | None,
    output_format: str,
) -> list[Finding]:
    """See :func:`dbshift.command.lint.lint`."""
    check_output_format(output_format)
    script = script_directory(config)
    settings = read_settings(config)
    version = parse_server_version(server_version or settings.server_version)
    run: LintRun | None = None
    env_ran = False
    if dialect is None or url is not None:

        def connected(context: MigrationContext) -> LintRun:
            heads = context.get_current_heads()
            explicit = rev_range is not None or since is not None
            revisions = select_revisions(
                script, rev_range, since, None if explicit else heads
            )
            target = connected_target(config, context, version)
            return lint_revisions(
                revisions, target, settings, config=config, script=script,
                live_connection=context.connection,
            )

        try:
            run = with_database(config, script, connected, url=url)
        except DatabaseUnavailable as err:
            if url is not None:
                raise
            env_ran = True
            name = settings.dialect or configured_dialect_name(config) or "postgresql"
            sys.stderr.write(
                f"dbshift lint: no database ({err}); checking offline for {name}\n"
            )
            dialect = name
    if run is None:
        assert dialect is not None
        if not env_ran:
            # a ScriptDirectory of its own: env.py may change the one it is given
            _run_env_offline(config, script_directory(config))
        target = offline_target(dialect, version, config)
        revisions = select_revisions(script, rev_range, since, None)
        run = lint_revisions(revisions, target, settings, config=config, script=script)
    _print(config, run, output_format)
    if run.errors:
        raise LintFailed(
            f"lint: {len(run.errors)} error finding(s) in {len(run.recordings)} revision(s)",
            run.findings,
        )
    return run.findings


def _run_env_offline(config: Config, script: ScriptDirectory) -> None:
    """Run ``env.py`` in offline mode with no steps, as ``upgrade --sql`` would, so that what it
    imports (models, the application's modules) is there when the revisions run."""
    import io
    from contextlib import redirect_stdout

    def no_steps(heads: Any, context: Any) -> list[Any]:
        return []

    try:
        with redirect_stdout(sys.stderr):
            run_env(
                config, script, fn=no_steps, as_sql=True, output_buffer=io.StringIO(),
                dont_mutate=True,
            )
    except Exception as err:
        sys.stderr.write(
            f"dbshift lint: env.py did not run offline ({type(err).__name__}: {one_line(err)}); "
            "the revisions run without what it imports\n"
        )


def _print(config: Config, run: LintRun, output_format: str) -> None:
    if output_format == "json":
        config.print_stdout(findings_json(run.findings))
    else:
        for line in findings_text(run.findings):
            config.print_stdout(line)
    counts: dict[str, Any] = {"error": 0, "warning": 0, "info": 0}
    suppressed = 0
    for finding in run.findings:
        if finding.suppressed is not None:
            suppressed += 1
        else:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
    target = run.target
    version = ".".join(str(p) for p in target.server_version) if target.server_version else ""
    where = f"{target.flavor} {version}".strip()
    if not config.messaging_opts.get("quiet"):
        sys.stderr.write(
            f"dbshift lint: {len(run.recordings)} revision(s) checked for {where}: "
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} "
            f"info, {suppressed} suppressed\n"
        )




def connected_target(
    config: Config, context: MigrationContext, version: tuple[int, ...] | None = None
) -> LintTarget:
    """The target of a connected run: the connection's dialect and server version."""
    info = context.dialect.server_version_info
    return target_for_dialect(
        context.dialect,
        version or (tuple(info) if info else None),
        lock_timeout_configured=lock_timeout_configured(config, context.opts),
    )


def lint_revisions_for_plan(
    config: Config, script: ScriptDirectory, context: MigrationContext, revisions: list[Script]
) -> LintRun:
    """``plan``'s pass: statements compiled for the connected database, and revisions that
    read the database run read-only against it (rolled back)."""
    settings = read_settings(config)
    version = parse_server_version(settings.server_version) if settings.server_version else None
    return lint_revisions(
        revisions,
        connected_target(config, context, version),
        settings,
        config=config,
        script=script,
        live_connection=context.connection,
        compile_sql=True,
        read_only=True,
    )
