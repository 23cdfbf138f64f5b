"""An exception's message as one line, for error messages that quote another error."""

from __future__ import annotations

#: What SQLAlchemy appends to its errors on a line of its own: a documentation link.
_BACKGROUND_LINK = "(Background on this error at:"


def one_line(err: BaseException, *, database_message: bool = False) -> str:
    """``err``'s message with its whitespace collapsed and SQLAlchemy's documentation link
    dropped; the exception's type name when that leaves nothing.

    With ``database_message``, a SQLAlchemy error that wraps a driver error gives the driver's
    own message (``err.orig``: the database's words, without the SQL and parameters).
    """
    orig = getattr(err, "orig", None) if database_message else None
    text = str(orig if orig is not None else err)
    if _BACKGROUND_LINK in text:
        text = text[: text.index(_BACKGROUND_LINK)]
    return " ".join(text.split()) or type(err).__name__
