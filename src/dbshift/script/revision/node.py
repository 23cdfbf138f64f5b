"""One node of the revision graph (:class:`Revision`) and the small helpers that format revision
ids the way revision files and messages write them."""

from __future__ import annotations

from ...util.tuples import to_tuple
from .errors import DependencyLoopDetected, LoopDetected, RevisionError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_ILLEGAL_ID_CHARS = frozenset("@-+:")

# --------------------------------------------------------------------------------------------
# small helpers


def tuple_rev_as_scalar(rev: Any) -> Any:
    """``()`` -> ``None``, a 1-tuple -> its element, a longer tuple unchanged."""
    if not rev:
        return None
    if len(rev) == 1:
        return rev[0]
    return tuple(rev)


def format_as_comma(value: Any) -> str:
    """Render ``None``, a string or a collection as ``"a, b"``; sets are sorted."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (set, frozenset)):
        return ", ".join(sorted(value))
    return ", ".join(value)


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    """The items in their first-seen order, each once."""
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------------------------
# Revision


class Revision:
    """One node of the graph: a revision id plus its parents, dependencies and branch labels.

    ``down_revision`` and ``dependencies`` are stored the way revision files write them: ``None``,
    a string, or a tuple.  ``branch_labels`` is the set of labels that apply to this revision,
    including labels propagated from related revisions once it is part of a :class:`RevisionMap`.
    """

    nextrev: frozenset[str] = frozenset()
    """Ids of revisions whose ``down_revision`` names this one."""

    _all_nextrev: frozenset[str] = frozenset()
    _resolved_dependencies: tuple[str, ...] = ()
    _normalized_resolved_dependencies: tuple[str, ...] = ()
    # Parent tuples, computed once: ``down_revision`` as a tuple (kept in step by its setter),
    # and the all/normalized parent sets (filled when the map is built, cleared by a change).
    _versioned: tuple[str, ...] = ()
    _all_down: tuple[str, ...] | None = None
    _normalized_down: tuple[str, ...] | None = None

    def __init__(
        self,
        revision: str,
        down_revision: Any,
        dependencies: Any = None,
        branch_labels: Any = None,
    ) -> None:
        downs = to_tuple(down_revision, ())
        if down_revision and revision in downs:
            raise LoopDetected(revision)
        deps = to_tuple(dependencies, ())
        if dependencies is not None and revision in deps:
            raise DependencyLoopDetected(revision)
        self.verify_rev_id(revision)
        self.revision = revision
        self.down_revision = tuple_rev_as_scalar(downs)
        self.dependencies = tuple_rev_as_scalar(deps)
        self._orig_branch_labels: set[str] = set(to_tuple(branch_labels, ()))
        self.branch_labels: set[str] = set(self._orig_branch_labels)

    @property
    def down_revision(self) -> Any:
        """The parent id(s) as the revision file writes them: ``None``, a string or a tuple."""
        return self._down_revision

    @down_revision.setter
    def down_revision(self, value: Any) -> None:
        self._down_revision = value
        self._versioned = to_tuple(value, ())
        self._all_down = self._normalized_down = None

    @classmethod
    def verify_rev_id(cls, revision: str) -> None:
        """Raise :class:`RevisionError` if ``revision`` contains ``@ - + :``."""
        if not isinstance(revision, str):
            raise RevisionError(f"Revision identifier {revision!r} is not a string")
        bad = _ILLEGAL_ID_CHARS.intersection(revision)
        if bad:
            raise RevisionError(
                f"Character(s) '{', '.join(sorted(bad))}' not allowed in revision identifier "
                f"'{revision}'"
            )

    def __repr__(self) -> str:
        args = [repr(self.revision), repr(self.down_revision)]
        if self.dependencies:
            args.append(f"dependencies={self.dependencies!r}")
        if self.branch_labels:
            args.append(f"branch_labels={self.branch_labels!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def _reset_links(self) -> None:
        self.nextrev = frozenset()
        self._all_nextrev = frozenset()
        self._resolved_dependencies = ()
        self._normalized_resolved_dependencies = ()
        self._all_down = self._normalized_down = None
        self.branch_labels = set(self._orig_branch_labels)

    def _set_dependencies(self, resolved: tuple[str, ...], normalized: tuple[str, ...]) -> None:
        """Record the resolved ``depends_on`` ids (all, and those not already implied)."""
        self._resolved_dependencies = resolved
        self._normalized_resolved_dependencies = normalized
        self._all_down = self._normalized_down = None

    # -- parent views ------------------------------------------------------------------------

    @property
    def versioned_down_revisions(self) -> tuple[str, ...]:
        """``down_revision`` as a tuple: the parents that occupy rows in the version table."""
        return self._versioned

    @property
    def all_down_revisions(self) -> tuple[str, ...]:
        """``down_revision`` plus every resolved ``depends_on`` id."""
        found = self._all_down
        if found is None:
            deps = self._resolved_dependencies
            found = dedupe(self._versioned + deps) if deps else self._versioned
            self._all_down = found
        return found

    @property
    def normalized_down_revisions(self) -> tuple[str, ...]:
        """``down_revision`` plus the dependencies (resolved to ids) not already implied.

        A dependency is dropped when a ``down_revision`` ancestor already depends on it.  This is
        the parent set used for ordering upgrades and downgrades.
        """
        found = self._normalized_down
        if found is None:
            deps = self._normalized_resolved_dependencies
            found = dedupe(self._versioned + deps) if deps else self._versioned
            self._normalized_down = found
        return found

    @property
    def resolved_dependencies(self) -> tuple[str, ...]:
        """``depends_on`` with branch labels replaced by revision ids."""
        return self._resolved_dependencies

    # Alembic's spellings, kept for code written against alembic.script.revision.
    _versioned_down_revisions = versioned_down_revisions
    _all_down_revisions = all_down_revisions
    _normalized_down_revisions = normalized_down_revisions

    # -- shape ---------------------------------------------------------------------------------

    @property
    def is_head(self) -> bool:
        """No revision names this one as its ``down_revision``."""
        return not self.nextrev

    @property
    def _is_real_head(self) -> bool:
        return not self._all_nextrev

    is_real_head = _is_real_head

    @property
    def is_base(self) -> bool:
        """``down_revision`` is ``None``."""
        return self.down_revision is None

    @property
    def is_branch_point(self) -> bool:
        """More than one revision names this one as ``down_revision``."""
        return len(self.nextrev) > 1

    @property
    def _is_real_branch_point(self) -> bool:
        return len(self._all_nextrev) > 1

    @property
    def is_merge_point(self) -> bool:
        """``down_revision`` names more than one revision."""
        return len(self._versioned) > 1
