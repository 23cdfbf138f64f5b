"""The transactions of one migration context: around the run or each step, and blocks outside any.

:class:`MigrationTransactions` decides when ``begin_transaction`` really begins (transactional DDL
or not, one transaction per run or per migration, a transaction the caller already began), writes
``BEGIN``/``COMMIT`` offline, runs ``autocommit_block`` bodies outside any transaction, and commits
version-table housekeeping that no migration transaction will.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from ..util.exc import CommandError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..ddl.impl import DefaultImpl

__all__ = ["MigrationTransactions"]


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
        self.current = self.connection.begin()
        if self.impl.transactional_ddl:
            self.impl.on_transaction_begin(self.connection)
        return _ProxyTransaction(self)

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
        if had_transaction:
            self.current.commit()
            self.current = None
        elif self.connection.in_transaction():
            self.connection.commit()
        previous_level = self.connection.get_isolation_level()
        self.connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield
        finally:
            if self.connection.in_transaction():
                self.connection.commit()
            self.connection.execution_options(isolation_level=previous_level)
            if had_transaction:
                self.current = self.connection.begin()
                if self.impl.transactional_ddl:
                    self.impl.on_transaction_begin(self.connection)

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

    def is_open(self) -> bool:
        """Whether a transaction :meth:`begin` began is open and active."""
        return self.current is not None and bool(self.current.is_active)


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

    def commit(self) -> None:
        """Commit the transaction."""
        self._proxied.commit()
        self.transactions.current = None

    def __enter__(self) -> _ProxyTransaction:
        return self

    def __exit__(self, type_: Any, value: Any, traceback: Any) -> None:
        transaction = self.transactions.current
        if transaction is not None:
            transaction.__exit__(type_, value, traceback)
            self.transactions.current = None
