"""``HeadMaintainer``: keeps the version table's rows (one per head) in step with migrations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, literal_column

from ..util.exc import CommandError

if TYPE_CHECKING:
    from .migration import MigrationContext
    from .steps import MigrationStep


# Revision ids that an offline template can take verbatim: the compiler would write them
# unchanged between the quotes (no quote to double, no percent sign to escape).
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.]*\Z")
_MARKS = ("__dbshift_version_a__", "__dbshift_version_b__")


class HeadMaintainer:
    """Applies each step's version-table change: INSERT, UPDATE, DELETE, merge or unmerge.

    Online, UPDATE and DELETE are built once with bound parameters, so SQLAlchemy compiles each
    of them once per run (its compiled cache hits for every later step). Offline, each is
    compiled once with marker literals and later statements are that text with the ids put in:
    the same SQL the literal construct compiles to, without compiling it per step.

    Inside one run-wide transaction the context may *defer* the writes (``update_to_step(...,
    defer=True)``): :attr:`heads` moves in memory and :meth:`flush` later writes the difference
    between the rows the table holds and :attr:`heads`.
    """

    def __init__(self, context: MigrationContext, heads: Any) -> None:
        self.context = context
        self.heads: set[str] = set(heads)
        self._online: dict[str, Any] = {}
        self._offline: dict[str, list[str]] = {}
        # While steps are deferred: the rows the table really holds (None: nothing deferred).
        self._stored: set[str] | None = None

    def _literal(self, value: str) -> Any:
        escaped = value.replace("'", "''")
        return literal_column(f"'{escaped}'")

    def _check_rowcount(self, result: Any, what: str) -> None:
        ctx = self.context
        if ctx.as_sql or result is None:
            return
        if ctx.dialect.supports_sane_rowcount and result.rowcount != 1:
            raise CommandError(
                f"Online migration expected to match one row when {what} in "
                f"'{ctx.version_table}'; {result.rowcount} found"
            )

    def _insert_version(self, version: str) -> None:
        assert version not in self.heads
        self.heads.add(version)
        if self._stored is not None:
            return
        table = self.context._version
        # Compiled as Alembic compiles it, so offline scripts are identical (on SQLite and
        # PostgreSQL, SQLAlchemy adds RETURNING of the primary key to this INSERT).
        self.context.impl._exec(table.insert().values(version_num=self._literal(version)))

    def _delete_construct(self, old: Any) -> Any:
        table = self.context._version
        return table.delete().where(table.c.version_num == old)

    def _update_construct(self, old: Any, new: Any) -> Any:
        table = self.context._version
        return table.update().values(version_num=new).where(table.c.version_num == old)

    def _run(self, kind: str, *versions: str) -> Any:
        """Execute the ``kind`` statement (``delete``: old; ``update``: old, new) for
        ``versions``: bound parameters online, a text template offline."""
        build = self._delete_construct if kind == "delete" else self._update_construct
        ctx = self.context
        impl = ctx.impl
        if not ctx.as_sql:
            construct = self._online.get(kind)
            if construct is None:
                construct = build(*(bindparam(f"v{i}") for i in range(len(versions))))
                self._online[kind] = construct
            return impl._exec(construct, params={f"v{i}": v for i, v in enumerate(versions)})
        if not all(_PLAIN_ID.match(v) for v in versions):
            return impl._exec(build(*(self._literal(v) for v in versions)))
        parts = self._offline.get(kind)
        if parts is None:
            marks = _MARKS[: len(versions)]
            text = impl.render_statement(build(*(self._literal(m) for m in marks)))
            parts = re.split("'(" + "|".join(marks) + ")'", text)
            if sorted(parts[1::2]) != sorted(marks):
                return impl._exec(build(*(self._literal(v) for v in versions)))
            self._offline[kind] = parts
        out = []
        for i, part in enumerate(parts):
            out.append(f"'{versions[_MARKS.index(part)]}'" if i % 2 else part)
        impl.static_output("".join(out) + impl.command_terminator)
        impl.after_offline_statement()
        return None

    def _delete_version(self, version: str) -> None:
        self.heads.remove(version)
        if self._stored is not None:
            return
        result = self._run("delete", version)
        self._check_rowcount(result, f"deleting '{version}'")

    def _update_version(self, from_: str, to_: str) -> None:
        assert to_ not in self.heads
        self.heads.remove(from_)
        self.heads.add(to_)
        if self._stored is not None:
            return
        result = self._run("update", from_, to_)
        self._check_rowcount(result, f"updating '{from_}' to '{to_}'")

    def update_to_step(self, step: MigrationStep, defer: bool = False) -> None:
        """Move the rows for ``step``; with ``defer``, only in memory until :meth:`flush`.

        Deferring is for a run inside one transaction on a database with transactional DDL:
        no one else can see the rows between two steps, so writing only the last state gives
        the same committed result (and the same rollback) with one statement instead of one
        per step. Without ``defer``, anything deferred is written first.
        """
        if defer:
            if self._stored is None:
                self._stored = set(self.heads)
        else:
            self.flush()
        for change in step.head_changes(set(self.heads)):  # type: ignore[attr-defined]
            kind = change[0]
            if kind == "insert":
                if change[1] not in self.heads:
                    self._insert_version(change[1])
            elif kind == "delete":
                if change[1] in self.heads:
                    self._delete_version(change[1])
            elif change[2] in self.heads:
                self._delete_version(change[1])
            else:
                self._update_version(change[1], change[2])

    @property
    def pending(self) -> bool:
        """True when deferred steps have moved heads the table does not show yet."""
        return self._stored is not None and self._stored != self.heads

    def flush(self) -> None:
        """Write what deferred steps changed: the table goes from the rows it holds to
        :attr:`heads` (an UPDATE per replaced row, DELETE and INSERT for the rest)."""
        stored = self._stored
        if stored is None:
            return
        self._stored = None
        gone = sorted(stored - self.heads)
        new = sorted(self.heads - stored)
        heads = self.heads
        # Replayed through the per-step helpers (rowcount checks included) from the stored rows;
        # they end at ``heads`` again.
        self.heads = set(stored)
        try:
            while gone and new:
                self._update_version(gone.pop(), new.pop())
            for version in gone:
                self._delete_version(version)
            for version in new:
                self._insert_version(version)
        finally:
            self.heads = heads
