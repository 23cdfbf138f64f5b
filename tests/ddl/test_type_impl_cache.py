"""Equal plain types share their dialect implementation; everything else is left to SQLAlchemy."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dbshift.ddl.type_impl_cache import TypeImplCache, type_identity


class Tagged(sa.types.TypeDecorator):
    impl = sa.String
    cache_ok = True


def _shared(first: sa.types.TypeEngine, second: sa.types.TypeEngine) -> bool:
    dialect = postgresql.dialect()
    cache = TypeImplCache(dialect)
    cache.share(first)
    first.dialect_impl(dialect)
    cache.share(second)
    return dialect._type_memos.get(second) is dialect._type_memos[first]


def test_equal_plain_types_share_the_implementation():
    assert _shared(sa.String(50), sa.String(50))
    assert _shared(sa.Integer(), sa.Integer())
    assert _shared(sa.Numeric(10, 2), sa.Numeric(10, 2))


def test_different_arguments_or_classes_do_not_share():
    assert not _shared(sa.String(50), sa.String(51))
    assert not _shared(sa.String(50), sa.Unicode(50))
    assert not _shared(sa.Numeric(10, 2), sa.Numeric(10, 3))
    assert not _shared(sa.DateTime(timezone=True), sa.DateTime())


def test_schema_types_decorators_and_variants_are_not_shared():
    assert type_identity(sa.Enum("a", "b")) is None
    assert type_identity(sa.Boolean()) is None
    assert type_identity(Tagged(20)) is None
    assert type_identity(sa.String(5).with_variant(sa.Text(), "mysql")) is None
    assert type_identity(sa.ARRAY(sa.Integer())) is None


def test_shared_implementation_renders_the_same_ddl():
    dialect = postgresql.dialect()
    cache = TypeImplCache(dialect)
    rendered = []
    for _ in range(2):
        table = sa.Table(
            "t",
            sa.MetaData(),
            sa.Column("id", sa.BigInteger(), primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        for column in table.columns:
            cache.share(column.type)
        rendered.append(str(sa.schema.CreateTable(table).compile(dialect=dialect)))
    assert rendered[0] == rendered[1]
    assert "id BIGSERIAL NOT NULL" in rendered[1]
    assert "name VARCHAR(50) NOT NULL" in rendered[1]
