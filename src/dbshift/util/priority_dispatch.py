"""The vocabulary of prioritised dispatch chains (autogenerate comparators and their plugins).

``alembic.util`` exports :class:`DispatchPriority` and :class:`PriorityDispatchResult`, and plugin
code imports them from there; both the runtime's plugins and autogenerate's comparator registry
use them, so they live below both.
"""

from __future__ import annotations

import enum
import itertools

#: One sequence over every registration (registry or plugin): equal priorities run in this order.
_registration_order = itertools.count(1)


class DispatchPriority(enum.IntEnum):
    """Where a comparator runs in its chain: FIRST, then MEDIUM, then LAST."""

    FIRST = 50
    MEDIUM = 25
    LAST = 10


class PriorityDispatchResult(enum.Enum):
    """What a comparator returns: go on with the chain (the default) or stop it."""

    CONTINUE = enum.auto()
    STOP = enum.auto()


def next_registration_order() -> int:
    """A number larger than any given before, to order registrations of equal priority."""
    return next(_registration_order)
