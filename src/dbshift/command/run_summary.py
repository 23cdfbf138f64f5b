"""The ``--json`` summary of ``upgrade``/``downgrade``: a run listener that keeps each step and
the end of the run (and passes everything on to the command line's progress printer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..util.error_text import one_line
from .json_output import document

if TYPE_CHECKING:
    from ..runtime.steps import MigrationStep
    from .progress import RunFailure, RunListener, RunSummary

__all__ = ["SummaryListener"]


def _step_entry(step: MigrationStep, seconds: float | None) -> dict[str, Any]:
    revision = getattr(step, "revision", None)
    return {
        "revision": getattr(revision, "revision", None),
        "direction": step.name,
        "from": list(step.from_revisions),
        "to": list(step.to_revisions),
        "doc": getattr(step, "doc", None),
        "seconds": None if seconds is None else round(seconds, 6),
    }


class SummaryListener:
    """Keeps what a run did for its JSON summary; tells ``inner`` (if any) everything too."""

    def __init__(self, inner: RunListener | None) -> None:
        self.inner = inner
        self.steps: list[dict[str, Any]] = []
        self.summary: RunSummary | None = None
        self.failure: RunFailure | None = None

    def step_started(self, step: MigrationStep) -> None:
        if self.inner is not None:
            self.inner.step_started(step)

    def step_finished(self, step: MigrationStep, seconds: float) -> None:
        self.steps.append(_step_entry(step, seconds))
        if self.inner is not None:
            self.inner.step_finished(step, seconds)

    def run_finished(self, summary: RunSummary) -> None:
        self.summary = summary
        if self.inner is not None:
            self.inner.run_finished(summary)

    def run_failed(self, failure: RunFailure) -> None:
        self.failure = failure
        if self.inner is not None:
            self.inner.run_failed(failure)

    def document(self, command: str) -> dict[str, Any]:
        """The summary document (see the README's "JSON output")."""
        failure = self.failure
        summary = self.summary
        heads: Any = None
        if summary is not None:
            heads = None if summary.heads is None else list(summary.heads)
        elif failure is not None and failure.heads is not None:
            heads = list(failure.heads)
        return document(
            command,
            ok=failure is None,
            steps=self.steps,
            seconds=None if summary is None else round(summary.seconds, 6),
            heads=heads,
            error=None if failure is None else one_line(failure.error) or type(failure.error).__name__,
            failed_step=None if failure is None or failure.step is None
            else _step_entry(failure.step, None),
            rolled_back=None if failure is None else failure.rolled_back,
            applied_statements=[] if failure is None else list(failure.applied_statements),
        )
