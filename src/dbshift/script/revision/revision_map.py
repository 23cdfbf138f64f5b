""":class:`RevisionMap`, what ``alembic.script.revision.RevisionMap`` is: the revision graph,
built on first use from a generator of revisions, with the questions commands ask of it.

The map *has* a :class:`~.graph.RevisionGraph` (the checked links, heads and bases), an
:class:`~.identifiers.IdentifierResolver` (what ``head``, ``label@base``, ``ae10`` name) and a
:class:`~.planner.RevisionPlanner` (what lies between two points, in order); its methods hand
each question to the one that answers it. Pure: no files, no database.
"""

from __future__ import annotations

from .errors import RevisionError
from .graph import GraphSnapshot, RevisionGraph
from .identifiers import IdentifierResolver
from .planner import RevisionPlanner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from typing import Any

    from .node import Revision


class RevisionMap:
    """The graph of all revisions, built lazily from ``generator``.

    ``generator()`` returns the :class:`~.node.Revision` objects, or a
    :class:`~.graph.GraphSnapshot` of a graph checked on an earlier run (the script directory's
    cache), which the map adopts as it is.

    Identifiers accepted by the resolving methods: a full id, a unique prefix of at least four
    characters, a branch label, ``head``, ``heads``, ``base`` / ``None``, ``label@head``,
    ``label@heads``, ``label@base``, ``label@<rev>``, and (where a walk makes sense) relative forms
    ``+N``, ``-N``, ``<rev>+N``, ``head-N``, ``label@+N``.
    """

    def __init__(self, generator: Callable[[], Iterable[Revision] | GraphSnapshot]) -> None:
        self._generator = generator
        self._built = False
        graph = self._graph = RevisionGraph()
        self._resolver = IdentifierResolver(graph)
        self._planner = RevisionPlanner(graph, self._resolver)

    def _ensure(self) -> None:
        if not self._built:
            source = self._generator()
            if isinstance(source, GraphSnapshot):
                self._graph.adopt(source)
            else:
                self._graph.build(list(source))
            self._built = True

    @property
    def graph(self) -> RevisionGraph:
        """The built graph: revisions by id and label, heads and bases (what a snapshot of this
        map stores)."""
        self._ensure()
        return self._graph

    def add_revision(self, revision: Revision, _replace: bool = False) -> None:
        """Add (or with ``_replace``, swap in) one revision and rebuild the graph's links."""
        self._ensure()
        graph = self._graph
        current = list(graph.revs.values())
        if _replace:
            if revision.revision not in graph.revs:
                raise RevisionError(f"revision {revision.revision} not in map")
            current = [revision if r.revision == revision.revision else r for r in current]
        else:
            current.append(revision)
        graph.build(current)

    # -- shape -----------------------------------------------------------------------------------

    @property
    def heads(self) -> tuple[str, ...]:
        """Ids of revisions that no revision names as ``down_revision``, in load order."""
        self._ensure()
        return self._graph.heads

    @property
    def real_heads(self) -> tuple[str, ...]:
        """Heads that are also not the target of any ``depends_on``: the version-table state."""
        self._ensure()
        return self._graph.real_heads

    @property
    def bases(self) -> tuple[str, ...]:
        """Ids of revisions whose ``down_revision`` is ``None``."""
        self._ensure()
        return self._graph.bases

    @property
    def real_bases(self) -> tuple[str, ...]:
        """Bases that also have no ``depends_on``."""
        self._ensure()
        return self._graph.real_bases

    def __len__(self) -> int:
        self._ensure()
        return len(self._graph.revs)

    def __iter__(self) -> Iterator[Revision]:
        self._ensure()
        return iter(list(self._graph.revs.values()))

    def __contains__(self, rev_id: object) -> bool:
        self._ensure()
        return rev_id in self._graph.revs

    def ancestors_of(self, revisions: Iterable[Any], include_dependencies: bool = True) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their ancestors.

        With ``include_dependencies`` the walk follows :attr:`Revision.normalized_down_revisions`,
        otherwise only ``down_revision``.
        """
        self._ensure()
        return self._graph.ancestors_of(revisions, include_dependencies)

    def descendants_of(
        self, revisions: Iterable[Any], include_dependencies: bool = True
    ) -> set[str]:
        """Ids of the given revisions (objects or ids) and all their descendants.

        With ``include_dependencies`` revisions that merely depend on a node count as its
        descendants too.
        """
        self._ensure()
        return self._graph.descendants_of(revisions, include_dependencies)

    # -- identifiers -----------------------------------------------------------------------------

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The one head (of ``branch_label`` when given); :class:`~.errors.MultipleHeads` if several."""
        self._ensure()
        return self._resolver.get_current_head(branch_label)

    def get_revisions(self, ident: Any) -> tuple[Revision | None, ...]:
        """All revisions an identifier (or a collection of identifiers) names.

        ``heads`` gives every real head, ``base`` / ``None`` gives ``()``, ``-N`` /
        ``label@-N`` walk down N steps from the (label's) heads.
        """
        self._ensure()
        return self._resolver.get_revisions(ident)

    def get_revision(self, ident: Any) -> Revision | None:
        """The single revision ``ident`` names, ``None`` for ``base``.

        Raises :class:`~.errors.MultipleHeads` when it names several.
        """
        self._ensure()
        return self._resolver.get_revision(ident)

    def get_all_current(self, ident: Any) -> set[Revision]:
        """The branch tips of everything at or below ``ident`` (dependencies included)."""
        self._ensure()
        return self._resolver.get_all_current(ident)

    def filter_for_lineage(
        self, targets: Iterable[Any], check_against: Any, include_dependencies: bool = False
    ) -> tuple[Any, ...]:
        """The members of ``targets`` (ids or Revisions) that are an ancestor or a descendant of
        (or equal to) the revisions named by ``check_against`` (an identifier or branch label).
        """
        self._ensure()
        return self._resolver.filter_for_lineage(targets, check_against, include_dependencies)

    # -- plans -----------------------------------------------------------------------------------

    def iterate_revisions(
        self,
        upper: Any,
        lower: Any,
        implicit_base: bool = False,
        inclusive: bool = False,
        assert_relative_length: bool = True,
        select_for_downgrade: bool = False,
    ) -> Iterator[Revision]:
        """Revisions between ``lower`` and ``upper``, newest first (topologically sorted).

        ``upper`` and ``lower`` are identifiers (see the class docstring).  ``inclusive`` also
        yields ``lower`` itself.  ``implicit_base`` (used for upgrades from the database state)
        lets ``lower`` be unrelated to ``upper``.  ``select_for_downgrade`` selects what a
        downgrade from ``upper`` to ``lower`` removes instead of what an upgrade applies.
        """
        args = (upper, lower, implicit_base, inclusive, assert_relative_length, select_for_downgrade)
        if not self._built:
            return self._iterate_once_built(args)
        return self._planner.iterate_revisions(*args)

    def _iterate_once_built(self, args: tuple[Any, ...]) -> Iterator[Revision]:
        # Builds the graph on the first next(), as the planner's generator resolves its
        # arguments then; a map already built hands out the planner's generator itself.
        self._ensure()
        yield from self._planner.iterate_revisions(*args)

    def _all_newest_first(self) -> list[Revision]:
        """Every revision from the heads down to the bases: what ``iterate_revisions("heads",
        "base", inclusive=True)`` yields, without resolving the two identifiers."""
        self._ensure()
        return self._planner.all_newest_first()

    # -- Alembic's private spellings, kept for code written against alembic.script.revision ----

    @property
    def _real_heads(self) -> tuple[str, ...]:
        return self.real_heads

    @property
    def _real_bases(self) -> tuple[str, ...]:
        return self.real_bases

    def _get_all_current(self, ident: Any) -> set[Revision]:
        return self.get_all_current(ident)

    def _resolve_revision_number(self, ident: Any) -> tuple[tuple[Any, ...], str | None]:
        not_text = not isinstance(ident, (str, tuple)) or (
            isinstance(ident, tuple) and ident and not isinstance(ident[0], str)
        )
        if ident is not None and not_text:
            # what a driver hands back for a version_num it could not decode, for example
            raise RevisionError(
                f"revision identifier {ident!r} is not a string; ensure database driver "
                "settings are correct"
            )
        self._ensure()
        if ident == "":
            return ("",), None  # Alembic passes an empty identifier through as given
        return self._resolver.resolve_revision_number(ident)

    def _revision_for_ident(self, ident: Any, check_branch: str | None = None) -> Revision | None:
        self._ensure()
        return self._resolver.revision_for_ident(ident, check_branch)

    def _shares_lineage(
        self, target: Any, test_against: Iterable[Any], include_dependencies: bool = False
    ) -> bool:
        self._ensure()
        return self._resolver.shares_lineage(target, test_against, include_dependencies)

    def _walk(
        self, start: Any, steps: int, branch_label: str | None = None, no_overwalk: bool = True
    ) -> Any:
        self._ensure()
        return self._planner.walk(start, steps, branch_label, no_overwalk)

    def _parse_upgrade_target(
        self, current_revisions: Any, target: Any, assert_relative_length: bool
    ) -> tuple[Any, ...]:
        self._ensure()
        return self._planner.parse_upgrade_target(
            current_revisions, target, assert_relative_length
        )

    def _parse_downgrade_target(
        self, current_revisions: Any, target: Any, assert_relative_length: bool
    ) -> tuple[str | None, Any]:
        self._ensure()
        return self._planner.parse_downgrade_target(
            current_revisions, target, assert_relative_length
        )

    def _collect_upgrade_revisions(
        self, upper: Any, lower: Any, inclusive: bool, implicit_base: bool, assert_len: bool
    ) -> tuple[set[str], list[str]]:
        self._ensure()
        return self._planner.collect_upgrade_revisions(
            upper, lower, inclusive, implicit_base, assert_len
        )

    def _collect_downgrade_revisions(
        self, upper: Any, target: Any, inclusive: bool, implicit_base: bool, assert_len: bool
    ) -> tuple[set[str], list[str]]:
        self._ensure()
        return self._planner.collect_downgrade_revisions(
            upper, target, inclusive, implicit_base, assert_len
        )

    def _topological_sort(self, todo: set[str], heads: Sequence[str]) -> list[str]:
        self._ensure()
        return self._planner.topological_sort(todo, heads)
