"""Migration steps: what one move of the version table means, and how steps are planned.

A step is one revision run up or down (:class:`RevisionStep`) or one version-table move without
running anything (:class:`StampStep`). :class:`~dbshift.runtime.heads.HeadMaintainer` turns each
step into INSERT/UPDATE/DELETE rows of the version table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..util.exc import CommandError

if TYPE_CHECKING:
    from ..script.directory import Script, ScriptDirectory
    from ..script.revision import RevisionMap


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class MigrationInfo:
    """What ``on_version_apply`` callbacks receive about a step that just ran."""

    def __init__(
        self,
        revision_map: RevisionMap,
        is_upgrade: bool,
        is_stamp: bool,
        up_revisions: Sequence[str] | str | None,
        down_revisions: Sequence[str] | str | None,
    ) -> None:
        self.revision_map = revision_map
        self.is_upgrade = is_upgrade
        self.is_stamp = is_stamp
        self.up_revision_ids = _as_tuple(up_revisions)
        self.down_revision_ids = _as_tuple(down_revisions)
        self.up_revision_id = self.up_revision_ids[0] if len(self.up_revision_ids) == 1 else None
        if len(self.up_revision_ids) > 1:
            self.up_revision_id = None

    @property
    def is_migration(self) -> bool:
        """True for a real migration, False for a stamp."""
        return not self.is_stamp

    @property
    def source_revision_ids(self) -> tuple[str, ...]:
        """Where the step started."""
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self) -> tuple[str, ...]:
        """Where the step ended."""
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    @property
    def up_revision(self) -> Any:
        """The upper revision object (None if several)."""
        return self.revision_map.get_revision(self.up_revision_id) if self.up_revision_id else None

    @property
    def up_revisions(self) -> tuple[Any, ...]:
        """The upper revision objects."""
        return tuple(self.revision_map.get_revisions(self.up_revision_ids))

    @property
    def down_revisions(self) -> tuple[Any, ...]:
        """The lower revision objects."""
        return tuple(self.revision_map.get_revisions(self.down_revision_ids))

    @property
    def source_revisions(self) -> tuple[Any, ...]:
        """Revision objects where the step started."""
        return tuple(self.revision_map.get_revisions(self.source_revision_ids))

    @property
    def destination_revisions(self) -> tuple[Any, ...]:
        """Revision objects where the step ended."""
        return tuple(self.revision_map.get_revisions(self.destination_revision_ids))


class MigrationStep:
    """Base of the steps a migration run is made of."""

    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    is_upgrade: bool
    migration_fn: Callable[..., Any]

    @property
    def is_downgrade(self) -> bool:
        """True when the step moves down."""
        return not self.is_upgrade

    @property
    def name(self) -> str:
        """The migration function's name (upgrade/downgrade)."""
        return getattr(self.migration_fn, "__name__", "stamp")

    @property
    def short_log(self) -> str:
        """``upgrade a -> b, message`` for logs and offline comments."""
        return "{} {} -> {}".format(
            self.name,
            ", ".join(self.from_revisions) or "",
            ", ".join(self.to_revisions) or "",
        ).replace(" ->", " ->" if self.from_revisions else "->").strip()

    def __str__(self) -> str:
        doc = getattr(self, "doc", None)
        return f"{self.short_log}, {doc}" if doc else self.short_log


