"""The revision graph and the revision identifier grammar.

This module is pure: it never touches files or databases.  A :class:`RevisionMap` is built from
:class:`Revision` objects (``revision``, ``down_revision``, ``depends_on``, ``branch_labels``) and
answers every question the commands ask of the graph: which revisions are heads and bases, what an
identifier such as ``ae10``, ``head``, ``heads``, ``mybranch@head``, ``-2`` or ``base`` means, and
which revisions lie between two points, in the order they must be applied.

Every traversal is linear in the size of the graph: the map keeps child links and an insertion
index, and walks use ``seen`` sets, so a chain of thousands of revisions resolves in milliseconds.

The node class lives in :mod:`~dbshift.script.revision_node`, identifier resolution in
:mod:`~dbshift.script.revision_identifiers`, walks and upgrade/downgrade plans in
:mod:`~dbshift.script.revision_plan`; everything is importable from here as before.
"""

from __future__ import annotations

from .revision_errors import (
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
    _with_ids,
)
from .revision_identifiers import IdentifierResolver
from .revision_node import Revision, format_as_comma, tuple_rev_as_scalar
from .revision_plan import (
    RevisionPlanner,
    _all_children,
    _dedupe,
    _normalized_parents,
    _versioned_children,
    _versioned_parents,
    to_tuple,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from typing import Any

# RevisionMap views a lazily adopted snapshot makes on first use (see _adopt_lazily).
_LAZY_VIEWS = ("_revs", "_labels", "_newest_first")



# --------------------------------------------------------------------------------------------
# RevisionMap


class RevisionMap(RevisionPlanner, IdentifierResolver):
    """The graph of all revisions, built lazily from a generator of :class:`Revision` objects.

    Identifiers accepted by the resolving methods: a full id, a unique prefix of at least four
    characters, a branch label, ``head``, ``heads``, ``base`` / ``None``, ``label@head``,
    ``label@heads``, ``label@base``, ``label@<rev>``, and (where a walk makes sense) relative forms
    ``+N``, ``-N``, ``<rev>+N``, ``head-N``, ``label@+N``.
    """

    def __init__(self, generator: Callable[[], Iterable[Revision]]) -> None:
        self._generator = generator
        self._built = False
        self._extra: list[Revision] = []
        # Set by a generator whose revisions come with their links already made (a snapshot
        # of a graph this class built and checked before): they are adopted as they are,
        # with the newest-first order of all revisions when the generator knows it.
        self._linked = False
        self._linked_newest_first: list[Revision] | None = None
        # ...and, optionally, what _finish would compute from them: (ids, heads, real heads,
        # bases, real bases, ((label, index of its revision), ...)).
        self._linked_summary: tuple[Any, ...] | None = None
        # Or the generator yields nothing and hands over, in _linked_lazy, (summary, load_all,
        # load_one, newest-first order) to make the revisions only when asked: see
        # _adopt_lazily.
        self._linked_lazy: tuple[Any, ...] | None = None
        self._pending: tuple[Any, ...] | None = None
        self._load_one: Callable[[Any], Revision | None] | None = None
        self._newest_first: list[Revision] | None = None

    # -- building ------------------------------------------------------------------------------

    def _ensure(self) -> None:
        if not self._built:
            self._linked = False
            self._linked_newest_first = None
            self._linked_summary = None
            self._linked_lazy = None
            revisions = list(self._generator())
            lazy, self._linked_lazy = self._linked_lazy, None
            if lazy is not None:
                if not self._extra:
                    self._adopt_lazily(*lazy)
                    return
                revisions, linked = lazy[1]()
                self._linked = linked
            if self._linked and not self._extra:
                if self._linked_summary is not None:
                    self._adopt_summarized(revisions, self._linked_summary)
                else:
                    self._adopt(revisions)
                self._newest_first = self._linked_newest_first
            else:
                self._build(revisions + self._extra)
            self._linked = False
            self._linked_newest_first = None
            self._linked_summary = None

    def _adopt(self, revisions: list[Revision]) -> None:
        """Take revisions whose links (children, resolved dependencies, propagated labels) a
        previous :meth:`_build` computed and checked, without checking them again."""
        revs = {rev.revision: rev for rev in revisions}
        labels = {
            label: rev for rev in revisions if rev._orig_branch_labels
            for label in sorted(rev._orig_branch_labels)
        }
        self._finish(revs, labels)

    def _adopt_summarized(self, revisions: list[Revision], summary: tuple[Any, ...]) -> None:
        """:meth:`_adopt` with what :meth:`_finish` computes given (see ``_linked_summary``)."""
        ids, heads, real_heads, bases, real_bases, label_rows = summary
        self._newest_first = None
        self._revs = dict(zip(ids, revisions))
        self._labels = {label: revisions[i] for label, i in label_rows}
        self._order = dict(zip(ids, range(len(ids))))
        self._heads = heads
        self._real_heads_t = real_heads
        self._bases = bases
        self._real_bases_t = real_bases
        self._built = True

    def _adopt_lazily(
        self,
        summary: tuple[Any, ...],
        load_all: Callable[[], tuple[list[Revision], bool]],
        load_one: Callable[[Any], Revision | None],
        order: Sequence[int] | None,
    ) -> None:
        """Answer from ``summary`` (see ``_linked_summary``) what it holds (heads, bases, the
        load order), ``load_one(id)`` a revision it can make alone (or ``None``), and make
        every revision with ``load_all()`` (-> ``(revisions, linked)``) the first time
        anything else is asked: ``_revs``, ``_labels`` and ``_newest_first`` are unset until
        then (see :meth:`__getattr__`)."""
        ids, heads, real_heads, bases, real_bases, _ = summary
        for name in _LAZY_VIEWS:
            self.__dict__.pop(name, None)
        self._order = dict(zip(ids, range(len(ids))))
        self._heads = heads
        self._real_heads_t = real_heads
        self._bases = bases
        self._real_bases_t = real_bases
        self._pending = (summary, load_all, order)
        self._load_one = load_one
        self._built = True

    def __getattr__(self, name: str) -> Any:
        # Reached only for an attribute that is not set: the views _adopt_lazily left unmade.
        if name in _LAZY_VIEWS:
            pending = self.__dict__.get("_pending")
            if pending is not None:
                self._materialize(*pending)
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _materialize(
        self,
        summary: tuple[Any, ...],
        load_all: Callable[[], tuple[list[Revision], bool]],
        order: Sequence[int] | None,
    ) -> None:
        self._pending = None
        self._load_one = None
        revisions, linked = load_all()
        if linked:
            self._adopt_summarized(revisions, summary)
            if order is not None:
                self._newest_first = [revisions[i] for i in order]
        else:
            self._build(revisions)

    def _lookup(self, ident: Any) -> Revision | None:
        """The revision whose id or branch label is ``ident``, else ``None``."""
        load_one = self._load_one
        if load_one is not None:
            found = load_one(ident)
            if found is not None:
                return found
        return self._revs.get(ident) or self._labels.get(ident)

    def _summary(self) -> tuple[Any, ...]:
        """What :meth:`_adopt_summarized` takes to rebuild this map's views (after _ensure)."""
        index = self._order
        return (
            list(self._revs),
            self._heads,
            self._real_heads_t,
            self._bases,
            self._real_bases_t,
            tuple((label, index[rev.revision]) for label, rev in self._labels.items()),
        )

    def _finish(self, revs: dict[str, Revision], labels: dict[str, Revision]) -> None:
        self._newest_first = None
        self._revs = revs
        self._labels = labels
        self._order = {rid: i for i, rid in enumerate(revs)}
        self._heads = tuple(rid for rid, r in revs.items() if not r.nextrev)
        self._real_heads_t = tuple(rid for rid, r in revs.items() if not r._all_nextrev)
        self._bases = tuple(rid for rid, r in revs.items() if r.down_revision is None)
        self._real_bases_t = tuple(
            rid for rid, r in revs.items() if r.down_revision is None and r.dependencies is None
        )
        self._built = True

    def _build(self, revisions: list[Revision]) -> None:
        revs: dict[str, Revision] = {}
        for rev in revisions:
            if rev.revision in revs:
                raise _with_ids(
                    RevisionError(f"Revision {rev.revision} is present more than once"),
                    rev.revision,
                )
            rev._reset_links()
            revs[rev.revision] = rev

        labels: dict[str, Revision] = {}
        for rev in revs.values():
            if not rev._orig_branch_labels:
                continue
            for label in sorted(rev._orig_branch_labels):
                other = revs.get(label) or labels.get(label)
                if other is not None:
                    raise _with_ids(
                        RevisionError(
                            f"Branch name '{label}' in revision {rev.revision} already used by "
                            f"revision {other.revision}"
                        ),
                        rev.revision,
                        other.revision,
                    )
                labels[label] = rev

        any_dependencies = False
        for rev in revs.values():
            if rev.dependencies:
                any_dependencies = True
                resolved = []
                for dep in to_tuple(rev.dependencies, ()):
                    target = revs.get(dep) or labels.get(dep)
                    if target is None:
                        raise _with_ids(
                            RevisionError(
                                f"Revision {rev.revision} depends on '{dep}', which is not present"
                            ),
                            rev.revision,
                        )
                    resolved.append(target.revision)
                rev._set_dependencies(_dedupe(resolved), ())

        children: dict[str, list[str]] = {}
        all_children: dict[str, list[str]] = {}
        for rev in revs.values():
            versioned = rev._versioned
            for down in rev.all_down_revisions if any_dependencies else versioned:
                if down not in revs:
                    raise _with_ids(
                        RevisionError(
                            f"Revision {down} referenced from {rev.revision} is not present"
                        ),
                        rev.revision,
                    )
                if any_dependencies:
                    all_children.setdefault(down, []).append(rev.revision)
                if down in versioned:
                    children.setdefault(down, []).append(rev.revision)
        for rid, kids in children.items():
            revs[rid].nextrev = frozenset(kids)
        if any_dependencies:
            for rid, kids in all_children.items():
                revs[rid]._all_nextrev = frozenset(kids)
        else:
            for rev in revs.values():
                rev._all_nextrev = rev.nextrev

        self._detect_cycles(revs, any_dependencies)

        self._revs = revs
        self._labels = labels
        self._normalize_depends_on(revs)
        self._propagate_branch_labels(revs, labels)
        self._finish(revs, labels)

    @staticmethod
    def _detect_cycles(revs: dict[str, Revision], any_dependencies: bool = True) -> None:
        """Kahn's algorithm, first over ``down_revision`` edges, then with dependencies too
        (when there are any: without them the second pass would walk the same edges)."""
        for versioned_only in (True, False) if any_dependencies else (True,):
            indegree = {}
            for rid, rev in revs.items():
                parents = rev._versioned if versioned_only else rev.all_down_revisions
                indegree[rid] = len(parents)
            ready = [rid for rid, n in indegree.items() if n == 0]
            done = 0
            while ready:
                rid = ready.pop()
                done += 1
                rev = revs[rid]
                kids = rev.nextrev if versioned_only else rev._all_nextrev
                for kid in kids:
                    indegree[kid] -= 1
                    if indegree[kid] == 0:
                        ready.append(kid)
            if done != len(revs):
                stuck = sorted(rid for rid, n in indegree.items() if n > 0)
                if versioned_only:
                    raise CycleDetected(stuck)
                raise DependencyCycleDetected(stuck)

    def _normalize_depends_on(self, revs: dict[str, Revision]) -> None:
        dependents: dict[str, list[Revision]] = {}
        for rev in revs.values():
            for dep in rev._resolved_dependencies:
                dependents.setdefault(dep, []).append(rev)
        for rev in revs.values():
            deps = rev._resolved_dependencies
            if not deps:
                continue
            if all(len(dependents[d]) == 1 for d in deps):
                rev._set_dependencies(deps, deps)
                continue
            ancestors = self._walk_ids(rev.versioned_down_revisions, _versioned_parents, revs)
            kept = []
            for dep in deps:
                if any(o is not rev and o.revision in ancestors for o in dependents[dep]):
                    continue
                kept.append(dep)
            rev._set_dependencies(deps, tuple(kept))

    def _propagate_branch_labels(
        self, revs: dict[str, Revision], labels: dict[str, Revision]
    ) -> None:
        """A label applies to every descendant of its revision and to the ancestors down to the
        nearest branch point or merge point."""
        by_rev: dict[str, list[str]] = {}
        for label, rev in labels.items():
            by_rev.setdefault(rev.revision, []).append(label)
        for rid, rev_labels in by_rev.items():
            rev = revs[rid]
            for node in self._walk_ids([rid], _versioned_children, revs):
                revs[node].branch_labels.update(rev_labels)
            parent: Revision | None = rev
            while parent is not None and not (
                parent._is_real_branch_point or parent.is_merge_point
            ):
                parent.branch_labels.update(rev_labels)
                down = parent.down_revision
                parent = revs[down] if isinstance(down, str) else None

    def add_revision(self, revision: Revision, _replace: bool = False) -> None:
        """Add (or with ``_replace``, swap in) one revision and rebuild the graph's links."""
        self._ensure()
        current = list(self._revs.values())
        if _replace:
            if revision.revision not in self._revs:
                raise RevisionError(f"revision {revision.revision} not in map")
            current = [revision if r.revision == revision.revision else r for r in current]
        else:
            current.append(revision)
        self._extra.append(revision)
        self._build(current)

    # -- basic views -----------------------------------------------------------------------------

    @property
    def heads(self) -> tuple[str, ...]:
        """Ids of revisions that no revision names as ``down_revision``, in load order."""
        self._ensure()
        return self._heads

    @property
    def real_heads(self) -> tuple[str, ...]:
        """Heads that are also not the target of any ``depends_on``: the version-table state."""
        self._ensure()
        return self._real_heads_t

    @property
    def bases(self) -> tuple[str, ...]:
        """Ids of revisions whose ``down_revision`` is ``None``."""
        self._ensure()
        return self._bases

    @property
    def real_bases(self) -> tuple[str, ...]:
        """Bases that also have no ``depends_on``."""
        self._ensure()
        return self._real_bases_t

    _real_heads = real_heads
    _real_bases = real_bases

    def __len__(self) -> int:
        self._ensure()
        return len(self._revs)

    def __iter__(self) -> Iterator[Revision]:
        self._ensure()
        return iter(list(self._revs.values()))

    def __contains__(self, rev_id: object) -> bool:
        self._ensure()
        return rev_id in self._revs

    # -- walking ---------------------------------------------------------------------------------

    def _walk_ids(
        self,
        start: Iterable[str],
        step: Callable[[Revision], Iterable[str]],
        revs: dict[str, Revision] | None = None,
    ) -> set[str]:
        revs = self._revs if revs is None else revs
        seen: set[str] = set()
        todo = list(start)
        while todo:
            rid = todo.pop()
            if rid in seen:
                continue
            seen.add(rid)
            todo.extend(step(revs[rid]))
        return seen

    def _ids(self, revisions: Iterable[Any]) -> list[str]:
        out = []
        for r in revisions:
            if r is None or r == "base":
                continue
            rid = r.revision if isinstance(r, Revision) else r
            if rid not in self._revs:
                raise ResolutionError(f"No such revision '{rid}'", rid)
            out.append(rid)
        return out

    def ancestors_of(self, revisions: Iterable[Any], include_dependencies: bool = True) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their ancestors.

        With ``include_dependencies`` the walk follows :attr:`Revision.normalized_down_revisions`,
        otherwise only ``down_revision``.
        """
        self._ensure()
        step = _normalized_parents if include_dependencies else _versioned_parents
        return self._walk_ids(self._ids(revisions), step)

    def descendants_of(
        self, revisions: Iterable[Any], include_dependencies: bool = True
    ) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their descendants.

        With ``include_dependencies`` revisions that merely depend on a node count as its
        descendants too.
        """
        self._ensure()
        step = _all_children if include_dependencies else _versioned_children
        return self._walk_ids(self._ids(revisions), step)

    def _check_overlap(self, ids: Sequence[str], include_dependencies: bool, up: bool) -> None:
        """Raise if one requested revision is an ancestor (``up=False``) or descendant of
        another."""
        if len(ids) < 2:
            return
        if up:
            step = _all_children if include_dependencies else _versioned_children
        else:
            step = _normalized_parents if include_dependencies else _versioned_parents
        first_steps = [n for rid in ids for n in step(self._revs[rid])]
        beyond = self._walk_ids(first_steps, step)
        wanted = set(ids)
        hit = wanted & beyond
        if hit:
            inner = sorted(hit, key=self._order.__getitem__)[0]
            others = [rid for rid in ids if rid != inner and inner in self._walk_ids([rid], step)]
            raise RevisionError(
                f"Requested revision {inner} overlaps with other requested revisions "
                f"{', '.join(others)}"
            )




__all__ = [
    "CycleDetected",
    "DependencyCycleDetected",
    "DependencyLoopDetected",
    "LoopDetected",
    "MultipleHeads",
    "RangeNotAncestorError",
    "ResolutionError",
    "Revision",
    "RevisionError",
    "RevisionMap",
    "format_as_comma",
    "to_tuple",
    "tuple_rev_as_scalar",
]
