"""Loading Python files as modules: revision files and ``env.py``.

Each revision file becomes a module of its own (a unique name in ``sys.modules``), imported only
when a run needs its ``upgrade()``/``downgrade()``; ``package:resource`` locations resolve to
paths here too.
"""

from __future__ import annotations

import itertools
import os
import sys

from ..util.exc import CommandError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

__all__ = ["coerce_resource_to_filename", "load_module_from_path", "load_python_file"]

_module_counter = itertools.count(1)


def load_module_from_path(path: str, module_name: str | None = None) -> ModuleType:
    """Execute the ``.py`` (or sourceless ``.pyc``/``.pyo``) file at ``path`` as a new module.

    Each call gets a unique module name (registered in ``sys.modules`` so that dataclasses and
    pickling inside revision files work), so two files with the same name never collide. The
    file runs with ``alembic`` served by dbshift, also where Alembic is installed (env.py runs
    the whole migration while it loads): see :class:`dbshift.compat.serving_project_files`.
    """
    import importlib.machinery
    import importlib.util
    import re

    from ..compat import serving_project_files

    if module_name is None:
        stem = re.sub(r"\W", "_", os.path.basename(path))
        module_name = f"_dbshift_rev_{stem}_{next(_module_counter)}"
    if not path.endswith(".py"):
        if path.endswith((".pyc", ".pyo")):
            loader: Any = importlib.machinery.SourcelessFileLoader(module_name, path)
            spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
        else:
            spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"Can't load Python file {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            with serving_project_files():
                spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        return module

    # A .py file, as SourceFileLoader would load it (same module attributes, same bytecode
    # cache), minus the generic machinery: a run loads one module per revision, so the
    # up-to-date timestamp ``.pyc`` is read directly; anything else goes through the loader,
    # which compiles the source and writes the cache.
    import io
    import marshal
    import types

    loader = importlib.machinery.SourceFileLoader(module_name, path)
    spec = importlib.machinery.ModuleSpec(module_name, loader, origin=path)
    spec.has_location = True
    try:
        cached: str | None = importlib.util.cache_from_source(path)
    except NotImplementedError:
        cached = None
    spec.cached = cached
    code = None
    if cached is not None:
        try:
            stat = os.stat(path)
            with io.open_code(cached) as file:
                data = file.read()
        except OSError:
            data = b""
        # 16-byte header: magic, flags (0 = validated by source mtime and size), mtime, size.
        if (
            len(data) > 16
            and data[:4] == importlib.util.MAGIC_NUMBER
            and data[4:8] == b"\0\0\0\0"
            and int.from_bytes(data[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(data[12:16], "little") == stat.st_size & 0xFFFFFFFF
        ):
            try:
                code = marshal.loads(memoryview(data)[16:])
            except (EOFError, ValueError, TypeError):
                code = None
    if code is None:
        code = loader.get_code(module_name)
    module = types.ModuleType(module_name)
    module.__spec__ = spec
    module.__loader__ = loader
    module.__package__ = spec.parent
    module.__file__ = path
    if cached is not None:
        module.__cached__ = cached
    sys.modules[module_name] = module
    try:
        with serving_project_files():
            exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def load_python_file(dir_: str, filename: str) -> ModuleType:
    """Load ``dir_/filename``; for a missing ``.py``, fall back to its compiled file."""
    path = os.path.join(dir_, filename)
    if filename.endswith(".py") and not os.path.exists(path):
        legacy = path + "c"
        if os.path.exists(legacy):
            return load_module_from_path(legacy)
        import importlib.util

        try:
            cached = importlib.util.cache_from_source(path)
        except NotImplementedError:
            cached = None
        if cached and os.path.exists(cached):
            return load_module_from_path(cached)
        raise ImportError(f"Can't find Python file {path}")
    return load_module_from_path(path)


def coerce_resource_to_filename(location: str) -> str:
    """Turn a ``package:resource`` spec into a filesystem path; plain paths pass through."""
    if os.path.isabs(location) or ":" not in location or _windows_drive(location):
        return location
    import re

    package, _, resource = location.partition(":")
    if not re.match(r"^[\w.]+$", package):
        return location
    import importlib.resources

    try:
        return str(importlib.resources.files(package).joinpath(resource))
    except (ModuleNotFoundError, TypeError) as err:
        raise CommandError(f"Can't resolve package resource {location!r}: {err}") from err


def _windows_drive(location: str) -> bool:
    """``re.match(r"^[A-Za-z]:[\\\\/]", location)``: ``C:\\...`` or ``C:/...``."""
    return (
        len(location) > 2
        and location[0].isascii()
        and location[0].isalpha()
        and location[1] == ":"
        and location[2] in "\\/"
    )
