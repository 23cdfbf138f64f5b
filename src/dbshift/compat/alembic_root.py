"""What ``import alembic`` gives when dbshift serves it.

``alembic.__version__`` names the Alembic release whose behaviour dbshift reproduces; submodules
(``from alembic import op, context``) are imported on first use through the alias finder.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "1.20.1"
__path__: list[str] = []


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"alembic.{name}")
    except ImportError:
        raise AttributeError(f"module 'alembic' has no attribute {name!r}") from None
