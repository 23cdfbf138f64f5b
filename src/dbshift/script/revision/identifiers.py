"""The revision identifier grammar: what ``ae10``, ``head``, ``heads``, ``mybranch@head``,
``label@<rev>``, ``base`` and ``-2`` name in a :class:`~dbshift.script.revision.graph.RevisionGraph`.

:class:`IdentifierResolver` turns what a user typed into revisions; relative forms that walk
*up* from a point (``+2``, ``head-1`` as an upgrade target) are the planner's (see
:mod:`.planner`). Pure: no files, no database.
"""

from __future__ import annotations

from ...util.tuples import to_tuple
from .errors import MultipleHeads, ResolutionError
from .node import Revision

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from .graph import RevisionGraph


def _is_negative_int(text: str) -> bool:
    """``re.fullmatch(r"-\\d+", text)`` (``\\d`` and :meth:`str.isdecimal` are both Unicode
    category Nd), without importing :mod:`re`."""
    return text[:1] == "-" and text[1:].isdecimal()


def split_label(ident: Any) -> tuple[str | None, Any]:
    """``"label@symbol"`` -> ``("label", "symbol")``; anything else -> ``(None, ident)``."""
    if isinstance(ident, str) and "@" in ident:
        label, symbol = ident.split("@", 1)
        return label, symbol
    return None, ident


