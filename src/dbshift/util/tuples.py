"""Normalising the "one or several" values Alembic's APIs accept (``None``, a string, or a
collection) into tuples.

Shared by the revision graph (``down_revision``, ``depends_on``, ``branch_labels``) and the
migration steps (revision ids before and after a step). No imports: the graph commands load it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["to_tuple"]


def to_tuple(value: Any, default: Any = None) -> Any:
    """``value`` as a tuple: ``None`` gives ``default``, a string a 1-tuple, any other iterable
    the tuple of its items, and anything else a 1-tuple of itself."""
    if value is None:
        return default
    if isinstance(value, str):
        return (value,)
    if getattr(type(value), "__iter__", None) is not None:  # isinstance(value, Iterable)
        return tuple(value)
    return (value,)
