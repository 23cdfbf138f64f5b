"""Comparator plugins: functions that add operations for one kind of difference.

A comparator is registered for a *target* (``"autogenerate"``, ``"schema"``, ``"table"``,
``"column"``), optionally for one dialect (``qualifier``) and with a ``priority``; higher priorities
run first, and a comparator returning :attr:`PriorityDispatchResult.STOP` ends the chain for that
call. Each built-in comparator belongs to a named plugin (``dbshift.autogenerate.tables``, ...) so
that the ``autogenerate_plugins`` option can switch plugins on and off by name or pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..runtime.plugins import TARGETS, plugin_comparators
from ..util.priority_dispatch import (
    DispatchPriority,
    PriorityDispatchResult,
    next_registration_order,
)


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


class ComparatorRegistry:
    """Comparators by target, dialect qualifier and priority.

    ``with_plugins``: the chains also hold the comparators of the runtime's plugins
    (:mod:`dbshift.runtime.plugins`), as the global :data:`comparators` does.
    """

    def __init__(self, with_plugins: bool = False) -> None:
        self._entries: list[_Entry] = []
        self._with_plugins = with_plugins

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
        self._entries.append(
            _Entry(fn, target, element, qualifier, int(priority), plugin, next_registration_order())
        )

    def remove_plugin(self, plugin: str) -> None:
        """Unregister every comparator of the plugin named ``plugin``."""
        self._entries = [e for e in self._entries if e.plugin != plugin]

    def remove(self, fn: Callable[..., Any]) -> None:
        """Unregister every registration of ``fn``."""
        self._entries = [e for e in self._entries if e.fn is not fn]

    def registered_from(self, target: str, module_prefixes: tuple[str, ...]) -> bool:
        """Whether a comparator of ``target`` defined in one of the modules ``module_prefixes``
        (or below them) is registered."""
        return any(
            e.target == target
            and (getattr(e.fn, "__module__", None) or "").split(".")[0] in module_prefixes
            for e in self._all_entries()
        )

    def plugin_names(self) -> set[str]:
        """The names of all plugins that registered comparators."""
        return {e.plugin for e in self._all_entries()}

    def _all_entries(self) -> list[_Entry]:
        if not self._with_plugins:
            return self._entries
        from_plugins = [
            _Entry(c.fn, c.target, c.element, c.qualifier, c.priority, name, c.order)
            for name, c in plugin_comparators()
        ]
        return self._entries + from_plugins if from_plugins else self._entries

    def chain(
        self, target: str, dialect_name: str, enabled: Callable[[str], bool]
    ) -> Callable[..., None]:
        """One callable running every enabled comparator of ``target`` for ``dialect_name``."""
        entries = sorted(
            (
                e
                for e in self._all_entries()
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


#: The global registry the built-in comparators live in; register your own here too.
comparators = ComparatorRegistry(with_plugins=True)
