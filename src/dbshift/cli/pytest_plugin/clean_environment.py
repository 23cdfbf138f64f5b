"""Run as ``python -m dbshift.cli.pytest_plugin.clean_environment URL OFFLINE ASYNC`` in a
project: loads its ``env.py`` in a fresh interpreter and prints, between ``<pytest-alembic>``
tags, the tables on the ``target_metadata`` it configured and the modules that define it (for
``all_models_register_on_metadata``)."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any


def _defining_modules(metadata: Any) -> list[str]:
    """Modules whose globals hold ``metadata`` or a class whose ``metadata`` it is (``env.py``
    itself and ``__main__`` left out)."""
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or name in ("__main__",) or name.startswith(("dbshift", "alembic")):
            continue
        if getattr(module, "__file__", "") and str(module.__file__).endswith("env.py"):
            continue
        try:
            values = list(vars(module).values())
        except TypeError:
            continue
        for value in values:
            if value is metadata or (
                isinstance(value, type) and getattr(value, "metadata", None) is metadata
            ):
                found.append(name)
                break
    return found


def main() -> None:
    from ...command.project import run_env, script_directory
    from ...config import Config

    _, url, offline, async_ = sys.argv
    config = Config("alembic.ini", toml_file="pyproject.toml")
    config.set_main_option("sqlalchemy.url", url)
    with contextlib.suppress(Exception):
        if int(async_):
            from sqlalchemy.ext.asyncio import create_async_engine

            config.attributes["connection"] = create_async_engine(url)
        else:
            from sqlalchemy import create_engine

            config.attributes["connection"] = create_engine(url)

    def report(heads: Any, context: Any) -> list[Any]:
        metadata = context.opts.get("target_metadata")
        if isinstance(metadata, (list, tuple)):
            metadata = metadata[0] if metadata else None
        tables = list(metadata.tables) if metadata is not None else []
        modules = _defining_modules(metadata) if metadata is not None else []
        print(f"<pytest-alembic>{json.dumps({'modules': modules, 'tables': tables})}</pytest-alembic>")
        return []

    run_env(
        config, script_directory(config), fn=report, as_sql=bool(int(offline)),
        dont_mutate=True, lock_options={"migration_lock": False},
    )


if __name__ == "__main__":
    main()
