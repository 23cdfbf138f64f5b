"""Share SQLAlchemy's per-dialect type implementation between equal type objects.

Compiling a column definition asks its type for the dialect's implementation
(``TypeEngine.dialect_impl``; the PostgreSQL and MySQL compilers do). SQLAlchemy builds it by copying
the type, which is slow, and caches it per type *object* in ``dialect._type_memos``. Migration scripts
make a new ``sa.Integer()`` or ``sa.String(50)`` for every column, so every column pays for the copy.

Two types of the same SQLAlchemy class whose instance state is the same plain values (numbers,
strings, booleans, None) adapt to equal implementations, so :class:`TypeImplCache` gives a later one
the cache entry of the first. Anything else (user-defined types, ``TypeDecorator``, schema types
such as ``Enum``/``Boolean`` that attach events, types holding other types or variants) is left to
SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from sqlalchemy.types import SchemaType, TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.types import TypeEngine

_PLAIN_VALUES = frozenset({int, str, bool, float, type(None)})


def type_identity(type_: TypeEngine) -> Hashable | None:
    """A key equal for two types that render and adapt the same, or None when that is not known."""
    cls = type(type_)
    if not cls.__module__.startswith("sqlalchemy.") or issubclass(
        cls, (SchemaType, TypeDecorator)
    ):
        return None
    state = type_.__dict__
    for value in state.values():
        if type(value) not in _PLAIN_VALUES:
            return None
    return (cls, *sorted((key, type(value), value) for key, value in state.items()))


class TypeImplCache:
    """For one dialect: hands each equal type the dialect implementation made for the first."""

    def __init__(self, dialect: Dialect) -> None:
        self._memos: Any = getattr(dialect, "_type_memos", None)
        self._first: dict[Hashable, TypeEngine] = {}

    def share(self, type_: TypeEngine) -> None:
        """Give ``type_`` the cached implementation of an equal type seen before, if there is one."""
        memos = self._memos
        if memos is None or type_ in memos:
            return
        key = type_identity(type_)
        if key is None:
            return
        first = self._first.setdefault(key, type_)
        if first is not type_:
            entry = memos.get(first)
            if entry is not None:
                memos[type_] = entry
