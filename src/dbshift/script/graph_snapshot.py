"""A snapshot of a built revision graph, stored in the header cache between runs.

When no revision file changed since the last run (same paths, sizes and mtimes; see
:class:`~dbshift.script.header.HeaderCache`), the script directory hands the revision map a
:class:`~dbshift.script.revision.graph.GraphSnapshot` instead of scripts: the map answers heads
and bases from its summary and makes the scripts (whose links the earlier run built and checked)
only when something asks for them. This module is the snapshot's format: the rows it stores
(:func:`snapshot_rows`) and the scripts and snapshot made back from them (:func:`scripts_from_rows`,
:func:`graph_snapshot`).

Each row is the ``__dict__`` of a :class:`~dbshift.script.script.Script`, less ``path``: what
``Revision.__init__`` and the graph build set (attributes at their class default are left out),
so a script is remade by giving a new instance that dict, with no check run again.
"""

from __future__ import annotations

import gc

from .revision.errors import RevisionError
from .revision.graph import GraphSnapshot
from .script import _UNSET, Script

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .revision.revision_map import RevisionMap

# What every row holds.
_SNAPSHOT_KEYS = frozenset(
    (
        "_doc",
        "revision",
        "_down_revision",
        "_versioned",
        "dependencies",
        "_orig_branch_labels",
        "branch_labels",
        "nextrev",
        "_all_nextrev",
    )
)


def snapshot_rows(rmap: RevisionMap) -> tuple[list[dict[str, Any]], tuple[Any, ...]] | None:
    """``(rows, extra)`` to store for the built map: one row per script in load order, and
    ``(newest-first order, *graph summary, {index: row} of the heads)``. ``None`` when a
    revision is not a script read from its header (an imported module's is not cached)."""
    graph = rmap.graph
    revs = list(graph.revs.values())
    for rev in revs:
        if not isinstance(rev, Script) or rev._doc is _UNSET:
            return None
    # one object per id string, so that marshal writes each id once and refers to it
    same = {rev.revision: rev.revision for rev in revs}

    def canonical(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            return same.get(value, value)
        return tuple(same.get(v, v) for v in value)

    rows = []
    for rev in revs:
        nextrev = frozenset(canonical(rev.nextrev))
        all_nextrev = rev._all_nextrev
        row = {
            "_doc": rev._doc,
            "revision": rev.revision,
            "_down_revision": canonical(rev.down_revision),
            "_versioned": canonical(rev._versioned),
            "dependencies": rev.dependencies,
            "_orig_branch_labels": set(rev._orig_branch_labels),
            "branch_labels": set(rev.branch_labels),
            "nextrev": nextrev,
            "_all_nextrev": (
                nextrev if all_nextrev == nextrev else frozenset(canonical(all_nextrev))
            ),
        }
        if rev._resolved_dependencies:
            row["_resolved_dependencies"] = canonical(rev._resolved_dependencies)
            row["_normalized_resolved_dependencies"] = canonical(
                rev._normalized_resolved_dependencies
            )
        rows.append(row)
    summary = graph.summary()
    index = {rid: i for i, rid in enumerate(summary[0])}
    try:
        order: tuple[int, ...] | None = tuple(
            index[rev.revision] for rev in rmap._all_newest_first()
        )
    except RevisionError:
        order = None
    head_rows = {index[rid]: rows[index[rid]] for rid in (*graph.heads, *graph.real_heads)}
    return rows, (order, *summary, head_rows)


def scripts_from_rows(paths: list[str], blob: bytes) -> list[Script] | None:
    """The scripts of the marshalled rows in ``blob`` (one per path, in order); ``None`` if
    they are not rows :func:`snapshot_rows` made."""
    import marshal

    # Many small objects and no cycles: no cyclic collection meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            rows = marshal.loads(blob)
        except (ValueError, EOFError, TypeError):
            return None
        if type(rows) is not list or len(rows) != len(paths):
            return None
        if rows and not (type(rows[0]) is dict and _SNAPSHOT_KEYS.issubset(rows[0])):
            return None
        scripts: list[Script] = []
        append = scripts.append
        new = Script.__new__
        for path, attrs in zip(paths, rows):
            attrs["path"] = path
            script = new(Script)
            script.__dict__ = attrs
            append(script)
        return scripts
    except TypeError:  # a row that is not a dict
        return None
    finally:
        if collecting:
            gc.enable()


def graph_snapshot(
    paths: list[str],
    blob: bytes,
    extra: Any,
    reread: Callable[[list[str]], list[Script]],
) -> GraphSnapshot | None:
    """The snapshot of the stored graph over the files ``paths`` (``blob`` and ``extra`` as the
    cache returned them), or ``None`` when they are not what :func:`snapshot_rows` made.

    The heads' rows (in ``extra``) make the scripts commands that need the heads alone ask
    for; the first wider question unmarshals every row, or, when the rows turn out unreadable,
    reads the files again with ``reread(paths)`` and lets the map build the graph.
    """
    if not (type(extra) is tuple and len(extra) == 8):
        return None
    order, ids, heads, real_heads, bases, real_bases, label_rows, head_rows = extra
    n = len(paths)
    if (
        type(blob) is not bytes
        or type(ids) is not list
        or len(ids) != n
        or (order is not None and len(order) != n)
        or type(head_rows) is not dict
    ):
        return None
    try:
        position = {ids[i]: i for i in head_rows}
    except (IndexError, TypeError):
        return None
    new = Script.__new__
    made: dict[int, Script] = {}

    def load_one(ident: Any) -> Script | None:
        i = position.get(ident)
        if i is None:
            return None
        script = made.get(i)
        if script is None:
            attrs = head_rows[i]
            if type(attrs) is not dict or not _SNAPSHOT_KEYS.issubset(attrs):
                return None
            attrs["path"] = paths[i]
            script = made[i] = new(Script)
            script.__dict__ = attrs
        return script

    def load_all() -> tuple[list[Script], bool]:
        scripts = scripts_from_rows(paths, blob)
        if scripts is None:
            return reread(paths), False
        for i, script in made.items():
            scripts[i] = script
        return scripts, True

    summary = (ids, heads, real_heads, bases, real_bases, label_rows)
    return GraphSnapshot(summary, load_all, load_one, order)
