"""PostgreSQL: USING casts, identity, comments, EXCLUDE, CONCURRENTLY."""

from __future__ import annotations

from .impl import DefaultImpl


class PostgresqlImpl(DefaultImpl):
    """PostgreSQL implementation."""

    __dialect__ = "postgresql"
    transactional_ddl = True
