"""The ``dbshift`` command line: argument parsing only; the work is in :mod:`dbshift.command`.

Sub-commands are built from the signatures of the functions in :mod:`dbshift.command`:
parameters without a default become positionals, parameters with one become the flags of
:data:`FLAGS` (the same spellings as Alembic's). :meth:`CommandLine.register_command` adds a
project's own commands the same way.

Errors: a :class:`~dbshift.util.exc.CommandError` prints ``FAILED: <message>`` on one line to
stderr; any other exception (an SQL error inside a migration, a bug in ``env.py``) prints
``FAILED: <ExceptionType>: <message>``. Either way the exit status is **1** (Alembic exits with
``sys.exit(-1)``, i.e. 255 on POSIX; dbshift uses the conventional 1, and only "non-zero" is
documented by either). ``--raiseerr`` re-raises instead, showing the traceback.

Importing this module and running ``dbshift --help`` import neither SQLAlchemy nor Mako nor
autogenerate: the command module imports what each command needs when it runs. A plain command
line (exact flags, no ``--help``; see :func:`_fast_parse`) is read without argparse at all, into
the same options argparse would make; anything else goes through the argparse parser.
"""

from __future__ import annotations

import sys

from . import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import types
    from collections.abc import Callable, Sequence
    from typing import Any

# argparse (with gettext, shutil, locale...) is imported only when the exact fast path of
# :func:`_fast_parse` does not apply: ``--help``, an error, an abbreviated flag, and so on.

__all__ = ["FLAGS", "CommandLine", "main"]

#: Flags for command parameters that have a default, keyed by parameter name.
FLAGS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "template": (
        ("-t", "--template"),
        {"default": "generic", "help": "template to create the environment from (see list_templates)"},
    ),
    "message": (("-m", "--message"), {"help": "message of the new revision"}),
    "sql": (
        ("--sql",),
        {
            "action": "store_true",
            "help": "don't connect: write the SQL to standard output (offline mode)",
        },
    ),
    "tag": (("--tag",), {"help": "arbitrary tag that env.py can read with get_tag_argument()"}),
    "head": (
        ("--head",),
        {"help": "revision (or <branchname>@head, or base) the new revision is based on"},
    ),
    "splice": (
        ("--splice",),
        {"action": "store_true", "help": "allow a non-head revision as the parent"},
    ),
    "depends_on": (
        ("--depends-on",),
        {"action": "append", "help": "revision or branch label the new revision depends on (repeatable)"},
    ),
    "rev_id": (("--rev-id",), {"help": "use this revision id instead of a generated one"}),
    "version_path": (
        ("--version-path",),
        {"help": "version location (from the configuration) to write the new file into"},
    ),
    "branch_label": (("--branch-label",), {"help": "branch label to put on the new revision"}),
    "verbose": (("-v", "--verbose"), {"action": "store_true", "help": "full output"}),
    "resolve_dependencies": (
        ("--resolve-dependencies",),
        {"action": "store_true", "help": "count depends_on revisions as parents"},
    ),
    "autogenerate": (
        ("--autogenerate",),
        {
            "action": "store_true",
            "help": "fill the revision with operations found by comparing the database to the models",
        },
    ),
    "rev_range": (("-r", "--rev-range"), {"help": "range of revisions: [start]:[end]"}),
    "indicate_current": (
        ("-i", "--indicate-current"),
        {"action": "store_true", "help": "mark the database's current revision(s)"},
    ),
    "purge": (
        ("--purge",),
        {"action": "store_true", "help": "empty the version table before stamping"},
    ),
    "package": (
        ("--package",),
        {"action": "store_true", "help": "write __init__.py files into the new directories"},
    ),
    "check_heads": (
        ("-c", "--check-heads"),
        {
            "action": "store_true",
            "help": "fail (DatabaseNotAtHead) unless the database is at every head revision",
        },
    ),
}

#: Help for the positional parameters of the built-in commands.
POSITIONAL_HELP: dict[str, str] = {
    "directory": "directory of the new migration environment",
    "revision": "revision identifier",
    "revisions": "one or more revisions, or 'heads' for all heads",
    "rev": "revision identifier",
}

# Parameters that take several values on the command line, and the name they show there.
_MANY = {"revisions"}
_CLI_NAMES = {("stamp", "revision"): "revisions"}
# Parameters only the Python API has.
_API_ONLY = {"process_revision_directives"}


