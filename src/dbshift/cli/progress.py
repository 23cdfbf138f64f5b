"""What the command line prints while ``upgrade``/``downgrade`` run, and the line that says how
a failed or interrupted run left the database.

Everything here goes to **stderr**, where Alembic's own progress (its ``alembic.runtime.migration``
log lines, through the project's logging configuration) goes too: stdout stays for what a command
outputs (``--sql`` scripts, ``current``, ``history``), so it can be piped, and the two kinds of line
keep their order in a terminal. ``-q`` silences progress; errors are always printed.

A step prints ``Running upgrade a -> b, message ...`` when it starts, unless the project's logging
already shows the same words (``Running upgrade a -> b, message`` at INFO on a console handler, as
Alembic's ``alembic.ini`` template sets up): then only the end of each step is added. Each step
ends with ``  done in 12 ms``, the run with ``upgrade: 2 steps in 30 ms; database at b``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..command.progress import RunFailure, RunSummary
    from ..runtime.steps import MigrationStep

__all__ = ["ProgressPrinter", "format_elapsed", "logging_shows_steps"]

class ProgressPrinter:
    """The command line's ``config.run_listener``: prints progress, keeps the failure."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self._stream = stream
        #: How the last run failed, for the ``FAILED:`` / ``Interrupted:`` line.
        self.failure: RunFailure | None = None
        self._logged: bool | None = None

    # -- RunListener ---------------------------------------------------------------------------

    def step_started(self, step: MigrationStep) -> None:
        if self.quiet:
            return
        if self._logged is None:  # env.py has configured logging by now
            self._logged = logging_shows_steps()
        if not self._logged:
            self._write(f"Running {step} ...")

    def step_finished(self, step: MigrationStep, seconds: float) -> None:
        if not self.quiet:
            self._write(f"  done in {format_elapsed(seconds)}")

    def run_finished(self, summary: RunSummary) -> None:
        if self.quiet:
            return
        text = f"{summary.command}: {_count(summary.steps)} in {format_elapsed(summary.seconds)}"
        if summary.heads is not None:
            text += f"; database at {_heads(summary.heads)}"
        self._write(text)

    def run_failed(self, failure: RunFailure) -> None:
        self.failure = failure

    # -- the closing line ----------------------------------------------------------------------

    def failure_text(self, err: BaseException, error_text: str) -> str:
        """The ``FAILED:`` message for ``err``: ``error_text`` alone, or, when ``err`` ended a
        step, the step, the state the database is in, and ``error_text``."""
        failure = self.failure
        if failure is None or failure.error is not err or failure.step is None:
            return error_text
        if getattr(err, "states_the_database", False):
            return error_text  # its message says what ran and what did not
        from ..util.exc import PartialMigrationError

        if isinstance(err, PartialMigrationError):
            # its message names the step and the statements that stayed applied
            return f"{error_text}; version table at {_heads(failure.heads)}"
        return f"{_step(failure.step)} failed, {_state(failure)}. {error_text}"

    def interrupted_text(self) -> str:
        """The one line printed on Ctrl-C."""
        failure = self.failure
        if failure is None:
            return "Interrupted"
        if failure.step is None:
            if failure.heads is None:
                return "Interrupted"
            return f"Interrupted; database at {_heads(failure.heads)}"
        return f"Interrupted: {_step(failure.step)} was running; {_state(failure)}"

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stderr
        stream.write(text + "\n")
        stream.flush()


def format_elapsed(seconds: float) -> str:
    """``12 ms`` below a second, ``1.23 s`` above."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def logging_shows_steps() -> bool:
    """Whether the runtime's ``Running upgrade ...`` INFO lines reach a console handler, as the
    logging sections of Alembic's ``alembic.ini`` template make them do."""
    import logging

    from ..runtime import migration

    # the logger that writes "Running upgrade ..." (Alembic's name, whatever the module calls it)
    logger: Any = getattr(migration, "log", None) or logging.getLogger("alembic.runtime.migration")
    if not logger.isEnabledFor(logging.INFO):
        return False
    consoles = {id(s) for s in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)}
    while logger is not None:
        for handler in logger.handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and handler.level <= logging.INFO
                and id(getattr(handler, "stream", None)) in consoles
            ):
                return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


def _count(steps: int) -> str:
    return "1 step" if steps == 1 else f"{steps} steps"


def _heads(heads: tuple[str, ...] | None) -> str:
    if heads is None:
        return "an unknown revision (the version table could not be read)"
    return ", ".join(heads) or "base"


def _step(step: MigrationStep) -> str:
    doc = getattr(step, "doc", None)
    return f"{step.short_log} ({doc})" if doc else step.short_log


def _state(failure: RunFailure) -> str:
    if failure.rolled_back:
        return f"rolled back: database at {_heads(failure.heads)}"
    statements = failure.applied_statements
    if not statements:
        return f"nothing of it was applied: database at {_heads(failure.heads)}"
    return (
        f"{len(statements)} statement(s) of it stayed applied and were NOT rolled back: "
        f"{'; '.join(statements)}; version table at {_heads(failure.heads)}"
    )
