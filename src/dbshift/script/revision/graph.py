"""The revision graph itself: revisions by id and by branch label, their links, heads and bases,
and the walks along those links.

:class:`RevisionGraph` is built once from :class:`~dbshift.script.revision.node.Revision` objects
(checking ids, labels, parents, dependencies and cycles, then linking children and propagating
branch labels), or adopted from a :class:`GraphSnapshot` of a graph built and checked on an
earlier run. It knows nothing of identifiers such as ``head`` or ``-2`` (see
:mod:`.identifiers`) nor of upgrade plans (see :mod:`.planner`). Pure: no files, no database.
Every walk is linear in the size of the graph.
"""

from __future__ import annotations

from ...util.tuples import to_tuple
from .errors import (
    CycleDetected,
    DependencyCycleDetected,
    ResolutionError,
    RevisionError,
    with_ids,
)
from .node import Revision, dedupe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

# The views an adopted snapshot makes on first use (see RevisionGraph.adopt).
_LAZY_VIEWS = ("revs", "labels", "newest_first")


# --------------------------------------------------------------------------------------------
# the steps of a walk: one revision -> the ids one link away


def versioned_parents(rev: Revision) -> tuple[str, ...]:
    """The ``down_revision`` ids of ``rev``."""
    return rev.versioned_down_revisions


def normalized_parents(rev: Revision) -> tuple[str, ...]:
    """The ``down_revision`` ids of ``rev`` plus the dependencies not already implied."""
    return rev.normalized_down_revisions


def versioned_children(rev: Revision) -> frozenset[str]:
    """The ids of the revisions whose ``down_revision`` names ``rev``."""
    return rev.nextrev


def all_children(rev: Revision) -> frozenset[str]:
    """The ids of the revisions that name ``rev`` as ``down_revision`` or in ``depends_on``."""
    return rev._all_nextrev


# --------------------------------------------------------------------------------------------
# GraphSnapshot


class GraphSnapshot:
    """A graph built and checked on an earlier run, handed over instead of its revisions.

    ``summary`` is what :meth:`RevisionGraph.summary` returned then; ``load_one(id)`` makes the
    one revision it can make alone (or returns ``None``); ``load_all()`` makes every revision,
    as ``(revisions in summary order, linked)`` where ``linked`` says their links are the ones
    the earlier build made (else the graph builds them again); ``order`` is the newest-first
    order of the revisions as indexes into the summary's ids, or ``None``.
    """

    __slots__ = ("load_all", "load_one", "order", "summary")

    def __init__(
        self,
        summary: tuple[Any, ...],
        load_all: Callable[[], tuple[list[Revision], bool]],
        load_one: Callable[[Any], Revision | None],
        order: Sequence[int] | None,
    ) -> None:
        self.summary = summary
        self.load_all = load_all
        self.load_one = load_one
        self.order = order


# --------------------------------------------------------------------------------------------
# RevisionGraph


