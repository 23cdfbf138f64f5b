"""``one_line``: the one formatter for an error quoted inside another message."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from dbshift.util.error_text import one_line


def _integrity_error() -> sa.exc.IntegrityError:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER NOT NULL)")
        with pytest.raises(sa.exc.IntegrityError) as info:
            conn.exec_driver_sql("INSERT INTO t (x) VALUES (NULL)")
    return info.value


def test_whitespace_collapses_and_the_documentation_link_goes() -> None:
    err = _integrity_error()
    assert "Background on this error" in str(err) and "\n" in str(err)
    assert one_line(err) == (
        "(sqlite3.IntegrityError) NOT NULL constraint failed: t.x "
        "[SQL: INSERT INTO t (x) VALUES (NULL)]"
    )


def test_database_message_is_the_drivers_own() -> None:
    err = _integrity_error()
    assert isinstance(err.orig, sqlite3.IntegrityError)
    assert one_line(err, database_message=True) == "NOT NULL constraint failed: t.x"
    assert one_line(ValueError("a\n  b"), database_message=True) == "a b"


def test_an_empty_message_gives_the_type_name() -> None:
    assert one_line(KeyError()) == "KeyError"
    assert one_line(RuntimeError("  \n ")) == "RuntimeError"
