"""Oracle: MODIFY, RENAME COLUMN, '/' separators offline."""

from __future__ import annotations

from .impl import DefaultImpl


class OracleImpl(DefaultImpl):
    """Oracle implementation."""

    __dialect__ = "oracle"
    transactional_ddl = False
    command_terminator = ""