class CommandLine:
    """The argument parser of ``dbshift``, with one sub-command per command function."""

    def __init__(self, prog: str | None = None) -> None:
        self.parser = self._build_parser(prog)

    def _build_parser(self, prog: str | None) -> argparse.ArgumentParser:
        import argparse

        parser = argparse.ArgumentParser(
            prog=prog,
            description="Database schema migrations for SQLAlchemy, compatible with Alembic.",
        )
        parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
        parser.add_argument(
            "-c",
            "--config",
            action="append",
            help="configuration file: an ini file and/or a pyproject.toml (repeatable); default "
            "$DBSHIFT_CONFIG, $ALEMBIC_CONFIG, else alembic.ini and pyproject.toml here",
        )
        parser.add_argument(
            "-n",
            "--name",
            default="alembic",
            help="ini section holding the options (default: alembic)",
        )
        parser.add_argument(
            "-x",
            action="append",
            help="extra argument for env.py, read with context.get_x_argument() (repeatable)",
        )
        parser.add_argument(
            "--raiseerr", action="store_true", help="on an error, raise it with its traceback"
        )
        parser.add_argument("-q", "--quiet", action="store_true", help="no output on stdout")
        # prog given, so argparse need not run a help formatter (and import shutil) to make it
        self.subparsers = parser.add_subparsers(
            metavar="<command>", parser_class=_lazy_parser_class(), prog=parser.prog
        )
        self.parser = parser
        from . import command

        for name in command.__all__:
            self.register_command(getattr(command, name))
        return parser

    def register_command(self, fn: Callable[..., Any]) -> None:
        """Add ``fn(config, ...)`` as a sub-command named after it.

        Parameters without a default become positionals; parameters with a default become the
        flags of :data:`FLAGS`, or ``--param-name`` for names not in that table (a switch when
        the default is a bool).
        """
        subparser = self.subparsers.add_parser(fn.__name__, help=_first_paragraph(fn))
        subparser._populate = lambda: self._add_arguments(subparser, fn)

    @staticmethod
    def _add_arguments(subparser: argparse.ArgumentParser, fn: Callable[..., Any]) -> None:
        positional, keywords = _split_parameters(fn)
        dests: list[tuple[str, str]] = []
        for param in positional:
            shown = _CLI_NAMES.get((fn.__name__, param), param)
            many = shown in _MANY
            subparser.add_argument(
                shown,
                nargs="+" if many else None,
                help=POSITIONAL_HELP.get(shown, shown),
            )
        for name, default in keywords:
            if name in _API_ONLY:
                continue
            if name in FLAGS:
                flags, kw = FLAGS[name]
                subparser.add_argument(*flags, dest=name, **kw)
            else:
                flag = "--" + name.replace("_", "-")
                if isinstance(default, bool):
                    subparser.add_argument(flag, dest=name, action="store_true")
                else:
                    subparser.add_argument(flag, dest=name, default=default)
            dests.append((name, name))
        subparser.set_defaults(
            cmd=(fn, [_CLI_NAMES.get((fn.__name__, p), p) for p in positional], dests)
        )

    def run_cmd(self, config: Any, options: argparse.Namespace) -> None:
        """Run the command chosen in ``options`` with ``config``; errors exit with status 1."""
        fn, positional, keywords = options.cmd
        try:
            fn(
                config,
                *[getattr(options, name) for name in positional],
                **{param: getattr(options, dest) for param, dest in keywords},
            )
        except Exception as err:
            if options.raiseerr:
                raise
            _fail(err)

    def main(self, argv: Sequence[str] | None = None) -> None:
        """Parse ``argv`` (default ``sys.argv[1:]``), build the Config, run the command."""
        options = self.parser.parse_args(argv)
        if not hasattr(options, "cmd"):
            self.parser.error("a command is required (see --help)")
        self.run(options)

    def run(self, options: Any) -> None:
        """Build the Config the parsed ``options`` name and run their command."""
        from .config import Config, resolve_config_files

        try:
            ini_file, toml_file = resolve_config_files(options.config)
        except Exception as err:
            if options.raiseerr:
                raise
            _fail(err)
        config = Config(
            file_=ini_file,
            toml_file=toml_file,
            ini_section=options.name,
            cmd_opts=options,
            stdout=sys.stdout,
        )
        self.run_cmd(config, options)


