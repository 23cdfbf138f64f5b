"""``alembic_runner``: what a test holds to move the database through the history and write rows.

The methods and attributes are pytest-alembic's ``MigrationContext`` (tests written for it run
unchanged); moving happens through :class:`~.stepping.Stepper`, so a move across many revisions
is one run of ``env.py`` and the database's position is read in the same run.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .executors import CommandExecutor, ConnectionExecutor, forget_project_scripts
from .history import BASE, MigrationHistory
from .seed_data import RevisionData
from .settings import Config

__all__ = ["MigrationContext", "RevisionSuccess", "runner"]


@contextlib.contextmanager
def runner(config: Config, engine: Any = None) -> Iterator[MigrationContext]:
    """A :class:`MigrationContext` for the project ``config`` describes, on ``engine`` (which
    ``env.py`` finds in ``config.attributes["connection"]``)."""
    connection_executor = ConnectionExecutor(engine)
    command_executor = CommandExecutor.from_config(config, connection_executor.writer)
    context = MigrationContext.from_config(config, command_executor, connection_executor)
    command_executor.configure(connection=engine)
    yield context


def _current_of(heads: tuple[str, ...]) -> str:
    return heads[0] if heads else BASE


@dataclass
class MigrationContext:
    """Moves the test database through the project's history (pytest-alembic's runner)."""

    command_executor: CommandExecutor
    revision_data: RevisionData
    connection_executor: ConnectionExecutor
    history: MigrationHistory
    config: Config
    #: True when the tests run on the default ``alembic_engine`` (no project fixture).
    uses_default_engine: bool = False

    @classmethod
    def from_config(
        cls,
        config: Config,
        command_executor: CommandExecutor,
        connection_executor: ConnectionExecutor,
    ) -> MigrationContext:
        """From the settings and the two executors (the history read from the cached graph)."""
        history = MigrationHistory.parse(command_executor.script.revision_map)
        return cls(
            command_executor=command_executor,
            revision_data=RevisionData.from_config(config),
            connection_executor=connection_executor,
            history=history,
            config=config,
        )

    # ------------------------------------------------------------------ reading

    @property
    def heads(self) -> list[str]:
        """The head revisions of the history."""
        return self.command_executor.heads()

    @property
    def current(self) -> str:
        """The revision the database is at (``base`` when none is applied)."""
        return _current_of(self.command_executor.stepper.read_heads())

    def refresh_history(self) -> MigrationHistory:
        """Read the revision files again (after a test wrote one)."""
        script = self.command_executor.script
        forget_project_scripts(script)
        script.revision_map = type(script.revision_map)(script._load_revisions)
        self.history = MigrationHistory.parse(script.revision_map)
        return self.history

    # ------------------------------------------------------------------ commands

    def generate_revision(
        self,
        process_revision_directives: Callable[..., None] | None = None,
        *,
        prevent_file_generation: bool = True,
        autogenerate: bool = False,
        **kwargs: Any,
    ) -> list[str] | None:
        """Make a revision (``autogenerate``: from the models); with
        ``prevent_file_generation`` the directives are made and checked but no file is
        written (returns None)."""
        config = self.command_executor.alembic_config
        directive = _sequence_directives(
            config.attributes.get("process_revision_directives"), process_revision_directives
        )
        if prevent_file_generation:
            directive = RevisionSuccess.process_revision_directives(directive)
        try:
            result = self.command_executor.run_command(
                "revision",
                process_revision_directives=directive,
                autogenerate=autogenerate,
                **kwargs,
            )
        except RevisionSuccess:
            return None
        except RuntimeError as err:
            if isinstance(err.__cause__, RevisionSuccess):
                return None
            raise
        if not prevent_file_generation:
            self.refresh_history()
        return result

    def raw_command(self, *args: Any, **kwargs: Any) -> list[str]:
        """Run a ``dbshift.command`` function by name; the lines it printed."""
        return self.command_executor.run_command(*args, **kwargs)

    # ------------------------------------------------------------------ moving

    def _upgrade_targets(self, dest: str | None, current: str) -> list[str]:
        return [to for _, to in self.history.revision_window(current, dest)]

    def _downgrade_targets(self, dest: str | None, current: str) -> list[str]:
        return [below for below, _ in reversed(self.history.revision_window(dest, current))]

    def managed_upgrade(
        self, dest_revision: str | None, *, current: str | None = None, return_current: bool = True
    ) -> str | None:
        """Upgrade through every revision of the history up to ``dest_revision``, writing the
        seed rows around each."""
        stepper = self.command_executor.stepper
        if current is None:
            heads = stepper.walk(
                "upgrade", lambda found: self._upgrade_targets(dest_revision, _current_of(found))
            )
        else:
            heads = stepper.walk("upgrade", self._upgrade_targets(dest_revision, current))
        return _current_of(heads) if return_current else None

    def managed_downgrade(
        self, dest_revision: str | None, *, current: str | None = None, return_current: bool = True
    ) -> str | None:
        """Downgrade through every revision of the history down to ``dest_revision``."""
        stepper = self.command_executor.stepper
        if current is None:
            heads = stepper.walk(
                "downgrade",
                lambda found: self._downgrade_targets(dest_revision, _current_of(found)),
            )
        else:
            heads = stepper.walk("downgrade", self._downgrade_targets(dest_revision, current))
        return _current_of(heads) if return_current else None

    def migrate_up_before(self, revision: str) -> str | None:
        """Upgrade to the revision before ``revision``."""
        return self.managed_upgrade(self.history.previous_revision(revision))

    def migrate_up_to(
        self, revision: str, *, current: str | None = None, return_current: bool = True
    ) -> str | None:
        """Upgrade to ``revision`` (``heads`` for the whole history)."""
        return self.managed_upgrade(revision, current=current, return_current=return_current)

    def migrate_up_one(self) -> str | None:
        """Upgrade by one revision of the history; the revision reached, or None at the end."""
        reached: dict[str, str] = {}

        def one(found: tuple[str, ...]) -> list[str]:
            start = _current_of(found)
            reached["start"] = start
            return self._upgrade_targets(self.history.next_revision(start), start)

        new = _current_of(self.command_executor.stepper.walk("upgrade", one))
        return None if new == reached.get("start") else new

    def migrate_down_before(self, revision: str) -> str | None:
        """Downgrade to the revision after ``revision``."""
        return self.migrate_down_to(self.history.next_revision(revision))

    def migrate_down_to(
        self, revision: str | None, *, current: str | None = None, return_current: bool = True
    ) -> str | None:
        """Downgrade to ``revision`` (``base`` for the whole history); returns ``revision``."""
        self.history.validate_revision(revision)
        self.managed_downgrade(revision, current=current, return_current=return_current)
        return revision

    def migrate_down_one(self) -> str | None:
        """Downgrade by one revision of the history; the revision below."""
        reached: dict[str, str | None] = {}

        def one(found: tuple[str, ...]) -> list[str]:
            start = _current_of(found)
            below = self.history.previous_revision(start)
            reached["below"] = below
            return self._downgrade_targets(below, start)

        self.command_executor.stepper.walk("downgrade", one)
        return reached.get("below")

    def roundtrip_next_revision(self) -> str | None:
        """Upgrade one revision, downgrade it, upgrade it again; the revision, or None at the
        end of the history."""
        next_revision = self.migrate_up_one()
        if next_revision:
            self.migrate_down_one()
            return self.migrate_up_one()
        return None

    def set_revision(self, revision: str) -> None:
        """Record ``revision`` in the version table without running anything."""
        self.command_executor.stamp(revision)

    # ------------------------------------------------------------------ rows

    def insert_into(self, table: str | None, data: Any = None, revision: str | None = None) -> None:
        """Insert ``data`` (a row or a list of rows; ``__tablename__`` may name the table)
        into ``table`` as it is at ``revision`` (the current one by default)."""
        if data is None:
            return
        if revision is None:
            revision = self.current
        self.connection_executor.table_insert(revision=revision, tablename=table, data=data)

    def table_at_revision(
        self, name: str, *, revision: str | None = None, schema: str | None = None
    ) -> Any:
        """Table ``name`` reflected from the database, as it is at ``revision``."""
        revision = revision or self.current
        return self.connection_executor.table(revision=revision, name=name, schema=schema)


class RevisionSuccess(Exception):  # noqa: N818 - pytest-alembic's name
    """Raised after a revision's directives were made, so that no file is written."""

    @classmethod
    def process_revision_directives(cls, fn: Callable[..., None]) -> Callable[..., None]:
        """``fn`` followed by raising this exception."""

        @functools.wraps(fn)
        def stop(context: Any, revision: Any, directives: Any) -> None:
            fn(context, revision, directives)
            raise cls

        return stop


def _sequence_directives(*directives: Callable[..., None] | None) -> Callable[..., None]:
    def run_all(*args: Any, **kwargs: Any) -> None:
        for directive in directives:
            if directive:
                directive(*args, **kwargs)

    return run_all

