"""How a run of ``upgrade``/``downgrade`` goes, told to a listener: each step as it starts and
ends, the end of the run, and, when the run fails or is interrupted, the step that was running
and where the database stands.

Commands report to ``config.run_listener`` when one is set. The command line sets a printer
(:mod:`dbshift.cli.progress`); Python callers of :mod:`dbshift.command` set none and get no
output, as with Alembic (an application that runs ``command.upgrade(cfg, "head")`` at start-up
prints nothing of its own).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..runtime.migration import MigrationContext
    from ..runtime.steps import MigrationStep

__all__ = ["RunFailure", "RunListener", "RunSummary", "RunTracker"]


@dataclass(frozen=True)
class RunSummary:
    """A run that ended well: how many steps in how long, and the heads it left (``None``
    when they can't be told from the steps)."""

    command: str
    steps: int
    seconds: float
    heads: tuple[str, ...] | None


@dataclass(frozen=True)
class RunFailure:
    """A run that ended with ``error`` (an exception, or ``KeyboardInterrupt``).

    ``step`` is the step that was running (``None``: the run failed before or between steps);
    ``heads`` the version rows other sessions see now (``None``: unknown, e.g. offline);
    ``rolled_back`` whether the failing step's own work was undone (transactional DDL);
    ``applied_statements`` what stayed applied of it where DDL commits by itself.
    """

    error: BaseException
    step: MigrationStep | None
    heads: tuple[str, ...] | None
    rolled_back: bool
    applied_statements: tuple[str, ...]


class RunListener(Protocol):
    """What a ``config.run_listener`` is told."""

    def step_started(self, step: MigrationStep) -> None:
        """``step`` (an upgrade or downgrade of one revision) is about to run."""

    def step_finished(self, step: MigrationStep, seconds: float) -> None:
        """``step`` ran (its transaction, if it has one of its own, committed)."""

    def run_finished(self, summary: RunSummary) -> None:
        """The run ended well."""

    def run_failed(self, failure: RunFailure) -> None:
        """The run ended with an error or was interrupted."""


class RunTracker:
    """Follows one run for a listener: which step is running, and what to tell at the end."""

    def __init__(self, listener: RunListener, command: str) -> None:
        self.listener = listener
        self.command = command
        self.context: MigrationContext | None = None
        self.start_heads: tuple[str, ...] = ()
        self.running: MigrationStep | None = None
        self.done: list[MigrationStep] = []
        self._started = time.perf_counter()

    # -- hooks given to the run ----------------------------------------------------------------

    def planned(self, context: MigrationContext, heads: Sequence[str]) -> None:
        """The run's context and the heads it starts from (called by the command's planner)."""
        self.context = context
        self.start_heads = tuple(heads)

    def step_started(self, step: MigrationStep) -> None:
        self.running = step
        self.listener.step_started(step)

    def step_finished(self, step: MigrationStep, seconds: float) -> None:
        self.running = None
        self.done.append(step)
        self.listener.step_finished(step, seconds)

    # -- the end -----------------------------------------------------------------------------

    def finished(self) -> None:
        """Tell the listener how the run went."""
        self.listener.run_finished(
            RunSummary(
                self.command, len(self.done), time.perf_counter() - self._started,
                self._heads_after_steps(),
            )
        )

    def failed(self, error: BaseException) -> None:
        """Tell the listener what failed and where the database stands now."""
        context = self.context
        heads = None
        rolled_back = False
        applied: tuple[str, ...] = ()
        # where the database stands matters when a step was running, or on Ctrl-C
        wanted = self.running is not None or isinstance(error, KeyboardInterrupt)
        if wanted and context is not None and not context.as_sql:
            heads = context.version_recorder.read_committed_heads()
            rolled_back = bool(context.impl.transactional_ddl)
            if self.running is not None and not rolled_back:
                applied = tuple(getattr(error, "applied_statements", None) or ())
                if not applied:
                    applied = tuple(context.impl.statements_in_step)
        self.listener.run_failed(RunFailure(error, self.running, heads, rolled_back, applied))

    def _heads_after_steps(self) -> tuple[str, ...] | None:
        from ..runtime.steps import heads_after

        heads = set(self.start_heads)
        for step in self.done:
            changes = getattr(step, "head_changes", None)
            if changes is None:
                return None
            heads = heads_after(changes(set(heads)), heads)
        return tuple(sorted(heads))


def tracker_for(config: Any, command: str) -> RunTracker | None:
    """A tracker reporting to ``config.run_listener``, or ``None`` when it has none."""
    listener = getattr(config, "run_listener", None)
    return RunTracker(listener, command) if listener is not None else None
