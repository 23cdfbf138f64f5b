"""``dbshift.context``: module-level proxies to the ``EnvironmentContext`` running ``env.py``.

``env.py`` does ``from dbshift import context`` (or ``from alembic import context``) and calls
``context.configure(...)``, ``context.run_migrations()``, ``context.is_offline_mode()`` and reads
``context.config``; each name forwards to the :class:`~dbshift.runtime.environment.EnvironmentContext`
that the running command installed. Using one while no command is running ``env.py`` raises
:class:`~dbshift.util.exc.NoActiveContext` with a message saying so.
"""

import functools as _functools
import inspect as _inspect
from typing import Any as _Any

from .runtime.environment import EnvironmentContext as _EnvironmentContext
from .util.exc import NoActiveContext as _NoActiveContext

_proxy: _Any = None
_proxy_stack: list[_Any] = []

_NO_ENV = (
    "dbshift.context.{name} is only available while a dbshift command runs env.py "
    "(no EnvironmentContext is active); run it through 'dbshift upgrade ...' or enter "
    "'with EnvironmentContext(config, script):' first"
)


def _install_proxy(obj: _Any) -> None:
    global _proxy
    _proxy_stack.append(_proxy)
    _proxy = obj


def _remove_proxy(obj: _Any = None) -> None:
    global _proxy
    _proxy = _proxy_stack.pop() if _proxy_stack else None


def _current(name: str) -> _Any:
    if _proxy is None:
        raise _NoActiveContext(_NO_ENV.format(name=name))
    return _proxy


def _make_proxy(name: str, method: _Any) -> _Any:
    @_functools.wraps(method)
    def proxy(*args: _Any, **kw: _Any) -> _Any:
        return getattr(_current(name), name)(*args, **kw)

    sig = _inspect.signature(method)
    proxy.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=list(sig.parameters.values())[1:]
    )
    del proxy.__wrapped__  # type: ignore[attr-defined]
    return proxy


for _name in dir(_EnvironmentContext):
    if _name.startswith("_"):
        continue
    _value = getattr(_EnvironmentContext, _name)
    if callable(_value) and not isinstance(_value, type):
        globals()[_name] = _make_proxy(_name, _value)
del _name, _value


def __getattr__(name: str) -> _Any:
    # Attributes of the active EnvironmentContext: context.config, context.script, ...
    if name.startswith("__"):
        raise AttributeError(name)
    target = _current(name)
    try:
        return getattr(target, name)
    except AttributeError:
        raise AttributeError(f"module 'dbshift.context' has no attribute {name!r}") from None
