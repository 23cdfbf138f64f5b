"""``Rewriter``: per-op-class rewrite functions, usable as ``process_revision_directives``.

::

    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column(context, revision, op):
        return [op, ops.AlterColumnOp(...)]      # or one op, or [] to drop it

    context.configure(..., process_revision_directives=writer)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..operations.ops import MigrateOperation, MigrationScript, OpContainer

RewriteFn = Callable[[Any, Any, Any], Any]


class Rewriter:
    """Rewrites the operations of generated revisions, one op class at a time."""

    def __init__(self) -> None:
        self._by_class: dict[type, RewriteFn] = {}
        self._chained: Rewriter | None = None

    def rewrites(self, operator: type) -> Callable[[RewriteFn], RewriteFn]:
        """Decorator: ``fn(context, revision, op)`` rewrites every ``operator`` instance; it
        returns an op, a list of ops (empty to remove it)."""

        def decorate(fn: RewriteFn) -> RewriteFn:
            self._by_class[operator] = fn
            return fn

        return decorate

    def chain(self, other: Rewriter) -> Rewriter:
        """A rewriter running this one, then ``other``."""
        chained = Rewriter()
        chained._by_class = dict(self._by_class)
        chained._chained = _Then(self, other)  # type: ignore[assignment]
        return chained

    def __call__(self, context: Any, revision: Any, directives: Sequence[Any]) -> None:
        if self._chained is not None:
            self._chained(context, revision, directives)
            return
        for directive in directives:
            self._rewrite_directive(context, revision, directive)

    def _rewrite_directive(self, context: Any, revision: Any, directive: Any) -> None:
        if isinstance(directive, MigrationScript):
            for container in directive.upgrade_ops_list + directive.downgrade_ops_list:
                self._rewrite_container(context, revision, container)
        elif isinstance(directive, OpContainer):
            self._rewrite_container(context, revision, directive)

    def _rewrite_container(self, context: Any, revision: Any, container: OpContainer) -> None:
        new_ops: list[MigrateOperation] = []
        for op in container.ops:
            for result in self._rewrite_op(context, revision, op):
                if isinstance(result, OpContainer):
                    self._rewrite_container(context, revision, result)
                new_ops.append(result)
        container.ops = new_ops

    def _rewrite_op(self, context: Any, revision: Any, op: MigrateOperation) -> list[Any]:
        fn = next((self._by_class[c] for c in type(op).__mro__ if c in self._by_class), None)
        if fn is None:
            return [op]
        result = fn(context, revision, op)
        if result is None:
            return []
        return list(result) if isinstance(result, (list, tuple)) else [result]


class _Then:
    def __init__(self, first: Rewriter, second: Rewriter) -> None:
        self.first = first
        self.second = second

    def __call__(self, context: Any, revision: Any, directives: Sequence[Any]) -> None:
        self.first(context, revision, directives)
        self.second(context, revision, directives)
