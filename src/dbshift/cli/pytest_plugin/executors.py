"""The two halves a runner drives: the project's commands, and the test database's rows.

:class:`CommandExecutor` holds the project configuration (output captured), the script
directory (built once per project and process, see :func:`project_scripts`) and the
:class:`~.stepping.Stepper` that moves the database. :class:`ConnectionExecutor` reflects and
writes tables through the engine the tests were given. The names and methods are
pytest-alembic's, which tests written for it reach through ``alembic_runner``.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Connection, Engine

from ... import command as commands
from ...command.project import run_env, script_directory
from ...util.exc import CommandError
from .seed_data import RevisionData, TableWriter
from .settings import Config
from .stepping import Stepper

__all__ = ["CommandExecutor", "ConnectionExecutor", "project_scripts"]

#: Script directories by project, with the signature of their revision files when built.
_SCRIPTS: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}


def _files_signature(script: Any) -> tuple[Any, ...]:
    """Names, sizes and modification times of every file under the version locations."""
    found = []
    for location in script._version_locations:
        for root, _dirs, files in os.walk(location):
            for name in files:
                if name.endswith((".py", ".pyc")):
                    stat = os.stat(os.path.join(root, name))
                    found.append((root, name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def project_scripts(config: Any) -> Any:
    """The project's script directory, reused across tests while its revision files stay
    the same (its graph and imported revision modules with it)."""
    fresh = script_directory(config)
    key = (
        fresh.dir,
        tuple(fresh._version_locations),
        fresh.sourceless,
        fresh.recursive_version_locations,
    )
    signature = _files_signature(fresh)
    cached = _SCRIPTS.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    _SCRIPTS[key] = (signature, fresh)
    return fresh


def forget_project_scripts(script: Any) -> None:
    """Drop ``script`` from the cache (its revision files changed)."""
    for key, (_, cached) in list(_SCRIPTS.items()):
        if cached is script:
            del _SCRIPTS[key]


@dataclass
class CommandExecutor:
    """Runs the project's commands and walks with its configuration and script directory."""

    alembic_config: Any
    stdout: io.StringIO
    stream_position: int
    script: Any
    stepper: Stepper

    @classmethod
    def from_config(cls, config: Config, writer: TableWriter | None = None) -> CommandExecutor:
        """From the plugin's settings: the project configuration (output captured) and its
        script directory."""
        stdout = io.StringIO()
        project_config = config.make_alembic_config(stdout)
        script = project_scripts(project_config)
        stepper = Stepper(
            project_config, script, RevisionData.from_config(config), config.skip_revisions
        )
        if writer is not None:
            stepper.writer = writer
        return cls(project_config, stdout, 0, script, stepper)

    def configure(self, **kwargs: Any) -> None:
        """Put values in the configuration's ``attributes`` (``env.py`` reads ``connection``)."""
        self.alembic_config.attributes.update(kwargs)

    def execute_fn(self, fn: Callable[..., Any]) -> None:
        """Run ``env.py`` with ``fn(heads, context)`` as its planner (nothing migrates unless
        ``fn`` returns steps)."""
        run_env(self.alembic_config, self.script, fn=fn, lock_options={"migration_lock": False})

    def run_command(self, command: str, *args: Any, **kwargs: Any) -> list[str]:
        """Run ``dbshift.command.<command>`` and return the lines it printed; a
        ``CommandError`` comes back as ``RuntimeError`` (as pytest-alembic's does)."""
        self.stream_position = self.stdout.tell()
        function = getattr(commands, command)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                function(self.alembic_config, *args, **kwargs)
        except CommandError as err:
            raise RuntimeError(err) from err
        self.stdout.seek(self.stream_position)
        return self.stdout.readlines()

    def heads(self) -> list[str]:
        """The head revisions of the history."""
        return [rev.revision for rev in self.script.get_revisions("heads")]

    def upgrade(self, revision: str) -> None:
        """Upgrade to ``revision``."""
        self.stepper.walk("upgrade", [revision])

    def downgrade(self, revision: str) -> None:
        """Downgrade to ``revision``."""
        self.stepper.walk("downgrade", [revision])

    def stamp(self, revision: str) -> list[str]:
        """Record ``revision`` without running it."""
        self.stepper.stamp(revision)
        return []


def _is_async_engine(connection: Any) -> bool:
    try:
        from sqlalchemy.ext.asyncio import AsyncEngine
    except ImportError:
        return False
    return isinstance(connection, AsyncEngine)


@dataclass
class ConnectionExecutor:
    """Reads and writes tables of the test database through the tests' engine."""

    connection: Any
    writer: TableWriter = field(default_factory=TableWriter)

    @property
    def metadatas(self) -> dict[str, MetaData]:
        """The ``MetaData`` per revision that tables are reflected into."""
        return self.writer.metadatas

    def metadata(self, revision: str) -> MetaData:
        """The ``MetaData`` of ``revision``."""
        return self.writer.metadata(revision)

    def table(
        self, revision: str, name: str, schema: str | None = None, connection: Any = None
    ) -> Table:
        """Table ``name`` as reflected at ``revision``."""
        metadata = self.writer.metadata(revision)
        if name in metadata.tables:
            return metadata.tables[name]
        bind = connection if connection is not None else self.connection
        if not isinstance(bind, (Engine, Connection)):
            return self.run_task(
                lambda connection: self.writer.table(connection, revision, name, schema)
            )
        return self.writer.table(bind, revision, name, schema)

    def table_insert(
        self,
        revision: str,
        data: Any,
        tablename: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Insert ``data`` (a row or a list of rows) into tables as they are at ``revision``."""

        def insert(connection: Any) -> None:
            self.writer.insert(connection, revision, data, tablename, schema)

        self.run_task(insert)

    def run_task(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Call ``fn(connection=...)`` in a committed transaction (an async engine's too)."""
        if _is_async_engine(self.connection):
            import asyncio

            async def run(engine: Any) -> Any:
                async with engine.begin() as connection:
                    result = await connection.run_sync(lambda sync: fn(connection=sync, **kwargs))
                await engine.dispose()
                return result

            return asyncio.run(run(self.connection))
        if isinstance(self.connection, Engine):
            with self.connection.begin() as connection:
                result = fn(connection=connection, **kwargs)
            connection.close()
            return result
        return fn(connection=self.connection, **kwargs)
