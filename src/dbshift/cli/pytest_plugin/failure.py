"""How a built-in migration test fails: a message, then labelled blocks of context.

A migration failure is only useful when it says which revision broke, in which direction, and
what the database said (the SQL that failed); these are laid out as titled, indented blocks under
a one-line message, the layout pytest-alembic's failures have, so output that users grep keeps
working.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["MigrationTestFailure", "error_context"]


class MigrationTestFailure(AssertionError):
    """A built-in test found a problem in the migrations (a test failure, not an error).

    ``context`` holds ``(title, text)`` pairs printed as indented blocks below the message.
    """

    def __init__(self, message: str, context: Sequence[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.context = list(context or ())

    def format_context(self) -> list[str]:
        """The context blocks as lines: a blank line, ``title:``, the text indented."""
        lines: list[str] = []
        for title, text in self.context:
            lines.extend(["", f"{title}:", textwrap.indent(str(text), "    ")])
        return lines

    def __str__(self) -> str:
        return "\n".join([self.message, *self.format_context()])


def error_context(error: BaseException) -> list[tuple[str, str]]:
    """Context blocks describing ``error``: the error itself first (under pytest-alembic's
    ``Alembic Error`` title), then the step it happened in and the SQL the database refused."""
    from .stepping import StepFailed

    blocks: list[tuple[str, str]] = []
    cause: BaseException = error
    if isinstance(error, StepFailed):
        cause = error.cause
    blocks.append(("Alembic Error", _error_text(cause)))
    if isinstance(error, StepFailed) and error.step_text:
        blocks.append(("Failing step", error.step_text))
    statement = _failed_statement(cause)
    if statement:
        blocks.append(("Failing SQL", statement))
    return blocks


def _error_text(error: BaseException) -> str:
    text = str(error).strip()
    name = type(error).__name__
    if not text:
        return name
    return text if isinstance(error, (RuntimeError, AssertionError)) else f"{name}: {text}"


def _failed_statement(error: BaseException) -> str | None:
    """The SQL statement a SQLAlchemy error carries (the error or one it was raised from)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        statement = getattr(current, "statement", None)
        if isinstance(statement, str) and statement.strip():
            return statement.strip()
        current = current.__cause__ or current.__context__
    return None
