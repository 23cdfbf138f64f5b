"""Post-write hooks: programs run on a revision file right after it is written.

Hooks come from :meth:`dbshift.config.Config.get_hooks_list` (``[post_write_hooks]`` in the ini,
or ``[[tool.alembic.post_write_hooks]]``). Each hook names a ``type``; a type is a function
``fn(path, options)`` registered with :func:`register`. Built-in types:

* ``console_scripts`` -- ``entrypoint``: a console_scripts entry point, run as
  ``python -c "import mod; mod.attr()" ARGS``;
* ``exec`` -- ``executable``: a program found on PATH, or an absolute/relative path;
* ``module`` -- ``module``: run as ``python -m module ARGS``.

Their common options are ``options`` (a shell-quoted argument string in which the token
``REVISION_SCRIPT_FILENAME`` stands for the file; it is put first when absent) and ``cwd``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..util.exc import CommandError
from ..util.messaging import status

__all__ = ["REVISION_SCRIPT_TOKEN", "register", "run_hooks"]

REVISION_SCRIPT_TOKEN = "REVISION_SCRIPT_FILENAME"

HookFn = Callable[[str, Mapping[str, Any]], Any]

_registry: dict[str, HookFn] = {}


def register(name: str) -> Callable[[HookFn], HookFn]:
    """Decorator registering ``fn(path, options)`` as the post-write hook type ``name``.

    ``options`` is the hook's configuration dict (``_hook_name`` holds its configured name).
    Registering a name again replaces the earlier function.
    """

    def decorate(fn: HookFn) -> HookFn:
        _registry[name] = fn
        return fn

    return decorate


def run_hooks(
    path: str,
    hook_config_list: Sequence[Mapping[str, Any]],
    echo: Callable[[str], Any] | None = None,
) -> None:
    """Run each configured hook on the revision file ``path``, in order.

    ``echo`` receives progress lines (default: standard output, as Alembic writes them; pass
    ``lambda s: None`` to be quiet). A hook without a ``type``, of an unknown type, or that fails raises CommandError
    naming the hook.
    """
    for hook in hook_config_list:
        name = hook.get("_hook_name", "?")
        type_ = hook.get("type")
        if not type_:
            raise CommandError(
                f"Post-write hook {name!r} has no type; set {name}.type (or type = ... in TOML) "
                "to console_scripts, exec, module or a registered type"
            )
        try:
            fn = _registry[type_]
        except KeyError:
            raise CommandError(
                f"Post-write hook {name!r}: no hook type {type_!r} is registered "
                f"(known: {', '.join(sorted(_registry))})"
            ) from None
        if echo is None:
            with status(f"Running post write hook {name!r}", newline=True):
                fn(path, hook)
        else:
            echo(f"Running post write hook {name!r} ...")
            fn(path, hook)
            echo("  done")


def _hook_name(options: Mapping[str, Any]) -> str:
    return str(options.get("_hook_name", "?"))


def _required(options: Mapping[str, Any], key: str) -> str:
    value = options.get(key)
    if not value:
        name = _hook_name(options)
        raise CommandError(f"Post-write hook {name!r} needs {name}.{key} (or {key} = ... in TOML)")
    return str(value)


def _argv_options(options: Mapping[str, Any], path: str) -> list[str]:
    """Split ``options`` shell-style, with the revision file in place of its token."""
    text = str(options.get("options", "") or "")
    if REVISION_SCRIPT_TOKEN not in text:
        text = f"{REVISION_SCRIPT_TOKEN} {text}"
    try:
        args = shlex.split(text, posix=os.name == "posix")
    except ValueError as err:
        raise CommandError(
            f"Post-write hook {_hook_name(options)!r}: cannot parse options {text!r}: {err}"
        ) from err
    return [arg.replace(REVISION_SCRIPT_TOKEN, path) for arg in args]


def _run(argv: list[str], options: Mapping[str, Any], path: str) -> None:
    cwd = options.get("cwd") or None
    name = _hook_name(options)
    if cwd is not None and not os.path.isdir(cwd):
        raise CommandError(f"Post-write hook {name!r}: cwd {cwd!r} is not a directory")
    try:
        result = subprocess.run(argv, cwd=cwd, check=False)
    except OSError as err:
        raise CommandError(f"Post-write hook {name!r} could not start {argv[0]!r}: {err}") from err
    if result.returncode != 0:
        raise CommandError(
            f"Post-write hook {name!r} failed with exit code {result.returncode} on {path} "
            "(the revision file was written)"
        )


@register("console_scripts")
def console_scripts(path: str, options: Mapping[str, Any]) -> None:
    """Run the console_scripts entry point ``entrypoint`` in this Python on ``path``."""
    from importlib.metadata import entry_points

    wanted = _required(options, "entrypoint")
    for entry in entry_points(group="console_scripts"):
        if entry.name == wanted:
            break
    else:
        raise CommandError(
            f"Post-write hook {_hook_name(options)!r}: no console_scripts entry point "
            f"{wanted!r} is installed"
        )
    module, _, attr = entry.value.partition(":")
    module = module.strip()
    attr = attr.split("[")[0].strip()
    call = f"import sys, {module} as _m; _f = _m"
    for part in attr.split(".") if attr else []:
        call += f".{part}"
    call += "; sys.exit(_f())"
    _run([sys.executable, "-c", call, *_argv_options(options, path)], options, path)


@register("exec")
def exec_(path: str, options: Mapping[str, Any]) -> None:
    """Run the program ``executable`` (found on PATH unless given as a path) on ``path``."""
    executable = _required(options, "executable")
    found = shutil.which(executable)
    if found is None:
        raise CommandError(
            f"Post-write hook {_hook_name(options)!r}: executable {executable!r} not found on PATH"
        )
    _run([found, *_argv_options(options, path)], options, path)


@register("module")
def module(path: str, options: Mapping[str, Any]) -> None:
    """Run ``python -m <module>`` in this Python on ``path``."""
    name = _required(options, "module")
    _run([sys.executable, "-m", name, *_argv_options(options, path)], options, path)
