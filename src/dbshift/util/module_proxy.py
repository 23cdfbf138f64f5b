"""Proxy modules: module-level functions that forward to the active instance of one class.

``dbshift.op`` forwards to the ``Operations`` of the running migration and ``dbshift.context`` to
the ``EnvironmentContext`` running ``env.py``. The proxied class never imports its proxy module:
the module registers itself here (:class:`ModuleProxy`), and the class installs and removes its
active instance with :func:`install_target` / :func:`remove_target`. A proxy module imported while
an instance is active (a revision file's first ``from alembic import op``) starts out proxying it.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from .exc import NoActiveContext

#: The active instances per proxied class, innermost last.
_targets: dict[type, list[Any]] = {}
#: The proxy modules per proxied class.
_modules: dict[type, list[ModuleProxy]] = {}


class ModuleProxy:
    """Fills one module's namespace with functions forwarding to the active ``proxied`` instance.

    Every public method of ``proxied`` becomes a function of the module with the method's name,
    docstring and signature (without ``self``); classmethods are copied as they are. The module's
    ``_proxy`` global is the active instance, or ``None``. ``inactive_message`` (with ``{name}``)
    is the :class:`~dbshift.util.exc.NoActiveContext` message when nothing is active.
    """

    def __init__(self, namespace: dict[str, Any], proxied: type, inactive_message: str) -> None:
        self.namespace = namespace
        self.proxied = proxied
        self.inactive_message = inactive_message
        stack = _targets.get(proxied)
        namespace["_proxy"] = stack[-1] if stack else None
        for name in dir(proxied):
            if name.startswith("_"):
                continue
            value = getattr(proxied, name)
            if not callable(value) or isinstance(value, type):
                continue
            if isinstance(inspect.getattr_static(proxied, name), classmethod):
                namespace[name] = value
            else:
                self.add_function(name, value)
        _modules.setdefault(proxied, []).append(self)

    def target(self, name: str) -> Any:
        """The active instance; ``name`` (what the caller wanted) goes into the error."""
        target = self.namespace["_proxy"]
        if target is None:
            raise NoActiveContext(self.inactive_message.format(name=name))
        return target

    def add_function(self, name: str, method: Any) -> None:
        """Add (or replace) the module function ``name`` forwarding to ``method`` of the target."""

        @functools.wraps(method)
        def forward(*args: Any, **kw: Any) -> Any:
            return getattr(self.target(name), name)(*args, **kw)

        signature = inspect.signature(method)
        forward.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=list(signature.parameters.values())[1:]
        )
        del forward.__wrapped__  # type: ignore[attr-defined]
        self.namespace[name] = forward


def install_target(proxied: type, target: Any) -> None:
    """Make ``target`` the instance that the proxy modules of ``proxied`` forward to."""
    _targets.setdefault(proxied, []).append(target)
    _publish(proxied)


def remove_target(proxied: type) -> None:
    """Undo the last :func:`install_target` for ``proxied`` (the one before is active again)."""
    stack = _targets.get(proxied)
    if stack:
        stack.pop()
    _publish(proxied)


def add_proxy_function(proxied: type, name: str, method: Any) -> None:
    """Give the proxy modules of ``proxied`` a function for a method added after they were made."""
    for module in _modules.get(proxied, ()):
        module.add_function(name, method)


def _publish(proxied: type) -> None:
    stack = _targets.get(proxied)
    target = stack[-1] if stack else None
    for module in _modules.get(proxied, ()):
        module.namespace["_proxy"] = target
