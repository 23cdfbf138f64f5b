"""SQLite: what it can and cannot ALTER, and transactional DDL."""

from __future__ import annotations

from .impl import DefaultImpl


class SQLiteImpl(DefaultImpl):
    """SQLite implementation."""

    __dialect__ = "sqlite"
    transactional_ddl = True
