"""The experimental ``downgrade_leaves_no_trace`` test: each downgrade undoes its upgrade.

For every revision, from the database one step below it: the schema after the upgrade is
reflected (then rolled back); autogenerate's view of what that upgrade changes is compared with
its view after the upgrade and the downgrade both ran. A difference is something the downgrade
leaves behind; the failure shows both and what differs. Everything happens inside savepoints of
one connection that are rolled back, so the database walks up one revision at a time unchanged.
"""

from __future__ import annotations

import contextlib
import difflib
import warnings
from collections.abc import Iterator
from typing import Any

from sqlalchemy import MetaData

from .default_tests import NOT_IMPLEMENTED_WARNING
from .failure import MigrationTestFailure, error_context
from .history import BASE
from .runner import MigrationContext
from .stepping import StepFailed, Stepper

__all__ = ["test_downgrade_leaves_no_trace"]


def test_downgrade_leaves_no_trace(alembic_runner: MigrationContext) -> None:
    """After each revision's upgrade and downgrade, autogenerate sees the schema it saw before
    the upgrade."""
    alembic_runner.connection_executor.run_task(_walk_history, alembic_runner=alembic_runner)


class _SameConnection:
    """An open connection handed to ``env.py`` as if it were an engine: ``connect()`` gives
    the same connection back, so every run stays inside this test's savepoints."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @contextlib.contextmanager
    def connect(self) -> Iterator[Any]:
        yield self.connection

    def begin(self) -> Any:
        return contextlib.nullcontext(self.connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def _walk_history(connection: Any, alembic_runner: MigrationContext) -> None:
    executor = alembic_runner.command_executor
    config = _copy_config(executor.alembic_config)
    config.attributes["connection"] = _SameConnection(connection)
    stepper = Stepper(
        config, executor.script, alembic_runner.revision_data, alembic_runner.config.skip_revisions
    )
    stepper.writer = alembic_runner.connection_executor.writer
    history = alembic_runner.history
    revisions = history.revisions[:-1]
    if len(revisions) == 1:
        return
    check = _check_cycle if _rolls_back_ddl(connection) else _check_cycle_committed
    floor = alembic_runner.config.minimum_downgrade_revision
    below_floor = floor is not None
    current = BASE
    for revision in revisions:
        if below_floor and revision == floor:
            below_floor = False
        elif not below_floor:
            check(stepper, connection, history, current)
        if revision != BASE:
            stepper.walk("upgrade", [revision])
            current = revision


def _copy_config(config: Any) -> Any:
    """A configuration like ``config`` whose attributes can change without touching it."""
    import copy

    duplicate = copy.copy(config)
    duplicate.attributes = dict(config.attributes)
    return duplicate


def _check_cycle(stepper: Stepper, connection: Any, history: Any, current: str) -> None:
    from ...autogenerate import produce_migrations, render_python_code
    from ...runtime.migration import MigrationContext as DatabaseContext

    upper = history.next_revision(current)
    if upper is None:
        return
    context = DatabaseContext.configure(connection)
    with _rolled_back(connection):
        _move(stepper, "upgrade", upper, current)
        upgraded = MetaData()
        upgraded.reflect(connection)
    with _rolled_back(connection):
        before = render_python_code(produce_migrations(context, upgraded).upgrade_ops)
        _move(stepper, "upgrade", upper, current)
        if not _undo_upgrade(stepper, upper, current):
            return
        after = render_python_code(produce_migrations(context, upgraded).upgrade_ops)
    if before != after:
        left = _left_behind(before, after)
        raise MigrationTestFailure(
            f"There is a difference between the pre-'{upper}'-upgrade `MetaData`, and the "
            f"post-'{upper}'-downgrade `MetaData`. This implies that the upgrade performs some "
            "set of DDL changes which the downgrade does not precisely undo.",
            context=[
                (f"DDL diff for {current} -> {upper}", before),
                (f"DDL diff after performing the {upper} -> {current} downgrade", after),
                ("What the downgrade leaves behind (autogenerate before vs after)", left),
            ],
        )


def _undo_upgrade(stepper: Stepper, upper: str, current: str) -> bool:
    """Run the downgrade of the upgrade just made; ``False`` (after a warning) when the revision
    has no downgrade, a failure naming the revision when it fails."""
    try:
        stepper.undo(stepper.last_steps)
    except StepFailed as failed:
        if failed.not_implemented:
            warnings.warn(NOT_IMPLEMENTED_WARNING.format(revision=upper), stacklevel=1)
            return False
        raise MigrationTestFailure(
            f"The downgrade of {upper} to {current} failed.",
            context=[("Failing Revision", upper), *error_context(failed)],
        ) from None
    return True


def _left_behind(before: str, after: str) -> str:
    """What differs between autogenerate's view before the upgrade and after the downgrade."""
    return "\n".join(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), "before upgrade", "after downgrade",
            lineterm="",
        )
    )


def _rolls_back_ddl(connection: Any) -> bool:
    """Whether the database can roll DDL back (a savepoint undoes an upgrade)."""
    from ...ddl.impl import DefaultImpl

    return bool(DefaultImpl.get_by_dialect(connection.dialect).transactional_ddl)


def _check_cycle_committed(stepper: Stepper, connection: Any, history: Any, current: str) -> None:
    """The check where DDL commits by itself (MySQL, MariaDB): no savepoint can take the
    schema back, so the schema before the upgrade is reflected and autogenerate's view of it is
    compared before the upgrade and after the upgrade and the downgrade (pytest-alembic's
    savepoints leave the upgraded tables behind there, and the next revision then fails)."""
    from ...autogenerate import produce_migrations, render_python_code
    from ...runtime.migration import MigrationContext as DatabaseContext

    upper = history.next_revision(current)
    if upper is None or upper == "heads":
        return
    context = DatabaseContext.configure(connection)
    original = MetaData()
    original.reflect(connection)
    before = render_python_code(produce_migrations(context, original).upgrade_ops)
    _move(stepper, "upgrade", upper, current)
    if not _undo_upgrade(stepper, upper, current):
        stepper.walk("upgrade", [upper])
        return
    after = render_python_code(produce_migrations(context, original).upgrade_ops)
    if before != after:
        left = _left_behind(before, after)
        raise MigrationTestFailure(
            f"There is a difference between the pre-'{upper}'-upgrade schema and the "
            f"post-'{upper}'-downgrade schema. This implies that the upgrade performs some set "
            "of DDL changes which the downgrade does not precisely undo.",
            context=[
                (f"Autogenerate against the schema before {upper}, before the upgrade", before),
                (f"The same after the {upper} -> {current} downgrade", after),
                ("What the downgrade leaves behind (autogenerate before vs after)", left),
            ],
        )


def _move(stepper: Stepper, direction: str, target: str, below: str) -> None:
    try:
        stepper.walk(direction, [target])
    except StepFailed as failed:
        raise MigrationTestFailure(
            f"The upgrade of {below} to {target} failed.",
            context=[("Failing Revision", target), *error_context(failed)],
        ) from None


@contextlib.contextmanager
def _rolled_back(connection: Any) -> Iterator[None]:
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
