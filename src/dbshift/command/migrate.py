"""``upgrade``, ``downgrade``, ``stamp`` and ``ensure_version``: moving the database."""

from __future__ import annotations

from ..util.exc import CommandError
from .progress import tracker_for
from .project import run_env, script_directory

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext
    from ..script import ScriptDirectory


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

    _move(config, revision, sql, tag, upgrade_steps, "upgrade")


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Revert revisions down to a target: an id, ``base``, ``-N``, ``a:b`` offline."""
    from ..runtime.steps import downgrade_steps

    if ":" not in revision and sql:
        raise CommandError("downgrade --sql needs a range <fromrev>:<torev> (the database is not read)")
    _move(config, revision, sql, tag, downgrade_steps, "downgrade")


def _move(
    config: Config,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_steps: Callable[[ScriptDirectory, Any, Sequence[str]], list[Any]],
    command: str,
) -> None:
    """Run env.py with a step planner that takes the database from its heads to ``revision``."""
    script = script_directory(config)
    starting_rev, destination = _split_range(revision, sql)
    # told about each step and how the run ends (the CLI prints it; the API has none)
    tracker = None if sql else tracker_for(config, command)

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        if tracker is not None:
            tracker.planned(context, heads)
        return plan_steps(script, destination, heads)

    opts: dict[str, Any] = {}
    if tracker is not None:
        opts["on_step_start"] = tracker.step_started
        opts["on_step_done"] = tracker.step_finished
    try:
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
    except BaseException as err:
        if tracker is not None:
            tracker.failed(err)
        raise
    if tracker is not None:
        tracker.finished()


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
