"""The transactions of one migration context: around the run or each step, and blocks outside any.

:class:`MigrationTransactions` decides when ``begin_transaction`` really begins (transactional DDL
or not, one transaction per run or per migration, a transaction the caller already began), writes
``BEGIN``/``COMMIT`` offline, runs ``autocommit_block`` bodies outside any transaction, and commits
version-table housekeeping that no migration transaction will. It also knows whether the unit of
work now running (the run's transaction, or the step's with ``transaction_per_migration``) can be
rolled back whole and run again, and tells observers (the run's statement timeouts) when a
transaction of its own begins and when an autocommit block starts and ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, Protocol

from ..util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..ddl.impl import DefaultImpl

__all__ = ["MigrationTransactions", "TransactionObserver"]


class TransactionObserver(Protocol):
    """What wants to know when the connection's transaction state changes (online only)."""

    def transaction_began(self, connection: Connection) -> None:
        """A transaction of :class:`MigrationTransactions` began on ``connection``."""

    def autocommit_started(self, connection: Connection) -> None:
        """``connection`` is now in autocommit mode, for the body of an autocommit block."""

    def autocommit_ending(self, connection: Connection) -> None:
        """The body of an autocommit block is done; ``connection`` is still in autocommit."""

    def transaction_ended(self, connection: Connection) -> None:
        """The transaction :meth:`MigrationTransactions.begin` handed out has committed or
        rolled back."""


