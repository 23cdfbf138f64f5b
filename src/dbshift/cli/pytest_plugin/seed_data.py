"""Rows a project asks to have in the database before or after a revision runs.

``before_revision_data`` and ``at_revision_data`` map a revision to one row (a dict) or several
(a list of dicts); each row names its table with ``__tablename__`` (``schema.table`` allowed) or
takes the table given to :meth:`TableWriter.insert`. Tables are reflected from the database as it
is at the revision the rows are written at, once per revision.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, Table

__all__ = ["RevisionData", "RevisionSpec", "TableWriter"]


@dataclass
class RevisionSpec:
    """Rows keyed by revision (pytest-alembic's ``RevisionSpec``)."""

    data: dict[str, Any]

    @classmethod
    def parse(cls, data: Any) -> RevisionSpec:
        """A spec from a dict, a spec, or nothing."""
        if not data:
            return cls({})
        if isinstance(data, RevisionSpec):
            return data
        return cls(dict(data))

    def get(self, revision: str) -> Any:
        """The rows given for ``revision`` (an empty list when none are)."""
        return self.data.get(revision, [])


def _rows(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        return [data]
    return list(data or [])


@dataclass
class RevisionData:
    """The rows to write before and after each revision's upgrade."""

    before_revision_data: RevisionSpec
    at_revision_data: RevisionSpec

    @classmethod
    def from_config(cls, config: Any) -> RevisionData:
        """From the plugin's :class:`~.settings.Config`."""
        return cls(
            RevisionSpec.parse(config.before_revision_data),
            RevisionSpec.parse(config.at_revision_data),
        )

    @property
    def empty(self) -> bool:
        """True when no revision has rows."""
        return not self.before_revision_data.data and not self.at_revision_data.data

    def get_before(self, revision: str) -> list[dict[str, Any]]:
        """Rows to write just before ``revision`` upgrades."""
        return _rows(self.before_revision_data.get(revision))

    def get_at(self, revision: str) -> list[dict[str, Any]]:
        """Rows to write just after ``revision`` upgraded."""
        return _rows(self.at_revision_data.get(revision))


@dataclass
class TableWriter:
    """Reflects tables per revision and inserts rows into them."""

    metadatas: dict[str, MetaData] = field(default_factory=dict)

    def metadata(self, revision: str) -> MetaData:
        """The ``MetaData`` the tables of ``revision`` are reflected into."""
        return self.metadatas.setdefault(revision, MetaData())

    def table(self, connection: Any, revision: str, name: str, schema: str | None = None) -> Table:
        """Table ``name`` as the database holds it at ``revision``."""
        metadata = self.metadata(revision)
        key = f"{schema}.{name}" if schema else name
        if key in metadata.tables:
            return metadata.tables[key]
        return Table(name, metadata, schema=schema, autoload_with=connection)

    def insert(
        self,
        connection: Any,
        revision: str,
        data: dict[str, Any] | Iterable[dict[str, Any]],
        tablename: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Insert ``data`` over ``connection`` into tables as they are at ``revision``."""
        for row in _rows(data):
            name = row.get("__tablename__") or tablename
            if name is None:
                raise ValueError(
                    "No table name provided as either `table` argument, or '__tablename__' key "
                    "in `data`."
                )
            row_schema = schema
            with contextlib.suppress(ValueError):
                row_schema, name = name.split(".", 1)
            table = self.table(connection, revision, name, schema=row_schema)
            values = {key: value for key, value in row.items() if key != "__tablename__"}
            connection.execute(table.insert().values(values))