class IdentifierResolver:
    """Resolves identifiers against one (built) graph.

    Accepted: a full id, a unique prefix of at least four characters, a branch label, ``head``,
    ``heads``, ``base`` / ``None``, ``label@head``, ``label@heads``, ``label@base``,
    ``label@<rev>``, and ``-N`` / ``label@-N`` (N steps down from the heads).
    """

    def __init__(self, graph: RevisionGraph) -> None:
        self.graph = graph

    def resolve_revision_number(self, ident: Any) -> tuple[tuple[Any, ...], str | None]:
        """``(ids, branch_label)`` for one identifier; ids may still be partial."""
        graph = self.graph
        label, symbol = split_label(ident)
        if symbol == "heads":
            if label:
                return self.filter_for_lineage(graph.heads, label), label
            return graph.real_heads, label
        if symbol == "head":
            head = self.get_current_head(label)
            return ((head,) if head else ()), label
        if symbol == "base" or symbol is None or symbol == "":
            return (), label
        return to_tuple(symbol, ()), label

    def label_revision(self, label: str) -> Revision:
        """The revision a branch label (or an id standing for one) names."""
        rev = self.graph.labels.get(label)
        if rev is not None:
            return rev
        try:
            found = self.revision_for_ident(label)
        except ResolutionError as err:
            raise ResolutionError(f"No such branch: '{label}'", label) from err
        assert found is not None
        return found

    def revision_for_ident(self, ident: Any, check_branch: str | None = None) -> Revision | None:
        """The revision one id, id prefix or branch label names (``None`` for base), checked
        to be on ``check_branch`` when given."""
        if ident is None or ident == () or ident == "base":
            return None
        graph = self.graph
        branch_rev = self.label_revision(check_branch) if check_branch else None
        rev = graph.lookup(ident)
        if rev is None:
            if not isinstance(ident, str):
                raise ResolutionError(f"No such revision or branch '{ident}'", ident)
            matches = [rid for rid in graph.revs if len(rid) > 3 and rid.startswith(ident)]
            if branch_rev is not None and len(matches) > 1:
                matches = list(self.filter_for_lineage(matches, check_branch))
            if not matches:
                hint = (
                    "; please ensure at least four characters are present for partial "
                    "revision identifier matches"
                    if len(ident) < 4
                    else ""
                )
                raise ResolutionError(f"No such revision or branch '{ident}'{hint}", ident)
            if len(matches) > 1:
                listed = ", ".join(f"'{m}'" for m in matches[:3])
                raise ResolutionError(
                    f"Multiple revisions start with '{ident}': {listed}...", ident
                )
            rev = graph.revs[matches[0]]
        if branch_rev is not None and not self.shares_lineage(rev.revision, [branch_rev]):
            raise ResolutionError(
                f"Revision {rev.revision} is not a member of branch '{check_branch}'", ident
            )
        return rev

    def shares_lineage(
        self, target: Any, test_against: Iterable[Any], include_dependencies: bool = False
    ) -> bool:
        """Whether ``target`` is an ancestor or descendant of (or one of) ``test_against``."""
        tests = [
            t if isinstance(t, Revision) else self.revision_for_ident(t)
            for t in to_tuple(test_against, ())
        ]
        tests = [t for t in tests if t is not None]
        if not tests:
            return True
        graph = self.graph
        tid = target.revision if isinstance(target, Revision) else target
        related = graph.ancestors_of([tid], include_dependencies) | graph.descendants_of(
            [tid], include_dependencies
        )
        return any(t.revision in related for t in tests)

    def filter_for_lineage(
        self, targets: Iterable[Any], check_against: Any, include_dependencies: bool = False
    ) -> tuple[Any, ...]:
        """The members of ``targets`` (ids or Revisions) that are an ancestor or a descendant of
        (or equal to) the revisions named by ``check_against`` (an identifier or branch label).

        One walk up and one walk down from ``check_against``, whatever the number of targets.
        """
        ids, label = self.resolve_revision_number(check_against)
        shares: list[Revision] = []
        if label:
            shares.append(self.label_revision(label))
        for i in ids:
            r = self.revision_for_ident(i)
            if r is not None:
                shares.append(r)
        targets = tuple(targets)
        if not shares:
            return targets
        graph = self.graph
        share_ids = [r.revision for r in shares]
        related = graph.ancestors_of(share_ids, include_dependencies) | graph.descendants_of(
            share_ids, include_dependencies
        )
        return tuple(
            t
            for t in targets
            if t is not None and (t.revision if isinstance(t, Revision) else t) in related
        )

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The one head (of ``branch_label`` when given); :class:`MultipleHeads` if several."""
        heads: tuple[str, ...] = self.graph.heads
        if branch_label:
            heads = self.filter_for_lineage(heads, branch_label)
        if len(heads) > 1:
            raise MultipleHeads(heads, f"{branch_label}@head" if branch_label else "head")
        return heads[0] if heads else None

    def get_revisions(self, ident: Any) -> tuple[Revision | None, ...]:
        """All revisions an identifier (or a collection of identifiers) names.

        ``heads`` gives every real head, ``base`` / ``None`` gives ``()``, ``-N`` /
        ``label@-N`` walk down N steps from the (label's) heads.
        """
        if isinstance(ident, (list, tuple, set, frozenset)):
            out: tuple[Revision | None, ...] = ()
            for item in ident:
                out += self.get_revisions(item)
            return out
        if isinstance(ident, Revision):
            return (ident,)
        ids, label = self.resolve_revision_number(ident)
        if len(ids) == 1 and isinstance(ids[0], str):
            try:
                steps = int(ids[0])
            except ValueError:
                steps = 0
            if steps < 0:
                graph = self.graph
                heads = [graph.revs[h] for h in graph.real_heads]
                if label is not None:
                    heads = [h for h in heads if label in h.branch_labels]
                walked = []
                for head in heads:
                    got = graph.step(head, steps)
                    walked.append(None if got == "base" else got)
                return tuple(walked)
        return tuple(self.revision_for_ident(i, label) for i in ids)

    def get_revision(self, ident: Any) -> Revision | None:
        """The single revision ``ident`` names, ``None`` for ``base``.

        Raises :class:`MultipleHeads` when it names several.
        """
        if isinstance(ident, Revision):
            return ident
        ids, label = self.resolve_revision_number(ident)
        if len(ids) == 1 and isinstance(ids[0], str) and _is_negative_int(ids[0]):
            walked = self.get_revisions(ident)
            if len(walked) > 1:
                raise MultipleHeads([r.revision for r in walked if r is not None], ident)
            return walked[0] if walked else None
        if len(ids) > 1:
            raise MultipleHeads(ids, ident)
        if not ids:
            return None
        return self.revision_for_ident(ids[0], label)

    def get_all_current(self, ident: Any) -> set[Revision]:
        """The branch tips of everything at or below ``ident`` (dependencies included)."""
        graph = self.graph
        tops = [r for r in self.get_revisions(ident) if r is not None]
        region = graph.ancestors_of(tops, include_dependencies=True)
        revs = graph.revs
        return {
            revs[rid] for rid in region if not any(kid in region for kid in revs[rid].nextrev)
        }