class MigrationTransactions:
    """The transaction state of one context's connection (or offline script).

    ``before_leaving`` is called before ``autocommit_block`` commits the open transaction: the
    context writes the version rows it deferred there, so that the commit includes them.
    """

    def __init__(
        self,
        connection: Connection | None,
        impl: DefaultImpl,
        *,
        as_sql: bool,
        per_migration: bool,
        before_leaving: Callable[[], None],
    ) -> None:
        self.connection = connection
        self.impl = impl
        self.as_sql = as_sql
        #: ``transaction_per_migration``: one transaction per step instead of one per run.
        self.per_migration = per_migration
        self._before_leaving = before_leaving
        #: The transaction :meth:`begin` began on the connection, while it is open.
        self.current: Any = None
        #: True when the caller began a transaction before configuring: that one is theirs.
        self.external = bool(
            not as_sql and connection is not None and connection.in_transaction()
        )
        #: Told about transactions begun and autocommit blocks (see TransactionObserver).
        self.observers: list[TransactionObserver] = []
        # The unit of work now running (or the last one): whether a transaction begun here
        # holds it, and whether anything in it committed before its end.
        self._unit_ours = False
        self._unit_committed = False

    def begin(self, per_migration: bool = False) -> AbstractContextManager[Any]:
        """A logical transaction block (``MigrationContext.begin_transaction``).

        With transactional DDL: one real transaction around the whole run, or one per migration
        with ``transaction_per_migration``. Without it: one per migration online, none offline.
        Inside a transaction the caller already began on the connection, this does nothing.
        """
        if self.external:
            return nullcontext()
        if self.impl.transactional_ddl:
            transaction_now = per_migration == self.per_migration
        else:
            transaction_now = per_migration is True
        if not transaction_now:
            return nullcontext()
        if self.as_sql:
            if not self.impl.transactional_ddl:
                return nullcontext()
            return self._offline()
        if self.current is not None:
            return nullcontext()
        assert self.connection is not None
        if self.connection.in_transaction():
            # An autobegun transaction from our own inspection queries; end it first.
            self.connection.commit()
        self._begin_ours(new_unit=True)
        return _ProxyTransaction(self)

    def _begin_ours(self, *, new_unit: bool) -> None:
        assert self.connection is not None
        self.current = self.connection.begin()
        if self.impl.transactional_ddl:
            self.impl.on_transaction_begin(self.connection)
        if new_unit:
            self._unit_ours = True
            self._unit_committed = False
        for observer in list(self.observers):
            observer.transaction_began(self.connection)

    @contextmanager
    def _offline(self) -> Iterator[None]:
        self.impl.emit_begin()
        yield
        self.impl.emit_commit()

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run the block outside any transaction (``MigrationContext.autocommit_block``)."""
        had_transaction = self.current is not None
        if self.as_sql:
            if self.impl.transactional_ddl:
                self.impl.emit_commit()
            yield
            if self.impl.transactional_ddl:
                self.impl.emit_begin()
            return
        assert self.connection is not None
        self._before_leaving()
        self._unit_committed = True
        if had_transaction:
            self.current.commit()
            self.current = None
        elif self.connection.in_transaction():
            self.connection.commit()
        previous_level = self.connection.get_isolation_level()
        self.connection.execution_options(isolation_level="AUTOCOMMIT")
        for observer in list(self.observers):
            observer.autocommit_started(self.connection)
        try:
            yield
        finally:
            for observer in list(self.observers):
                observer.autocommit_ending(self.connection)
            if self.connection.in_transaction():
                self.connection.commit()
            self.connection.execution_options(isolation_level=previous_level)
            if had_transaction:
                self._begin_ours(new_unit=False)

    @contextmanager
    def housekeeping(self) -> Iterator[None]:
        """Commit what the block does (creating the version table, ...) unless a migration
        transaction (ours or the caller's) will."""
        assert self.connection is not None
        if self.as_sql or self.current is not None or self.external:
            yield
            return
        yield
        if self.connection.in_transaction():
            self.connection.commit()

    def ended(self) -> None:
        """The transaction handed out by :meth:`begin` has ended: tell the observers."""
        for observer in list(self.observers):
            observer.transaction_ended(self.connection)  # type: ignore[arg-type]

    def is_open(self) -> bool:
        """Whether a transaction :meth:`begin` began is open and active."""
        return self.current is not None and bool(self.current.is_active)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """End the open transaction (ours, or one autobegun by reads) for the block, and begin
        ours again afterwards: while the block waits (for the migration lock) the connection
        holds no snapshot and no lock, and reads after it see what others committed meanwhile.
        Only reads have run in that transaction yet. A transaction the caller began stays."""
        if self.as_sql or self.external or self.connection is None:
            yield
            return
        had_ours = self.current is not None
        if had_ours:
            self.current.commit()
            self.current = None
        elif self.connection.in_transaction():
            self.connection.commit()
        try:
            yield
        finally:
            if had_ours:
                self._begin_ours(new_unit=True)

    def note_commit(self) -> None:
        """The migration is about to commit by itself (``op.execute("COMMIT")``)."""
        self._unit_committed = True

    def unit_can_run_again(self) -> bool:
        """Whether the unit that just failed rolls back as a whole, so it can run again: a
        transaction begun here held it, the database's DDL is transactional, and nothing in it
        committed (no autocommit block, no ``COMMIT`` of the migration's own)."""
        if self.as_sql or self.external or not self._unit_ours or self._unit_committed:
            return False
        return bool(self.impl.transactional_ddl and type(self.impl).transactional_ddl)

    def restart_unit(self) -> None:
        """Before running the failed unit again: roll back the run's transaction (when the
        unit is the whole run) and begin a new one; a step's own transaction has already
        rolled back."""
        if self.current is not None:
            self.current.rollback()
            self.current = None
            self._begin_ours(new_unit=True)


class _ProxyTransaction:
    """A migration transaction that clears the record of it when it ends."""

    def __init__(self, transactions: MigrationTransactions) -> None:
        self.transactions = transactions

    @property
    def _proxied(self) -> Any:
        transaction = self.transactions.current
        if transaction is None:
            raise CommandError("This transaction was already committed or rolled back")
        return transaction

    def rollback(self) -> None:
        """Roll the transaction back."""
        self._proxied.rollback()
        self.transactions.current = None
        self.transactions.ended()

    def commit(self) -> None:
        """Commit the transaction."""
        self._proxied.commit()
        self.transactions.current = None
        self.transactions.ended()

    def __enter__(self) -> _ProxyTransaction:
        return self

    def __exit__(self, type_: Any, value: Any, traceback: Any) -> None:
        transaction = self.transactions.current
        if transaction is not None:
            transaction.__exit__(type_, value, traceback)
            self.transactions.current = None
            self.transactions.ended()
