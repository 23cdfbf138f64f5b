"""The command line's fast path: a plain command line read exactly as argparse would read it.

:func:`fast_parse` handles the common shapes (exact flags, no ``--help``, no abbreviations)
without importing argparse (with gettext, shutil, locale...), into the same options argparse
would make; it gives up (``None``) on anything else, which then goes through argparse
(:class:`dbshift.cli.CommandLine`). ``tests/test_cli_fast.py`` compares the two.
"""

from __future__ import annotations

from .flags import API_ONLY, CLI_NAMES, FLAGS, MANY, OPTIONAL_POSITIONAL, split_parameters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any


class Options:
    """The parsed command line (``config.cmd_opts``) when :func:`fast_parse` read it: plain
    attributes, compared and shown like :class:`argparse.Namespace`."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __eq__(self, other: object) -> bool:
        if not hasattr(other, "__dict__") or isinstance(other, type):
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__

    def __repr__(self) -> str:
        return "Namespace(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


# The global options: flag -> (dest, takes a value, appends).
_GLOBAL_FLAGS = {
    "-c": ("config", True, True),
    "--config": ("config", True, True),
    "-n": ("name", True, False),
    "--name": ("name", True, False),
    "-x": ("x", True, True),
    "--raiseerr": ("raiseerr", False, False),
    "-q": ("quiet", False, False),
    "--quiet": ("quiet", False, False),
}
_GLOBAL_DEFAULTS = {"config": None, "name": "alembic", "x": None, "raiseerr": False, "quiet": False}


def command_flags(
    fn: Callable[..., Any],
) -> tuple[list[str], dict[str, tuple[str, str]], dict[str, Any]]:
    """(positional names as shown, ``{flag: (dest, action)}``, ``{dest: default}``) of a
    command, the same table ``CommandLine._add_arguments`` (:mod:`dbshift.cli.main`) gives argparse."""
    positional, keywords = split_parameters(fn)
    flags: dict[str, tuple[str, str]] = {}
    defaults: dict[str, Any] = {}
    for name, default in keywords:
        if name in API_ONLY:
            continue
        if (fn.__name__, name) in OPTIONAL_POSITIONAL:
            defaults[name] = default
            continue
        if name in FLAGS:
            spellings, kw = FLAGS[name]
            action = kw.get("action", "store")
            defaults[name] = kw.get("default", False if action == "store_true" else None)
        else:
            spellings = ("--" + name.replace("_", "-"),)
            action = "store_true" if isinstance(default, bool) else "store"
            defaults[name] = False if action == "store_true" else default
        for spelling in spellings:
            flags[spelling] = (name, action)
    return [CLI_NAMES.get((fn.__name__, p), p) for p in positional], flags, defaults


def fast_parse(argv: Sequence[str]) -> Options | None:
    """The options argparse would make of ``argv``, for the common shapes of a command line:
    exact flags (no abbreviations, no ``--flag=value``, no bundled short flags), values that
    do not start with ``-``, the right number of positionals. ``None`` for anything else
    (``--help``, ``--version``, errors...), which then goes through argparse."""
    argv = list(argv)
    values: dict[str, Any] = dict(_GLOBAL_DEFAULTS)
    i, n = 0, len(argv)
    while i < n:
        token = argv[i]
        if not token.startswith("-"):
            break
        spec = _GLOBAL_FLAGS.get(token)
        if spec is None:
            return None
        dest, takes_value, appends = spec
        if takes_value:
            if i + 1 >= n or argv[i + 1].startswith("-"):
                return None
            value = argv[i + 1]
            if appends:
                values[dest] = [*(values[dest] or ()), value]
            else:
                values[dest] = value
            i += 2
        else:
            values[dest] = True
            i += 1
    if i >= n:
        return None
    from .. import command

    name = argv[i]
    if name not in command.__all__:
        return None
    fn = getattr(command, name)
    shown, flags, defaults = command_flags(fn)
    values.update(defaults)
    found: list[str] = []
    gaps = 0  # positional runs separated by flags
    last_positional = -2
    i += 1
    while i < n:
        token = argv[i]
        if not token.startswith("-"):
            if last_positional != i - 1:
                gaps += 1
            last_positional = i
            found.append(token)
            i += 1
            continue
        spec = flags.get(token)
        if spec is None:
            return None
        dest, action = spec
        if action == "store_true":
            values[dest] = True
            i += 1
            continue
        if i + 1 >= n or argv[i + 1].startswith("-"):
            return None
        value = argv[i + 1]
        if action == "append":
            values[dest] = [*(values[dest] or ()), value]
        else:
            values[dest] = value
        i += 2
    if shown and shown[-1] in MANY:
        if len(found) < len(shown) or gaps > 1:
            return None
        values.update(zip(shown[:-1], found))
        values[shown[-1]] = found[len(shown) - 1 :]
    else:
        optional = [p for c, p in sorted(OPTIONAL_POSITIONAL) if c == fn.__name__]
        extra = len(found) - len(shown)
        if extra < 0 or extra > len(optional) or (gaps > 1 and len(found) > 1):
            return None
        values.update(zip(shown, found))
        values.update(zip(optional, found[len(shown) :]))
    values["cmd"] = (fn, shown, [(d, d) for d in defaults])
    return Options(**values)