class RevisionGraph:
    """Revisions by id (``revs``, in load order) and by branch label (``labels``), the load
    order (``order``: id -> index), ``heads``, ``real_heads``, ``bases``, ``real_bases``, and,
    when a snapshot knew it, the newest-first list of every revision (``newest_first``).

    Empty until :meth:`build` or :meth:`adopt`; building again (after a revision was added)
    replaces everything in place, so the objects that hold the graph keep holding it.
    """

    def __init__(self) -> None:
        self._pending: GraphSnapshot | None = None
        self._load_one: Callable[[Any], Revision | None] | None = None

    # -- building ------------------------------------------------------------------------------

    def build(self, revisions: list[Revision]) -> None:
        """Check and link ``revisions`` (their earlier links are reset first).

        Raises :class:`RevisionError` for a duplicate id or label, a missing parent or
        dependency, and :class:`CycleDetected` / :class:`DependencyCycleDetected` for a cycle.
        """
        revs: dict[str, Revision] = {}
        for rev in revisions:
            if rev.revision in revs:
                # as Alembic: a warning, and the revision given last replaces the earlier one
                import warnings

                warnings.warn(f"Revision {rev.revision} is present more than once", stacklevel=2)
                del revs[rev.revision]
            rev._reset_links()
            revs[rev.revision] = rev

        labels: dict[str, Revision] = {}
        for rev in revs.values():
            if not rev._orig_branch_labels:
                continue
            for label in sorted(rev._orig_branch_labels):
                other = revs.get(label) or labels.get(label)
                if other is not None:
                    raise with_ids(
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
                        raise with_ids(
                            RevisionError(
                                f"Revision {rev.revision} depends on '{dep}', which is not present"
                            ),
                            rev.revision,
                        )
                    resolved.append(target.revision)
                rev._set_dependencies(dedupe(resolved), ())

        children: dict[str, list[str]] = {}
        all_kids: dict[str, list[str]] = {}
        for rev in revs.values():
            versioned = rev._versioned
            for down in rev.all_down_revisions if any_dependencies else versioned:
                if down not in revs:
                    raise with_ids(
                        RevisionError(
                            f"Revision {down} referenced from {rev.revision} is not present"
                        ),
                        rev.revision,
                    )
                if any_dependencies:
                    all_kids.setdefault(down, []).append(rev.revision)
                if down in versioned:
                    children.setdefault(down, []).append(rev.revision)
        for rid, kids in children.items():
            revs[rid].nextrev = frozenset(kids)
        if any_dependencies:
            for rid, kids in all_kids.items():
                revs[rid]._all_nextrev = frozenset(kids)
        else:
            for rev in revs.values():
                rev._all_nextrev = rev.nextrev

        _detect_cycles(revs, any_dependencies)

        self.revs = revs
        self.labels = labels
        self._normalize_depends_on(revs)
        self._propagate_branch_labels(revs, labels)
        self._finish(revs, labels)

    def _finish(self, revs: dict[str, Revision], labels: dict[str, Revision]) -> None:
        self._pending = None
        self._load_one = None
        self.newest_first: list[Revision] | None = None
        self.revs = revs
        self.labels = labels
        self.order = {rid: i for i, rid in enumerate(revs)}
        self.heads = tuple(rid for rid, r in revs.items() if not r.nextrev)
        self.real_heads = tuple(rid for rid, r in revs.items() if not r._all_nextrev)
        self.bases = tuple(rid for rid, r in revs.items() if r.down_revision is None)
        self.real_bases = tuple(
            rid for rid, r in revs.items() if r.down_revision is None and r.dependencies is None
        )

    def _normalize_depends_on(self, revs: dict[str, Revision]) -> None:
        """Keep, as each revision's normalized dependencies, those that no ``down_revision``
        ancestor already depends on."""
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
            ancestors = self.walk_ids(rev.versioned_down_revisions, versioned_parents, revs)
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
            for node in self.walk_ids([rid], versioned_children, revs):
                revs[node].branch_labels.update(rev_labels)
            parent: Revision | None = rev
            while parent is not None and not (
                parent._is_real_branch_point or parent.is_merge_point
            ):
                parent.branch_labels.update(rev_labels)
                down = parent.down_revision
                parent = revs[down] if isinstance(down, str) else None

    # -- adopting a snapshot ---------------------------------------------------------------------

    def adopt(self, snapshot: GraphSnapshot) -> None:
        """Answer from the snapshot's summary what it holds (heads, bases, the load order) and
        from ``load_one`` the revisions it can make alone; make every revision with
        ``load_all`` the first time anything else is asked (``revs``, ``labels`` and
        ``newest_first`` stay unset until then: see :meth:`__getattr__`)."""
        ids, heads, real_heads, bases, real_bases, _ = snapshot.summary
        for name in _LAZY_VIEWS:
            self.__dict__.pop(name, None)
        self.order = dict(zip(ids, range(len(ids))))
        self.heads = heads
        self.real_heads = real_heads
        self.bases = bases
        self.real_bases = real_bases
        self._pending = snapshot
        self._load_one = snapshot.load_one

    def __getattr__(self, name: str) -> Any:
        # Reached only for an attribute that is not set: the views adopt() left unmade.
        if name in _LAZY_VIEWS:
            pending = self.__dict__.get("_pending")
            if pending is not None:
                self._materialize(pending)
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _materialize(self, snapshot: GraphSnapshot) -> None:
        self._pending = None
        self._load_one = None
        revisions, linked = snapshot.load_all()
        if not linked:
            self.build(revisions)
            return
        ids, heads, real_heads, bases, real_bases, label_rows = snapshot.summary
        self.revs = dict(zip(ids, revisions))
        self.labels = {label: revisions[i] for label, i in label_rows}
        self.order = dict(zip(ids, range(len(ids))))
        self.heads = heads
        self.real_heads = real_heads
        self.bases = bases
        self.real_bases = real_bases
        order = snapshot.order
        self.newest_first = None if order is None else [revisions[i] for i in order]

    def summary(self) -> tuple[Any, ...]:
        """What a :class:`GraphSnapshot` of this graph holds as its ``summary``: (ids, heads,
        real heads, bases, real bases, ((label, index of its revision), ...))."""
        index = self.order
        return (
            list(self.revs),
            self.heads,
            self.real_heads,
            self.bases,
            self.real_bases,
            tuple((label, index[rev.revision]) for label, rev in self.labels.items()),
        )

    # -- looking up ------------------------------------------------------------------------------

    def lookup(self, ident: Any) -> Revision | None:
        """The revision whose id or branch label is ``ident``, else ``None``."""
        load_one = self._load_one
        if load_one is not None:
            found = load_one(ident)
            if found is not None:
                return found
        return self.revs.get(ident) or self.labels.get(ident)

    def ids(self, revisions: Iterable[Any]) -> list[str]:
        """The ids of ``revisions`` (Revisions or ids; ``None`` and ``"base"`` skipped);
        :class:`ResolutionError` for an id the graph does not hold."""
        revs = self.revs
        out = []
        for r in revisions:
            if r is None or r == "base":
                continue
            rid = r.revision if isinstance(r, Revision) else r
            if rid not in revs:
                raise ResolutionError(f"No such revision '{rid}'", rid)
            out.append(rid)
        return out

    # -- walking ---------------------------------------------------------------------------------

    def walk_ids(
        self,
        start: Iterable[str],
        step: Callable[[Revision], Iterable[str]],
        revs: dict[str, Revision] | None = None,
    ) -> set[str]:
        """The ids reachable from ``start`` (included) by repeating ``step``."""
        revs = self.revs if revs is None else revs
        seen: set[str] = set()
        todo = list(start)
        while todo:
            rid = todo.pop()
            if rid in seen:
                continue
            seen.add(rid)
            todo.extend(step(revs[rid]))
        return seen

    def ancestors_of(self, revisions: Iterable[Any], include_dependencies: bool = True) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their ancestors."""
        step = normalized_parents if include_dependencies else versioned_parents
        return self.walk_ids(self.ids(revisions), step)

    def descendants_of(
        self, revisions: Iterable[Any], include_dependencies: bool = True
    ) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their descendants."""
        step = all_children if include_dependencies else versioned_children
        return self.walk_ids(self.ids(revisions), step)

    def check_overlap(self, ids: Sequence[str], include_dependencies: bool, up: bool) -> None:
        """Raise if one requested revision is an ancestor (``up=False``) or descendant of
        another."""
        if len(ids) < 2:
            return
        if up:
            step = all_children if include_dependencies else versioned_children
        else:
            step = normalized_parents if include_dependencies else versioned_parents
        revs = self.revs
        first_steps = [n for rid in ids for n in step(revs[rid])]
        beyond = self.walk_ids(first_steps, step)
        hit = set(ids) & beyond
        if hit:
            inner = sorted(hit, key=self.order.__getitem__)[0]
            others = [rid for rid in ids if rid != inner and inner in self.walk_ids([rid], step)]
            raise RevisionError(
                f"Requested revision {inner} overlaps with other requested revisions "
                f"{', '.join(others)}"
            )

    def step(
        self,
        start: Any,
        steps: int,
        keep: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
        no_overwalk: bool = True,
    ) -> Any:
        """Move ``steps`` links up (positive) or down (negative) from ``start``.

        ``start`` is a Revision, ``None`` (below every base) or ``"base"``; ``keep`` narrows
        the candidates of each step up (to a branch). Returns a Revision, ``"base"`` after
        walking below a base, or ``None`` when the walk runs out and ``no_overwalk`` is set;
        :class:`RevisionError` when a step has several candidates.
        """
        current = start
        revs = self.revs
        for _ in range(abs(steps)):
            if steps > 0:
                if current == "base":
                    current = None
                ids = (
                    self.bases
                    if current is None
                    else sorted(current.nextrev, key=self.order.__getitem__)
                )
                candidates: Sequence[Any] = [revs[i] for i in ids]
                if keep is not None:
                    candidates = keep(candidates)
            else:
                if current == "base":
                    candidates = ()
                else:
                    ids = self.heads if current is None else current.versioned_down_revisions
                    candidates = [revs[i] for i in ids] or ["base"]
            if not candidates:
                return None if no_overwalk else current
            if len(candidates) > 1:
                raise RevisionError("Ambiguous walk")
            current = candidates[0]
        return current


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
