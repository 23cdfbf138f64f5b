"""Exact SQL of every generic directive and argument (Operation Reference §1.1), compiled offline.

``"default"`` is SQLAlchemy's generic dialect (no native BOOLEAN, so schema-type CHECKs show);
``"postgresql"`` proves the same directives on a real dialect.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.sql import column, table

# ---------------------------------------------------------------------------------- add_column


@pytest.mark.parametrize("dialect", ["default", "postgresql"])
def test_add_column_plain(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.add_column("t", sa.Column("x", sa.Integer, nullable=False, server_default="5"))
    assert sql == ["ALTER TABLE t ADD COLUMN x INTEGER DEFAULT '5' NOT NULL"]


def test_add_column_schema_and_if_not_exists(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column("t", sa.Column("x", sa.String(20)), schema="s", if_not_exists=True)
    assert sql == ["ALTER TABLE s.t ADD COLUMN IF NOT EXISTS x VARCHAR(20)"]


def test_add_column_foreign_key_follows_as_separate_alter(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column(
        "t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r", ondelete="CASCADE"))
    )
    assert sql == [
        "ALTER TABLE t ADD COLUMN rid INTEGER",
        "ALTER TABLE t ADD CONSTRAINT fk_r FOREIGN KEY(rid) REFERENCES r (id) ON DELETE CASCADE",
    ]


def test_add_column_inline_references(offline_op):
    op, sql = offline_op("postgresql")
    fk = sa.ForeignKey(
        "s2.r.id", ondelete="CASCADE", onupdate="SET NULL", deferrable=True,
        initially="DEFERRED", match="FULL",
    )
    op.add_column("t", sa.Column("rid", sa.Integer, fk), inline_references=True)
    assert sql == [
        "ALTER TABLE t ADD COLUMN rid INTEGER REFERENCES s2.r (id) MATCH FULL "
        "ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED"
    ]


def test_add_column_inline_references_needs_exactly_one_fk(offline_op):
    op, sql = offline_op("postgresql")
    col = sa.Column(
        "rid", sa.Integer, sa.ForeignKey("a.id", name="fk_a"), sa.ForeignKey("b.id", name="fk_b")
    )
    op.add_column("t", col, inline_references=True)
    assert sql[0] == "ALTER TABLE t ADD COLUMN rid INTEGER"
    assert sorted(sql[1:]) == [
        "ALTER TABLE t ADD CONSTRAINT fk_a FOREIGN KEY(rid) REFERENCES a (id)",
        "ALTER TABLE t ADD CONSTRAINT fk_b FOREIGN KEY(rid) REFERENCES b (id)",
    ]


def test_add_column_inline_primary_key(offline_op):
    op, sql = offline_op("default")
    op.add_column("t", sa.Column("id", sa.Integer, primary_key=True), inline_primary_key=True)
    assert sql == ["ALTER TABLE t ADD COLUMN id INTEGER NOT NULL PRIMARY KEY"]


def test_add_column_primary_key_without_inline_flag_adds_no_constraint(offline_op):
    op, sql = offline_op("default")
    op.add_column("t", sa.Column("id", sa.Integer, primary_key=True))
    assert sql == ["ALTER TABLE t ADD COLUMN id INTEGER NOT NULL"]


def test_add_column_schema_type_check_follows(offline_op):
    op, sql = offline_op("default")
    op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")))
    op.add_column(
        "t", sa.Column("mood", sa.Enum("a", "b", name="ck_mood", create_constraint=True))
    )
    assert sql == [
        "ALTER TABLE t ADD COLUMN flag BOOLEAN",
        "ALTER TABLE t ADD CONSTRAINT ck_flag CHECK (flag IN (0, 1))",
        "ALTER TABLE t ADD COLUMN mood VARCHAR(1)",
        "ALTER TABLE t ADD CONSTRAINT ck_mood CHECK (mood IN ('a', 'b'))",
    ]


def test_add_column_boolean_check_skipped_where_boolean_is_native(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")))
    assert sql == ["ALTER TABLE t ADD COLUMN flag BOOLEAN"]


def test_add_column_column_level_check_renders_inline(offline_op):
    op, sql = offline_op("default")
    op.add_column("t", sa.Column("c", sa.Integer, sa.CheckConstraint("c > 5", name="ck_c")))
    assert sql == ["ALTER TABLE t ADD COLUMN c INTEGER CONSTRAINT ck_c CHECK (c > 5)"]


def test_add_column_index_and_unique_flags_follow_as_alembic_does(offline_op):
    # Alembic's docstring calls unique/index "ignored", but its implementation (and dbshift's)
    # creates the index / unique constraint the flags imply; existing projects rely on that.
    op, sql = offline_op("default")
    op.add_column("t", sa.Column("a", sa.Integer, index=True))
    op.add_column("t", sa.Column("b", sa.Integer, unique=True))
    op.add_column("t", sa.Column("c", sa.Integer, unique=True, index=True))
    assert sql == [
        "ALTER TABLE t ADD COLUMN a INTEGER",
        "CREATE INDEX ix_t_a ON t (a)",
        "ALTER TABLE t ADD COLUMN b INTEGER",
        "ALTER TABLE t ADD UNIQUE (b)",
        "ALTER TABLE t ADD COLUMN c INTEGER",
        "CREATE UNIQUE INDEX ix_t_c ON t (c)",
    ]


def test_add_column_comment_follows_where_not_inline(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column("t", sa.Column("c", sa.Integer, comment="the c"), schema="s")
    assert sql == ["ALTER TABLE s.t ADD COLUMN c INTEGER", "COMMENT ON COLUMN s.t.c IS 'the c'"]


def test_add_column_accepts_a_column_already_attached_to_a_table(offline_op):
    # The column is copied (keeping its FK), the user's Table is left alone.
    owner = sa.Table("t", sa.MetaData(), sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))
    op, sql = offline_op("default")
    op.add_column("t", owner.c.rid)
    op.add_column("t", owner.c.rid, schema="s")
    assert sql == [
        "ALTER TABLE t ADD COLUMN rid INTEGER",
        "ALTER TABLE t ADD FOREIGN KEY(rid) REFERENCES r (id)",
        "ALTER TABLE s.t ADD COLUMN rid INTEGER",
        "ALTER TABLE s.t ADD FOREIGN KEY(rid) REFERENCES r (id)",
    ]
    assert owner.c.rid.table is owner


def test_drop_column(offline_op):
    op, sql = offline_op("default")
    op.drop_column("t", "c")
    op.drop_column("t", "c", schema="s", if_exists=True)
    assert sql == ["ALTER TABLE t DROP COLUMN c", "ALTER TABLE s.t DROP COLUMN IF EXISTS c"]


# -------------------------------------------------------------------------------- alter_column


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"nullable": False}, ["ALTER TABLE t ALTER COLUMN c SET NOT NULL"]),
        ({"nullable": True}, ["ALTER TABLE t ALTER COLUMN c DROP NOT NULL"]),
        ({"server_default": "x"}, ["ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x'"]),
        ({"server_default": sa.text("now()")}, ["ALTER TABLE t ALTER COLUMN c SET DEFAULT now()"]),
        ({"server_default": None}, ["ALTER TABLE t ALTER COLUMN c DROP DEFAULT"]),
        ({"type_": sa.String(10)}, ["ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(10)"]),
        ({"type_": sa.BigInteger}, ["ALTER TABLE t ALTER COLUMN c TYPE BIGINT"]),
        ({"new_column_name": "d"}, ["ALTER TABLE t RENAME c TO d"]),
    ],
)
def test_alter_column_single_aspect(offline_op, kw, expected):
    op, sql = offline_op("default")
    op.alter_column("t", "c", **kw)
    assert sql == expected


def test_alter_column_everything_in_documented_order(offline_op):
    op, sql = offline_op("default")
    op.alter_column(
        "t", "c", schema="s", nullable=True, server_default="x", type_=sa.String(10),
        comment="cm", new_column_name="d", existing_type=sa.Integer,
        existing_server_default="1", existing_nullable=False, existing_comment="old",
    )
    assert sql == [
        "ALTER TABLE s.t ALTER COLUMN c DROP NOT NULL",
        "ALTER TABLE s.t ALTER COLUMN c SET DEFAULT 'x'",
        "ALTER TABLE s.t ALTER COLUMN c TYPE VARCHAR(10)",
        "COMMENT ON COLUMN s.t.c IS 'cm'",
        "ALTER TABLE s.t RENAME c TO d",
    ]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [("a note", "COMMENT ON COLUMN t.c IS 'a note'"), (None, "COMMENT ON COLUMN t.c IS NULL")],
)
def test_alter_column_comment_set_and_remove(offline_op, comment, expected):
    op, sql = offline_op("postgresql")
    op.alter_column("t", "c", comment=comment, existing_type=sa.Integer)
    assert sql == [expected]


@pytest.mark.parametrize("dialect", ["default", "postgresql", "mysql", "mssql", "oracle"])
def test_alter_column_that_changes_nothing_warns_and_emits_nothing(offline_op, dialect):
    # Alembic goes on and emits nothing; dbshift too, with a warning (a forgotten argument?)
    op, sql = offline_op(dialect)
    with pytest.warns(UserWarning, match=r"alter_column of t\.c changes nothing"):
        op.alter_column(
            "t", "c", existing_type=sa.Integer, existing_nullable=True,
            existing_server_default="1", existing_comment="x",
        )
    assert sql == []


def test_alter_column_type_change_swaps_schema_bound_checks(offline_op):
    op, sql = offline_op("default")
    op.alter_column(
        "t", "c", type_=sa.Integer, existing_type=sa.Boolean(create_constraint=True, name="ck_b")
    )
    op.alter_column(
        "t", "c", type_=sa.Boolean(create_constraint=True, name="ck_b"), existing_type=sa.Integer
    )
    op.alter_column(
        "t", "c", schema="s",
        type_=sa.Enum("a", "b", "c", name="ck_new", create_constraint=True),
        existing_type=sa.Enum("a", "b", name="ck_old", create_constraint=True),
    )
    assert sql == [
        "ALTER TABLE t DROP CONSTRAINT ck_b",
        "ALTER TABLE t ALTER COLUMN c TYPE INTEGER",
        "ALTER TABLE t ALTER COLUMN c TYPE BOOLEAN",
        "ALTER TABLE t ADD CONSTRAINT ck_b CHECK (c IN (0, 1))",
        "ALTER TABLE s.t DROP CONSTRAINT ck_old",
        "ALTER TABLE s.t ALTER COLUMN c TYPE VARCHAR(1)",
        "ALTER TABLE s.t ADD CONSTRAINT ck_new CHECK (c IN ('a', 'b', 'c'))",
    ]


def test_alter_column_type_change_with_rename_checks_the_new_name(offline_op):
    op, sql = offline_op("default")
    op.alter_column(
        "t", "c", new_column_name="d", type_=sa.Boolean(create_constraint=True, name="ck_d"),
        existing_type=sa.Integer,
    )
    assert sql == [
        "ALTER TABLE t ALTER COLUMN c TYPE BOOLEAN",
        "ALTER TABLE t RENAME c TO d",
        "ALTER TABLE t ADD CONSTRAINT ck_d CHECK (d IN (0, 1))",
    ]


def test_alter_column_without_existing_type_touches_no_check(offline_op):
    op, sql = offline_op("default")
    op.alter_column("t", "c", type_=sa.Boolean(create_constraint=True, name="ck_b"))
    assert sql == [
        "ALTER TABLE t ALTER COLUMN c TYPE BOOLEAN",
        "ALTER TABLE t ADD CONSTRAINT ck_b CHECK (c IN (0, 1))",
    ]


def test_alter_column_computed_default_is_a_compile_error(offline_op):
    op, _ = offline_op("default")
    with pytest.raises(sa.exc.CompileError, match=r"t\.c"):
        op.alter_column("t", "c", server_default=sa.Computed("a + 1"))


def test_alter_column_identity_generic_is_a_compile_error(offline_op):
    op, _ = offline_op("default")
    with pytest.raises(sa.exc.CompileError, match=r"IDENTITY on column t\.c"):
        op.alter_column("t", "c", server_default=sa.Identity())


def test_alter_column_autoincrement_warns_outside_mysql(offline_op):
    op, sql = offline_op("default")
    with pytest.warns(UserWarning, match="autoincrement"):
        op.alter_column("t", "c", nullable=False, autoincrement=True)
    assert sql == ["ALTER TABLE t ALTER COLUMN c SET NOT NULL"]


# --------------------------------------------------------------------------------- constraints


def test_create_check_constraint_string_and_expression(offline_op):
    op, sql = offline_op("postgresql")
    op.create_check_constraint("ck1", "t", "x > 5", schema="s")
    op.create_check_constraint(
        "ck2", "t", column("x") > 5, deferrable=True, initially="DEFERRED"
    )
    assert sql == [
        "ALTER TABLE s.t ADD CONSTRAINT ck1 CHECK (x > 5)",
        "ALTER TABLE t ADD CONSTRAINT ck2 CHECK (x > 5) DEFERRABLE INITIALLY DEFERRED",
    ]


def test_create_unique_constraint(offline_op):
    op, sql = offline_op("postgresql")
    op.create_unique_constraint("uq1", "t", ["a", "b"], schema="s", deferrable=True)
    assert sql == ["ALTER TABLE s.t ADD CONSTRAINT uq1 UNIQUE (a, b) DEFERRABLE"]


def test_create_foreign_key_every_option(offline_op):
    op, sql = offline_op("postgresql")
    op.create_foreign_key(
        "fk1", "t", "r", ["a", "b"], ["x", "y"], onupdate="CASCADE", ondelete="SET NULL",
        deferrable=True, initially="DEFERRED", match="FULL", source_schema="s1",
        referent_schema="s2",
    )
    assert sql == [
        "ALTER TABLE s1.t ADD CONSTRAINT fk1 FOREIGN KEY(a, b) REFERENCES s2.r (x, y) "
        "MATCH FULL ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
    ]


def test_create_foreign_key_self_referential(offline_op):
    op, sql = offline_op("default")
    op.create_foreign_key("fk_parent", "node", "node", ["parent_id"], ["id"])
    assert sql == [
        "ALTER TABLE node ADD CONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES node (id)"
    ]


def test_create_primary_key(offline_op):
    op, sql = offline_op("default")
    op.create_primary_key("pk_t", "t", ["a", "b"], schema="s")
    assert sql == ["ALTER TABLE s.t ADD CONSTRAINT pk_t PRIMARY KEY (a, b)"]


@pytest.mark.parametrize("type_", [None, "foreignkey", "primary", "unique", "check"])
def test_drop_constraint_each_allowed_type(offline_op, type_):
    op, sql = offline_op("default")
    op.drop_constraint("c1", "t", type_=type_, schema="s")
    op.drop_constraint("c1", "t", type_, if_exists=True)
    assert sql == ["ALTER TABLE s.t DROP CONSTRAINT c1", "ALTER TABLE t DROP CONSTRAINT IF EXISTS c1"]


def test_drop_constraint_unknown_type_names_it(offline_op):
    op, sql = offline_op("default")
    with pytest.raises(TypeError, match=r"'type_' for constraint 'c1'.*not 'index'"):
        op.drop_constraint("c1", "t", type_="index")
    assert sql == []


# ------------------------------------------------------------------------------------- indexes


def test_create_index_plain_unique_schema_if_not_exists(offline_op):
    op, sql = offline_op("postgresql")
    op.create_index("ix1", "t", ["a", "b"])
    op.create_index("ix2", "t", ["a"], schema="s", unique=True, if_not_exists=True)
    assert sql == [
        "CREATE INDEX ix1 ON t (a, b)",
        "CREATE UNIQUE INDEX IF NOT EXISTS ix2 ON s.t (a)",
    ]


def test_create_index_expressions(offline_op):
    op, sql = offline_op("postgresql")
    op.create_index(
        "ix_expr", "t", [sa.text("lower(name)"), "b", sa.func.upper(column("c")), column("d").desc()]
    )
    assert sql == ["CREATE INDEX ix_expr ON t (lower(name), b, upper(c), d DESC)"]


def test_create_index_dialect_kwargs(offline_op):
    op, sql = offline_op("postgresql")
    op.create_index(
        "ix1", "t", ["a"], postgresql_where=sa.text("a > 5"), postgresql_using="gin",
        postgresql_include=["b"],
    )
    assert sql == ["CREATE INDEX ix1 ON t USING gin (a) INCLUDE (b) WHERE a > 5"]


def test_drop_index(offline_op):
    op, sql = offline_op("postgresql")
    op.drop_index("ix1")
    op.drop_index("ix1", "t", schema="s", if_exists=True)
    assert sql == ["DROP INDEX ix1", "DROP INDEX IF EXISTS s.ix1"]


# -------------------------------------------------------------------------------------- tables


def test_create_table_returns_table_and_makes_indexes_and_comments(offline_op):
    op, sql = offline_op("postgresql")
    result = op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.String(20), index=True, comment="the n"),
        sa.Column("u", sa.Integer),
        sa.Index("ix_n_u", "n", "u", unique=True),
        sa.UniqueConstraint("u", name="uq_u"),
        schema="s",
        comment="the table",
    )
    assert isinstance(result, sa.Table)
    assert (result.name, result.schema, result.comment) == ("t", "s", "the table")
    assert [c.name for c in result.c] == ["id", "n", "u"]
    assert sql == [
        "CREATE TABLE s.t ( id SERIAL NOT NULL, n VARCHAR(20), u INTEGER, PRIMARY KEY (id), "
        "CONSTRAINT uq_u UNIQUE (u) )",
        "CREATE UNIQUE INDEX ix_n_u ON s.t (n, u)",
        "CREATE INDEX ix_s_t_n ON s.t (n)",
        "COMMENT ON TABLE s.t IS 'the table'",
        "COMMENT ON COLUMN s.t.n IS 'the n'",
    ]


def test_create_table_if_not_exists_and_table_kwargs(offline_op):
    op, sql = offline_op("postgresql")
    op.create_table(
        "t", sa.Column("id", sa.Integer, primary_key=True), if_not_exists=True,
        prefixes=["UNLOGGED"], info={"k": 1},
    )
    assert sql == ["CREATE UNLOGGED TABLE IF NOT EXISTS t ( id SERIAL NOT NULL, PRIMARY KEY (id) )"]


def test_create_table_fires_create_events_for_enum_types(offline_op):
    op, sql = offline_op("postgresql")
    op.create_table("t", sa.Column("mood", sa.Enum("a", "b", name="mood")))
    assert sql == ["CREATE TYPE mood AS ENUM ('a', 'b')", "CREATE TABLE t ( mood mood )"]


def test_create_table_reuses_columns_of_another_table(offline_op):
    source = sa.Table("src", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    op, sql = offline_op("default")
    op.create_table("copy", *source.c)
    assert sql == ["CREATE TABLE copy ( id INTEGER NOT NULL, PRIMARY KEY (id) )"]


def test_drop_table(offline_op):
    op, sql = offline_op("postgresql")
    op.drop_table("t")
    op.drop_table("t", schema="s", if_exists=True)
    assert sql == ["DROP TABLE t", "DROP TABLE IF EXISTS s.t"]


def test_table_comments(offline_op):
    op, sql = offline_op("postgresql")
    op.create_table_comment("t", "it's here", existing_comment="old", schema="s")
    op.drop_table_comment("t", existing_comment="it's here")
    assert sql == ["COMMENT ON TABLE s.t IS 'it''s here'", "COMMENT ON TABLE t IS NULL"]


def test_rename_table_generic_qualifies_both_names(offline_op):
    op, sql = offline_op("default")
    op.rename_table("a", "b")
    op.rename_table("a", "b", schema="s")
    assert sql == ["ALTER TABLE a RENAME TO b", "ALTER TABLE s.a RENAME TO s.b"]


def test_rename_table_postgresql_leaves_new_name_unqualified(offline_op):
    op, sql = offline_op("postgresql")
    op.rename_table("a", "b", schema="s")
    assert sql == ["ALTER TABLE s.a RENAME TO b"]


# ---------------------------------------------------------------------------------------- data


def test_execute_string_with_escaped_colon_and_time_literal(offline_op):
    op, sql = offline_op("postgresql")
    op.execute(r"UPDATE t SET x = 'a\:b' WHERE y = '10:30'")
    assert sql == ["UPDATE t SET x = 'a:b' WHERE y = '10:30'"]


def test_execute_construct_with_inline_literals(offline_op):
    op, sql = offline_op("postgresql")
    t = table("t", column("x", sa.String), column("n", sa.Integer))
    op.execute(
        t.update().where(t.c.n == op.inline_literal(5)).values(x=op.inline_literal("it's"))
    )
    assert sql == ["UPDATE t SET x='it''s' WHERE t.n = 5"]


def test_execute_construct_plain_bind_renders_a_parameter_offline(offline_op):
    op, sql = offline_op("postgresql")
    op.execute(table("t", column("x")).update().values(x="v"))
    assert sql == ["UPDATE t SET x=%(x)s"]


def test_execute_with_literal_binds_renders_values(offline_op):
    op, sql = offline_op("postgresql", literal_binds=True)
    op.execute(table("t", column("x", sa.String)).update().values(x="v"))
    assert sql == ["UPDATE t SET x='v'"]


def test_execute_execution_options_accepted_offline(offline_op):
    op, sql = offline_op("postgresql")
    op.execute("SELECT 1", execution_options={"no_parameters": True})
    assert sql == ["SELECT 1"]


def test_execute_parameters_are_refused_offline(offline_op):
    op, _ = offline_op("postgresql")
    with pytest.raises(TypeError, match="offline"):
        op.impl._exec("SELECT :x", params={"x": 1})


@pytest.mark.parametrize("multiinsert", [True, False])
def test_bulk_insert_offline_one_literal_insert_per_row(offline_op, multiinsert):
    op, sql = offline_op("postgresql")
    t = table("t", column("id", sa.Integer), column("name", sa.String), column("d", sa.Date))
    import datetime

    op.bulk_insert(
        t,
        [
            {"id": 1, "name": "a'b", "d": datetime.date(2024, 1, 2)},
            {"id": 2, "name": op.inline_literal("x"), "d": None},
        ],
        multiinsert=multiinsert,
    )
    op.bulk_insert(t, [])
    assert sql == [
        "INSERT INTO t (id, name, d) VALUES (1, 'a''b', '2024-01-02')",
        "INSERT INTO t (id, name, d) VALUES (2, 'x', NULL)",
    ]


def test_inline_literal_types(offline_op):
    op, sql = offline_op("postgresql")
    t = table("t", column("x"))
    op.execute(t.update().values(x=op.inline_literal(3.5)))
    op.execute(t.update().values(x=op.inline_literal("5", sa.Integer)))
    assert sql == ["UPDATE t SET x=3.5", "UPDATE t SET x=5"]


# ------------------------------------------------------------------------------------- helpers


def test_f_returns_conv(offline_op):
    op, _ = offline_op("default")
    name = op.f("ix_custom")
    assert isinstance(name, sa.sql.elements.conv)
    assert name == "ix_custom"


def test_get_bind_and_get_context_offline(offline_op):
    op, sql = offline_op("postgresql")
    assert op.get_context() is op.migration_context
    bind = op.get_bind()
    assert bind is op.migration_context.bind
    assert bind.dialect.name == "postgresql"
    sa.Table("via_bind", sa.MetaData(), sa.Column("x", sa.Integer)).create(bind)
    assert sql == ["CREATE TABLE via_bind ( x INTEGER )"]


def test_invoke_hand_built_ops(offline_op):
    from dbshift.operations import ops

    op, sql = offline_op("default")
    created = op.invoke(ops.CreateTableOp("t", [sa.Column("id", sa.Integer)]))
    assert isinstance(created, sa.Table)
    assert op.invoke(ops.AddColumnOp("t", sa.Column("x", sa.Integer))) is None
    op.invoke(ops.AlterColumnOp("t", "x", modify_nullable=False))
    op.invoke(ops.CreateIndexOp("ix", "t", ["x"], unique=True))
    op.invoke(ops.DropConstraintOp("ck", "t", type_="check"))
    assert sql == [
        "CREATE TABLE t ( id INTEGER )",
        "ALTER TABLE t ADD COLUMN x INTEGER",
        "ALTER TABLE t ALTER COLUMN x SET NOT NULL",
        "CREATE UNIQUE INDEX ix ON t (x)",
        "ALTER TABLE t DROP CONSTRAINT ck",
    ]


def test_invoke_unknown_op_class_names_it(offline_op):
    from dbshift.operations.ops import MigrateOperation

    class Nothing(MigrateOperation):
        pass

    op, _ = offline_op("default")
    with pytest.raises(NotImplementedError, match="Nothing"):
        op.invoke(Nothing())


# ------------------------------------------------------- found by tools/opdiff against Alembic


@pytest.mark.parametrize("dialect", ["default", "postgresql"])
def test_alter_column_comment_removal_keeps_the_schema(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.alter_column(
        "t", "c", comment=None, existing_comment="old", existing_type=sa.Integer, schema="s"
    )
    assert sql == ["COMMENT ON COLUMN s.t.c IS NULL"]


def test_batch_alter_column_without_changes_is_accepted_with_partial_reordering(offline_op):
    op, sql = offline_op("sqlite")
    source = sa.Table(
        "t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer), sa.Column("y", sa.String(20)),
    )
    with op.batch_alter_table("t", copy_from=source, partial_reordering=[("y", "id", "x")],
                              recreate="always") as batch:
        batch.alter_column("y", existing_type=sa.String(20))
    assert sql == [
        "CREATE TABLE _alembic_tmp_t ( y VARCHAR(20), id INTEGER NOT NULL, x INTEGER, "
        "PRIMARY KEY (id) )",
        "INSERT INTO _alembic_tmp_t (y, id, x) SELECT t.y, t.id, t.x FROM t",
        "DROP TABLE t",
        "ALTER TABLE _alembic_tmp_t RENAME TO t",
    ]


def test_batch_alter_column_without_changes_rebuilds_on_sqlite_auto(offline_op):
    op, sql = offline_op("sqlite")
    source = sa.Table(
        "t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("y", sa.String(20)),
    )
    with op.batch_alter_table("t", copy_from=source) as batch:
        batch.alter_column("y", existing_type=sa.String(20))
    assert sql == [
        "CREATE TABLE _alembic_tmp_t ( id INTEGER NOT NULL, y VARCHAR(20), PRIMARY KEY (id) )",
        "INSERT INTO _alembic_tmp_t (id, y) SELECT t.id, t.y FROM t",
        "DROP TABLE t",
        "ALTER TABLE _alembic_tmp_t RENAME TO t",
    ]
