"""Errors of the revision graph and of revision identifiers (pure; ``alembic.script.revision``
exports them).

``ScriptDirectory`` turns them into one-line ``CommandError`` messages for users.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


class RevisionError(Exception):
    """The revision graph is inconsistent, or an identifier cannot be used as asked."""


class RangeNotAncestorError(RevisionError):
    """``lower`` is not an ancestor of ``upper`` in a requested range."""

    def __init__(self, lower: Any, upper: Any) -> None:
        self.lower = lower
        self.upper = upper
        super().__init__(
            f"Revision {lower or 'base'} is not an ancestor of revision {upper or 'base'}"
        )


class MultipleHeads(RevisionError):
    """A single head was asked for (``head``, ``label@head``) but several exist."""

    def __init__(self, heads: Sequence[str], argument: str | None) -> None:
        self.heads = tuple(heads)
        self.argument = argument
        super().__init__(
            f"Multiple heads are present for given argument '{argument}'; {', '.join(self.heads)}"
        )


class ResolutionError(RevisionError):
    """An identifier does not name any revision (or names more than one)."""

    def __init__(self, message: str, argument: str | None) -> None:
        super().__init__(message)
        self.argument = argument


class CycleDetected(RevisionError):
    """``down_revision`` links form a cycle."""

    kind = "Cycle"

    def __init__(self, revisions: Sequence[str]) -> None:
        self.revisions = list(revisions)
        super().__init__(f"{self.kind} is detected in revisions ({', '.join(self.revisions)})")


class DependencyCycleDetected(CycleDetected):
    """``down_revision`` plus ``depends_on`` links form a cycle."""

    kind = "Dependency cycle"


class LoopDetected(CycleDetected):
    """A revision names itself as its ``down_revision``."""

    kind = "Self-loop"

    def __init__(self, revision: str) -> None:
        super().__init__([revision])


class DependencyLoopDetected(DependencyCycleDetected, LoopDetected):
    """A revision names itself in ``depends_on``."""

    kind = "Dependency self-loop"

    def __init__(self, revision: str) -> None:
        CycleDetected.__init__(self, [revision])


def with_ids(err: RevisionError, *ids: str) -> RevisionError:
    """Attach the ids of the revisions an error is about (``err.revisions``)."""
    err.revisions = list(ids)  # type: ignore[attr-defined]
    return err
