"""Planning over the revision graph: which revisions lie between two points, in the order they
must be applied, and what an upgrade or downgrade target (``+2``, ``label@-1``, ``ae10``,
``base``) means from the current heads.

Pure: no files, no databases. Every walk is linear in the size of the graph.
"""

from __future__ import annotations

from ...util.tuples import to_tuple
from .errors import RangeNotAncestorError, RevisionError
from .graph import normalized_parents
from .node import Revision, dedupe

# typing, collections.abc and re are not imported at run time: `dbshift heads` never needs them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from re import Match
    from typing import Any

    from .graph import RevisionGraph
    from .identifiers import IdentifierResolver

_RELATIVE: Any = None


def _relative_match(target: str) -> Match[str] | None:
    """``[label@][symbol](+|-)N`` matched at the start of ``target``, like Alembic does."""
    global _RELATIVE
    if _RELATIVE is None:
        import re

        _RELATIVE = re.compile(r"(?:(.+?)@)?(\w+)?((?:\+|-)\d+)")
    return _RELATIVE.match(target)


class RevisionPlanner:
    """Upgrade/downgrade targets and the revisions between two points of one graph, in the
    order they must be applied; identifiers are resolved by ``resolver``."""

    def __init__(self, graph: RevisionGraph, resolver: IdentifierResolver) -> None:
        self.graph = graph
        self.resolver = resolver

    def walk(
        self,
        start: Any,
        steps: int,
        branch_label: str | None = None,
        no_overwalk: bool = True,
    ) -> Any:
        """Move ``steps`` up (positive) or down (negative) from ``start``, staying on
        ``branch_label``'s lineage on the way up when given.

        ``start`` is a Revision, an identifier, ``None`` (below every base) or ``"base"``.
        Returns a Revision, ``"base"`` after walking below a base, or ``None`` when the walk
        runs out and ``no_overwalk`` is set.
        """
        resolver = self.resolver
        if isinstance(start, str) and start != "base":
            start = resolver.get_revision(start)
        keep = None
        if branch_label:

            def keep(candidates: Sequence[Any]) -> Sequence[Any]:
                return resolver.filter_for_lineage(candidates, branch_label)

        return self.graph.step(start, steps, keep, no_overwalk)

    def parse_upgrade_target(
        self, current_revisions: Any, target: Any, assert_relative_length: bool
    ) -> tuple[Any, ...]:
        """The revisions an upgrade to ``target`` ends at: ``+N`` / ``label@+N`` counted from
        ``current_revisions``, ``<rev>+N`` / ``<rev>-N`` from that revision, anything else as
        :meth:`IdentifierResolver.get_revisions` resolves it."""
        graph, resolver = self.graph, self.resolver
        match = _relative_match(target) if isinstance(target, str) else None
        if not match:
            return resolver.get_revisions(target)
        label, symbol, rel = match.groups()
        steps = int(rel)
        if steps > 0:
            if symbol is None:
                current = to_tuple(current_revisions, ()) or (None,)
                starts: tuple[Any, ...] = current
                if label:
                    current_revs = [r for r in resolver.get_revisions(current) if r is not None]
                    starts = resolver.filter_for_lineage(current_revs, label)
                    if not starts:
                        active = graph.ancestors_of(current_revs)
                        on_branch = resolver.filter_for_lineage(active, label)
                        below = {
                            d
                            for rid in on_branch
                            for d in graph.revs[rid].normalized_down_revisions
                        }
                        starts = tuple(rid for rid in on_branch if rid not in below) or (None,)
                if len(starts) > 1:
                    raise RevisionError("Ambiguous upgrade from multiple current revisions")
                start = starts[0]
                start = resolver.get_revision(start) if isinstance(start, str) else start
                rev = self.walk(start, steps, label, no_overwalk=assert_relative_length)
                if rev is None:
                    raise RevisionError(
                        f"Relative revision {rel} didn't produce {abs(steps)} migrations"
                    )
                return (rev,)
            return (
                self.walk(
                    resolver.get_revision(symbol), steps, label, no_overwalk=assert_relative_length
                ),
            )
        if symbol is None:
            raise RevisionError(f"Relative revision {rel} didn't produce {abs(steps)} migrations")
        start = resolver.get_revision(symbol if label is None else f"{label}@{symbol}")
        return (self.walk(start, steps, no_overwalk=assert_relative_length),)

    def parse_downgrade_target(
        self, current_revisions: Any, target: Any, assert_relative_length: bool
    ) -> tuple[str | None, Any]:
        """``(branch label, revision)`` a downgrade to ``target`` ends at (the revision may be
        ``None`` or ``"base"``): ``-N`` / ``label@-N`` counted from ``current_revisions``,
        ``<rev>-N`` from that revision, anything else resolved as one identifier."""
        resolver = self.resolver
        if target is None:
            return None, None
        if isinstance(target, Revision):
            return None, target
        match = _relative_match(target)
        if match:
            label, symbol, rel = match.groups()
            steps = int(rel)
            if steps >= 0:
                if symbol is None:
                    raise RevisionError(
                        f"Relative revision {rel} didn't produce {abs(steps)} migrations"
                    )
                rev = self.walk(symbol, steps, label, no_overwalk=assert_relative_length)
                if rev is None:
                    raise RevisionError("Walked too far")
                return label, rev
            relative_to_current = symbol is None
            if relative_to_current:
                current = to_tuple(current_revisions, ())
                if label:
                    picked = list(resolver.filter_for_lineage(current, label))
                    if not picked:
                        tips = resolver.get_all_current(current)
                        picked = [r.revision for r in resolver.filter_for_lineage(tips, label)]
                    if len(picked) != 1:
                        raise RevisionError(
                            f"Relative revision {rel} is ambiguous within branch '{label}'"
                        )
                    symbol = picked[0]
                else:
                    if not current:
                        raise RevisionError(
                            f"Relative revision {rel} didn't produce {abs(steps)} migrations"
                        )
                    if len(set(current)) > 1:
                        import warnings

                        warnings.warn(
                            "downgrade -1 from multiple heads is ambiguous; this usage will be "
                            "disallowed in a future release.",
                            stacklevel=3,
                        )
                    symbol = current[0]
                    label = symbol
            start = resolver.get_revision(symbol if label is None else f"{label}@{symbol}")
            rev = self.walk(start, steps, no_overwalk=assert_relative_length)
            if rev is None:
                if relative_to_current:
                    raise RevisionError(
                        f"Relative revision {rel} didn't produce {abs(steps)} migrations"
                    )
                raise RevisionError("Walked too far")
            return label, rev
        label, _, symbol = target.rpartition("@")
        return (label or None), resolver.get_revision(target)

    # -- ranges ----------------------------------------------------------------------------------

    def iterate_revisions(
        self, upper: Any, lower: Any, implicit_base: bool, inclusive: bool,
        assert_relative_length: bool, select_for_downgrade: bool,
    ) -> Iterator[Revision]:
        """The revisions between ``lower`` and ``upper`` (identifiers), newest first: what
        :meth:`RevisionMap.iterate_revisions <.revision_map.RevisionMap.iterate_revisions>`
        yields, where the flags are described."""
        graph = self.graph
        if select_for_downgrade:
            todo, heads = self.collect_downgrade_revisions(
                upper, lower, inclusive, implicit_base, assert_relative_length
            )
        else:
            todo, heads = self.collect_upgrade_revisions(
                upper, lower, inclusive, implicit_base, assert_relative_length
            )
        for rid in self.topological_sort(todo, heads):
            yield graph.revs[rid]

    def all_newest_first(self) -> list[Revision]:
        """Every revision from the heads down to the bases: what ``iterate_revisions("heads",
        "base", inclusive=True)`` yields, without resolving the two identifiers."""
        graph = self.graph
        known = graph.newest_first
        if known is not None:
            return list(known)
        heads = list(graph.real_heads)
        todo = graph.ancestors_of(heads)
        revs = graph.revs
        return [revs[rid] for rid in self.topological_sort(todo, heads)]

    def collect_upgrade_revisions(
        self, upper: Any, lower: Any, inclusive: bool, implicit_base: bool, assert_len: bool
    ) -> tuple[set[str], list[str]]:
        """``(ids an upgrade from lower to upper applies, ids of the targets)``."""
        graph, resolver = self.graph, self.resolver
        targets = [
            r
            for r in self.parse_upgrade_target(lower, upper, assert_len)
            if isinstance(r, Revision)
        ]
        if isinstance(lower, str) and "@" in lower:
            branch = lower.partition("@")[0]
            branch_rev = resolver.get_revision(branch)
            if branch_rev is not None and branch_rev.revision == branch:
                if len(branch_rev.branch_labels) == 1:
                    branch = next(iter(branch_rev.branch_labels))
            targets = [t for t in targets if branch in t.branch_labels]
        target_ids = dedupe(t.revision for t in targets)
        graph.check_overlap(target_ids, True, up=False)
        required = graph.ancestors_of(target_ids)

        current = resolver.get_revisions(lower)
        if not implicit_base and any(r is not None and r.revision not in required for r in current):
            raise RangeNotAncestorError(lower, upper)
        if current and current[0] is None:
            _, rev = self.parse_downgrade_target(upper, lower, assert_len)
            if rev == "base" or rev is None:
                current, lower = (), None
            else:
                current, lower = (rev,), rev.revision
        current_ids = dedupe(r.revision for r in current if r is not None)
        graph.check_overlap(current_ids, True, up=False)
        needs = required - graph.ancestors_of(current_ids)
        if inclusive:
            needs.update(r.revision for r in resolver.get_revisions(lower) if r is not None)
        if current_ids and not implicit_base:
            graph.check_overlap(current_ids, False, up=True)
            needs &= graph.descendants_of(current_ids, include_dependencies=False)
        return needs, list(target_ids)

    def collect_downgrade_revisions(
        self, upper: Any, target: Any, inclusive: bool, implicit_base: bool, assert_len: bool
    ) -> tuple[set[str], list[str]]:
        """``(ids a downgrade from upper to target removes, ids of the heads it starts at)``."""
        graph, resolver = self.graph, self.resolver
        label, target_rev = self.parse_downgrade_target(upper, target, assert_len)
        if target_rev == "base":
            target_rev = None
        if target_rev is None:
            roots = [r for r in graph.revs.values() if r.down_revision is None]
        elif inclusive:
            roots = [target_rev]
        else:
            roots = [graph.revs[i] for i in sorted(target_rev.nextrev, key=graph.order.get)]
        if label and len(roots) > 1:
            branch_ancestors = graph.ancestors_of(
                [resolver.label_revision(label)], include_dependencies=False
            )
            roots = [r for r in roots if r.revision in branch_ancestors]
            if not roots:
                raise RevisionError("Not a valid downgrade target from current heads")
        heads = [r for r in resolver.get_revisions(upper) if r is not None]
        head_ids = [h.revision for h in heads]
        removed = graph.descendants_of(roots, include_dependencies=True)
        active = graph.ancestors_of(head_ids)
        removed &= active
        if implicit_base:
            removed |= active - graph.ancestors_of(roots)
        if target_rev is not None and not removed and target_rev.revision not in head_ids:
            raise RangeNotAncestorError("Nothing to drop", upper)
        return removed, head_ids

    def topological_sort(self, todo: set[str], heads: Sequence[str]) -> list[str]:
        """Order ``todo`` newest first, following one branch down for as long as no other
        pending branch still needs the next revision.

        Linear in the size of ``todo`` for chains: a revision may be emitted once every pending
        child (through ``normalized_down_revisions``) has been emitted.
        """
        graph = self.graph
        revs = graph.revs
        pending_children = dict.fromkeys(todo, 0)
        for rid in todo:
            for parent in revs[rid].normalized_down_revisions:
                if parent in pending_children:
                    pending_children[parent] += 1
        current = sorted({h for h in heads if h in todo}, key=graph.order.__getitem__)
        # a revision of todo unreachable from the given heads would be lost; seed them too
        reachable = graph.walk_ids(
            current, lambda r: [p for p in normalized_parents(r) if p in todo]
        )
        extra = [rid for rid in todo if rid not in reachable and pending_children[rid] == 0]
        current.extend(sorted(extra, key=graph.order.__getitem__))
        in_current = set(current)
        emitted: set[str] = set()
        output: list[str] = []
        idx = 0
        while current:
            candidate = current[idx]
            if pending_children[candidate]:
                idx = self._blocking_head(candidate, current, idx, todo, emitted)
                continue
            output.append(candidate)
            emitted.add(candidate)
            rev = revs[candidate]
            parents = [p for p in rev.normalized_down_revisions if p in todo]
            for p in parents:
                pending_children[p] -= 1
            to_add = [p for p in parents if p not in in_current]
            in_current.discard(candidate)
            if not to_add:
                del current[idx]
                idx = max(idx - 1, 0)
            else:
                current[idx] = to_add[0]
                current.extend(to_add[1:])
                in_current.update(to_add)
        if len(output) != len(todo):  # pragma: no cover - guarded by cycle detection
            raise RevisionError("Could not order revisions; the graph is inconsistent")
        return output

    def _blocking_head(
        self, candidate: str, current: list[str], idx: int, todo: set[str], emitted: set[str]
    ) -> int:
        """Index of the first pending head (other than ``idx``) that has ``candidate`` below it."""
        graph = self.graph
        above = graph.walk_ids(
            [candidate],
            lambda r: [k for k in r._all_nextrev if k in todo and k not in emitted],
        )
        for i, head in enumerate(current):
            if i != idx and head in above:
                return i
        raise RevisionError(  # pragma: no cover - guarded by cycle detection
            f"Could not order revisions around {candidate}"
        )
