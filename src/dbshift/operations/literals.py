"""``inline_literal``: a bound value that always renders inline as a SQL literal."""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import String


class _InlineLiteral(BindParameter):
    """A bind parameter compiled as its literal value (so offline scripts are complete)."""

    # The value is part of the SQL text, so a cached compilation of one row's INSERT must
    # never be reused for the next row: statements holding one are not cached.
    inherit_cache = False

    def __init__(self, value: Any, type_: Any = None) -> None:
        if type_ is None and isinstance(value, str):
            type_ = String()
        super().__init__(None, value, type_=type_, unique=True, literal_execute=False)

    def _compiler_dispatch(self, visitor: Any, **kw: Any) -> str:  # type: ignore[override]
        kw["literal_binds"] = True
        return super()._compiler_dispatch(visitor, **kw)


def inline_literal(value: Any, type_: Any = None) -> BindParameter:
    """A value for data-changing SQL in migrations that renders inline in every mode.

    Supports the types whose dialects can render literals: strings, numbers, dates and the like.
    """
    return _InlineLiteral(value, type_)
