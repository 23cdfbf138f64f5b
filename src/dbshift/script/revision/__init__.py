"""The revision graph and the revision identifier grammar (``alembic.script.revision``).

Pure: nothing here touches files or databases. A :class:`RevisionMap` is built from
:class:`Revision` objects (``revision``, ``down_revision``, ``depends_on``, ``branch_labels``) and
answers every question the commands ask of the graph: which revisions are heads and bases, what
an identifier such as ``ae10``, ``head``, ``heads``, ``mybranch@head``, ``-2`` or ``base`` means,
and which revisions lie between two points, in the order they must be applied.

One module per noun, each importing only those listed before it:

* :mod:`.errors` -- the errors users catch (:class:`RevisionError` and its kinds);
* :mod:`.node` -- one node, :class:`Revision`, and how revision ids are written;
* :mod:`.graph` -- the checked links, heads and bases, and the walks along them;
* :mod:`.identifiers` -- what an identifier names;
* :mod:`.planner` -- what lies between two points, in order;
* :mod:`.revision_map` -- :class:`RevisionMap`, which has a graph, a resolver and a planner.

Every traversal is linear in the size of the graph, so a chain of thousands of revisions
resolves in milliseconds.
"""

from ...util.tuples import to_tuple
from .errors import (
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
)
from .node import Revision, format_as_comma, tuple_rev_as_scalar
from .revision_map import RevisionMap

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
