"""What ``import alembic.config`` gives when dbshift serves ``alembic``.

Alembic's ``config`` module holds both :class:`Config` and the command line (``main``,
``CommandLine``); dbshift keeps them apart (:mod:`dbshift.config`, :mod:`dbshift.cli`), and the
alias maps ``alembic.config`` here. Any other name is looked up in :mod:`dbshift.config`.
"""

from __future__ import annotations

from typing import Any

from .. import config as _config
from ..config import Config
from .main import CommandLine, main

__all__ = ["CommandLine", "Config", "main"]


def __getattr__(name: str) -> Any:
    return getattr(_config, name)
