"""The migration lock's statements, per database: what every database shares, and the lookup.

The runtime's lock (``runtime/lock/``) decides when the lock is taken, waited for and released;
this module and one ``ddl/<dialect>_lock.py`` per database say how each database spells it: a
named lock held by a session (PostgreSQL advisory lock, MySQL/MariaDB ``GET_LOCK``, SQL Server
``sp_getapplock``, Oracle ``DBMS_LOCK``), the query that says who holds it, the database clock a
lease row is timed by, the statements that bound how long a migration's statements wait
(``lock_timeout``), and which errors those timeouts raise.

:func:`lock_sql_for` gives the :class:`LockSQL` of a dialect; a third-party dialect registers one
by subclassing :class:`LockSQL` with its name in ``dialect_names``.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

__all__ = ["LockSQL", "TimeoutSettings", "lock_sql_for", "error_chain", "key_digest"]

#: Built-in dialect name -> module holding its LockSQL (imported on first use).
_BUILTIN_MODULES = {
    "postgresql": "postgresql_lock",
    "mysql": "mysql_lock",
    "mariadb": "mysql_lock",
    "sqlite": "sqlite_lock",
    "mssql": "mssql_lock",
    "oracle": "oracle_lock",
}


class TimeoutSettings:
    """How long a migration's statements may wait: ``lock_timeout`` (for a lock on a table or
    row) and ``statement_timeout`` (for the whole statement), in seconds; None when unset."""

    __slots__ = ("lock_timeout", "statement_timeout")

    def __init__(self, lock_timeout: float | None, statement_timeout: float | None) -> None:
        self.lock_timeout = lock_timeout
        self.statement_timeout = statement_timeout


class LockSQL:
    """How one database spells the migration lock; this generic one has no named lock.

    ``timeout_scope`` says where timeout settings live: ``"transaction"`` (set per transaction
    and gone with it: PostgreSQL's ``SET LOCAL``), ``"session"`` (set for the connection and
    restored afterwards: MySQL/MariaDB), or None (not supported).
    """

    dialect_names: ClassVar[tuple[str, ...]] = ()
    #: Whether the database has a named lock owned by a session (released when it ends).
    has_session_lock: ClassVar[bool] = False
    #: Whether the database is a file (SQLite): processes lock a file beside it instead.
    file_database: ClassVar[bool] = False
    #: Where the timeout settings of a migration's statements live (see the class docstring).
    timeout_scope: ClassVar[str | None] = None
    #: SQL for the database clock in seconds since 1970 (a lease row's clock), or None.
    epoch_now_sql: ClassVar[str | None] = None
    #: What the lock is called in messages.
    lock_kind: ClassVar[str] = "lock"

    _registry: ClassVar[dict[str, type[LockSQL]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        for name in cls.__dict__.get("dialect_names", ()):
            LockSQL._registry[name] = cls

    def __init__(self, dialect: Dialect | None = None) -> None:
        self.dialect = dialect

    # ------------------------------------------------------------------ the named lock

    def lock_key(self, database: str | None, schema: str | None, table: str) -> Any:
        """The lock's key for the version table ``schema.table`` of ``database``."""
        raise NotImplementedError(f"{type(self).__name__} has no named lock")

    def try_lock(self, connection: Connection, key: Any) -> bool:
        """Take the lock on ``connection``'s session without waiting; True when taken."""
        raise NotImplementedError(f"{type(self).__name__} has no named lock")

    def unlock(self, connection: Connection, key: Any) -> bool | None:
        """Release the lock that ``connection``'s session holds; False when it held none
        (None: the database does not say)."""
        raise NotImplementedError(f"{type(self).__name__} has no named lock")

    def describe_holder(self, connection: Connection, key: Any) -> str | None:
        """Who holds the lock, as far as the database can tell (None: nobody, or unknown)."""
        return None

    def grant_hint(self, user: str) -> str:
        """What gives ``user`` the right to take the lock."""
        return f"grant {user} the right to take it"

    def session_lock_unsafe(
        self, connection: Connection, open_connection: Callable[[], Connection]
    ) -> bool:
        """Whether a session lock taken on ``connection`` may not stay with it: a pooler in
        between hands server sessions out per transaction. ``open_connection`` opens another
        connection to the same database, for a probe."""
        return False

    # ------------------------------------------------------------------ statement timeouts

    @property
    def supports_statement_timeout(self) -> bool:
        """Whether ``statement_timeout`` has a setting here (``lock_timeout`` does wherever
        :attr:`timeout_scope` is set)."""
        return self.timeout_scope is not None

    def timeout_statements(self, settings: TimeoutSettings, *, local: bool) -> list[str]:
        """The statements that set ``settings`` (``local``: for the current transaction only)."""
        return []

    def current_timeouts(self, connection: Connection) -> list[str]:
        """The statements that would set the timeouts back to what ``connection`` has now."""
        return []

    def timeout_kind(self, err: BaseException) -> str | None:
        """``"lock_timeout"`` or ``"statement_timeout"`` when ``err`` is that timeout firing."""
        return None

    def is_permission_error(self, err: BaseException) -> bool:
        """Whether ``err`` says the database user may not do what was asked."""
        return False

    # ------------------------------------------------------------------ file databases

    def database_file(self, connection: Connection, schema: str | None) -> str | None:
        """The file the database (``schema``'s, for SQLite) lives in; None for a server."""
        return None

    def busy_timeout_ms(self, connection: Connection) -> int | None:
        """How long a write waits for another writer's lock, in milliseconds (file databases;
        None where there is no such setting)."""
        return None

    def set_busy_timeout_sql(self, milliseconds: int) -> str | None:
        """The statement that sets :meth:`busy_timeout_ms`, or None."""
        return None


def lock_sql_for(dialect: Dialect) -> LockSQL:
    """The :class:`LockSQL` registered for ``dialect`` (the generic one for an unknown name)."""
    name = dialect.name
    if name not in LockSQL._registry and name in _BUILTIN_MODULES:
        importlib.import_module(f"{__package__}.{_BUILTIN_MODULES[name]}")
    return LockSQL._registry.get(name, LockSQL)(dialect)


def key_digest(*parts: str | None) -> bytes:
    """A digest of the parts that name a lock (the same in every process and Python version)."""
    text = "\0".join(["dbshift migration lock", *(part or "" for part in parts)])
    return hashlib.sha256(text.encode("utf-8")).digest()


def error_chain(err: BaseException) -> list[BaseException]:
    """``err``, the driver exception it wraps (``.orig``) and its causes, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [err]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend([getattr(item, "orig", None), item.__cause__, item.__context__])
    return seen
