"""Whether a run keeps the applied history, and whether it may go on over changed files.

``applied_history`` is read from ``context.configure(applied_history=...)``, else the
configuration (``[alembic]`` of ``alembic.ini``, ``[tool.alembic]``/``[tool.dbshift]`` of
``pyproject.toml``); default ``true``. ``false`` keeps no history table, no checksums and no
statement journal: the run behaves as Alembic's. ``allow_changed`` comes from the command
(``--allow-changed``) for one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...util.exc import CommandError

__all__ = ["HistorySettings", "read_history_settings"]

_TRUE = {"true", "yes", "on", "1", "y", "t"}
_FALSE = {"false", "no", "off", "0", "n", "f", "none"}


@dataclass(frozen=True)
class HistorySettings:
    """What the applied history does in one run."""

    enabled: bool = True
    allow_changed: bool = False


def read_history_settings(opts: Mapping[str, Any], config: Any | None) -> HistorySettings:
    """The settings of a run from the context's options and the configuration."""
    given = opts.get("history_options") or {}
    allow_changed = bool(given.get("allow_changed", False))
    value: Any = opts.get("applied_history")
    source = "context.configure()"
    if value is None and config is not None:
        getter = getattr(config, "get_alembic_option", None)
        if getter is not None:
            try:
                value = getter("applied_history")
            except CommandError:
                value = None
            name = getattr(config, "config_file_name", None) or "the configuration"
            source = f"in {name}"
    if value is None:
        return HistorySettings(True, allow_changed)
    if isinstance(value, bool):
        return HistorySettings(value, allow_changed)
    text = str(value).strip().lower()
    if text in _TRUE:
        return HistorySettings(True, allow_changed)
    if text in _FALSE:
        return HistorySettings(False, allow_changed)
    raise CommandError(f"applied_history: {value!r} ({source}) is not true or false")
