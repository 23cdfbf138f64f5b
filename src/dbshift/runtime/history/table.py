"""The applied-history table (``<version table>_history``): the one module that builds, checks,
reads and writes it.

One row per applied step (an upgrade or downgrade of one revision), plus rows that record a
checksum without running anything (``adopt``: a revision applied before dbshift kept history;
``accept``: ``dbshift verify --accept``). The version table is never touched here, so Alembic keeps
working on the same database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy import inspect as sa_inspect

from ...util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["COLUMNS", "HistoryRow", "HistoryTable", "history_table_name"]

#: The columns, in order (the JSON keys of ``history --applied --json`` are the same names).
COLUMNS = (
    "id",
    "revision",
    "direction",
    "outcome",
    "started_at",
    "finished_at",
    "duration_ms",
    "checksum",
    "applied_by",
    "host",
    "dbshift_version",
    "detail",
)

#: Directions: a revision run up or down, or a checksum recorded without running it.
DIRECTIONS = ("upgrade", "downgrade", "adopt", "accept")
#: Outcomes: the step committed, failed, or the checksum was adopted / accepted.
OUTCOMES = ("ok", "failed", "adopted", "accepted")


def history_table_name(version_table: str) -> str:
    """The history table's name for a version table: ``alembic_version`` gives
    ``alembic_version_history``."""
    return f"{version_table}_history"


@dataclass(frozen=True)
class HistoryRow:
    """One row of the history table (``id`` is None before it is written)."""

    revision: str
    direction: str
    outcome: str
    started_at: datetime
    finished_at: datetime
    duration_ms: float
    checksum: str | None
    applied_by: str
    host: str
    dbshift_version: str
    detail: str | None = None
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row keyed by column name; times as ISO 8601 UTC strings."""
        values: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat(timespec="milliseconds") + "Z"
            values[name] = value
        return values


class HistoryTable:
    """The history ``Table`` beside one version table, and its rows."""

    def __init__(self, version_table: str, schema: str | None) -> None:
        self.name = history_table_name(version_table)
        self.schema = schema
        self.table = Table(
            self.name,
            MetaData(),
            Column("id", Integer, Identity(), primary_key=True),
            Column("revision", String(255), nullable=False),
            Column("direction", String(16), nullable=False),
            Column("outcome", String(16), nullable=False),
            Column("started_at", DateTime(), nullable=False),
            Column("finished_at", DateTime(), nullable=False),
            Column("duration_ms", Float(), nullable=False),
            Column("checksum", String(64)),
            Column("applied_by", String(255), nullable=False),
            Column("host", String(255), nullable=False),
            Column("dbshift_version", String(32), nullable=False),
            Column("detail", String(1000)),
            schema=schema,
        )

    @property
    def display_name(self) -> str:
        """``schema.name`` or ``name``, for messages."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def exists(self, connection: Connection) -> bool:
        """Whether the table is there; a one-line error when a table of that name is there with
        other columns (made by something else): nothing is written to it then."""
        inspector = sa_inspect(connection)
        if not inspector.has_table(self.name, self.schema):
            return False
        found = {column["name"].lower() for column in inspector.get_columns(self.name, self.schema)}
        missing = [name for name in COLUMNS if name not in found]
        if missing:
            raise CommandError(
                f"Table {self.display_name} is not a dbshift history table (no column "
                f"{', '.join(missing)}): rename it, or set applied_history = false to keep no "
                "history; nothing was changed"
            )
        return True

    def create(self, connection: Connection) -> None:
        """CREATE the table."""
        self.table.create(connection, checkfirst=True)

    def insert(self, connection: Connection, rows: list[HistoryRow]) -> None:
        """Write ``rows`` (one statement, executemany when several)."""
        if not rows:
            return
        values = [
            {name: getattr(row, name) for name in COLUMNS if name != "id"} for row in rows
        ]
        connection.execute(self.table.insert(), values)

    def read(self, connection: Connection) -> list[HistoryRow]:
        """Every row, oldest first."""
        table = self.table
        result = connection.execute(table.select().order_by(table.c.id))
        return [HistoryRow(**dict(row._mapping)) for row in result]
