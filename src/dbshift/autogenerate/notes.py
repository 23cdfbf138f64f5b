"""Notes autogenerate writes as comments above one table's operations.

A note is attached to a ``ModifyTableOps`` (:func:`add_note`); the renderer writes each as a
``# ...`` line before the table's operations (:func:`notes_of`). Notes change no operation and
no diff tuple: they tell the reader of the file what autogenerate could not decide (a possible
column rename, for one).
"""

from __future__ import annotations

from typing import Any

_ATTR = "_dbshift_notes"


def add_note(container: Any, text: str) -> None:
    """Attach ``text`` (one line, without ``#``) to ``container``."""
    container.__dict__.setdefault(_ATTR, []).append(text)


def notes_of(container: Any) -> list[str]:
    """The notes attached to ``container``, in the order they were added."""
    return list(getattr(container, "__dict__", {}).get(_ATTR, ()))
