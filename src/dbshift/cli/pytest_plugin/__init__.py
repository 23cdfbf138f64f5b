"""dbshift's pytest plugin: the built-in migration tests pytest-alembic has, on dbshift.

Loaded by pytest through the ``pytest11`` entry point. When pytest-alembic itself is installed
(and not disabled with ``-p no:pytest_alembic``) this plugin does nothing at all, so the two
never register the same options or fixtures; otherwise it adds pytest-alembic's options, its
fixtures (``alembic_config``, ``alembic_engine``, ``alembic_runner``) and, with
``--test-alembic``, its built-in tests, and serves ``import pytest_alembic`` for conftest files
written for it. Nothing heavier than this module loads until pytest asks for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pytest_addoption", "reference_plugin_installed"]

#: pytest-alembic's entry-point (plugin) name.
PYTEST_ALEMBIC = "pytest_alembic"


def reference_plugin_installed(pluginmanager: Any = None) -> bool:
    """Whether pytest-alembic is installed and not blocked (``-p no:pytest_alembic``)."""
    from importlib import metadata

    try:
        metadata.distribution("pytest-alembic")
    except metadata.PackageNotFoundError:
        return False
    if pluginmanager is not None and pluginmanager.is_blocked(PYTEST_ALEMBIC):
        return False
    return True


def pytest_addoption(parser: Any, pluginmanager: Any) -> None:
    """Step aside for pytest-alembic; else register the options and the plugin's hooks."""
    if reference_plugin_installed(pluginmanager):
        return
    from . import compat_names, hooks
    from .options import add_options

    add_options(parser)
    compat_names.install()
    pluginmanager.register(hooks, "dbshift-migration-tests")