class RevisionStep(MigrationStep):
    """Run one revision's ``upgrade()`` or ``downgrade()``."""

    def __init__(self, revision_map: RevisionMap, revision: Script, is_upgrade: bool) -> None:
        self.revision_map = revision_map
        self.revision = revision
        self.is_upgrade = is_upgrade
        module = revision.module
        fn_name = "upgrade" if is_upgrade else "downgrade"
        try:
            self.migration_fn = getattr(module, fn_name)
        except AttributeError:
            raise CommandError(
                f"Revision file {getattr(revision, 'path', revision.revision)} has no "
                f"{fn_name}() function"
            ) from None

    @property
    def doc(self) -> str | None:
        """The revision's message."""
        return getattr(self.revision, "doc", None)

    @property
    def from_revisions(self) -> tuple[str, ...]:  # type: ignore[override]
        if self.is_upgrade:
            return tuple(self.revision.versioned_down_revisions)
        return (self.revision.revision,)

    @property
    def to_revisions(self) -> tuple[str, ...]:  # type: ignore[override]
        if self.is_upgrade:
            return (self.revision.revision,)
        return tuple(self.revision.versioned_down_revisions)

    @property
    def short_log(self) -> str:
        return "{} {} -> {}".format(
            "upgrade" if self.is_upgrade else "downgrade",
            ", ".join(self.from_revisions) or "",
            ", ".join(self.to_revisions) or "",
        ).replace("  ", " ")

    # --- version-table decisions ---------------------------------------------------------

    def should_create_branch(self, heads: set[str]) -> bool:
        """Upgrade of a base, or of a revision none of whose parents is a current head."""
        if not self.is_upgrade:
            return False
        downrevs = set(self.revision.versioned_down_revisions)
        return not downrevs or not (heads & downrevs)

    def should_merge_branches(self, heads: set[str]) -> bool:
        """Upgrade of a merge point with two or more parents among the heads."""
        if not self.is_upgrade:
            return False
        downrevs = set(self.revision.versioned_down_revisions)
        return len(downrevs) > 1 and len(heads & downrevs) > 1

    def should_unmerge_branches(self, heads: set[str]) -> bool:
        """Downgrade of a merge point that is a head."""
        if self.is_upgrade:
            return False
        downrevs = self.revision.versioned_down_revisions
        return self.revision.revision in heads and len(downrevs) > 1

    def should_delete_branch(self, heads: set[str]) -> bool:
        """Downgrade that removes a head without its parent becoming one."""
        if self.is_upgrade:
            return False
        if self.revision.revision not in heads:
            return False
        downrevs = set(self.revision.versioned_down_revisions)
        if not downrevs:
            return True
        # The parent need not become a head when another head already descends from it.
        others = heads - {self.revision.revision}
        if not others:
            return False
        below_others = self.revision_map.ancestors_of(
            self.revision_map.get_revisions(tuple(others)), include_dependencies=False
        )
        return downrevs <= below_others

    def merge_branch_idents(self, heads: set[str]) -> tuple[list[str], str]:
        """For a merge: the heads to delete and the one to update from."""
        downrevs = [r for r in self.revision.versioned_down_revisions if r in heads]
        return downrevs[1:], downrevs[0]

    def unmerge_branch_idents(self, heads: set[str]) -> tuple[str, list[str]]:
        """For an unmerge: the parent to update to and the parents to insert."""
        downrevs = list(self.revision.versioned_down_revisions)
        others = heads - {self.revision.revision}
        covered = (
            self.revision_map.ancestors_of(
                self.revision_map.get_revisions(tuple(others)), include_dependencies=False
            )
            if others
            else set()
        )
        needed = [r for r in downrevs if r not in covered and r not in heads]
        if not needed:
            return downrevs[0], []
        return needed[0], needed[1:]

    @property
    def info(self) -> MigrationInfo:
        """This step as :class:`MigrationInfo`."""
        return MigrationInfo(
            self.revision_map,
            self.is_upgrade,
            False,
            self.revision.revision,
            self.revision.versioned_down_revisions,
        )

    @property
    def delete_version_num(self) -> str:
        """The row a branch deletion removes."""
        return self.revision.revision

    @property
    def insert_version_num(self) -> str:
        """The row a branch creation inserts."""
        return self.revision.revision


