"""``op.run_async``: run an async callable on the migration's own connection and transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .running_migration import RunningMigration


def run_async(
    migration_context: RunningMigration,
    async_function: Callable[..., Any],
    *args: Any,
    **kw_args: Any,
) -> Any:
    """Call ``await async_function(AsyncConnection, *args, **kw_args)`` from sync migration code.

    The migration must be running on an async driver's connection (the ``async`` template's env.py
    runs migrations through ``AsyncConnection.run_sync``, which makes that so).
    """
    bind = migration_context.impl.connection
    if bind is None or migration_context.as_sql:
        raise NotImplementedError(
            "run_async needs a database connection; it cannot run in offline (--sql) mode"
        )
    if not bind.dialect.is_async:
        raise ValueError(
            f"run_async needs an async driver, but the connection uses {bind.dialect.name}+"
            f"{bind.dialect.driver}, which is not async"
        )
    from sqlalchemy.ext.asyncio import AsyncConnection
    from sqlalchemy.util import await_only

    async_connection = AsyncConnection._retrieve_proxy_for_target(bind)
    if async_connection is None:
        raise ValueError("run_async must be called from a migration running under run_sync()")
    return await_only(async_function(async_connection, *args, **kw_args))
