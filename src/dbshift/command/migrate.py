"""``upgrade``, ``downgrade``, ``stamp`` and ``ensure_version``: moving the database."""

from __future__ import annotations

from ..util.exc import CommandError
from .project import run_env, script_directory

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext
    from ..runtime.steps import MigrationStep
    from ..script import ScriptDirectory


#: The ``Config.attributes`` key the ``dbshift`` command line sets for its progress lines;
#: called from Python, ``upgrade``/``downgrade`` print nothing (as Alembic's do).
CLI_PROGRESS = "dbshift.cli.progress"


def _format_elapsed(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _progress_reporter(config: Config) -> Callable[[MigrationStep, float], None]:
    """``on_step_done`` callback: one line per applied revision, with its elapsed time."""

    def on_step_done(step: MigrationStep, elapsed: float) -> None:
        if step.name == "stamp":
            return
        doc = getattr(step, "doc", None)
        source = ", ".join(step.from_revisions) or "<base>"
        target = ", ".join(step.to_revisions) or "<base>"
        text = f"Running {step.name} {source} -> {target}"
        if doc:
            text += f", {doc}"
        config.print_stdout(f"{text} ({_format_elapsed(elapsed)})")

    return on_step_done


def _split_range(revision: str, sql: bool) -> tuple[str | None, str]:
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"Range revision not allowed: {revision!r} ('start:end' works only with --sql)"
        )
    start, _, end = revision.partition(":")
    return start, end


def upgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Run revisions up to a target: an id, ``heads``, ``+N``, ``label@head``, ``a:b`` offline."""
    from ..runtime.steps import upgrade_steps

    _move(config, revision, sql, tag, upgrade_steps)


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Revert revisions down to a target: an id, ``base``, ``-N``, ``a:b`` offline."""
    from ..runtime.steps import downgrade_steps

    if ":" not in revision and sql:
        raise CommandError("downgrade --sql needs a range <fromrev>:<torev> (the database is not read)")
    _move(config, revision, sql, tag, downgrade_steps)


def _move(
    config: Config,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_steps: Callable[[ScriptDirectory, Any, Sequence[str]], list[Any]],
) -> None:
    """Run env.py with a step planner that takes the database from its heads to ``revision``."""
    script = script_directory(config)
    starting_rev, destination = _split_range(revision, sql)

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        return plan_steps(script, destination, heads)

    opts: dict[str, Any] = {}
    if not sql and config.attributes.get(CLI_PROGRESS):
        opts["on_step_done"] = _progress_reporter(config)
    run_env(
        config,
        script,
        fn=plan,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=destination,
        tag=tag,
        **opts,
    )


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """Set the version table to the given revision(s) without running any migration."""
    from ..runtime.steps import stamp_steps

    script = script_directory(config)
    targets = [revision] if isinstance(revision, str) else list(revision)
    starting_rev: str | None = None
    destinations: list[str] = []
    for target in targets:
        if ":" in target:
            if not sql:
                raise CommandError(
                    f"Range revision not allowed: {target!r} ('start:end' works only with --sql)"
                )
            start, _, target = target.partition(":")
            if starting_rev is not None and start != starting_rev:
                raise CommandError(
                    "stamp --sql takes one starting revision; every start:end range must "
                    "share the same start"
                )
            starting_rev = start
        destinations.append(target)

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        return stamp_steps(script, destinations, heads)  # type: ignore[return-value]

    run_env(
        config,
        script,
        fn=plan,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(destinations),
        tag=tag,
        purge=purge,
    )


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table when it does not exist yet."""
    script = script_directory(config)

    def create_version_table(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        context._ensure_version_table()
        return []

    run_env(config, script, fn=create_version_table, as_sql=sql)
