"""Fixtures for runtime tests: tiny stand-ins for revision scripts and their graph."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from dbshift.runtime.steps import RevisionStep


class FakeRevision:
    """Just enough of ``dbshift.script.Script`` for a RevisionStep: id, parents, module, doc."""

    def __init__(
        self,
        revision: str,
        down: tuple[str, ...] = (),
        upgrade: Callable[..., Any] | None = None,
        downgrade: Callable[..., Any] | None = None,
        doc: str | None = None,
    ) -> None:
        self.revision = revision
        self.versioned_down_revisions = down
        self.normalized_down_revisions = down
        self.doc = doc
        self.path = f"versions/{revision}.py"
        self.module = types.SimpleNamespace(
            upgrade=upgrade or (lambda **kw: None), downgrade=downgrade or (lambda **kw: None)
        )


class FakeRevisionMap:
    """The lookups MigrationInfo makes on a revision map."""

    def __init__(self, revisions: Iterable[FakeRevision]) -> None:
        self.by_id = {r.revision: r for r in revisions}

    def get_revision(self, rev: str) -> FakeRevision:
        return self.by_id[rev]

    def get_revisions(self, revs: Iterable[str]) -> tuple[FakeRevision, ...]:
        return tuple(self.by_id[r] for r in revs)


def upgrade_chain(*revisions: FakeRevision) -> Callable[..., list[RevisionStep]]:
    """An ``fn`` for run_migrations: upgrade through ``revisions`` from where the heads are."""
    revision_map = FakeRevisionMap(revisions)

    def fn(heads: tuple[str, ...], context: Any) -> list[RevisionStep]:
        ids = [r.revision for r in revisions]
        start = max((ids.index(h) + 1 for h in heads if h in ids), default=0)
        return [RevisionStep(revision_map, r, True) for r in revisions[start:]]

    return fn


def downgrade_chain(*revisions: FakeRevision) -> Callable[..., list[RevisionStep]]:
    """An ``fn`` that runs the given revisions' downgrade() in the order given."""
    revision_map = FakeRevisionMap(revisions)

    def fn(heads: tuple[str, ...], context: Any) -> list[RevisionStep]:
        return [RevisionStep(revision_map, r, False) for r in revisions]

    return fn


@pytest.fixture
def fake_revision() -> type[FakeRevision]:
    return FakeRevision
