"""The migration lock's settings: their keys, where each is read from, and the values they take.

Each setting is read, first found wins, from the command (a flag of ``dbshift upgrade``,
``downgrade`` or ``stamp``, or the same keyword of ``command.upgrade(...)``), the options of
``context.configure(...)`` in ``env.py``, the configuration (``[alembic]`` of ``alembic.ini``, or
``[tool.alembic]``/``[tool.dbshift]`` of ``pyproject.toml``), else its default:

============================  =====================================================  ==========
key                           value                                                  default
============================  =====================================================  ==========
``migration_lock``            ``true``/``auto``, ``false``, ``session``, ``lease``   ``auto``
``lock_wait``                 duration: how long to wait for the lock                ``300s``
``lock_timeout``              duration (PostgreSQL, MySQL/MariaDB), or ``off``       off
``statement_timeout``         duration (PostgreSQL, MariaDB), or ``off``             off
``lock_retries``              count: retries of a unit that hit a timeout            ``3``
``lock_lease_ttl``            duration a lease row lives without a heartbeat         ``30s``
``migration_lock_table``      table of the lease rows                                ``dbshift_migration_lock``
============================  =====================================================  ==========

A duration is a number of seconds or a number with a unit: ``500ms``, ``2s``, ``1.5min``,
``1h``. A value that is not what its key takes is a one-line :class:`CommandError` that names the
key and where the value came from, raised before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...util.exc import CommandError

__all__ = ["LockSettings", "parse_count", "parse_duration", "read_settings"]

#: The keys, in the order they are read.
KEYS = (
    "migration_lock",
    "lock_wait",
    "lock_timeout",
    "statement_timeout",
    "lock_retries",
    "lock_lease_ttl",
    "migration_lock_table",
)

_DURATION = re.compile(
    r"\s*(\d+(?:\.\d*)?|\.\d+)\s*"
    r"(ms|msec|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*\Z",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_OFF = {"off", "none", "false", "no", "0"}
_MODES = {
    "true": "auto", "on": "auto", "yes": "auto", "1": "auto", "auto": "auto",
    "false": "off", "off": "off", "no": "off", "0": "off", "none": "off",
    "session": "session", "advisory": "session",
    "lease": "lease",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


class LockSettings:
    """What the lock and the timeouts of one run do (see the module docstring for the keys)."""

    __slots__ = (
        "mode", "wait", "lock_timeout", "statement_timeout", "retries", "lease_ttl", "lease_table"
    )

    def __init__(
        self,
        mode: str = "auto",
        wait: float = 300.0,
        lock_timeout: float | None = None,
        statement_timeout: float | None = None,
        retries: int = 3,
        lease_ttl: float = 30.0,
        lease_table: str = "dbshift_migration_lock",
    ) -> None:
        #: ``"auto"`` (the database's own session lock, or a lease row behind a transaction
        #: pooler), ``"session"``, ``"lease"``, or ``"off"``.
        self.mode = mode
        #: Seconds to wait for the lock before giving up.
        self.wait = wait
        #: Seconds a statement may wait for a lock (None: the database's setting).
        self.lock_timeout = lock_timeout
        #: Seconds a statement may run (None: the database's setting).
        self.statement_timeout = statement_timeout
        #: How many times a unit that hit one of the timeouts is run again.
        self.retries = retries
        #: Seconds a lease row lives without being renewed.
        self.lease_ttl = lease_ttl
        #: The lease rows' table (in the version table's schema).
        self.lease_table = lease_table

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LockSettings):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"LockSettings({fields})"

    @property
    def enabled(self) -> bool:
        """Whether runs take the lock at all."""
        return self.mode != "off"

    @property
    def timeouts_set(self) -> bool:
        """Whether ``lock_timeout`` or ``statement_timeout`` is set."""
        return self.lock_timeout is not None or self.statement_timeout is not None


def read_settings(opts: Mapping[str, Any], config: Any | None) -> LockSettings:
    """The settings for a run: ``opts["lock_options"]`` (the command's), then ``opts``
    (``context.configure``), then ``config``, then the defaults."""
    given = opts.get("lock_options") or {}
    values: dict[str, Any] = {}
    for key in KEYS:
        if key in given and given[key] is not None:
            values[key] = (given[key], _command_source(key))
        elif opts.get(key) is not None:
            values[key] = (opts[key], "context.configure()")
        elif config is not None:
            found = _config_value(config, key)
            if found is not None:
                values[key] = (found, _config_source(config))
    kwargs: dict[str, Any] = {}
    if "migration_lock" in values:
        kwargs["mode"] = _parse_mode(*values["migration_lock"])
    if "lock_wait" in values:
        kwargs["wait"] = parse_duration("lock_wait", *values["lock_wait"])
    for key in ("lock_timeout", "statement_timeout"):
        if key in values:
            kwargs[key] = parse_duration(key, *values[key], allow_off=True)
    if "lock_retries" in values:
        kwargs["retries"] = parse_count("lock_retries", *values["lock_retries"])
    if "lock_lease_ttl" in values:
        ttl = parse_duration("lock_lease_ttl", *values["lock_lease_ttl"])
        if ttl < 1:
            raise CommandError(
                f"lock_lease_ttl: {values['lock_lease_ttl'][0]!r} ({values['lock_lease_ttl'][1]}) "
                "is too short: a lease must live at least 1 s between heartbeats"
            )
        kwargs["lease_ttl"] = ttl
    if "migration_lock_table" in values:
        table, source = values["migration_lock_table"]
        if not isinstance(table, str) or not _IDENTIFIER.match(table):
            raise CommandError(
                f"migration_lock_table: {table!r} ({source}) is not a plain table name"
            )
        kwargs["lease_table"] = table
    return LockSettings(**kwargs)


def parse_duration(key: str, value: Any, source: str = "", *, allow_off: bool = False) -> float | None:
    """Seconds from a number or a string like ``500ms``, ``2s``, ``1.5min``; ``allow_off``:
    ``off``/``0``/``none`` give None. Anything else is a one-line error naming ``key``."""
    if isinstance(value, bool):
        return _bad(key, value, source, "a duration (e.g. 30, 30s, 500ms, 5min)")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        raw = str(value).strip()
        if allow_off and raw.lower() in _OFF:
            return None
        match = _DURATION.match(raw)
        if match is None:
            return _bad(key, value, source, "a duration (e.g. 30, 30s, 500ms, 5min)")
        unit = (match.group(2) or "s").lower()
        scale = _UNIT_SECONDS["ms" if unit.startswith("ms") or unit.startswith("milli") else unit[0]]
        seconds = float(match.group(1)) * scale
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return _bad(key, value, source, "a duration of zero or more")
    if allow_off and seconds == 0:
        return None
    return seconds


def parse_count(key: str, value: Any, source: str = "") -> int:
    """A whole number of zero or more; anything else is a one-line error naming ``key``."""
    if isinstance(value, bool):
        return _bad(key, value, source, "a count (a whole number, 0 or more)")
    if isinstance(value, int):
        count = value
    else:
        raw = str(value).strip()
        if not raw.isdigit():
            return _bad(key, value, source, "a count (a whole number, 0 or more)")
        count = int(raw)
    if count < 0:
        return _bad(key, value, source, "a count (a whole number, 0 or more)")
    return count


def _parse_mode(value: Any, source: str) -> str:
    if isinstance(value, bool):
        return "auto" if value else "off"
    mode = _MODES.get(str(value).strip().lower())
    if mode is None:
        return _bad(
            "migration_lock", value, source, "one of true, false, auto, session, lease"
        )
    return mode


def _bad(key: str, value: Any, source: str, expected: str) -> Any:
    where = f" ({source})" if source else ""
    raise CommandError(f"{key}: {value!r}{where} is not {expected}")


def _config_value(config: Any, key: str) -> Any:
    getter = getattr(config, "get_alembic_option", None)
    if getter is None:
        return None
    try:
        return getter(key)
    except CommandError:
        return None


def _config_source(config: Any) -> str:
    name = getattr(config, "config_file_name", None) or getattr(config, "toml_file_name", None)
    return f"in {name}" if name else "in the configuration"


def _command_source(key: str) -> str:
    return "--no-lock" if key == "migration_lock" else "--" + key.replace("_", "-")
