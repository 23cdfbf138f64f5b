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
line (exact flags, no ``--help``; see :func:`dbshift.cli.fast_parse.fast_parse`) is read without argparse at all, into
the same options argparse would make; anything else goes through the argparse parser.
"""

from __future__ import annotations

import sys

from .. import __version__
from .fast_parse import Options, fast_parse
from .flags import (  # FLAGS and POSITIONAL_HELP: also public here, as before
    API_ONLY,
    CLI_NAMES,
    FLAGS,
    MANY,
    POSITIONAL_HELP,
    first_paragraph,
    split_parameters,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import Any

# argparse (with gettext, shutil, locale...) is imported only when the exact fast path of
# :func:`fast_parse` does not apply: ``--help``, an error, an abbreviated flag, and so on.

__all__ = ["FLAGS", "POSITIONAL_HELP", "CommandLine", "Options", "main"]


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
        from .. import command

        for name in command.__all__:
            self.register_command(getattr(command, name))
        return parser

    def register_command(self, fn: Callable[..., Any]) -> None:
        """Add ``fn(config, ...)`` as a sub-command named after it.

        Parameters without a default become positionals; parameters with a default become the
        flags of :data:`FLAGS`, or ``--param-name`` for names not in that table (a switch when
        the default is a bool).
        """
        subparser = self.subparsers.add_parser(fn.__name__, help=first_paragraph(fn))
        subparser._populate = lambda: self._add_arguments(subparser, fn)

    @staticmethod
    def _add_arguments(subparser: argparse.ArgumentParser, fn: Callable[..., Any]) -> None:
        positional, keywords = split_parameters(fn)
        dests: list[tuple[str, str]] = []
        for param in positional:
            shown = CLI_NAMES.get((fn.__name__, param), param)
            many = shown in MANY
            subparser.add_argument(
                shown,
                nargs="+" if many else None,
                help=POSITIONAL_HELP.get(shown, shown),
            )
        for name, default in keywords:
            if name in API_ONLY:
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
            cmd=(fn, [CLI_NAMES.get((fn.__name__, p), p) for p in positional], dests)
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
        from ..config import Config, resolve_config_files

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
        from ..command.migrate import CLI_PROGRESS

        config.attributes[CLI_PROGRESS] = True
        self.run_cmd(config, options)


def main(argv: Sequence[str] | None = None, prog: str | None = None, **kwargs: Any) -> None:
    """The ``dbshift`` console script (also ``alembic.config.main`` for the shim)."""
    options = fast_parse(sys.argv[1:] if argv is None else argv)
    if options is None:
        CommandLine(prog=prog).main(argv=argv)
        return
    if argv is None and getattr(sys.modules.get("__main__"), "main", None) is main:
        # the console script: the process ends with the command
        if options.cmd[0].__name__ in _GRAPH_COMMANDS:
            _skip_garbage_collection()
        else:
            from ..runtime.gc_policy import freeze_before_runs

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


def _fail(err: BaseException) -> None:
    from ..util.error_text import one_line
    from ..util.exc import CommandError

    message = one_line(err) if str(err).split() else ""  # an empty message stays empty
    if not isinstance(err, CommandError):
        message = f"{type(err).__name__}: {message}" if message else type(err).__name__
    sys.stderr.write(f"FAILED: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
