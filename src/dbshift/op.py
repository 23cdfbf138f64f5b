"""``dbshift.op``: module-level proxies to the ``Operations`` of the running migration.

Migration scripts do ``from dbshift import op`` (or ``from alembic import op``) and call
``op.add_column(...)``; each function forwards to the ``Operations`` instance installed while a
migration runs. Calling one with no migration running raises a clear error.
"""

from .operations import Operations as _Operations
from .util.module_proxy import ModuleProxy as _ModuleProxy

# Kept for compatibility: ``alembic.op.Operations`` is the class the proxies forward to.
Operations = _Operations

_ModuleProxy(
    globals(),
    _Operations,
    "Can't invoke function '{name}', as the proxy object has not yet been established for the "
    "dbshift 'Operations' class. No migration is running: call it from a migration script's "
    "upgrade()/downgrade(), or inside Operations.context(migration_context).",
)
