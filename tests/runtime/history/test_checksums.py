"""Checksums of revision files: what they ignore and what they see."""

from __future__ import annotations

from dbshift.runtime.history.checksums import normalized_text, text_checksum

SOURCE = b'''"""add a table

Revision ID: r1
Create Date: 2024-05-01 10:00:00.000000

"""
from alembic import op


def upgrade():
    op.execute("CREATE TABLE t (id INT)")
'''


def test_line_endings_do_not_count() -> None:
    assert text_checksum(SOURCE.replace(b"\n", b"\r\n")) == text_checksum(SOURCE)
    assert text_checksum(SOURCE.replace(b"\n", b"\r")) == text_checksum(SOURCE)


def test_trailing_whitespace_and_trailing_blank_lines_do_not_count() -> None:
    padded = SOURCE.replace(b"\n", b"  \t\n") + b"\n\n\n"
    assert text_checksum(padded) == text_checksum(SOURCE)


def test_the_docstring_create_date_does_not_count() -> None:
    redated = SOURCE.replace(b"2024-05-01 10:00:00.000000", b"2025-01-01 00:00:00")
    assert text_checksum(redated) == text_checksum(SOURCE)
    assert "Create Date" not in normalized_text(SOURCE)


def test_a_create_date_outside_the_docstring_counts() -> None:
    changed = SOURCE + b'# Create Date: written by hand\n'
    assert text_checksum(changed) != text_checksum(SOURCE)


def test_statements_comments_and_indentation_count() -> None:
    assert text_checksum(SOURCE.replace(b"INT", b"BIGINT")) != text_checksum(SOURCE)
    assert text_checksum(SOURCE + b"# note\n") != text_checksum(SOURCE)
    assert text_checksum(SOURCE.replace(b"    op.", b"  op.")) != text_checksum(SOURCE)
    assert text_checksum(b"\xef\xbb\xbf" + SOURCE) == text_checksum(SOURCE)  # a BOM does not
