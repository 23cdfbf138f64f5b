"""Moving the test database through the history: many steps in one run of ``env.py``.

pytest-alembic runs ``env.py`` (and plans from scratch) once per revision, and once more each
time it asks where the database is. Here a walk through any number of history targets is one run
of ``env.py``: its step planner gets the heads the database holds, plans each target in turn from
the cached revision graph (as separate runs would, one after the other), and the runtime calls
back before and after every step, which is where seed rows are written and where a failure is
pinned to its revision and direction.

When such a run fails on a database that rolled all of it back, the walk is done again one
target per run, as pytest-alembic does it: a failure that only shows when steps share one
transaction (PostgreSQL's enum values, for one) is then judged as pytest-alembic judges it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...command.project import run_env
from ...util.exc import CommandError
from .seed_data import RevisionData, TableWriter

__all__ = ["StepFailed", "Stepper"]

#: dbshift's migration lock is for deployments; a test database has one user.
_NO_LOCK = {"migration_lock": False}


class StepFailed(Exception):
    """A walk stopped: ``cause`` is the error; ``target`` the history target being reached
    (``target_index`` its place in the walk); ``step_text`` the step that ran, if any."""

    def __init__(
        self,
        cause: BaseException,
        direction: str,
        target: str | None,
        target_index: int,
        step_text: str | None,
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.direction = direction
        self.target = target
        self.target_index = target_index
        self.step_text = step_text

    @property
    def not_implemented(self) -> bool:
        """True when the step raised NotImplementedError (a downgrade that cannot be done)."""
        seen: BaseException | None = self.cause
        while seen is not None:
            if isinstance(seen, NotImplementedError):
                return True
            seen = seen.__cause__
        return False


@dataclass
class _Walk:
    """One run's bookkeeping: the planned steps (with the target each reaches) and where the
    run is."""

    direction: str
    targets: Sequence[str]
    #: Makes ``targets`` from the heads the database holds when the run starts.
    compute: Callable[[tuple[str, ...]], list[str]] | None = None
    connection: Any = None
    start_heads: tuple[str, ...] = ()
    planned: list[tuple[int, Any]] = field(default_factory=list)
    end_heads: tuple[str, ...] = ()
    running: int = -1
    planning_target: int = 0


class Stepper:
    """Runs walks through the history against one project and one database.

    ``config`` is the project configuration (its ``attributes["connection"]`` is what
    ``env.py`` connects with), ``script`` the project's script directory, built once.
    """

    def __init__(
        self,
        config: Any,
        script: Any,
        revision_data: RevisionData,
        skip_revisions: Sequence[str] | None = None,
    ) -> None:
        self.config = config
        self.script = script
        self.revision_data = revision_data
        self.skip_revisions = frozenset(skip_revisions or ())
        self.writer = TableWriter()
        self._one_line: bool | None = None
        self._positions: dict[str, int] = {}
        #: The steps of the last walk that succeeded.
        self.last_steps: list[Any] = []

    # ------------------------------------------------------------------ reading

    def read_heads(self) -> tuple[str, ...]:
        """The revisions the version table records (``env.py`` run, nothing changed)."""
        found: list[tuple[str, ...]] = []

        def look(heads: Sequence[str], context: Any) -> list[Any]:
            found.append(tuple(heads))
            return []

        run_env(self.config, self.script, fn=look, dont_mutate=True, lock_options=_NO_LOCK)
        return found[-1] if found else ()

    # ------------------------------------------------------------------ moving

    def walk(
        self,
        direction: str,
        targets: Sequence[str] | Callable[[tuple[str, ...]], list[str]],
    ) -> tuple[str, ...]:
        """Reach each of ``targets`` in turn (``upgrade`` or ``downgrade``); the heads at the
        end. ``targets`` may be a function of the heads the database holds when the run starts
        (so that no separate run is needed to read them). :class:`StepFailed` names the target
        and step a failure happened at."""
        if callable(targets):
            walk = _Walk(direction, [], targets)
        else:
            walk = _Walk(direction, list(targets))
            if not walk.targets:
                return self.read_heads()
        try:
            self._run(walk)
        except StepFailed as failed:
            if failed.target_index == 0 or walk.running < 0:
                raise
            if set(self.read_heads()) != set(walk.start_heads):
                raise  # steps before the failure stayed (no transactional DDL): as it is
            for index, target in enumerate(walk.targets):
                try:
                    self._run(_Walk(direction, [target]))
                except StepFailed as single:
                    single.target_index = index
                    raise single from None
            self.last_steps = []
            return self.read_heads()
        self.last_steps = [step for _, step in walk.planned]
        return walk.end_heads

    def undo(self, steps: Sequence[Any]) -> None:
        """Run the downgrades of ``steps`` (upgrade steps a walk ran), newest first: the exact
        inverse of that walk, also where the history has branches (a downgrade to the
        revision before it in the flattened history would undo other branches too)."""
        from ...runtime.steps import RevisionStep

        inverse = [
            RevisionStep(self.script.revision_map, step.revision, False)
            for step in reversed(steps)
        ]
        walk = _Walk("downgrade", [str(getattr(s.revision, "revision", "")) for s in steps])

        def plan(heads: Sequence[str], context: Any) -> list[Any]:
            walk.connection = context.connection
            walk.start_heads = tuple(heads)
            walk.planned = [(0, step) for step in inverse]
            return inverse

        def started(step: Any) -> None:
            walk.running += 1

        try:
            run_env(
                self.config, self.script, fn=plan, on_step_start=started,
                lock_options=_NO_LOCK,
            )
        except Exception as err:
            raise self._failure(walk, err) from err

    def stamp(self, revision: str) -> None:
        """Set the version table to ``revision`` without running anything."""
        from ...runtime.steps import stamp_steps

        def plan(heads: Sequence[str], context: Any) -> list[Any]:
            return stamp_steps(self.script, [revision], heads)  # type: ignore[return-value]

        run_env(
            self.config, self.script, fn=plan, destination_rev=(revision,),
            lock_options=_NO_LOCK,
        )

    def _run(self, walk: _Walk) -> None:
        def plan(heads: Sequence[str], context: Any) -> list[Any]:
            walk.connection = context.connection
            walk.start_heads = tuple(heads)
            if walk.compute is not None:
                walk.targets = walk.compute(walk.start_heads)
            walk.planned = self._plan(walk, heads)
            walk.running = -1
            return [step for _, step in walk.planned]

        def started(step: Any) -> None:
            walk.running += 1
            if step.is_upgrade and not self.revision_data.empty:
                revision = step.revision.revision
                rows = self.revision_data.get_before(revision)
                if rows:
                    below = step.from_revisions[0] if step.from_revisions else "base"
                    self._insert(walk, below, rows)

        def finished(step: Any, elapsed: float) -> None:
            if step.is_upgrade and not self.revision_data.empty:
                revision = step.revision.revision
                rows = self.revision_data.get_at(revision)
                if rows:
                    self._insert(walk, revision, rows)

        try:
            run_env(
                self.config,
                self.script,
                fn=plan,
                destination_rev=_destination(walk),
                on_step_start=started,
                on_step_done=finished,
                lock_options=_NO_LOCK,
            )
        except Exception as err:
            raise self._failure(walk, err) from err

    def _plan(self, walk: _Walk, heads: Sequence[str]) -> list[tuple[int, Any]]:
        """Every step of the walk from ``heads``: each target planned from the heads the
        previous ones leave (a downgrade target that is not below them is passed over, as
        pytest-alembic passes over Alembic's refusal)."""
        from ...runtime.steps import downgrade_steps, upgrade_steps

        planner = upgrade_steps if walk.direction == "upgrade" else downgrade_steps
        if self._is_one_line():
            try:
                return self._plan_on_one_line(walk, heads, planner)
            except Exception:
                pass  # planned again target by target, which names the target that fails
        current = set(heads)
        planned: list[tuple[int, Any]] = []
        for index, target in enumerate(walk.targets):
            walk.planning_target = index
            try:
                steps = planner(self.script, target, tuple(current))
            except CommandError as err:
                if walk.direction == "downgrade" and "not a valid downgrade target" in str(err):
                    continue
                raise
            for step in steps:
                if self._skipped(step):
                    step.migration_fn = _skip
                current = _apply(step.head_changes(current), current)
                planned.append((index, step))
        walk.end_heads = tuple(sorted(current))
        return planned

    def _is_one_line(self) -> bool:
        """Whether the history is one line of revisions (no branch, merge or dependency):
        then reaching each target in turn takes the steps of reaching the last one."""
        if self._one_line is None:
            revisions = list(self.script.revision_map.iterate_revisions("heads", "base"))
            self._one_line = all(
                not rev.is_branch_point and len(rev.normalized_down_revisions) <= 1
                for rev in revisions
            )
            self._positions = {rev.revision: -i for i, rev in enumerate(revisions)}
        return self._one_line

    def _plan_on_one_line(
        self, walk: _Walk, heads: Sequence[str], planner: Callable[..., list[Any]]
    ) -> list[tuple[int, Any]]:
        """The walk's steps on a one-line history: one plan to the farthest target, each step
        credited to the first target it is needed for (planning every target anew would take
        time growing with the square of the history's length)."""
        up = walk.direction == "upgrade"
        positions = self._positions
        top, bottom = max(positions.values(), default=0) + 1, min(positions.values(), default=0) - 1

        def position(target: str) -> int:
            if target in ("heads", "head"):
                return top
            if target == "base":
                return bottom
            return positions.get(target, positions.get(str(target), bottom))

        targets = [position(t) for t in walk.targets]
        if not targets:
            walk.end_heads = tuple(sorted(heads))
            return []
        farthest = max(range(len(targets)), key=lambda i: targets[i] if up else -targets[i])
        walk.planning_target = farthest
        try:
            steps = planner(self.script, walk.targets[farthest], tuple(heads))
        except CommandError as err:
            if not up and "not a valid downgrade target" in str(err):
                steps = []
            else:
                raise
        current = set(heads)
        planned: list[tuple[int, Any]] = []
        index = 0
        for step in steps:
            rev = position(step.revision.revision)
            # steps come in the walk's order, so the target they serve only moves forward
            # (targets out of order: search them all from the start)
            if index and not _serves(up, targets[index - 1], rev):
                index = 0
            while index < farthest and not _serves(up, targets[index], rev):
                index += 1
            if self._skipped(step):
                step.migration_fn = _skip
            current = _apply(step.head_changes(current), current)
            planned.append((index, step))
        walk.end_heads = tuple(sorted(current))
        return planned

    def _skipped(self, step: Any) -> bool:
        if not self.skip_revisions:
            return False
        return step.revision.revision in self.skip_revisions

    def _insert(self, walk: _Walk, revision: str, rows: list[dict[str, Any]]) -> None:
        connection = walk.connection
        outside = not connection.in_transaction()
        self.writer.insert(connection, revision, rows)
        if outside:
            connection.commit()

    def _failure(self, walk: _Walk, err: BaseException) -> StepFailed:
        if isinstance(err, StepFailed):
            return err
        if 0 <= walk.running < len(walk.planned):
            index, step = walk.planned[walk.running]
            text = str(step)
        elif walk.running < 0 and walk.planned == [] and walk.connection is not None:
            index, text = walk.planning_target, None
        else:
            index, text = 0, None
        target = walk.targets[index] if walk.targets else None
        return StepFailed(err, walk.direction, target, index, text)


def _destination(walk: _Walk) -> str:
    """The revision argument ``env.py`` sees: the walk's last target (when the targets are
    computed in the run, the end of the history in its direction)."""
    if walk.targets:
        return walk.targets[-1]
    return "heads" if walk.direction == "upgrade" else "base"


def _serves(up: bool, target: int, revision: int) -> bool:
    """Whether reaching the target at position ``target`` runs the revision at ``revision``."""
    return target >= revision if up else target < revision


def _skip(**kw: Any) -> None:
    """The migration function of a revision listed in ``skip_revisions``: nothing runs, the
    version table moves."""


def _apply(changes: list[tuple[str, ...]], heads: set[str]) -> set[str]:
    """``heads`` after a step's version-table changes."""
    from ...runtime.steps import heads_after

    return heads_after(changes, heads)