def main(argv: Sequence[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """The ``dbshift`` console script (also ``alembic.config.main`` for the shim)."""
    options = _fast_parse(sys.argv[1:] if argv is None else argv)
    if options is None:
        CommandLine(prog=prog).main(argv=argv)
        return
    if argv is None and getattr(sys.modules.get("__main__"), "main", None) is main:
        # the console script: the process ends with the command
        if options.cmd[0].__name__ in _GRAPH_COMMANDS:
            _skip_garbage_collection()
        else:
            from .runtime.gc_policy import freeze_before_runs

            freeze_before_runs()
    CommandLine.__new__(CommandLine).run(options)


# Commands that read the revision graph and exit: no garbage cycles worth collecting.
_GRAPH_COMMANDS = frozenset(("heads", "history", "branches", "show"))


def _skip_garbage_collection() -> None:
    """For a graph command run as the console script (``__main__`` is the ``dbshift`` script
    or ``python -m dbshift``, which exit when it returns): no cyclic garbage collection while
    it runs, and none of the objects it made at the interpreter's final collection (which
    would otherwise walk every revision of the graph once more, a few milliseconds per
    thousand revisions, to free memory the exiting process gives back anyway)."""
    import atexit
    import gc

    gc.disable()
    atexit.register(gc.freeze)


_LAZY_PARSER: type | None = None


def _lazy_parser_class() -> type:
    """``_LazyParser``: a sub-command parser whose arguments are added the first time it is
    used, so that a run builds the arguments of its own command only (made on first use, so
    that importing this module does not import argparse)."""
    global _LAZY_PARSER
    if _LAZY_PARSER is None:
        import argparse

        class _LazyParser(argparse.ArgumentParser):
            _populate: Callable[[], None] | None = None

            def _ensure_arguments(self) -> None:
                populate, self._populate = self._populate, None
                if populate is not None:
                    populate()

            def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
                self._ensure_arguments()
                return super().parse_known_args(*args, **kwargs)

            def format_usage(self) -> str:
                self._ensure_arguments()
                return super().format_usage()

            def format_help(self) -> str:
                self._ensure_arguments()
                return super().format_help()

        _LAZY_PARSER = _LazyParser
    return _LAZY_PARSER


# --------------------------------------------------------------------------------------------
# the fast path: the plain command lines, parsed exactly as argparse would


class Options:
    """The parsed command line (``config.cmd_opts``) when :func:`_fast_parse` read it: plain
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


def _command_flags(
    fn: Callable[..., Any],
) -> tuple[list[str], dict[str, tuple[str, str]], dict[str, Any]]:
    """(positional names as shown, ``{flag: (dest, action)}``, ``{dest: default}``) of a
    command, the same table :meth:`CommandLine._add_arguments` gives argparse."""
    positional, keywords = _split_parameters(fn)
    flags: dict[str, tuple[str, str]] = {}
    defaults: dict[str, Any] = {}
    for name, default in keywords:
        if name in _API_ONLY:
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
    return [_CLI_NAMES.get((fn.__name__, p), p) for p in positional], flags, defaults


def _fast_parse(argv: Sequence[str]) -> Options | None:
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
    from . import command

    name = argv[i]
    if name not in command.__all__:
        return None
    fn = getattr(command, name)
    shown, flags, defaults = _command_flags(fn)
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
    if shown and shown[-1] in _MANY:
        if len(found) < len(shown) or gaps > 1:
            return None
        values.update(zip(shown[:-1], found))
        values[shown[-1]] = found[len(shown) - 1 :]
    else:
        if len(found) != len(shown) or (gaps > 1 and len(shown) > 1):
            return None
        values.update(zip(shown, found))
    values["cmd"] = (fn, shown, [(d, d) for d in defaults])
    return Options(**values)


def _split_parameters(fn: Callable[..., Any]) -> tuple[list[str], list[tuple[str, Any]]]:
    """(positional names, [(keyword name, default)]) of ``fn`` after its first parameter."""
    code = getattr(fn, "__code__", None)
    if type(fn) is type(_first_paragraph) and not hasattr(fn, "__wrapped__") and code is not None:
        return _split_code_parameters(fn, code)
    import inspect

    params = list(inspect.signature(fn).parameters.values())[1:]  # the first one is config
    positional = [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    keywords = [
        (p.name, p.default)
        for p in params
        if p.default is not inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return positional, keywords


def _split_code_parameters(
    fn: types.FunctionType, code: types.CodeType
) -> tuple[list[str], list[tuple[str, Any]]]:
    """:func:`_split_parameters` read from a plain function's code object (what
    ``inspect.signature`` reports for it, without importing :mod:`inspect`)."""
    names = code.co_varnames[: code.co_argcount]
    defaults = fn.__defaults__ or ()
    first_default = len(names) - len(defaults)
    positional = [n for n in names[1:first_default]] if first_default > 0 else []
    keywords = [
        (n, defaults[i - first_default])
        for i, n in enumerate(names)
        if i >= max(first_default, 1)
    ]
    kwonly = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    kwdefaults = fn.__kwdefaults__ or {}
    keywords += [(n, kwdefaults[n]) for n in kwonly if n in kwdefaults]
    return positional, keywords


def _first_paragraph(fn: Callable[..., Any]) -> str:
    doc = getattr(fn, "__doc__", None) or ""
    lines = []
    for line in doc.strip().splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    return " ".join(lines).replace("``", "").replace("%", "%%")


def _one_line(err: BaseException) -> str:
    text = str(err)
    # SQLAlchemy appends a documentation link on its own line; it is noise on one line.
    marker = "(Background on this error at:"
    if marker in text:
        text = text[: text.index(marker)]
    return " ".join(text.split())


def _fail(err: BaseException) -> None:
    from .util.exc import CommandError

    message = _one_line(err)
    if not isinstance(err, CommandError):
        message = f"{type(err).__name__}: {message}" if message else type(err).__name__
    sys.stderr.write(f"FAILED: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
