"""The SQL of the ENUM type directives (``dbshift.ddl.postgresql``), exact, with PostgreSQL quoting."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from dbshift.ddl.postgresql import (
    add_enum_value_sql,
    create_enum_type_sql,
    drop_enum_type_sql,
    recreate_enum_type_sql,
)
from dbshift.operations.ops import AddEnumValueOp, RecreateEnumTypeOp


def test_create_and_drop_quote_names_and_labels() -> None:
    assert create_enum_type_sql(None, "Mood", ["it's", "ok"], "app") == (
        "CREATE TYPE app.\"Mood\" AS ENUM ('it''s', 'ok')"
    )
    assert drop_enum_type_sql(postgresql.dialect(), "mood", None) == "DROP TYPE mood"


def test_add_value_before_or_after() -> None:
    assert add_enum_value_sql(None, "mood", "meh", None) == (
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'"
    )
    assert add_enum_value_sql(None, "mood", "meh", "s", before="ok", after="sad") == (
        "ALTER TYPE s.mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'"
    )
    assert add_enum_value_sql(None, "mood", "meh", None, after="sad") == (
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'sad'"
    )


def test_recreate_converts_each_column_and_keeps_its_default() -> None:
    statements = recreate_enum_type_sql(
        None, "mood", ["a", "b"], "s", [("s", "user", "mood", "'a'::s.mood"), (None, "t", "m", None)]
    )
    # first and last but one: the DO blocks that save/restore the indexes and CHECKs using the
    # type and convert the remaining columns (arrays); their effect is tested live
    save, restore = statements.pop(0), statements.pop(-2)
    assert save.startswith("DO $dbshift$") and "CAST('s.mood' AS regtype)" in save
    assert restore.startswith("DO $dbshift$") and "CAST('s.mood_old' AS regtype)" in restore
    assert statements == [
        "ALTER TYPE s.mood RENAME TO mood_old",
        "CREATE TYPE s.mood AS ENUM ('a', 'b')",
        'ALTER TABLE s."user" ALTER COLUMN mood DROP DEFAULT',
        'ALTER TABLE s."user" ALTER COLUMN mood TYPE s.mood USING CAST(CAST(mood AS TEXT) AS s.mood)',
        "ALTER TABLE s.\"user\" ALTER COLUMN mood SET DEFAULT 'a'::s.mood",
        "ALTER TABLE t ALTER COLUMN m TYPE s.mood USING CAST(CAST(m AS TEXT) AS s.mood)",
        "DROP TYPE s.mood_old",
    ]


def test_ops_give_the_same_sql() -> None:
    op = AddEnumValueOp("mood", "c", after="b", existing_values=["a", "b"])
    assert op.statements() == [add_enum_value_sql(None, "mood", "c", None, after="b")]
    recreate = op.reverse()
    assert isinstance(recreate, RecreateEnumTypeOp)
    assert recreate.statements(postgresql.dialect()) == recreate_enum_type_sql(
        None, "mood", ["a", "b"], None, []
    )
