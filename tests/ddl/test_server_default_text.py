"""Server defaults reduced to what autogenerate compares (dbshift.ddl.server_default_text)."""

from __future__ import annotations

import pytest

from dbshift.ddl.impl import DefaultImpl
from dbshift.ddl.server_default_text import comparable_server_default, strip_wrapping_parens
from dbshift.migration import MigrationContext


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("((0))", "0"),
        ("  ( 'a' )  ", "'a'"),
        ("(a) + (b)", "(a) + (b)"),
        ("((a) + (b))", "(a) + (b)"),
        ("now()", "now()"),
    ],
)
def test_only_parentheses_around_everything_go(sql: str, expected: str) -> None:
    assert strip_wrapping_parens(sql) == expected


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["0", "'0'", "((0))", "'0.0'"], ("num", 0.0)),
        (["true", "TRUE", "'1'", "1"], ("num", 1.0)),
        (["'it''s'", "('it''s')"], ("str", "it's")),
        (["now()", "CURRENT_TIMESTAMP", "current_timestamp()"], ("expr", "current_timestamp")),
        (['lower("Name")', "LOWER(`Name`)"], ("expr", "lower(name)")),
    ],
)
def test_spellings_of_one_default_compare_equal(spellings: list[str], expected: tuple) -> None:
    assert {comparable_server_default(sql) for sql in spellings} == {expected}


def test_the_default_implementation_compares_through_it() -> None:
    impl = MigrationContext.configure(dialect_name="default").impl
    assert isinstance(impl, DefaultImpl)
    assert impl.normalize_server_default("('x')") == ("str", "x")
    assert impl.compare_server_default(None, None, "'a'", "('a')") is False  # type: ignore[arg-type]
    assert impl.compare_server_default(None, None, "'a'", "'b'") is True  # type: ignore[arg-type]
