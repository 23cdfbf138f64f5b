"""The catalogue: every ``op`` directive and argument, expanded over every dialect.

A case is a snippet of Python run with these names bound: ``op`` (an ``Operations`` on an offline
context), ``sa`` (sqlalchemy), ``postgresql``/``mysql``/``mssql``/``oracle`` (SQLAlchemy dialect
modules), ``ops`` (the implementation's ``operations.ops`` module), ``Operations``,
``MigrateOperation`` and ``emit(text)`` (writes a marker line into the captured output).
This module imports neither dbshift nor Alembic so both virtualenvs can load it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

DIALECTS: tuple[str, ...] = (
    "default", "sqlite", "postgresql", "mysql", "mariadb", "mssql", "oracle",
)


@dataclass(frozen=True)
class Case:
    """One snippet on one dialect; ``name`` is ``<template>[<dialect>]``."""

    name: str
    dialect: str
    code: str
    opts: dict[str, Any] = field(default_factory=dict)
    naming_convention: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "dialect": self.dialect, "code": self.code, "opts": self.opts,
            "naming_convention": self.naming_convention,
        }


_TEMPLATES: list[tuple[str, str, tuple[str, ...], dict[str, Any], dict[str, str] | None]] = []


def _t(
    name: str,
    code: str,
    *,
    dialects: tuple[str, ...] = DIALECTS,
    opts: dict[str, Any] | None = None,
    naming_convention: dict[str, str] | None = None,
) -> None:
    _TEMPLATES.append(
        (name, textwrap.dedent(code).strip() + "\n", dialects, opts or {}, naming_convention)
    )


# A table to hand batch_alter_table(copy_from=...), built fresh by each batch snippet.
BATCH_TABLE = """
meta = sa.MetaData()
sa.Table("r", meta, sa.Column("id", sa.Integer, primary_key=True))
t = sa.Table(
    "t", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("x", sa.Integer, nullable=False, server_default="0"),
    sa.Column("y", sa.String(20)),
    sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_t_rid")),
    sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_flag")),
    sa.UniqueConstraint("y", name="uq_t_y"),
    sa.CheckConstraint("x >= 0", name="ck_t_x"),
    sa.Index("ix_t_x", "x"),
)
"""


def _b(name: str, body: str, *, recreate: str = "auto", **kw: Any) -> None:
    """A batch case: ``body`` runs inside ``with op.batch_alter_table(..., copy_from=t) as b:``."""
    extra = kw.pop("batch_args", "")
    code = (
        BATCH_TABLE
        + f'with op.batch_alter_table("t", copy_from=t, recreate="{recreate}"{extra}) as b:\n'
        + textwrap.indent(textwrap.dedent(body).strip(), "    ")
        + "\n"
    )
    _t(name, code, **kw)


NC_FULL = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# ------------------------------------------------------------------------------------ add_column

_t("add_column.plain",
   'op.add_column("t", sa.Column("x", sa.Integer, nullable=False, server_default="5"))')
_t("add_column.schema", 'op.add_column("t", sa.Column("x", sa.String(20)), schema="s")')
_t("add_column.if_not_exists",
   'op.add_column("t", sa.Column("x", sa.String(20)), schema="s", if_not_exists=True)')
_t("add_column.quoted", 'op.add_column("order", sa.Column("select", sa.Integer))')
_t("add_column.fk_named", '''
    op.add_column("t", sa.Column(
        "rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r", ondelete="CASCADE")))
''')
_t("add_column.fk_unnamed", 'op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))')
_t("add_column.fk_schema", '''
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("s2.r.id", name="fk_r")),
                  schema="s")
''')
_t("add_column.inline_references", '''
    fk = sa.ForeignKey("s2.r.id", ondelete="CASCADE", onupdate="SET NULL", deferrable=True,
                       initially="DEFERRED", match="FULL")
    op.add_column("t", sa.Column("rid", sa.Integer, fk), inline_references=True)
''')
_t("add_column.inline_references_plain", '''
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r")),
                  inline_references=True)
''')
_t("add_column.inline_references_two_fks", '''
    col = sa.Column("rid", sa.Integer, sa.ForeignKey("a.id", name="fk_a"),
                    sa.ForeignKey("b.id", name="fk_b"))
    op.add_column("t", col, inline_references=True)
''')
_t("add_column.inline_references_false", '''
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r")),
                  inline_references=False)
''')
_t("add_column.inline_references_no_fk",
   'op.add_column("t", sa.Column("x", sa.Integer), inline_references=True)')
_t("add_column.inline_primary_key",
   'op.add_column("t", sa.Column("id", sa.Integer, primary_key=True), inline_primary_key=True)')
_t("add_column.inline_primary_key_not_pk",
   'op.add_column("t", sa.Column("id", sa.Integer), inline_primary_key=True)')
_t("add_column.primary_key_no_inline",
   'op.add_column("t", sa.Column("id", sa.Integer, primary_key=True))')
_t("add_column.inline_pk_and_refs", '''
    op.add_column("t", sa.Column("id", sa.Integer, sa.ForeignKey("r.id"), primary_key=True),
                  inline_primary_key=True, inline_references=True)
''')
_t("add_column.boolean_check",
   'op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")))')
_t("add_column.boolean_plain", 'op.add_column("t", sa.Column("flag", sa.Boolean()))')
_t("add_column.enum_check", '''
    op.add_column("t", sa.Column("e", sa.Enum("a", "b", name="e", create_constraint=True)))
''')
_t("add_column.enum_native", 'op.add_column("t", sa.Column("e", sa.Enum("a", "b", name="e")))')
_t("add_column.comment", 'op.add_column("t", sa.Column("x", sa.Integer, comment="it\'s x"))')
_t("add_column.comment_schema",
   'op.add_column("t", sa.Column("x", sa.Integer, comment="hello"), schema="s")')
_t("add_column.index_unique_ignored",
   'op.add_column("t", sa.Column("x", sa.Integer, index=True, unique=True))')
_t("add_column.text_default",
   'op.add_column("t", sa.Column("x", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")))')
_t("add_column.func_default",
   'op.add_column("t", sa.Column("x", sa.DateTime, server_default=sa.func.now()))')
_t("add_column.computed", 'op.add_column("t", sa.Column("x", sa.Integer, sa.Computed("y * 2")))')
_t("add_column.computed_persisted", '''
    op.add_column("t", sa.Column("x", sa.Integer, sa.Computed("y * 2", persisted=True)))
''')
_t("add_column.identity", '''
    op.add_column("t", sa.Column("x", sa.Integer, sa.Identity(start=3, increment=2)))
''')
_t("add_column.identity_always", '''
    op.add_column("t", sa.Column("x", sa.BigInteger, sa.Identity(always=True), nullable=False))
''')
_t("add_column.column_check", '''
    op.add_column("t", sa.Column("x", sa.Integer, sa.CheckConstraint("x > 0", name="ck_x")))
''')
_t("add_column.types", '''
    op.add_column("t", sa.Column("a", sa.Numeric(10, 2), server_default="1.5"))
    op.add_column("t", sa.Column("b", sa.Unicode(30)))
    op.add_column("t", sa.Column("c", sa.Text))
    op.add_column("t", sa.Column("d", sa.LargeBinary))
    op.add_column("t", sa.Column("e", sa.Date))
''')
_t("add_column.naming_convention_fk",
   'op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))',
   naming_convention=NC_FULL)
_t("add_column.naming_convention_boolean", '''
    op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="flag")))
''', naming_convention=NC_FULL)
_t("add_column.f_name", '''
    op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True,
                                                     name=op.f("ck_my_flag"))))
''', naming_convention=NC_FULL)

# ---------------------------------------------------------------------------------- alter_column

_t("alter_column.nullable_false", 'op.alter_column("t", "c", nullable=False)')
_t("alter_column.nullable_false_existing_type",
   'op.alter_column("t", "c", nullable=False, existing_type=sa.String(20))')
_t("alter_column.nullable_true_existing_type",
   'op.alter_column("t", "c", nullable=True, existing_type=sa.Integer())')
_t("alter_column.server_default_str",
   'op.alter_column("t", "c", server_default="x", existing_type=sa.String(20))')
_t("alter_column.server_default_text", '''
    op.alter_column("t", "c", server_default=sa.text("CURRENT_TIMESTAMP"),
                    existing_type=sa.DateTime())
''')
_t("alter_column.server_default_func",
   'op.alter_column("t", "c", server_default=sa.func.now(), existing_type=sa.DateTime())')
_t("alter_column.server_default_none",
   'op.alter_column("t", "c", server_default=None, existing_type=sa.Integer())')
_t("alter_column.server_default_no_type", 'op.alter_column("t", "c", server_default="5")')
_t("alter_column.rename",
   'op.alter_column("t", "c", new_column_name="d", existing_type=sa.Integer())')
_t("alter_column.rename_no_type", 'op.alter_column("t", "c", new_column_name="d")')
_t("alter_column.type",
   'op.alter_column("t", "c", type_=sa.String(50), existing_type=sa.String(20))')
_t("alter_column.type_only", 'op.alter_column("t", "c", type_=sa.String(50))')
_t("alter_column.type_nullable",
   'op.alter_column("t", "c", type_=sa.BigInteger(), nullable=False)')
_t("alter_column.comment",
   'op.alter_column("t", "c", comment="it\'s c", existing_type=sa.Integer())')
_t("alter_column.comment_none", '''
    op.alter_column("t", "c", comment=None, existing_comment="old", existing_type=sa.Integer())
''')
_t("alter_column.all", '''
    op.alter_column("t", "c", nullable=False, server_default="3", type_=sa.BigInteger(),
                    comment="cc", new_column_name="d", existing_type=sa.Integer())
''')
_t("alter_column.schema",
   'op.alter_column("t", "c", nullable=False, existing_type=sa.Integer(), schema="s")')
_t("alter_column.schema_all", '''
    op.alter_column("t", "c", nullable=True, server_default=None, type_=sa.String(10),
                    new_column_name="d", existing_type=sa.Integer(), schema="s")
''')
_t("alter_column.quoted",
   'op.alter_column("order", "select", nullable=False, existing_type=sa.Integer())')
_t("alter_column.existing_all", '''
    op.alter_column("t", "c", type_=sa.String(50), existing_type=sa.String(20),
                    existing_server_default="x", existing_nullable=False,
                    existing_comment="cc")
''')
_t("alter_column.existing_rename", '''
    op.alter_column("t", "c", new_column_name="d", existing_type=sa.String(20),
                    existing_server_default=sa.text("'x'"), existing_nullable=True,
                    existing_comment="cc")
''')
_t("alter_column.existing_default_nullable", '''
    op.alter_column("t", "c", nullable=False, existing_type=sa.Integer(),
                    existing_server_default="7", existing_comment="keep")
''')
_t("alter_column.default_keeps_comment", '''
    op.alter_column("t", "c", server_default="9", existing_type=sa.Integer(),
                    existing_nullable=False, existing_comment="keep")
''')
_t("alter_column.boolean_to_int", '''
    op.alter_column("t", "c", type_=sa.Integer(),
                    existing_type=sa.Boolean(create_constraint=True, name="ck_b"))
''')
_t("alter_column.int_to_boolean", '''
    op.alter_column("t", "c", type_=sa.Boolean(create_constraint=True, name="ck_b"),
                    existing_type=sa.Integer())
''')
_t("alter_column.enum_to_enum", '''
    op.alter_column(
        "t", "c",
        type_=sa.Enum("a", "b", "c", name="e2", create_constraint=True),
        existing_type=sa.Enum("a", "b", name="e1", create_constraint=True))
''')
_t("alter_column.autoincrement",
   'op.alter_column("t", "c", autoincrement=True, existing_type=sa.Integer())')
_t("alter_column.existing_autoincrement", '''
    op.alter_column("t", "c", nullable=False, existing_type=sa.Integer(),
                    existing_autoincrement=True)
''')
_t("alter_column.postgresql_using",
   'op.alter_column("t", "c", type_=sa.Integer(), postgresql_using="c::integer")')
_t("alter_column.postgresql_using_more", '''
    op.alter_column("t", "c", type_=sa.Integer(), postgresql_using="c::integer",
                    nullable=False, server_default="0", new_column_name="d")
''')
_t("alter_column.identity_add",
   'op.alter_column("t", "c", server_default=sa.Identity(start=5), existing_type=sa.Integer())')
_t("alter_column.identity_change", '''
    op.alter_column("t", "c", server_default=sa.Identity(start=5, increment=2),
                    existing_server_default=sa.Identity(start=1), existing_type=sa.Integer())
''')
_t("alter_column.identity_always", '''
    op.alter_column("t", "c", server_default=sa.Identity(always=True),
                    existing_server_default=sa.Identity(), existing_type=sa.Integer())
''')
_t("alter_column.identity_drop", '''
    op.alter_column("t", "c", server_default=None, existing_server_default=sa.Identity(),
                    existing_type=sa.Integer())
''')
_t("alter_column.computed_add",
   'op.alter_column("t", "c", server_default=sa.Computed("x + 1"), existing_type=sa.Integer())')
_t("alter_column.computed_drop", '''
    op.alter_column("t", "c", server_default=None, existing_server_default=sa.Computed("x"),
                    existing_type=sa.Integer())
''')
_t("alter_column.no_changes", 'op.alter_column("t", "c")')
_t("alter_column.existing_only", '''
    op.alter_column("t", "c", existing_type=sa.Integer(), existing_nullable=True,
                    existing_server_default="1", existing_comment="x")
''')
_t("alter_column.comment_schema", '''
    op.alter_column("t", "c", comment="new", existing_comment="old", existing_type=sa.Integer(),
                    schema="s")
    op.alter_column("t", "d", comment="first", existing_type=sa.Integer(), schema="s")
    op.alter_column("t", "e", comment=None, existing_comment="old", existing_type=sa.Integer(),
                    schema="s")
''')
_t("alter_column.identity_same", '''
    op.alter_column("t", "c", server_default=sa.Identity(start=1),
                    existing_server_default=sa.Identity(start=1), existing_type=sa.Integer())
''')
_t("alter_column.identity_options", '''
    op.alter_column("t", "c", existing_type=sa.BigInteger(),
                    server_default=sa.Identity(start=2, increment=3, minvalue=1, maxvalue=999,
                                               cycle=True, cache=10),
                    existing_server_default=sa.Identity(start=1))
''')
_t("alter_column.identity_order_only", '''
    op.alter_column("t", "c", existing_type=sa.Integer(),
                    server_default=sa.Identity(start=1, order=True),
                    existing_server_default=sa.Identity(start=1))
''')
_t("alter_column.datetime_rename", '''
    op.alter_column("t", "c", new_column_name="d", existing_type=sa.DateTime(),
                    existing_server_default=sa.text("CURRENT_TIMESTAMP"),
                    existing_nullable=False, existing_autoincrement=False)
''')
_t("alter_column.type_keeps_default_nullable", '''
    op.alter_column("t", "c", type_=sa.String(40), existing_type=sa.String(20),
                    existing_nullable=True, existing_server_default="x")
''')
_t("alter_column.enum_native_type", '''
    op.alter_column("t", "c", type_=sa.Enum("a", "b", "c", name="myenum"),
                    existing_type=sa.Enum("a", "b", name="myenum"), existing_nullable=True)
''')
_t("alter_column.comment_with_existing", '''
    op.alter_column("t", "c", comment="it's new", existing_type=sa.String(20),
                    existing_nullable=False, existing_server_default="q", existing_comment="old")
''')
_t("alter_column.nullable_and_default", '''
    op.alter_column("t", "c", nullable=True, server_default="a", existing_type=sa.String(5))
''')

# ----------------------------------------------------------------------------------- bulk_insert

ROWS_TABLE = 't = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String))\n'
_t("bulk_insert.basic", ROWS_TABLE + '''
op.bulk_insert(t, [{"id": 1, "name": "a"}, {"id": 2, "name": "b'c"}])
''')
_t("bulk_insert.multiinsert_false", ROWS_TABLE + '''
op.bulk_insert(t, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], multiinsert=False)
''')
_t("bulk_insert.inline_literal", ROWS_TABLE + '''
op.bulk_insert(t, [{"id": op.inline_literal(1), "name": op.inline_literal("x")}],
               multiinsert=False)
''')
_t("bulk_insert.types", '''
import datetime, decimal
t = sa.table("t", sa.column("d", sa.Date), sa.column("ts", sa.DateTime),
             sa.column("b", sa.Boolean), sa.column("n", sa.Numeric(10, 2)),
             sa.column("f", sa.Float), sa.column("s", sa.String))
op.bulk_insert(t, [
    {"d": datetime.date(2020, 1, 2), "ts": datetime.datetime(2020, 1, 2, 3, 4, 5),
     "b": True, "n": decimal.Decimal("1.50"), "f": 2.5, "s": None},
])
''')
_t("bulk_insert.table_schema", '''
t = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(20)), schema="s")
op.bulk_insert(t, [{"id": 1, "name": "a"}])
''')
_t("bulk_insert.ragged_rows", ROWS_TABLE + '''
op.bulk_insert(t, [{"id": 1}, {"id": 2, "name": "b"}])
''')
_t("bulk_insert.empty", ROWS_TABLE + "op.bulk_insert(t, [])\n")
_t("bulk_insert.identity_table_without_ids", '''
t = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(20)))
op.bulk_insert(t, [{"name": "a"}, {"name": "b"}])
''')
_t("bulk_insert.from_create_table", '''
t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(20)))
op.bulk_insert(t, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
''')

# ---------------------------------------------------------------------- create_check_constraint

_t("create_check_constraint.string", 'op.create_check_constraint("ck1", "t", "x > 5")')
_t("create_check_constraint.expr", '''
    op.create_check_constraint("ck1", "t", sa.and_(sa.column("x") > 5, sa.column("y") < 3))
''')
_t("create_check_constraint.schema",
   'op.create_check_constraint("ck1", "t", "x > 5", schema="s")')
_t("create_check_constraint.deferrable", '''
    op.create_check_constraint("ck1", "t", "x > 5", deferrable=True, initially="DEFERRED")
''')
_t("create_check_constraint.pg_not_valid",
   'op.create_check_constraint("ck1", "t", "x > 5", postgresql_not_valid=True)')
_t("create_check_constraint.f_name",
   'op.create_check_constraint(op.f("ck_t_custom"), "t", "x > 5")', naming_convention=NC_FULL)
_t("create_check_constraint.convention",
   'op.create_check_constraint("positive", "t", "x > 5")', naming_convention=NC_FULL)
_t("create_check_constraint.none_name", 'op.create_check_constraint(None, "t", "x > 5")')

# -------------------------------------------------------------------- create_exclude_constraint

_t("create_exclude_constraint.basic", '''
    op.create_exclude_constraint("ex1", "t", ("period", "&&"), where="x > 5", using="gist")
''')
_t("create_exclude_constraint.full", '''
    op.create_exclude_constraint(
        "ex1", "t", ("room", "="), (sa.column("period"), "&&"), schema="s",
        deferrable=True, initially="DEFERRED", using="gist", where=sa.text("x > 5"))
''')
_t("create_exclude_constraint.text_element", '''
    op.create_exclude_constraint("ex1", "t", (sa.text("lower(name)"), "="))
''')

# --------------------------------------------------------------------------- create_foreign_key

_t("create_foreign_key.basic",
   'op.create_foreign_key("fk1", "src", "dst", ["dst_id"], ["id"])')
_t("create_foreign_key.all", '''
    op.create_foreign_key("fk1", "src", "dst", ["dst_id"], ["id"], onupdate="CASCADE",
                          ondelete="SET NULL", deferrable=True, initially="DEFERRED",
                          match="FULL")
''')
_t("create_foreign_key.deferrable_false", '''
    op.create_foreign_key("fk1", "src", "dst", ["dst_id"], ["id"], deferrable=False)
''')
_t("create_foreign_key.schemas", '''
    op.create_foreign_key("fk1", "src", "dst", ["dst_id"], ["id"], source_schema="s1",
                          referent_schema="s2")
''')
_t("create_foreign_key.self_ref",
   'op.create_foreign_key("fk1", "t", "t", ["parent_id"], ["id"], source_schema="s")')
_t("create_foreign_key.composite", '''
    op.create_foreign_key("fk1", "src", "dst", ["a", "b"], ["x", "y"])
''')
_t("create_foreign_key.dialect_kw", '''
    op.create_foreign_key("fk1", "src", "dst", ["dst_id"], ["id"], postgresql_not_valid=True)
''')
_t("create_foreign_key.none_name",
   'op.create_foreign_key(None, "src", "dst", ["dst_id"], ["id"])')
_t("create_foreign_key.convention",
   'op.create_foreign_key(None, "src", "dst", ["dst_id"], ["id"])', naming_convention=NC_FULL)

# --------------------------------------------------------------------------------- create_index

_t("create_index.basic", 'op.create_index("ix1", "t", ["x"])')
_t("create_index.unique_multi", 'op.create_index("ix1", "t", ["x", "y"], unique=True)')
_t("create_index.schema", 'op.create_index("ix1", "t", ["x"], schema="s")')
_t("create_index.if_not_exists", 'op.create_index("ix1", "t", ["x"], if_not_exists=True)')
_t("create_index.functional_text", 'op.create_index("ix1", "t", ["x", sa.text("lower(y)")])')
_t("create_index.functional_expr",
   'op.create_index("ix1", "t", [sa.func.lower(sa.column("y")), sa.column("x").desc()])')
_t("create_index.quote", 'op.create_index("IX1", "t", ["x"], quote=True)')
_t("create_index.quoted_names", 'op.create_index("ix1", "order", ["select"])')
_t("create_index.pg_where",
   'op.create_index("ix1", "t", ["x"], postgresql_where=sa.text("x > 5"))')
_t("create_index.pg_using", 'op.create_index("ix1", "t", ["x"], postgresql_using="gin")')
_t("create_index.pg_include", 'op.create_index("ix1", "t", ["x"], postgresql_include=["z"])')
_t("create_index.pg_concurrently",
   'op.create_index("ix1", "t", ["x"], postgresql_concurrently=True)')
_t("create_index.pg_ops",
   'op.create_index("ix1", "t", ["y"], postgresql_ops={"y": "text_pattern_ops"})')
_t("create_index.mssql_include", 'op.create_index("ix1", "t", ["x"], mssql_include=["z"])')
_t("create_index.mssql_clustered", 'op.create_index("ix1", "t", ["x"], mssql_clustered=True)')
_t("create_index.mssql_where",
   'op.create_index("ix1", "t", ["x"], mssql_where=sa.text("x > 5"))')
_t("create_index.mysql_length", 'op.create_index("ix1", "t", ["y"], mysql_length=10)')
_t("create_index.mysql_prefix", 'op.create_index("ix1", "t", ["y"], mysql_prefix="FULLTEXT")')
_t("create_index.mysql_using", 'op.create_index("ix1", "t", ["y"], mysql_using="btree")')
_t("create_index.sqlite_where",
   'op.create_index("ix1", "t", ["x"], sqlite_where=sa.text("x > 5"))')
_t("create_index.oracle_bitmap", 'op.create_index("ix1", "t", ["x"], oracle_bitmap=True)')
_t("create_index.f_name", 'op.create_index(op.f("ix_custom"), "t", ["x"])',
   naming_convention=NC_FULL)
_t("create_index.convention_name", 'op.create_index("custom", "t", ["x"])',
   naming_convention=NC_FULL)
_t("create_index.none_name", 'op.create_index(None, "t", ["x"])', naming_convention=NC_FULL)

# ---------------------------------------------------------------------------- create_primary_key

_t("create_primary_key.basic", 'op.create_primary_key("pk1", "t", ["id"])')
_t("create_primary_key.multi_schema",
   'op.create_primary_key("pk1", "t", ["a", "b"], schema="s")')
_t("create_primary_key.convention", 'op.create_primary_key(None, "t", ["id"])',
   naming_convention=NC_FULL)

# ---------------------------------------------------------------------------------- create_table

_t("create_table.basic", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(50), nullable=False))
''')
_t("create_table.full", '''
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", ondelete="CASCADE")),
        sa.Column("name", sa.String(50), nullable=False, server_default="x", index=True),
        sa.Column("code", sa.String(10), unique=True),
        sa.Column("qty", sa.Integer, sa.CheckConstraint("qty > 0", name="ck_qty")),
        sa.UniqueConstraint("name", "code", name="uq_name_code"),
        sa.Index("ix_code_name", "code", "name", unique=True),
        schema="s",
    )
''')
_t("create_table.if_not_exists", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), if_not_exists=True)
''')
_t("create_table.comments", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True, comment="the id"),
                    sa.Column("x", sa.Integer, comment="it's x"), comment="a table",
                    schema="s")
''')
_t("create_table.prefixes", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), prefixes=["TEMPORARY"])
''')
_t("create_table.mysql_kw", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), mysql_engine="InnoDB",
                    mysql_charset="utf8mb4", info={"k": "v"})
''')
_t("create_table.pg_enum", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("e", sa.Enum("a", "b", name="myenum")))
''')
_t("create_table.boolean_enum_checks", '''
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("b", sa.Boolean(create_constraint=True, name="ck_b")),
                    sa.Column("e", sa.Enum("a", "b", name="e", create_constraint=True)))
''')
_t("create_table.identity_computed", '''
    op.create_table("t", sa.Column("id", sa.Integer, sa.Identity(start=10), primary_key=True),
                    sa.Column("x", sa.Integer),
                    sa.Column("y", sa.Integer, sa.Computed("x * 2")))
''')
_t("create_table.composite_pk", '''
    op.create_table("t", sa.Column("a", sa.Integer, primary_key=True),
                    sa.Column("b", sa.String(5), primary_key=True),
                    sa.Column("ts", sa.DateTime, server_default=sa.func.now()))
''')
_t("create_table.convention", '''
    op.create_table(
        "t", sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")),
        sa.Column("x", sa.Integer, index=True, unique=True),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="flag")),
        sa.CheckConstraint("x > 0", name="positive"))
''', naming_convention=NC_FULL)
_t("create_table.returns_table", '''
    t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), schema="s")
    emit(f"{type(t).__name__} {t.fullname} {list(t.c.keys())}")
''')

# ------------------------------------------------------------------------- create/drop comment

_t("create_table_comment.basic", 'op.create_table_comment("t", "it\'s a table")')
_t("create_table_comment.existing_schema",
   'op.create_table_comment("t", "new", existing_comment="old", schema="s")')
_t("drop_table_comment.basic", 'op.drop_table_comment("t")')
_t("drop_table_comment.existing_schema",
   'op.drop_table_comment("t", existing_comment="old", schema="s")')

# ---------------------------------------------------------------------- create_unique_constraint

_t("create_unique_constraint.basic", 'op.create_unique_constraint("uq1", "t", ["x"])')
_t("create_unique_constraint.multi_schema",
   'op.create_unique_constraint("uq1", "t", ["x", "y"], schema="s")')
_t("create_unique_constraint.deferrable", '''
    op.create_unique_constraint("uq1", "t", ["x"], deferrable=True, initially="DEFERRED")
''')
_t("create_unique_constraint.pg_nulls_not_distinct",
   'op.create_unique_constraint("uq1", "t", ["x"], postgresql_nulls_not_distinct=True)')
_t("create_unique_constraint.convention", 'op.create_unique_constraint(None, "t", ["x"])',
   naming_convention=NC_FULL)

# ---------------------------------------------------------------------------------- drop_column

_t("drop_column.basic", 'op.drop_column("t", "c")')
_t("drop_column.schema_if_exists", 'op.drop_column("t", "c", schema="s", if_exists=True)')
_t("drop_column.quoted", 'op.drop_column("order", "select")')
_t("drop_column.mssql_drop_default", 'op.drop_column("t", "c", mssql_drop_default=True)')
_t("drop_column.mssql_drop_check", 'op.drop_column("t", "c", mssql_drop_check=True)')
_t("drop_column.mssql_drop_foreign_key",
   'op.drop_column("t", "c", mssql_drop_foreign_key=True)')
_t("drop_column.mssql_drop_all", '''
    op.drop_column("t", "c", schema="s", mssql_drop_default=True, mssql_drop_check=True,
                   mssql_drop_foreign_key=True)
''')

# ------------------------------------------------------------------------------ drop_constraint

for _type in ("foreignkey", "primary", "unique", "check"):
    _t(f"drop_constraint.{_type}", f'op.drop_constraint("c1", "t", type_="{_type}")')
    _t(f"drop_constraint.{_type}_schema_if_exists",
       f'op.drop_constraint("c1", "t", type_="{_type}", schema="s", if_exists=True)')
_t("drop_constraint.no_type", 'op.drop_constraint("c1", "t")')
_t("drop_constraint.no_type_if_exists", 'op.drop_constraint("c1", "t", if_exists=True)')
_t("drop_constraint.bad_type", 'op.drop_constraint("c1", "t", type_="index")')
_t("drop_constraint.f_name", 'op.drop_constraint(op.f("fk_t_x_r"), "t", type_="foreignkey")',
   naming_convention=NC_FULL)
_t("drop_constraint.quoted", 'op.drop_constraint("select", "order", type_="unique")')

# ----------------------------------------------------------------------------------- drop_index

_t("drop_index.basic", 'op.drop_index("ix1")')
_t("drop_index.table", 'op.drop_index("ix1", "t")')
_t("drop_index.schema_if_exists",
   'op.drop_index("ix1", table_name="t", schema="s", if_exists=True)')
_t("drop_index.pg_concurrently",
   'op.drop_index("ix1", table_name="t", postgresql_concurrently=True)')
_t("drop_index.f_name", 'op.drop_index(op.f("ix_t_x"), table_name="t")',
   naming_convention=NC_FULL)

# ----------------------------------------------------------------------------------- drop_table

_t("drop_table.basic", 'op.drop_table("t")')
_t("drop_table.schema_if_exists", 'op.drop_table("t", schema="s", if_exists=True)')
_t("drop_table.kw", 'op.drop_table("t", comment="gone", info={"k": 1})')

# -------------------------------------------------------------------------------------- execute

_t("execute.string", 'op.execute("UPDATE t SET x = 1")')
_t("execute.string_colon", 'op.execute("UPDATE t SET x = \'a\\\\:b\'")')
_t("execute.text", 'op.execute(sa.text("DELETE FROM t WHERE x > 5"))')
_t("execute.text_bind", 'op.execute(sa.text("DELETE FROM t WHERE x > :v").bindparams(v=5))')
_t("execute.text_bind_literal_binds",
   'op.execute(sa.text("DELETE FROM t WHERE x > :v").bindparams(v=5))',
   opts={"literal_binds": True})
_t("execute.update_inline_literal", '''
    t = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.execute(t.update().where(t.c.id == op.inline_literal(5))
               .values(name=op.inline_literal("it's")))
''')
_t("execute.insert_literal_binds", '''
    t = sa.table("t", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.execute(t.insert().values(id=1, name="a"))
''', opts={"literal_binds": True})
_t("execute.execution_options",
   'op.execute("UPDATE t SET x = 1", execution_options={"no_parameters": True})')
_t("execute.ddl_element", 'op.execute(sa.schema.CreateSequence(sa.Sequence("seq1", start=3)))')
_t("execute.select", '''
    t = sa.table("t", sa.column("id", sa.Integer))
    op.execute(sa.select(t.c.id).where(t.c.id == op.inline_literal(1)))
''')

# ----------------------------------------------------------------- helpers and the plugin API

_t("inline_literal.types", '''
    import datetime
    t = sa.table("t", sa.column("a"), sa.column("b"), sa.column("c"), sa.column("d"))
    op.execute(t.update().values(
        a=op.inline_literal(5), b=op.inline_literal("x"),
        c=op.inline_literal("2020-01-02", sa.Date), d=op.inline_literal(True)))
''')
_t("f.repr", 'emit(f"{type(op.f(\'name\')).__name__} {op.f(\'name\')}")')
_t("get_bind_context", '''
    emit(f"{op.get_bind().dialect.name} {op.get_context().as_sql} "
         f"{type(op.get_context().impl).__name__}")
''')
_t("invoke.op_objects", '''
    op.invoke(ops.AddColumnOp("t", sa.Column("x", sa.Integer)))
    op.invoke(ops.CreateIndexOp("ix1", "t", ["x"]))
    tbl = sa.Table("t2", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    result = op.invoke(ops.CreateTableOp.from_table(tbl))
    emit(type(result).__name__)
    op.invoke(ops.CreateTableOp.from_table(tbl).reverse())
    op.invoke(ops.AddColumnOp("t", sa.Column("x", sa.Integer)).reverse())
''')
_t("register_operation.plugin", '''
    @Operations.register_operation("opdiff_create_sequence")
    class CreateSequenceOp(MigrateOperation):
        def __init__(self, name, schema=None):
            self.name = name
            self.schema = schema

        @classmethod
        def opdiff_create_sequence(cls, operations, name, **kw):
            return operations.invoke(cls(name, **kw))

    @Operations.implementation_for(CreateSequenceOp)
    def create_sequence(operations, operation):
        operations.execute(f"CREATE SEQUENCE {operation.name}")

    op.opdiff_create_sequence("s1")
''')
_t("run_async.offline", '''
    async def work(conn):
        return 1
    op.run_async(work)
''', dialects=("sqlite", "postgresql"))

# ---------------------------------------------------------------------------------- rename_table

_t("rename_table.basic", 'op.rename_table("t", "t2")')
_t("rename_table.schema", 'op.rename_table("t", "t2", schema="s")')
_t("rename_table.quoted", 'op.rename_table("order", "select")')

# ------------------------------------------------------------------- batch_alter_table (offline)

_b("batch.add_column", 'b.add_column(sa.Column("z", sa.String(10), server_default="q"))')
_b("batch.add_column_always", 'b.add_column(sa.Column("z", sa.String(10)))', recreate="always")
_b("batch.add_column_insert_after", '''
    b.add_column(sa.Column("z", sa.Integer), insert_after="id")
''', recreate="always")
_b("batch.add_column_insert_before_auto",
   'b.add_column(sa.Column("z", sa.Integer), insert_before="x")')
_b("batch.add_column_if_not_exists",
   'b.add_column(sa.Column("z", sa.Integer), if_not_exists=True)', recreate="never")
_b("batch.alter_column", '''
    b.alter_column("y", nullable=False, existing_type=sa.String(20))
    b.alter_column("x", type_=sa.BigInteger(), existing_type=sa.Integer())
    b.alter_column("rid", new_column_name="r_id", existing_type=sa.Integer())
''')
_b("batch.alter_column_always", '''
    b.alter_column("y", type_=sa.String(40), server_default="z", existing_type=sa.String(20))
    b.alter_column("x", new_column_name="xx", existing_type=sa.Integer())
''', recreate="always")
_b("batch.alter_column_never", '''
    b.alter_column("y", nullable=False, server_default="q", existing_type=sa.String(20))
''', recreate="never")
_b("batch.alter_column_insert_before", '''
    b.alter_column("y", insert_before="x", existing_type=sa.String(20))
''', recreate="always")
_b("batch.drop_column", 'b.drop_column("y")')
_b("batch.drop_column_always", 'b.drop_column("flag")', recreate="always")
_b("batch.create_check_constraint", 'b.create_check_constraint("ck_t_y", "length(y) > 1")')
_b("batch.create_foreign_key", '''
    b.create_foreign_key("fk_t_x", "r", ["x"], ["id"], ondelete="CASCADE")
''')
_b("batch.create_foreign_key_always",
   'b.create_foreign_key("fk_t_x", "r", ["x"], ["id"])', recreate="always")
_b("batch.create_index", 'b.create_index("ix_t_y", ["y"], unique=True)')
_b("batch.drop_index", 'b.drop_index("ix_t_x")')
_b("batch.create_primary_key", 'b.create_primary_key("pk_t", ["id", "x"])', recreate="always")
_b("batch.create_unique_constraint", 'b.create_unique_constraint("uq_t_x", ["x"])')
_b("batch.drop_constraint", '''
    b.drop_constraint("uq_t_y", type_="unique")
    b.drop_constraint("ck_t_x", type_="check")
''')
_b("batch.drop_constraint_fk", 'b.drop_constraint("fk_t_rid", type_="foreignkey")')
_b("batch.drop_constraint_always", '''
    b.drop_constraint("fk_t_rid", type_="foreignkey")
''', recreate="always")
_b("batch.table_comment", '''
    b.create_table_comment("a comment", existing_comment=None)
''')
_b("batch.drop_table_comment", 'b.drop_table_comment(existing_comment="old")')
_b("batch.execute", '''
    b.execute("UPDATE t SET x = 1")
    b.add_column(sa.Column("z", sa.Integer))
''')
_b("batch.partial_reordering", 'b.alter_column("y", existing_type=sa.String(20))',
   recreate="always", batch_args=', partial_reordering=[("y", "x")]')
_b("batch.table_args", 'b.add_column(sa.Column("z", sa.Integer))', recreate="always",
   batch_args=', table_args=(sa.CheckConstraint("z > 0", name="ck_t_z"),), '
              'table_kwargs={"sqlite_autoincrement": True}')
_b("batch.naming_convention", 'b.drop_constraint("uq_t_y", type_="unique")',
   recreate="always", batch_args=', naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}')
_b("batch.exclude_constraint", '''
    b.create_exclude_constraint("ex1", ("y", "="), using="gist")
''', dialects=("postgresql",))
_b("batch.mixed_always", '''
    b.add_column(sa.Column("z", sa.Integer, nullable=False, server_default="1"))
    b.drop_column("y")
    b.alter_column("x", nullable=True, existing_type=sa.Integer())
    b.create_index("ix_t_z", ["z"])
''', recreate="always")


def all_cases() -> list[Case]:
    """Every template on each of its dialects, in catalogue order."""
    cases = []
    for name, code, dialects, opts, nc in _TEMPLATES:
        for dialect in dialects:
            cases.append(Case(f"{name}[{dialect}]", dialect, code, dict(opts), nc))
    return cases


def templates() -> list[str]:
    """The template names (case names without the ``[dialect]`` suffix)."""
    return [name for name, *_ in _TEMPLATES]
