"""Resolving revision identifiers against the graph: ``ae10``, ``head``, ``heads``,
``mybranch@head``, ``label@<rev>``, ``base``; the part of :class:`~dbshift.script.revision.RevisionMap`
that turns what a user typed into revisions (a mixin over the map's ``_revs``, heads and labels).
"""

from __future__ import annotations

from .revision_errors import MultipleHeads, ResolutionError
from .revision_node import Revision
from .revision_plan import to_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any



def _is_negative_int(text: str) -> bool:
    """``re.fullmatch(r"-\\d+", text)`` (``\\d`` and :meth:`str.isdecimal` are both Unicode
    category Nd), without importing :mod:`re`."""
    return text[:1] == "-" and text[1:].isdecimal()


class IdentifierResolver:
    """Identifier resolution for :class:`~dbshift.script.revision.RevisionMap`."""

    @staticmethod
    def _split_label(ident: Any) -> tuple[str | None, Any]:
        if isinstance(ident, str) and "@" in ident:
            label, symbol = ident.split("@", 1)
            return label, symbol
        return None, ident

    def _resolve_revision_number(self, ident: Any) -> tuple[tuple[Any, ...], str | None]:
        """``(ids, branch_label)`` for one identifier; ids may still be partial."""
        self._ensure()
        label, symbol = self._split_label(ident)
        if symbol == "heads":
            if label:
                return self.filter_for_lineage(self._heads, label), label
            return self._real_heads_t, label
        if symbol == "head":
            head = self.get_current_head(label)
            return ((head,) if head else ()), label
        if symbol == "base" or symbol is None or symbol == "":
            return (), label
        return to_tuple(symbol, ()), label

    def _label_revision(self, label: str) -> Revision:
        rev = self._labels.get(label)
        if rev is not None:
            return rev
        try:
            found = self._revision_for_ident(label)
        except ResolutionError as err:
            raise ResolutionError(f"No such branch: '{label}'", label) from err
        assert found is not None
        return found

    def _revision_for_ident(self, ident: Any, check_branch: str | None = None) -> Revision | None:
        if ident is None or ident == () or ident == "base":
            return None
        branch_rev = self._label_revision(check_branch) if check_branch else None
        rev = self._lookup(ident)
        if rev is None:
            if not isinstance(ident, str):
                raise ResolutionError(f"No such revision or branch '{ident}'", ident)
            matches = [rid for rid in self._revs if len(rid) > 3 and rid.startswith(ident)]
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
            rev = self._revs[matches[0]]
        if branch_rev is not None and not self._shares_lineage(rev.revision, [branch_rev]):
            raise ResolutionError(
                f"Revision {rev.revision} is not a member of branch '{check_branch}'", ident
            )
        return rev

    def _shares_lineage(
        self, target: Any, test_against: Iterable[Any], include_dependencies: bool = False
    ) -> bool:
        tests = [
            t if isinstance(t, Revision) else self._revision_for_ident(t)
            for t in to_tuple(test_against, ())
        ]
        tests = [t for t in tests if t is not None]
        if not tests:
            return True
        tid = target.revision if isinstance(target, Revision) else target
        related = self.ancestors_of([tid], include_dependencies) | self.descendants_of(
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
        self._ensure()
        ids, label = self._resolve_revision_number(check_against)
        shares: list[Revision] = []
        if label:
            shares.append(self._label_revision(label))
        for i in ids:
            r = self._revision_for_ident(i)
            if r is not None:
                shares.append(r)
        targets = tuple(targets)
        if not shares:
            return targets
        share_ids = [r.revision for r in shares]
        related = self.ancestors_of(share_ids, include_dependencies) | self.descendants_of(
            share_ids, include_dependencies
        )
        return tuple(
            t
            for t in targets
            if t is not None and (t.revision if isinstance(t, Revision) else t) in related
        )

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The one head (of ``branch_label`` when given); :class:`MultipleHeads` if several."""
        self._ensure()
        heads: tuple[str, ...] = self._heads
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
        self._ensure()
        if isinstance(ident, (list, tuple, set, frozenset)):
            out: tuple[Revision | None, ...] = ()
            for item in ident:
                out += self.get_revisions(item)
            return out
        if isinstance(ident, Revision):
            return (ident,)
        ids, label = self._resolve_revision_number(ident)
        if len(ids) == 1 and isinstance(ids[0], str):
            try:
                steps = int(ids[0])
            except ValueError:
                steps = 0
            if steps < 0:
                heads = [self._revs[h] for h in self._real_heads_t]
                if label is not None:
                    heads = [h for h in heads if label in h.branch_labels]
                walked = []
                for head in heads:
                    got = self._walk(head, steps)
                    walked.append(None if got == "base" else got)
                return tuple(walked)
        return tuple(self._revision_for_ident(i, label) for i in ids)

    def get_revision(self, ident: Any) -> Revision | None:
        """The single revision ``ident`` names, ``None`` for ``base``.

        Raises :class:`MultipleHeads` when it names several.
        """
        self._ensure()
        if isinstance(ident, Revision):
            return ident
        ids, label = self._resolve_revision_number(ident)
        if len(ids) == 1 and isinstance(ids[0], str) and _is_negative_int(ids[0]):
            walked = self.get_revisions(ident)
            if len(walked) > 1:
                raise MultipleHeads([r.revision for r in walked if r is not None], ident)
            return walked[0] if walked else None
        if len(ids) > 1:
            raise MultipleHeads(ids, ident)
        if not ids:
            return None
        return self._revision_for_ident(ids[0], label)

    def get_all_current(self, ident: Any) -> set[Revision]:
        """The branch tips of everything at or below ``ident`` (dependencies included)."""
        self._ensure()
        tops = [r for r in self.get_revisions(ident) if r is not None]
        region = self.ancestors_of(tops, include_dependencies=True)
        return {
            self._revs[rid]
            for rid in region
            if not any(kid in region for kid in self._revs[rid].nextrev)
        }

    _get_all_current = get_all_current
