"""Migration steps: what one move of the version table means, and how steps are planned.

A step is one revision run up or down (:class:`RevisionStep`) or one version-table move without
running anything (:class:`StampStep`). :class:`~dbshift.runtime.version_table.VersionWriter` turns
each step into INSERT/UPDATE/DELETE rows of the version table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..script.directory import STEP_PLANNERS
from ..util.exc import CommandError
from ..util.tuples import to_tuple

if TYPE_CHECKING:
    from ..script.directory import Script, ScriptDirectory
    from ..script.revision import RevisionMap


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
        self.up_revision_ids = to_tuple(up_revisions, ())
        self.down_revision_ids = to_tuple(down_revisions, ())
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
        """``upgrade a -> b`` for logs and offline comments (spaced exactly as Alembic does)."""
        return f"{self.name} {', '.join(self.from_revisions)} -> {', '.join(self.to_revisions)}"

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
    def name(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

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

    # --- version-table changes ------------------------------------------------------------

    @property
    def _parents(self) -> tuple[str, ...]:
        """Parents that count for the version table: ``down_revision`` plus ``depends_on``."""
        return tuple(self.revision.normalized_down_revisions)

    def _implied_by(self, heads: Iterable[str]) -> set[str]:
        """Revisions already recorded implicitly because a head descends from them."""
        heads = tuple(heads)
        if not heads:
            return set()
        return self.revision_map.ancestors_of(
            self.revision_map.get_revisions(heads), include_dependencies=True
        )

    def head_changes(self, heads: set[str]) -> list[tuple[str, ...]]:
        """The version-table rows to change, as ``("insert", rev)``, ``("delete", rev)`` and
        ``("update", from_rev, to_rev)``, in order.

        Upgrading inserts a row when no parent (dependencies included) is recorded, merges the
        parents' rows into one otherwise; downgrading replaces the row with the parents that no
        other head already implies (with no other head: that no other parent implies), or
        deletes it when there are none.
        """
        rev = self.revision.revision
        parents = self._parents
        if self.is_upgrade:
            present = [p for p in parents if p in heads]
            if not present:
                return [("insert", rev)]
            others = heads.difference(parents)
            implied = self._implied_by(others)
            movable = [p for p in present if p not in implied] or present
            changes: list[tuple[str, ...]] = [("delete", p) for p in movable[:-1]]
            changes.append(("update", movable[-1], rev))
            changes.extend(("delete", p) for p in present if p not in movable)
            return changes
        if rev not in heads:
            return []
        others = heads - {rev}
        if others:
            implied = self._implied_by(others)
        elif len(parents) < 2:
            implied = set()
        else:
            # no other row: a parent that another parent descends from needs no row (Alembic)
            implied = {
                below
                for parent in parents
                for below in self.revision_map.ancestors_of([parent], include_dependencies=True)
                if below != parent
            }
        needed = [p for p in parents if p not in implied and p not in heads]
        if not needed:
            return [("delete", rev)]
        changes = [("insert", p) for p in needed[:-1]]
        changes.append(("update", rev, needed[-1]))
        return changes

    @property
    def info(self) -> MigrationInfo:
        """This step as :class:`MigrationInfo`."""
        return MigrationInfo(
            self.revision_map,
            self.is_upgrade,
            False,
            self.revision.revision,
            # with the depends_on revisions not already implied, as Alembic reports them
            self.revision.normalized_down_revisions,
        )


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
        self.from_revisions = to_tuple(from_, ())
        self.to_revisions = to_tuple(to_, ())
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
    def doc(self) -> None:
        return None

    def head_changes(self, heads: set[str]) -> list[tuple[str, ...]]:
        """The version-table rows to change (see :meth:`RevisionStep.head_changes`), decided
        as Alembic decides them from the rows the table holds now: a branch move inserts or
        deletes one row; an upward move whose starting heads are not all recorded inserts its
        target as a new row; several starting heads merge into the target (one row updated,
        the others deleted); several targets unmerge from one head."""
        from_, to_ = self.from_revisions, self.to_revisions
        if not self.is_upgrade and self.branch_move:
            return [("delete", from_[0])]
        if (
            self.is_upgrade
            and (self.branch_move or set(from_).difference(heads))
            and set(to_).difference(heads)
        ):
            return [("insert", to_[0])]
        if len(from_) > 1:
            return [("delete", r) for r in from_[:-1]] + [("update", from_[-1], to_[0])]
        if len(to_) > 1:
            return [("insert", r) for r in to_[:-1]] + [("update", from_[0], to_[-1])]
        if from_ and to_:
            return [("update", from_[0], to_[0])]
        return []

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
    """The version-table moves that make ``heads`` read ``revision`` (``base`` empties it),
    planned as Alembic plans them.

    Every target is placed against the heads the table holds before the stamp (those on its
    lineage): a target above them moves them up to it, one below moves them down, one on no
    recorded lineage becomes a new row. Unlike Alembic, a recorded head on another branch is
    left alone (Alembic deletes its row). So ``stamp A C`` with ``A`` an ancestor of ``C`` leaves
    both rows, as in Alembic (a warning says so). Where Alembic would fail half-way through its
    writes (two targets moving the same recorded head), nothing is written: a CommandError names
    the targets.
    """
    revision_map = script.revision_map
    heads = tuple(heads)
    targets = to_tuple(revision, ()) if revision else ("base",)
    with script._catch_revision_errors(
        multiple_heads="Multiple heads are present; please specify a single target revision"
    ):
        recorded = script.get_revisions(heads)
        on_lineage: list[Any] = []
        for target in targets:
            if target:
                for rev in revision_map.filter_for_lineage(
                    recorded, target, include_dependencies=True
                ):
                    if rev not in on_lineage:
                        on_lineage.append(rev)
        destinations = script.get_revisions(targets) or (None,)
    moved = [rev.revision for rev in on_lineage]
    steps: list[StampStep] = []
    for dest in destinations:
        if dest is None:
            steps.extend(StampStep(head, None, False, True, revision_map) for head in moved)
            continue
        if dest in on_lineage:
            continue
        below = revision_map.ancestors_of([dest], include_dependencies=True)
        above = revision_map.descendants_of([dest], include_dependencies=True)
        # Only the recorded heads on this target's own line move to it. (Alembic moves every
        # head on the line of any target, and so drops the row of a head on another branch:
        # `stamp heads` from rows {a3, b2} of two bases leaves {b3}, as if branch a had never
        # been applied. dbshift keeps a3.)
        higher = [head for head in moved if head in above]
        lower = [head for head in moved if head in below]
        if higher:
            if lower:
                raise CommandError(
                    f"Can't stamp {dest.revision}: the version table holds revisions both "
                    f"above and below it ({', '.join(moved)})"
                )
            steps.append(StampStep(higher, dest.revision, False, False, revision_map))
        elif lower:
            steps.append(StampStep(lower, dest.revision, True, False, revision_map))
        else:
            steps.append(StampStep((), dest.revision, True, True, revision_map))
    _check_stamp(steps, heads, revision_map, targets)
    return steps


def heads_after(changes: Iterable[tuple[str, ...]], heads: Iterable[str]) -> set[str]:
    """The heads once a step's version-table ``changes`` (see
    :meth:`RevisionStep.head_changes`) are played on ``heads``."""
    result = set(heads)
    for change in changes:
        if change[0] == "insert":
            result.add(change[1])
        elif change[0] == "delete":
            result.discard(change[1])
        else:
            result.discard(change[1])
            result.add(change[2])
    return result


def _check_stamp(
    steps: Sequence[StampStep], heads: Sequence[str], revision_map: RevisionMap, targets: Any
) -> None:
    """Play the row changes of ``steps`` on ``heads``: a CommandError when one of them would
    change a row that an earlier one already moved (Alembic stops there with a KeyError, the
    earlier rows written); a warning when the rows left include a revision and its ancestor."""
    rows = set(heads)
    for step in steps:
        for change in step.head_changes(set(rows)):
            kind, old = change[0], change[1]
            new = change[2] if kind == "update" else None
            if kind == "insert":
                gone, added = None, old
            else:
                gone, added = old, new
            if (gone is not None and gone not in rows) or (added is not None and added in rows):
                raise CommandError(
                    f"Can't stamp {' '.join(to_tuple(targets, ()))}: more than one of these "
                    f"targets moves the recorded revision(s) {', '.join(heads)} (Alembic "
                    "fails half-way here); nothing was changed: stamp one target at a time"
                )
            if gone is not None:
                rows.discard(gone)
            if added is not None:
                rows.add(added)
    overlapping = sorted(
        (low, high)
        for high in rows
        for low in rows
        if low != high and low in revision_map.ancestors_of([high], include_dependencies=False)
    )
    if overlapping:
        import warnings

        pairs = ", ".join(f"{low} (below {high})" for low, high in overlapping)
        warnings.warn(
            f"stamp leaves revisions in the version table that are ancestors of other rows: "
            f"{pairs}. Alembic writes the same rows; 'upgrade' refuses them until the table "
            "is stamped again",
            stacklevel=3,
        )


# Alembic's ScriptDirectory._upgrade_revs/_downgrade_revs/_stamp_revs give these steps.
STEP_PLANNERS.update(upgrade=upgrade_steps, downgrade=downgrade_steps, stamp=stamp_steps)
