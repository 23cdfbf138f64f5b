"""``DefaultImpl`` (§7.1): defaults, registry, offline output, version table, batch hooks."""

from __future__ import annotations

import io

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultDialect

from dbshift.ddl.impl import DefaultImpl
from dbshift.migration import MigrationContext


def _impl(**opts) -> tuple[DefaultImpl, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="default", opts={"as_sql": True, "output_buffer": buf, **opts}
    )
    return ctx.impl, buf


def test_class_attribute_defaults():
    assert DefaultImpl.__dialect__ == "default"
    assert DefaultImpl.transactional_ddl is False
    assert DefaultImpl.command_terminator == ";"
    assert DefaultImpl.type_synonyms == ({"NUMERIC", "DECIMAL"},)
    assert tuple(DefaultImpl.type_arg_extract) == ()
    assert DefaultImpl.identity_attrs_ignore == ("order", "on_null")


def test_registry_lookup_by_dialect_name():
    assert DefaultImpl.get_by_dialect(DefaultDialect()) is DefaultImpl
    pg = DefaultImpl.get_by_dialect(sa.create_engine("postgresql+psycopg2://").dialect)
    assert issubclass(pg, DefaultImpl) and pg.__dialect__ == "postgresql"


def test_transactional_ddl_option_overrides_class_default():
    impl, _ = _impl(transactional_ddl=True)
    assert impl.transactional_ddl is True
    assert DefaultImpl.transactional_ddl is False


def test_static_output_emit_begin_commit_and_exec_terminator():
    impl, buf = _impl()
    impl.emit_begin()
    impl._exec("SELECT 1")
    impl.static_output("-- note")
    impl.emit_commit()
    assert buf.getvalue() == "BEGIN;\n\nSELECT 1;\n\n-- note\n\nCOMMIT;\n\n"


def test_version_table_impl():
    impl, _ = _impl()
    table = impl.version_table_impl(
        version_table="ver", version_table_schema="s", version_table_pk=True
    )
    assert (table.name, table.schema, [c.name for c in table.c]) == ("ver", "s", ["version_num"])
    assert table.c.version_num.type.length == 32 and table.c.version_num.nullable is False
    assert table.primary_key.name == "ver_pkc"
    no_pk = impl.version_table_impl(
        version_table="ver", version_table_schema=None, version_table_pk=False
    )
    assert list(no_pk.primary_key.columns) == []


def test_bind_offline_is_the_mock_connection():
    impl, _ = _impl()
    assert impl.bind is impl.connection
    assert impl.bind.dialect.name == "default"


def test_batch_hooks():
    impl, _ = _impl()
    assert impl.requires_recreate_in_batch(object()) is False
    old = sa.Column("x", sa.Integer)
    transfer = {"expr": old}
    impl.cast_for_batch_migrate(old, transfer, sa.String(10))
    assert str(transfer["expr"].compile(dialect=DefaultDialect())) == "CAST(x AS VARCHAR(10))"
    same = {"expr": old}
    impl.cast_for_batch_migrate(old, same, sa.BigInteger())
    assert same["expr"] is old


def test_bulk_insert_with_no_rows_writes_nothing():
    impl, buf = _impl()
    impl.bulk_insert(sa.table("t", sa.column("x")), [])
    assert buf.getvalue() == ""
