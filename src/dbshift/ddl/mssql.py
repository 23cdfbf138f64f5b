"""SQL Server: default-constraint lookup and drop, sp_rename, GO separators offline."""

from __future__ import annotations

from .impl import DefaultImpl


class MSSQLImpl(DefaultImpl):
    """SQL Server implementation."""

    __dialect__ = "mssql"
    transactional_ddl = True
