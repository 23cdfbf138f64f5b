"""``upgrade``, ``downgrade``, ``stamp`` and ``ensure_version``: moving the database."""

from __future__ import annotations

from ..util.exc import CommandError
from .json_output import print_json
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


def _lock_options(
    no_lock: bool,
    lock_wait: float | str | None,
    lock_timeout: float | str | None = None,
    lock_retries: int | str | None = None,
    statement_timeout: float | str | None = None,
) -> dict[str, Any]:
    """The migration lock's settings given to a command (they win over ``context.configure``
    and the configuration; see ``runtime/lock/settings.py``)."""
    given = {
        "migration_lock": False if no_lock else None,
        "lock_wait": lock_wait,
        "lock_timeout": lock_timeout,
        "lock_retries": lock_retries,
        "statement_timeout": statement_timeout,
    }
    return {key: value for key, value in given.items() if value is not None}


def upgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    *,
    no_lock: bool = False,
    lock_wait: float | str | None = None,
    lock_timeout: float | str | None = None,
    lock_retries: int | str | None = None,
    statement_timeout: float | str | None = None,
    allow_changed: bool = False,
    json_output: bool = False,
) -> None:
    """Run revisions up to a target: an id, ``heads``, ``+N``, ``label@head``, ``a:b`` offline.

    Online, under the migration lock (``no_lock``: without it; ``lock_wait``: how long to wait
    for it), with ``lock_timeout``/``statement_timeout`` on each statement and ``lock_retries``
    retries of a unit that hit one (see the README's "Migration lock"). Applied revisions
    whose files changed since they were recorded stop the run unless ``allow_changed``;
    ``json_output`` prints the run's summary as JSON (see the README's "Applied history").
    """
    from ..runtime.steps import upgrade_steps

    lock = _lock_options(no_lock, lock_wait, lock_timeout, lock_retries, statement_timeout)
    _move(config, revision, sql, tag, upgrade_steps, "upgrade", lock, allow_changed, json_output)


def downgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    *,
    no_lock: bool = False,
    lock_wait: float | str | None = None,
    lock_timeout: float | str | None = None,
    lock_retries: int | str | None = None,
    statement_timeout: float | str | None = None,
    allow_changed: bool = False,
    json_output: bool = False,
) -> None:
    """Revert revisions down to a target: an id, ``base``, ``-N``, ``a:b`` offline.

    The migration lock, timeouts, ``allow_changed`` and ``json_output`` as for :func:`upgrade`.
    """
    from ..runtime.steps import downgrade_steps

    if ":" not in revision and sql:
        raise CommandError("downgrade --sql needs a range <fromrev>:<torev> (the database is not read)")
    lock = _lock_options(no_lock, lock_wait, lock_timeout, lock_retries, statement_timeout)
    _move(
        config, revision, sql, tag, downgrade_steps, "downgrade", lock, allow_changed, json_output
    )


def _move(
    config: Config,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_steps: Callable[[ScriptDirectory, Any, Sequence[str]], list[Any]],
    command: str,
    lock_options: dict[str, Any],
    allow_changed: bool = False,
    json_output: bool = False,
) -> None:
    """Run env.py with a step planner that takes the database from its heads to ``revision``."""
    script = script_directory(config)
    starting_rev, destination = _split_range(revision, sql)
    # told about each step and how the run ends (the CLI prints it; the API has none); imported
    # here, as it needs dataclasses and typing, which `dbshift --help` does without
    from .progress import RunTracker, tracker_for

    summary = None
    if json_output and not sql:
        from .run_summary import SummaryListener

        summary = SummaryListener(getattr(config, "run_listener", None))
        tracker: Any = RunTracker(summary, command)
    else:
        tracker = None if sql else tracker_for(config, command)
    contexts: list[MigrationContext] = []

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        if not contexts:
            contexts.append(context)
        if tracker is not None:
            tracker.planned(context, heads)
        return plan_steps(script, destination, heads)

    opts: dict[str, Any] = {}
    if tracker is not None:
        opts["on_step_start"] = tracker.step_started
        opts["on_step_done"] = tracker.step_finished
    if lock_options:
        opts["lock_options"] = lock_options
    if allow_changed:
        opts["history_options"] = {"allow_changed": True}
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
        for context in contexts:
            if context.history is not None:
                context.history.write_failure()  # the failed step, after the rollback
        if tracker is not None:
            tracker.failed(err)
        if summary is not None:
            print_json(config, summary.document(command))
        raise
    if tracker is not None:
        tracker.finished()
    if summary is not None:
        print_json(config, summary.document(command))


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
    *,
    no_lock: bool = False,
    lock_wait: float | str | None = None,
) -> None:
    """Set the version table to the given revision(s) without running any migration.

    Online, under the migration lock, as :func:`upgrade`.
    """
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

    lock = _lock_options(no_lock, lock_wait)
    run_env(
        config,
        script,
        fn=plan,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(destinations),
        tag=tag,
        purge=purge,
        **({"lock_options": lock} if lock else {}),
    )


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table when it does not exist yet."""
    script = script_directory(config)

    def create_version_table(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        context._ensure_version_table()
        return []

    run_env(config, script, fn=create_version_table, as_sql=sql)
