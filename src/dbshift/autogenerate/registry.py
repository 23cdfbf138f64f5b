"""Comparator plugins: functions that add operations for one kind of difference.

A comparator is registered for a *target* (``"autogenerate"``, ``"schema"``, ``"table"``,
``"column"``), optionally for one dialect (``qualifier``) and with a ``priority``; higher priorities
run first, and a comparator returning :attr:`PriorityDispatchResult.STOP` ends the chain for that
call. Each built-in comparator belongs to a named plugin (``dbshift.autogenerate.tables``, ...) so
that the ``autogenerate_plugins`` option can switch plugins on and off by name or pattern.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Callable, Sequence
from typing import Any

from ..util.exc import CommandError

TARGETS = ("autogenerate", "schema", "table", "column")


class DispatchPriority(enum.IntEnum):
    """Where a comparator runs in its chain: FIRST, then MEDIUM, then LAST."""

    FIRST = 50
    MEDIUM = 25
    LAST = 10


class PriorityDispatchResult(enum.Enum):
    """What a comparator returns: go on with the chain (the default) or stop it."""

    CONTINUE = enum.auto()
    STOP = enum.auto()


class _Entry:
    __slots__ = ("fn", "target", "element", "qualifier", "priority", "plugin", "order")

    def __init__(
        self, fn: Callable[..., Any], target: str, element: str | None, qualifier: str,
        priority: int, plugin: str, order: int,
    ) -> None:
        self.fn = fn
        self.target = target
        self.element = element
        self.qualifier = qualifier
        self.priority = priority
        self.plugin = plugin
        self.order = order


#: Plugins that run unless ``autogenerate_plugins`` says otherwise.
DEFAULT_PLUGIN_PATTERNS = ("dbshift.autogenerate.*",)
#: Alembic plugin names map onto dbshift's (so an Alembic env.py's option keeps working).
_ALIASES = {"alembic.autogenerate.": "dbshift.autogenerate.", "alembic.ext.": "dbshift.ext."}


class ComparatorRegistry:
    """Comparators by target, dialect qualifier and priority."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._counter = 0

    def dispatch_for(
        self,
        target: str,
        qualifier: str = "default",
        priority: int = DispatchPriority.MEDIUM,
        plugin: str = "user",
        element: str | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register ``fn`` for ``target`` (on one dialect when ``qualifier`` is set)."""

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.add(
                fn, target, element, qualifier=qualifier, priority=priority, plugin=plugin
            )
            return fn

        return decorate

    def add(
        self,
        fn: Callable[..., Any],
        target: str,
        element: str | None = None,
        *,
        qualifier: str = "default",
        priority: int = DispatchPriority.MEDIUM,
        plugin: str = "user",
    ) -> None:
        """Register ``fn`` (the non-decorator form of :meth:`dispatch_for`).

        ``element`` names the chain within ``target`` (``"types"``, ``"server_default"``,
        ``"comments"``, ``"nullable"`` for columns; ``"indexes"``, ``"foreignkeys"``, ... for
        tables): a comparator returning STOP ends only its own element's chain; one registered
        without an element ends the whole ``target`` chain.
        """
        if target not in TARGETS:
            raise ValueError(f"unknown comparator target {target!r}; expected one of {TARGETS}")
        self._counter += 1
        self._entries.append(
            _Entry(fn, target, element, qualifier, int(priority), plugin, self._counter)
        )

    def remove_plugin(self, plugin: str) -> None:
        """Unregister every comparator of the plugin named ``plugin``."""
        self._entries = [e for e in self._entries if e.plugin != plugin]

    def remove(self, fn: Callable[..., Any]) -> None:
        """Unregister every registration of ``fn``."""
        self._entries = [e for e in self._entries if e.fn is not fn]

    def plugin_names(self) -> set[str]:
        """The names of all plugins that registered comparators."""
        return {e.plugin for e in self._entries}

    def chain(
        self, target: str, dialect_name: str, enabled: Callable[[str], bool]
    ) -> Callable[..., None]:
        """One callable running every enabled comparator of ``target`` for ``dialect_name``."""
        entries = sorted(
            (
                e
                for e in self._entries
                if e.target == target
                and e.qualifier in ("default", dialect_name)
                and enabled(e.plugin)
            ),
            key=lambda e: (-e.priority, e.order),
        )
        steps = [(e.fn, e.element) for e in entries]

        def run(*args: Any, **kw: Any) -> None:
            stopped: set[str] = set()
            for fn, element in steps:
                if element in stopped:
                    continue
                if fn(*args, **kw) is PriorityDispatchResult.STOP:
                    if element is None:
                        break
                    stopped.add(element)

        return run


def plugin_filter(patterns: Sequence[str] | None, known: set[str]) -> Callable[[str], bool]:
    """A predicate saying whether a plugin is on, from ``autogenerate_plugins`` patterns.

    ``*`` matches one dotted segment, a leading ``~`` excludes, and a plain name that matches no
    registered plugin is an error. User-registered comparators (plugin ``user``) are always on.
    """
    patterns = list(DEFAULT_PLUGIN_PATTERNS if patterns is None else patterns)
    includes: list[str] = []
    excludes: list[str] = []
    for raw in patterns:
        pattern = raw[1:] if raw.startswith("~") else raw
        for old, new in _ALIASES.items():
            if pattern.startswith(old):
                pattern = new + pattern[len(old):]
        if "*" not in pattern and pattern not in known:
            raise CommandError(f"autogenerate_plugins names unknown plugin {raw!r}")
        (excludes if raw.startswith("~") else includes).append(pattern)

    def matches(name: str, pattern: str) -> bool:
        if "*" not in pattern:
            return name == pattern
        name_parts, pattern_parts = name.split("."), pattern.split(".")
        return len(name_parts) == len(pattern_parts) and all(
            fnmatch.fnmatchcase(n, p) for n, p in zip(name_parts, pattern_parts, strict=True)
        )

    def enabled(name: str) -> bool:
        if name == "user":
            return True
        if any(matches(name, p) for p in excludes):
            return False
        return any(matches(name, p) for p in includes)

    return enabled


#: The global registry the built-in comparators live in; register your own here too.
comparators = ComparatorRegistry()
