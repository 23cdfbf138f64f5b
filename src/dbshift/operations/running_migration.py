"""What the operations layer uses of the migration it runs in.

:class:`~dbshift.runtime.migration.MigrationContext` (a higher layer) is what ``Operations`` is
built for; operations name it through this Protocol instead of importing it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

    from ..ddl.impl import DefaultImpl


class RunningMigration(Protocol):
    """The running migration as operations see it (a ``MigrationContext``)."""

    #: The dialect implementation that emits the DDL.
    impl: DefaultImpl
    #: The SQLAlchemy dialect of the database (or of the offline script).
    dialect: Dialect
    #: True when the migration writes a SQL script instead of running it.
    as_sql: bool
    #: The ``configure()`` options (``target_metadata``, ...).
    opts: dict[str, Any]

    @property
    def bind(self) -> Connection | None:
        """The connection (offline: a mock connection that writes SQL)."""

    def autocommit_block(self) -> AbstractContextManager[None]:
        """A block whose statements run outside the migration's transaction."""

    def write_pending_versions(self) -> None:
        """Write the version rows of the steps run so far (before a script's own COMMIT)."""
