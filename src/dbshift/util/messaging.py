"""Status lines on standard output, laid out as Alembic lays them out.

``init`` and the revision writer say what they create (``Generating /path/file.py ...  done``).
Alembic writes these lines to ``sys.stdout`` as they are when the standard input is not a
terminal (a script, a pipe, a CI job), and indented by two spaces and wrapped to the terminal's
width when it is; so does this module, so that output compared with Alembic's, or read by a
program written for Alembic's, is the same.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

_UNKNOWN = -1
_terminal_width: int | None = _UNKNOWN


def terminal_width() -> int | None:
    """The width of the terminal on the standard input (as Alembic measures it), or None."""
    global _terminal_width
    if _terminal_width == _UNKNOWN:
        import os

        try:
            width: int | None = os.get_terminal_size(0).columns
        except (AttributeError, ValueError, OSError):
            width = None
        _terminal_width = width if width else None
    return _terminal_width


def msg(text: str, newline: bool = True, flush: bool = False, quiet: bool = False) -> None:
    """Write ``text`` to standard output (indented and wrapped on a terminal)."""
    if quiet:
        return
    width = terminal_width()
    out = sys.stdout
    if width is None:
        out.write(text + ("\n" if newline else ""))
    else:
        import textwrap

        lines = textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ") or [""]
        for line in lines[:-1]:
            out.write(line + "\n")
        out.write(lines[-1] + ("\n" if newline else ""))
    if flush:
        out.flush()


class status:  # noqa: N801 - used like a function: ``with status("Generating x"):``
    """``with status("Generating x"):`` writes ``Generating x ...`` before the block and
    ``  done`` (or ``  FAILED``) after it, on the same line unless ``newline``."""

    def __init__(self, text: str, quiet: bool = False, newline: bool = False) -> None:
        self.text = text
        self.quiet = quiet
        self.newline = newline

    def __enter__(self) -> None:
        msg(self.text + " ...", newline=self.newline, flush=True, quiet=self.quiet)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.quiet:
            sys.stdout.write("  FAILED\n" if exc_type is not None else "  done\n")
            sys.stdout.flush()
