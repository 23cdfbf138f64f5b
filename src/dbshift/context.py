"""``dbshift.context``: module-level proxies to the ``EnvironmentContext`` running ``env.py``.

``env.py`` does ``from dbshift import context`` (or ``from alembic import context``) and calls
``context.configure(...)``, ``context.run_migrations()``, ``context.is_offline_mode()`` and reads
``context.config``; each name forwards to the :class:`~dbshift.runtime.environment.EnvironmentContext`
that the running command installed. Using one while no command is running ``env.py`` raises
:class:`~dbshift.util.exc.NoActiveContext` with a message saying so.
"""

from typing import Any as _Any

from .runtime.environment import EnvironmentContext as _EnvironmentContext
from .util.module_proxy import ModuleProxy as _ModuleProxy

# Kept for compatibility: ``alembic.context.EnvironmentContext`` is the class proxied here.
EnvironmentContext = _EnvironmentContext

_module_proxy = _ModuleProxy(
    globals(),
    _EnvironmentContext,
    "dbshift.context.{name} is only available while a dbshift command runs env.py "
    "(no EnvironmentContext is active); run it through 'dbshift upgrade ...' or enter "
    "'with EnvironmentContext(config, script):' first",
)


def __getattr__(name: str) -> _Any:
    # Attributes of the active EnvironmentContext: context.config, context.script, ...
    if name.startswith("__"):
        raise AttributeError(name)
    target = _module_proxy.target(name)
    try:
        return getattr(target, name)
    except AttributeError:
        raise AttributeError(f"module 'dbshift.context' has no attribute {name!r}") from None
