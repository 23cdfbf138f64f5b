"""The column order of a rebuilt table: ``insert_before``/``insert_after`` and ``partial_reordering``.

Both functions work on plain column names and give the order Alembic gives, so that a table
rebuilt by dbshift has its columns where the same script puts them under Alembic.
"""

from __future__ import annotations

from collections.abc import Iterable


class OrderConflict(ValueError):
    """The requested orderings contradict each other (a column would come before itself)."""


def place_column(
    names: list[str],
    name: str,
    *,
    before: str | None = None,
    after: str | None = None,
    added: Iterable[str] = (),
) -> list[str]:
    """``names`` with ``name`` moved right before ``before`` or after ``after``.

    A column placed after ``after`` also goes after the columns of ``added`` (the ones this batch
    adds) that already follow ``after``: columns put after the same column keep the order of the
    calls, as under Alembic, where "after x" means "before the column that followed x".
    """
    anchor = before or after
    if anchor is None:
        return list(names)
    order = [n for n in names if n != name]
    position = order.index(anchor)
    if after is not None and before is None:
        new = set(added)
        position += 1
        while position < len(order) and order[position] in new:
            position += 1
    order.insert(position, name)
    return order


def partial_order(names: list[str], pairs: Iterable[tuple[str, str]]) -> list[str]:
    """``names`` ordered so that in each ``(first, second)`` pair ``first`` comes before ``second``.

    Only the pairs constrain the order; it is built in rounds, each round taking, in their current
    order, all the columns whose predecessors are placed. A column that no pair mentions therefore
    stays in the first round: ``partial_reordering=[("y", "x")]`` on ``(id, x, y, a)`` gives
    ``(id, y, a, x)``, which is what Alembic gives. Raises :class:`OrderConflict` on a cycle.
    """
    predecessors: dict[str, set[str]] = {n: set() for n in names}
    for first, second in pairs:
        if first != second:
            predecessors[second].add(first)
    pending = list(names)
    placed: list[str] = []
    while pending:
        waiting = set(pending)
        ready = [n for n in pending if not predecessors[n] & waiting]
        if not ready:
            raise OrderConflict(", ".join(sorted(waiting)))
        placed.extend(ready)
        pending = [n for n in pending if n not in set(ready)]
    return placed
