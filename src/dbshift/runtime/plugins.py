"""Autogenerate plugins: named groups of comparator functions (Alembic 1.18's ``Plugin`` API).

A plugin is created with a unique name and registers comparators for a target (``"autogenerate"``,
``"schema"``, ``"table"``, ``"column"``) and optionally an element of that target (``"types"``,
``"server_default"``, ...). The ``autogenerate_plugins`` option of ``configure()`` switches
plugins on and off by name or pattern; comparators of plugins it does not name never run.

Third-party plugins are modules with a ``setup(plugin)`` function, published under the
entry-point group ``alembic.plugins`` (or ``dbshift.plugins``). They are loaded by
:func:`load_entry_point_plugins` at the first autogenerate run, not when ``dbshift`` is imported,
so that the command line stays quick to start.

A plugin keeps its comparators; autogenerate asks :func:`plugin_comparators` for them when it
builds a comparator chain (the runtime layer never imports autogenerate). Which plugins run is
decided here too (:func:`plugin_filter`), from the ``autogenerate_plugins`` option.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, NamedTuple

from ..util.exc import CommandError
from ..util.priority_dispatch import DispatchPriority, next_registration_order

#: Entry-point groups whose modules are loaded as plugins (``name = "package.module"``).
ENTRY_POINT_GROUPS = ("alembic.plugins", "dbshift.plugins")
#: What a comparator can be registered for.
TARGETS = ("autogenerate", "schema", "table", "column")
#: Plugins that run unless ``autogenerate_plugins`` says otherwise.
DEFAULT_PLUGIN_PATTERNS = ("dbshift.autogenerate.*",)
#: Alembic plugin names map onto dbshift's (so an Alembic env.py's option keeps working).
_ALIASES = {"alembic.autogenerate.": "dbshift.autogenerate.", "alembic.ext.": "dbshift.ext."}

log = logging.getLogger("alembic.runtime.plugins")  # Alembic's logger name (see README)

_all_plugins: dict[str, Plugin] = {}
_entry_points_loaded = False


class PluginComparator(NamedTuple):
    """One comparator of a plugin, as :meth:`Plugin.add_autogenerate_comparator` received it."""

    fn: Callable[..., Any]
    target: str
    element: str | None
    qualifier: str
    priority: int
    #: Registration order (shared with autogenerate's registry): ties run in this order.
    order: int


class Plugin:
    """A named plugin; its comparators run when ``autogenerate_plugins`` enables its name."""

    def __init__(self, name: str) -> None:
        log.info("setup plugin %s", name)
        if name in _all_plugins:
            raise ValueError(f"A plugin named {name} is already registered")
        self.name = name
        self._comparators: list[PluginComparator] = []
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
        if compare_target not in TARGETS:
            # Alembic registers it without a word (and never calls it)
            import warnings

            warnings.warn(
                f"unknown comparator target {compare_target!r} (expected one of {TARGETS}): "
                f"{getattr(fn, '__name__', fn)!r} will never be called",
                stacklevel=2,
            )
        prio = int(DispatchPriority.MEDIUM if priority is None else priority)
        self._comparators.append(
            PluginComparator(
                fn, compare_target, compare_element, qualifier, prio, next_registration_order()
            )
        )

    def remove(self) -> None:
        """Unregister this plugin and all of its comparators."""
        _all_plugins.pop(self.name, None)
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
        enabled = plugin_filter(list(include_plugins), set(_all_plugins))
        for plugin in _all_plugins.values():
            if not enabled(plugin.name):
                continue
            log.info("setting up autogenerate plugin %s", plugin.name)
            for fn, target, element, qualifier, priority, _ in plugin._comparators:
                comparators.add(
                    fn, target, element, qualifier=qualifier, priority=priority, plugin=plugin.name
                )


def plugin_names() -> set[str]:
    """The names of the plugins created so far."""
    return set(_all_plugins)


def plugin_comparators() -> Iterator[tuple[str, PluginComparator]]:
    """``(plugin name, comparator)`` for every comparator of every plugin created so far."""
    for plugin in list(_all_plugins.values()):
        for comparator in plugin._comparators:
            yield plugin.name, comparator


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
        if "*" not in pattern and pattern not in known and not raw.startswith("~"):
            # (excluding a plugin that isn't there is fine, as in Alembic)
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
