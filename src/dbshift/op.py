"""``dbshift.op``: module-level proxies to the ``Operations`` of the running migration.

Migration scripts do ``from dbshift import op`` (or ``from alembic import op``) and call
``op.add_column(...)``; each function forwards to the ``Operations`` instance installed while a
migration runs. Calling one with no migration running raises a clear error.
"""

from typing import Any as _Any

from .operations import Operations as _Operations
from .operations.base import install_module_proxies as _install_module_proxies

_proxy: _Any = None
_proxy_stack: list[_Any] = []


def _install_proxy(obj: _Any) -> None:
    global _proxy
    _proxy_stack.append(_proxy)
    _proxy = obj


def _remove_proxy(obj: _Any = None) -> None:
    global _proxy
    _proxy = _proxy_stack.pop() if _proxy_stack else None


_install_module_proxies(globals(), _Operations)
