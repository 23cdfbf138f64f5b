"""How big a table is: estimated rows and bytes, from each database's own statistics.

PostgreSQL: ``pg_class.reltuples`` (the planner's estimate, -1 before the first ANALYZE or
VACUUM) and ``pg_total_relation_size`` (table, indexes and TOAST). MySQL/MariaDB:
``information_schema.TABLES`` (``TABLE_ROWS`` is InnoDB's estimate; ``DATA_LENGTH +
INDEX_LENGTH``). SQLite: an exact ``count(*)`` and no size. ``plan`` shows these next to every
statement so that a reader sees which locks fall on big tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["TableSize", "table_size"]


@dataclass(frozen=True)
class TableSize:
    """``rows`` (None: unknown, e.g. never analysed) and ``bytes`` (None: unknown) of a table
    that exists; ``exists`` False for a table the database does not have (yet)."""

    exists: bool
    rows: int | None = None
    bytes: int | None = None


def table_size(connection: Connection, name: str, schema: str | None = None) -> TableSize:
    """The size of table ``name`` (in ``schema``, else the connection's default schema)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        row = connection.exec_driver_sql(
            "SELECT c.reltuples, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %(name)s AND c.relkind IN ('r', 'p') "
            "AND n.nspname = coalesce(%(schema)s, current_schema())",
            {"name": name, "schema": schema},
        ).first()
        if row is None:
            return TableSize(False)
        rows = int(row[0]) if row[0] is not None and row[0] >= 0 else None
        return TableSize(True, rows, int(row[1]))
    if dialect in ("mysql", "mariadb"):
        row = connection.exec_driver_sql(
            "SELECT TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = coalesce(%(schema)s, DATABASE()) AND TABLE_NAME = %(name)s",
            {"name": name, "schema": schema},
        ).first()
        if row is None:
            return TableSize(False)
        return TableSize(True, None if row[0] is None else int(row[0]), None if row[1] is None
                         else int(row[1]))
    if dialect == "sqlite":
        master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
        found = connection.exec_driver_sql(
            f"SELECT 1 FROM {master} WHERE type = 'table' AND name = ?", (name,)
        ).first()
        if found is None:
            return TableSize(False)
        quoted = '"' + name.replace('"', '""') + '"'
        rows = connection.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar()
        return TableSize(True, int(rows or 0), None)
    return TableSize(True)