class StampStep(MigrationStep):
    """Move the version table without running any revision."""

    def __init__(
        self,
        from_: Sequence[str] | str | None,
        to_: Sequence[str] | str | None,
        is_upgrade: bool,
        branch_move: bool,
        revision_map: RevisionMap,
    ) -> None:
        self.from_revisions = _as_tuple(from_)
        self.to_revisions = _as_tuple(to_)
        self.is_upgrade = is_upgrade
        self.branch_move = branch_move
        self.revision_map = revision_map
        self.migration_fn = self._noop

    @staticmethod
    def _noop(**kw: Any) -> None:
        return None

    @property
    def name(self) -> str:
        return "stamp"

    @property
    def short_log(self) -> str:
        return "stamp {} -> {}".format(
            ", ".join(self.from_revisions), ", ".join(self.to_revisions)
        ).replace("  ", " ")

    @property
    def doc(self) -> None:
        return None

    def should_create_branch(self, heads: set[str]) -> bool:
        return self.is_upgrade and self.branch_move

    def should_delete_branch(self, heads: set[str]) -> bool:
        return self.is_downgrade and self.branch_move

    def should_merge_branches(self, heads: set[str]) -> bool:
        return len(self.from_revisions) > 1

    def should_unmerge_branches(self, heads: set[str]) -> bool:
        return len(self.to_revisions) > 1

    def merge_branch_idents(self, heads: set[str]) -> tuple[list[str], str]:
        return list(self.from_revisions[:-1]), self.from_revisions[-1]

    def unmerge_branch_idents(self, heads: set[str]) -> tuple[str, list[str]]:
        return self.to_revisions[-1], list(self.to_revisions[:-1])

    @property
    def delete_version_num(self) -> str:
        assert len(self.from_revisions) == 1
        return self.from_revisions[0]

    @property
    def insert_version_num(self) -> str:
        assert len(self.to_revisions) == 1
        return self.to_revisions[0]

    @property
    def info(self) -> MigrationInfo:
        up = self.to_revisions if self.is_upgrade else self.from_revisions
        down = self.from_revisions if self.is_upgrade else self.to_revisions
        return MigrationInfo(self.revision_map, self.is_upgrade, True, up, down)


# ---------------------------------------------------------------------------------------------
# Planning


def upgrade_steps(
    script: ScriptDirectory, destination: str, heads: Iterable[str]
) -> list[RevisionStep]:
    """The steps that take ``heads`` up to ``destination``."""
    revisions = script.upgrade_revisions(destination, tuple(heads))
    return [RevisionStep(script.revision_map, rev, True) for rev in revisions]


def downgrade_steps(
    script: ScriptDirectory, destination: str | None, heads: Iterable[str]
) -> list[RevisionStep]:
    """The steps that take ``heads`` down to ``destination``."""
    revisions = script.downgrade_revisions(destination, tuple(heads))
    return [RevisionStep(script.revision_map, rev, False) for rev in revisions]


def stamp_steps(
    script: ScriptDirectory, revision: str | Iterable[str] | None, heads: Iterable[str]
) -> list[StampStep]:
    """The version-table moves that make ``heads`` read ``revision`` (``base`` empties it)."""
    revision_map = script.revision_map
    heads = tuple(heads)
    targets = [revision] if isinstance(revision, str) or revision is None else list(revision)
    if not targets:
        targets = ["base"]
    resolved: list[Any] = []
    for target in targets:
        if target in (None, "base"):
            resolved.append(None)
        else:
            resolved.extend(script.get_revisions(target) or [None])
    current = list(
        revision_map.filter_for_lineage(
            heads, [r.revision for r in resolved if r is not None] or heads,
            include_dependencies=True,
        )
    ) if any(r is not None for r in resolved) else list(heads)
    steps: list[StampStep] = []
    for dest in resolved:
        if dest is None:
            steps.extend(StampStep(head, None, False, True, revision_map) for head in current)
            current = []
            continue
        if dest.revision in current:
            continue
        below = revision_map.ancestors_of([dest], include_dependencies=True)
        above = revision_map.descendants_of([dest], include_dependencies=True)
        going_down = [h for h in current if h in above and h != dest.revision]
        going_up = [h for h in current if h in below and h != dest.revision]
        if going_down:
            steps.append(StampStep(going_down, dest.revision, False, False, revision_map))
            current = [h for h in current if h not in going_down] + [dest.revision]
        elif going_up:
            steps.append(StampStep(going_up, dest.revision, True, False, revision_map))
            current = [h for h in current if h not in going_up] + [dest.revision]
        else:
            steps.append(StampStep((), dest.revision, True, True, revision_map))
            current.append(dest.revision)
    return steps
