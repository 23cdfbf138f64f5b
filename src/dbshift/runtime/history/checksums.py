"""Checksums of revision files: what a revision file says, minus what never changes behaviour.

A file's checksum is the SHA-256 (hex) of its text after normalisation:

1. decoded as UTF-8 (undecodable bytes replaced), a leading byte-order mark dropped;
2. line endings ``\\r\\n`` and ``\\r`` read as ``\\n``;
3. trailing spaces and tabs of every line removed, trailing empty lines removed;
4. the module docstring's ``Create Date: ...`` line (written by ``dbshift revision`` and
   ``alembic revision``) removed.

So re-saving a file with CRLF line endings or an editor that strips trailing blanks leaves the
checksum as it was; changing a statement, a comment or an indentation does not.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["file_checksum", "normalized_text", "text_checksum"]

_CREATE_DATE = re.compile(r"^\s*Create Date:.*$")


def normalized_text(raw: bytes) -> str:
    """The text of a revision file as checksummed (see the module docstring)."""
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [line.rstrip(" \t\f\v") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    docstring_end = _docstring_end(lines)
    kept = [
        line
        for index, line in enumerate(lines)
        if not (index <= docstring_end and _CREATE_DATE.match(line))
    ]
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _docstring_end(lines: list[str]) -> int:
    """The index of the line that closes the module docstring (-1: no docstring opens the file)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        quote = stripped[:3] if stripped[:3] in ('"""', "'''") else None
        if quote is None:
            return -1
        if stripped.count(quote) >= 2 and len(stripped) > 3:
            return index
        for end in range(index + 1, len(lines)):
            if quote in lines[end]:
                return end
        return len(lines) - 1
    return -1


def text_checksum(raw: bytes) -> str:
    """The checksum of a revision file's bytes."""
    return hashlib.sha256(normalized_text(raw).encode("utf-8")).hexdigest()


def file_checksum(path: str | Path) -> str:
    """The checksum of the revision file at ``path`` (``OSError`` when it cannot be read)."""
    with open(path, "rb") as handle:
        return text_checksum(handle.read())
