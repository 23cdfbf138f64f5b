"""The statement journal's table (``<version table>_journal``): the one module that builds,
checks, reads and writes it.

One row per statement of a revision that is running or was interrupted, on databases whose DDL
commits by itself (MySQL, MariaDB, Oracle). Rows are written over the run's own DB-API connection
with literal values (they are written from inside SQLAlchemy's cursor events, where the
``Connection`` is busy), and deleted in the transaction that moves the version table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy import inspect as sa_inspect

from ...util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

__all__ = ["JournalEntry", "JournalTable", "journal_table_name"]

_COLUMNS = (
    "revision",
    "direction",
    "position",
    "sql_hash",
    "state",
    "sql_text",
    "schema_before",
    "checksum",
)

#: ``running``: the statement was sent (its effect is told by the schema fingerprint);
#: ``done``: it committed; ``failed``: the database refused it.
STATES = ("running", "done", "failed")


def journal_table_name(version_table: str) -> str:
    """``alembic_version`` gives ``alembic_version_journal``."""
    return f"{version_table}_journal"


@dataclass(frozen=True)
class JournalEntry:
    """One journalled statement of one revision's step."""

    revision: str
    direction: str
    position: int
    sql_hash: str
    state: str
    sql_text: str
    schema_before: str | None
    checksum: str | None


class JournalTable:
    """The journal ``Table`` beside one version table."""

    def __init__(self, version_table: str, schema: str | None) -> None:
        self.name = journal_table_name(version_table)
        self.schema = schema
        self.table = Table(
            self.name,
            MetaData(),
            Column("revision", String(255), nullable=False),
            Column("direction", String(16), nullable=False),
            Column("position", Integer, nullable=False, autoincrement=False),
            Column("sql_hash", String(64), nullable=False),
            Column("state", String(8), nullable=False),
            Column("sql_text", String(200), nullable=False),
            Column("schema_before", String(64)),
            Column("checksum", String(64)),
            PrimaryKeyConstraint("revision", "direction", "position", name=f"{self.name}_pkc"),
            schema=schema,
        )

    @property
    def display_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def exists(self, connection: Connection) -> bool:
        """Whether the table is there; a one-line error when a table of that name has other
        columns."""
        inspector = sa_inspect(connection)
        if not inspector.has_table(self.name, self.schema):
            return False
        found = {column["name"].lower() for column in inspector.get_columns(self.name, self.schema)}
        missing = [name for name in _COLUMNS if name not in found]
        if missing:
            raise CommandError(
                f"Table {self.display_name} is not a dbshift statement journal (no column "
                f"{', '.join(missing)}): rename it, or set applied_history = false; nothing "
                "was changed"
            )
        return True

    def create(self, connection: Connection) -> None:
        self.table.create(connection, checkfirst=True)

    def read(self, connection: Connection) -> dict[tuple[str, str], dict[int, JournalEntry]]:
        """Every entry, by (revision, direction) and position."""
        found: dict[tuple[str, str], dict[int, JournalEntry]] = {}
        for row in connection.execute(self.table.select()):
            entry = JournalEntry(**dict(row._mapping))
            found.setdefault((entry.revision, entry.direction), {})[entry.position] = entry
        return found

    def clear(self, connection: Connection, revision: str, direction: str) -> None:
        """Delete the entries of one step (in the transaction that records it as done)."""
        table = self.table
        connection.execute(
            table.delete().where(table.c.revision == revision, table.c.direction == direction)
        )

    # -- literal SQL, run on the DB-API connection from inside cursor events ------------------

    def insert_sql(self, dialect: Dialect, entry: JournalEntry) -> str:
        return _literal(dialect, self.table.insert().values(**entry.__dict__))

    def set_state_sql(
        self, dialect: Dialect, revision: str, direction: str, position: int, state: str
    ) -> str:
        table = self.table
        statement = (
            table.update()
            .values(state=state)
            .where(
                table.c.revision == revision,
                table.c.direction == direction,
                table.c.position == position,
            )
        )
        return _literal(dialect, statement)

    def delete_from_sql(self, dialect: Dialect, revision: str, direction: str, position: int) -> str:
        table = self.table
        statement = table.delete().where(
            table.c.revision == revision,
            table.c.direction == direction,
            table.c.position >= position,
        )
        return _literal(dialect, statement)


def _literal(dialect: Dialect, statement: Any) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
