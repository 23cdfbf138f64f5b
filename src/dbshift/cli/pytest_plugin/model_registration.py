"""The experimental ``all_models_register_on_metadata`` test: ``env.py`` sees every model.

A model module that nothing imported by ``env.py`` imports never reaches the ``MetaData``
autogenerate compares, so autogenerate offers to drop its table. The tables ``env.py`` registers
in a fresh interpreter (:mod:`.clean_environment`, run as a subprocess) are compared with those
registered after importing every module of the packages that define the models.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData

from .failure import MigrationTestFailure
from .runner import MigrationContext

__all__ = ["test_all_models_register_on_metadata"]

_PAYLOAD = re.compile(r"<pytest-alembic>(.*)</pytest-alembic>", re.DOTALL)


def test_all_models_register_on_metadata(
    alembic_runner: MigrationContext,
    model_package: str | None = None,
    *,
    offline: bool = False,
    async_: bool | None = None,
) -> None:
    """The tables on the ``MetaData`` after ``env.py`` loads in a fresh interpreter are all
    the tables the model packages define."""
    engine = alembic_runner.connection_executor.connection
    url = getattr(engine, "url", None)
    if url is None:
        raise MigrationTestFailure(
            f"all_models_register_on_metadata needs an Engine from alembic_engine, got {engine!r}"
        )
    if async_ is None:
        async_ = _is_async(engine)
    modules, bare_tables = _bare_import_tables(
        url.render_as_string(hide_password=False), offline=offline, async_=async_
    )
    if model_package:
        modules = [model_package]
    full_tables = _full_tables(modules)
    if bare_tables != full_tables:
        difference = ", ".join(sorted(bare_tables.symmetric_difference(full_tables)))
        raise MigrationTestFailure(
            "There was a difference detected between the set of tables registered on your "
            "`MetaData` during the course of loading your `env.py` compared with the set of "
            "tables registered after importing all modules below the provided "
            f"'{model_package}' module/package.\n\nThis commonly happens if you are missing an "
            "import path from the root of your models/MetaData to some set of models defined "
            "elsewhere. As far as autogenerate is concerned, affected tables do not exist, and "
            "will likely be indicated to be dropped, should you attempt a `revision "
            f"--autogenerate` command.\n\nThe following tables are affected: {difference}."
        )


def _is_async(engine: Any) -> bool:
    try:
        from sqlalchemy.ext.asyncio import AsyncEngine
    except ImportError:
        return False
    return isinstance(engine, AsyncEngine)


def _bare_import_tables(url: str, *, offline: bool, async_: bool) -> tuple[list[str], set[str]]:
    """The model modules and tables ``env.py`` registers on its own (fresh interpreter)."""
    command = [
        sys.executable, "-m", f"{__package__}.clean_environment", url,
        str(int(offline)), str(int(async_)),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise MigrationTestFailure(
            "Loading env.py in a fresh interpreter failed.",
            context=[("Output", (done.stderr or done.stdout).strip()[-3000:])],
        )
    found = _PAYLOAD.search(done.stdout)
    if found is None:
        raise MigrationTestFailure(
            "env.py ran in a fresh interpreter but never configured a migration context "
            "(no target_metadata was seen).",
            context=[("Output", done.stdout.strip()[-3000:])],
        )
    payload = json.loads(found.group(1))
    return list(payload["modules"]), set(payload["tables"])


def _full_tables(module_names: list[str]) -> set[str]:
    """The tables on the ``MetaData`` after importing every module below ``module_names``."""
    metadata = None
    for name in module_names:
        imported = list(_import_tree(name))
        if not imported:
            raise MigrationTestFailure(f"Invalid module name: {name}")
        for value in vars(imported[0]).values():
            if isinstance(value, MetaData):
                metadata = value
                break
            found = getattr(value, "metadata", None)
            if isinstance(value, type) and isinstance(found, MetaData):
                metadata = found
                break
    if metadata is None:
        raise MigrationTestFailure(
            "Unable to locate a MetaData reference in the local context of your `env.py`. This "
            "test requires a local reference to either a declarative model base or a "
            "`MetaData` in the module env.py takes its target_metadata from."
        )
    return set(metadata.tables)


def _import_tree(name: str) -> Iterator[ModuleType]:
    """``name`` and, for a package, every module below it (those that fail to import are
    passed over)."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return
    yield module
    path = getattr(module, "__path__", None)
    if not module.__package__ or path is None:
        return
    for info in pkgutil.walk_packages(path, prefix=f"{module.__name__}."):
        try:
            yield importlib.import_module(info.name)
        except ImportError:
            continue
