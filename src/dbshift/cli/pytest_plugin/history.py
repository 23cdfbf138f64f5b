"""The migration history as one ordered list: ``base``, every revision oldest first, ``heads``.

The built-in tests walk revisions one at a time ("the one after this", "every one between these
two"); the revision graph is flattened once, newest-first from the cached graph and reversed, so
each of those questions is an index lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MigrationHistory"]

BASE = "base"
HEADS = "heads"


@dataclass
class MigrationHistory:
    """The revisions in the order the built-in tests step through them, between the ``base``
    and ``heads`` sentinels (pytest-alembic's ``AlembicHistory``)."""

    map: Any
    revisions: list[str]
    revision_indices: dict[str, int]
    revisions_by_index: dict[int, str]

    @classmethod
    def parse(cls, revision_map: Any) -> MigrationHistory:
        """Flatten a revision map (walked ``heads`` to ``base``, as Alembic's
        ``iterate_revisions`` orders it)."""
        newest_first = [rev.revision for rev in revision_map.iterate_revisions(HEADS, BASE)]
        revisions = [BASE, *reversed(newest_first), HEADS]
        indices = {revision: index for index, revision in enumerate(revisions)}
        return cls(revision_map, revisions, indices, dict(enumerate(revisions)))

    def validate_revision(self, revision: str | None) -> str:
        """``revision`` (``head`` read as ``heads``); ValueError naming it when it is not in
        the history."""
        if revision == "head":
            revision = HEADS
        if revision not in self.revision_indices:
            raise ValueError(f"Revision {revision} is not a valid revision in alembic's history")
        return revision

    def previous_revision(self, revision: str) -> str | None:
        """The revision before ``revision`` (None before ``base``)."""
        index = self.revision_indices[self.validate_revision(revision)]
        return self.revisions_by_index.get(index - 1)

    def next_revision(self, revision: str) -> str | None:
        """The revision after ``revision`` (None after ``heads``)."""
        index = self.revision_indices[self.validate_revision(revision)]
        return self.revisions_by_index.get(index + 1)

    def revision_range(self, current_revision: str | None, dest_revision: str | None) -> list[str]:
        """Every revision from ``current_revision`` to ``dest_revision``, both included."""
        start = self.revision_indices[self.validate_revision(current_revision)]
        end = self.revision_indices[self.validate_revision(dest_revision)]
        return self.revisions[start : end + 1]

    def revision_window(
        self, current_revision: str | None, dest_revision: str | None
    ) -> list[tuple[str, str]]:
        """The ``(from, to)`` pairs of consecutive revisions across a range."""
        span = self.revision_range(current_revision, dest_revision)
        return list(zip(span, span[1:]))
