"""The four built-in tests ``--test-alembic`` runs by default, under pytest-alembic's names.

A single head; an upgrade from base to the heads; the models matching what the migrations build
(autogenerate finds nothing); every revision down and up again. Each failure says which revision,
in which direction, and what the database said.
"""

from __future__ import annotations

import warnings
from typing import Any

from .failure import MigrationTestFailure, error_context
from .runner import MigrationContext
from .stepping import StepFailed

__all__ = [
    "NOT_IMPLEMENTED_WARNING",
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]

NOT_IMPLEMENTED_WARNING = (
    "The {revision} downgrade raised `NotImplementedError`, which short-circuited the downgrade "
    "operation and may have passed the test. If intended, and downgrades can not safely be "
    "performed below this migration, see 'minimum_downgrade_revision' configuration to avoid "
    "this warning."
)


def test_single_head_revision(alembic_runner: MigrationContext) -> None:
    """The history has exactly one head (two mean a merge revision is missing)."""
    heads = alembic_runner.heads
    if len(heads) != 1:
        raise MigrationTestFailure(
            f"Expected 1 head revision, found {len(heads)}",
            context=[("Heads", "\n".join(head.strip() for head in heads))],
        )


def test_upgrade(alembic_runner: MigrationContext) -> None:
    """The history runs from an empty database up to its heads."""
    try:
        alembic_runner.migrate_up_to("heads", return_current=False)
    except Exception as err:
        raise MigrationTestFailure(
            "Failed to upgrade to the head revision. This means the historical chain from an "
            "empty database, to the current revision is not possible.",
            context=_with_revision(err),
        ) from None


def test_model_definitions_match_ddl(alembic_runner: MigrationContext) -> None:
    """After an upgrade to the heads, autogenerate finds no difference with the models."""
    from ...autogenerate.context import AutogenContext
    from ...autogenerate.render import render_body

    def check_empty(context: Any, revision: Any, directives: Any) -> None:
        script = directives[0]
        if script.upgrade_ops.is_empty():
            return
        rendered = render_body(script.upgrade_ops, AutogenContext(context))
        raise MigrationTestFailure(
            "The models describing the DDL of your database are out of sync with the set of "
            "steps described in the revision history. This usually means that someone has "
            "made manual changes to the database's DDL, or some model has been changed "
            "without also generating a migration to describe that change.",
            context=[("The upgrade which would have been generated would look like", rendered)],
        )

    test_upgrade(alembic_runner)
    try:
        alembic_runner.generate_revision(
            message="test revision",
            autogenerate=True,
            prevent_file_generation=True,
            process_revision_directives=check_empty,
        )
    except MigrationTestFailure:
        raise
    except RuntimeError as err:
        if isinstance(err.__cause__, MigrationTestFailure):
            raise err.__cause__ from None
        raise


def test_up_down_consistency(alembic_runner: MigrationContext) -> None:
    """Every revision upgrades, downgrades and upgrades again, one at a time."""
    history = alembic_runner.history.revisions
    try:
        alembic_runner.managed_upgrade("heads", return_current=False)
    except Exception as err:
        raise MigrationTestFailure(
            "Failed to upgrade through each revision individually.",
            context=_with_revision(err),
        ) from None

    down_targets = list(reversed(history[:-1]))
    floor = alembic_runner.config.minimum_downgrade_revision
    # downgrades stop above minimum_downgrade_revision; the upgrades after them go back up
    # through the targets passed (the last target, base, needs no upgrade back)
    if floor is not None and floor in down_targets:
        reached = down_targets.index(floor)
        walked = down_targets[:reached]
    else:
        reached = max(len(down_targets) - 1, 0)
        walked = down_targets
    stepper = alembic_runner.command_executor.stepper
    try:
        stepper.walk("downgrade", walked)
    except StepFailed as failed:
        if not failed.not_implemented:
            raise MigrationTestFailure(
                "Failed to downgrade through each revision individually.",
                context=_with_revision(failed),
            ) from None
        reached = failed.target_index
        warnings.warn(NOT_IMPLEMENTED_WARNING.format(revision=failed.target), stacklevel=1)
        _downgrade_again(stepper, down_targets[:reached])
    except Exception as err:
        raise MigrationTestFailure(
            "Failed to downgrade through each revision individually.",
            context=_with_revision(err),
        ) from None

    try:
        stepper.walk("upgrade", list(reversed(down_targets[:reached])))
    except Exception as err:
        raise MigrationTestFailure(
            "Failed to upgrade through each revision individually after performing a "
            "roundtrip upgrade -> downgrade -> upgrade cycle.",
            context=_with_revision(err),
        ) from None


def _downgrade_again(stepper: Any, targets: list[str]) -> None:
    """After a downgrade that cannot be done (NotImplementedError), the database is taken to
    the last target reached before it (a run that rolled back as a whole undid them all)."""
    if not targets:
        return
    try:
        stepper.walk("downgrade", targets)
    except Exception as err:
        raise MigrationTestFailure(
            "Failed to downgrade through each revision individually.",
            context=_with_revision(err),
        ) from None


def _with_revision(err: BaseException) -> list[tuple[str, str]]:
    """pytest-alembic's ``Failing Revision`` block (the target being reached), then the error,
    the step and the SQL."""
    blocks = []
    if isinstance(err, StepFailed) and err.target:
        blocks.append(("Failing Revision", err.target))
    return blocks + error_context(err)
