"""Autogenerate plugins: named groups of comparator functions (Alembic 1.18's ``Plugin`` API).

A plugin is created with a unique name and registers comparators for a target (``"autogenerate"``,
``"schema"``, ``"table"``, ``"column"``) and optionally an element of that target (``"types"``,
``"server_default"``, ...). The ``autogenerate_plugins`` option of ``configure()`` switches
plugins on and off by name or pattern; comparators of plugins it does not name never run.

Third-party plugins are modules with a ``setup(plugin)`` function, published under the
entry-point group ``alembic.plugins`` (or ``dbshift.plugins``). They are loaded by
:func:`load_entry_point_plugins` at the first autogenerate run, not when ``dbshift`` is imported,
so that the command line stays quick to start.

This module registers into :data:`dbshift.autogenerate.comparators`, which it imports only when
a comparator is added (the runtime layer does not depend on autogenerate otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any

from ..util.exc import CommandError

#: Entry-point groups whose modules are loaded as plugins (``name = "package.module"``).
ENTRY_POINT_GROUPS = ("alembic.plugins", "dbshift.plugins")

_all_plugins: dict[str, Plugin] = {}
_entry_points_loaded = False


def _registry() -> Any:
    from ..autogenerate.registry import comparators

    return comparators


class Plugin:
    """A named plugin; its comparators run when ``autogenerate_plugins`` enables its name."""

    def __init__(self, name: str) -> None:
        if name in _all_plugins:
            raise ValueError(f"A plugin named {name} is already registered")
        self.name = name
        self._comparators: list[tuple[Callable[..., Any], str, str | None, str, int]] = []
        _all_plugins[name] = self

    def add_autogenerate_comparator(
        self,
        fn: Callable[..., Any],
        compare_target: str,
        compare_element: str | None = None,
        *,
        qualifier: str = "default",
        priority: int | None = None,
    ) -> None:
        """Register ``fn`` as a comparator for ``compare_target`` (and ``compare_element``).

        ``qualifier`` limits it to one dialect; ``priority`` (a ``DispatchPriority``, MEDIUM by
        default) orders it within the chain, highest first. ``fn`` receives the target's
        arguments (``(autogen_context, alter_column_op, schema, tname, cname, conn_col,
        metadata_col)`` for columns, ...) and may return ``PriorityDispatchResult.STOP``.
        """
        from ..autogenerate.registry import DispatchPriority

        prio = int(DispatchPriority.MEDIUM if priority is None else priority)
        _registry().add(
            fn, compare_target, compare_element, qualifier=qualifier, priority=prio, plugin=self.name
        )
        self._comparators.append((fn, compare_target, compare_element, qualifier, prio))

    def remove(self) -> None:
        """Unregister this plugin and all of its comparators."""
        _all_plugins.pop(self.name, None)
        if self._comparators:
            _registry().remove_plugin(self.name)
            self._comparators = []

    @classmethod
    def setup_plugin_from_module(cls, module: ModuleType, name: str) -> None:
        """Create the plugin ``name`` and hand it to ``module.setup(plugin)``."""
        setup = getattr(module, "setup", None)
        if not callable(setup):
            raise CommandError(f"plugin module {module.__name__!r} has no setup(plugin) function")
        setup(cls(name))

    @classmethod
    def populate_autogenerate_priority_dispatch(
        cls, comparators: Any, include_plugins: Sequence[str]
    ) -> None:
        """Add the comparators of every plugin ``include_plugins`` enables (names or patterns,
        ``~`` to exclude) to the registry ``comparators``."""
        from ..autogenerate.registry import plugin_filter

        enabled = plugin_filter(list(include_plugins), set(_all_plugins))
        for plugin in _all_plugins.values():
            if not enabled(plugin.name):
                continue
            for fn, target, element, qualifier, priority in plugin._comparators:
                comparators.add(
                    fn, target, element, qualifier=qualifier, priority=priority, plugin=plugin.name
                )


def plugin_names() -> set[str]:
    """The names of the plugins created so far."""
    return set(_all_plugins)


def load_entry_point_plugins(force: bool = False) -> None:
    """Load every plugin published under :data:`ENTRY_POINT_GROUPS` (once per process)."""
    global _entry_points_loaded
    if _entry_points_loaded and not force:
        return
    _entry_points_loaded = True
    for group in ENTRY_POINT_GROUPS:
        for entry_point in metadata.entry_points(group=group):
            if entry_point.name in _all_plugins:
                continue
            try:
                module = entry_point.load()
            except Exception as err:  # noqa: BLE001 - any import failure names the plugin
                raise CommandError(
                    f"can't load autogenerate plugin {entry_point.name!r} "
                    f"({entry_point.value}) from entry point group {group!r}: {err}"
                ) from err
            Plugin.setup_plugin_from_module(module, entry_point.name)
