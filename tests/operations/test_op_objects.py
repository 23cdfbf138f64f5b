"""Operation objects (§1.3): reverse(), double reverse, diff tuples, conversions, containers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dbshift.operations import ops


def _compile(element) -> str:
    from sqlalchemy.engine.default import DefaultDialect

    return " ".join(str(element.compile(dialect=DefaultDialect())).split())


@pytest.fixture
def table() -> sa.Table:
    return sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")),
        sa.Column("v", sa.Integer, unique=True),
        sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r", ondelete="CASCADE")),
        sa.UniqueConstraint("x", name="uq_x"),
        sa.CheckConstraint("x > 0", name="ck_x"),
        sa.Index("ix_x", "x", unique=True),
        schema="s",
        comment="cmt",
    )


# ------------------------------------------------------------------------------------- columns


def test_add_column_reverse_and_back(table):
    add = ops.AddColumnOp.from_column(table.c.x)
    assert (add.table_name, add.schema, add.column is table.c.x) == ("t", "s", True)
    assert add.to_diff_tuple() == ("add_column", "s", "t", table.c.x)
    drop = add.reverse()
    assert isinstance(drop, ops.DropColumnOp)
    assert (drop.table_name, drop.column_name, drop.schema) == ("t", "x", "s")
    assert drop.to_column() is table.c.x
    assert drop.to_diff_tuple() == ("remove_column", "s", "t", table.c.x)
    again = drop.reverse()
    assert isinstance(again, ops.AddColumnOp)
    assert (again.table_name, again.schema, again.column) == ("t", "s", table.c.x)


def test_drop_column_without_original_is_not_reversible():
    drop = ops.DropColumnOp("t", "x")
    tag, schema, tname, col = drop.to_diff_tuple()
    assert (tag, schema, tname, col.name) == ("remove_column", None, "t", "x")
    assert isinstance(col.type, sa.types.NullType)
    with pytest.raises(ValueError, match=r"t\.x is not reversible"):
        drop.reverse()


@pytest.fixture
def alter() -> ops.AlterColumnOp:
    return ops.AlterColumnOp(
        "t", "c", schema="s",
        existing_type=sa.Integer(), modify_type=sa.String(5),
        existing_nullable=True, modify_nullable=False,
        existing_server_default="1", modify_server_default="2",
        existing_comment="a", modify_comment="b",
        modify_name="d",
    )


def test_alter_column_reverse_swaps_every_aspect(alter):
    rev = alter.reverse()
    assert (rev.table_name, rev.column_name, rev.modify_name, rev.schema) == ("t", "d", "c", "s")
    assert isinstance(rev.modify_type, sa.Integer)
    assert isinstance(rev.existing_type, sa.String)
    assert (rev.modify_nullable, rev.existing_nullable) == (True, False)
    assert (rev.modify_server_default, rev.existing_server_default) == ("1", "2")
    assert (rev.modify_comment, rev.existing_comment) == ("a", "b")
    back = rev.reverse()
    assert vars(back) == vars(alter)


def test_alter_column_reverse_leaves_unchanged_aspects_alone():
    op = ops.AlterColumnOp("t", "c", existing_type=sa.Integer(), modify_nullable=False,
                           existing_nullable=True)
    rev = op.reverse()
    assert (rev.modify_nullable, rev.existing_nullable) == (True, False)
    assert rev.modify_type is None
    assert rev.modify_server_default is False
    assert rev.modify_comment is False
    assert rev.modify_name is None
    assert isinstance(rev.existing_type, sa.Integer)


def test_alter_column_reverse_swaps_autoincrement_kw():
    op = ops.AlterColumnOp("t", "c", modify_autoincrement=True, existing_autoincrement=False)
    assert op.reverse().kw == {"modify_autoincrement": False, "existing_autoincrement": True}


def test_alter_column_diff_tuples(alter):
    type_t, null_t, default_t, comment_t = alter.to_diff_tuple()
    assert type_t[:4] == ("modify_type", "s", "t", "c")
    assert type_t[4] == {
        "existing_nullable": True, "existing_server_default": "1", "existing_comment": "a"
    }
    assert isinstance(type_t[5], sa.Integer) and isinstance(type_t[6], sa.String)
    assert null_t[:4] == ("modify_nullable", "s", "t", "c")
    assert set(null_t[4]) == {"existing_type", "existing_server_default", "existing_comment"}
    assert null_t[5:] == (True, False)
    assert default_t[:4] == ("modify_default", "s", "t", "c")
    assert set(default_t[4]) == {"existing_type", "existing_nullable", "existing_comment"}
    assert default_t[5:] == ("1", "2")
    assert comment_t[:4] == ("modify_comment", "s", "t", "c")
    assert set(comment_t[4]) == {"existing_type", "existing_nullable", "existing_server_default"}
    assert comment_t[5:] == ("a", "b")


def test_alter_column_diff_tuple_only_changed_aspects():
    op = ops.AlterColumnOp("t", "c", modify_server_default=None, existing_server_default=False)
    assert op.to_diff_tuple() == [
        ("modify_default", None, "t", "c",
         {"existing_type": None, "existing_nullable": None, "existing_comment": None},
         False, None)
    ]


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, False),
        ({"existing_type": sa.Integer(), "existing_nullable": True}, False),
        ({"modify_nullable": False}, True),
        ({"modify_nullable": True}, True),
        ({"modify_server_default": None}, True),
        ({"modify_comment": None}, True),
        ({"modify_type": sa.Integer()}, True),
        ({"modify_name": "d"}, True),
        ({"modify_anything": 1}, True),
        ({"postgresql_using": "c::int"}, False),
    ],
)
def test_alter_column_has_changes(kw, expected):
    assert ops.AlterColumnOp("t", "c", **kw).has_changes() is expected


# -------------------------------------------------------------------------------------- tables


def test_create_table_from_table_round_trip(table):
    create = ops.CreateTableOp.from_table(table)
    assert (create.table_name, create.schema, create.comment) == ("t", "s", "cmt")
    rebuilt = create.to_table()
    assert rebuilt is not table
    assert [c.name for c in rebuilt.c] == ["id", "x", "flag", "v", "rid"]
    names = sorted(str(c.name) for c in rebuilt.constraints if c.name)
    assert names == ["ck_flag", "ck_x", "fk_r", "uq_x"]
    # one UNIQUE(v) from the column flag, not two; one CHECK for the Boolean, not two
    ddl = _compile(sa.schema.CreateTable(rebuilt))
    assert ddl.count("UNIQUE (v)") == 1
    assert ddl.count("CONSTRAINT ck_flag") == 1
    tag, diff_table = create.to_diff_tuple()
    assert tag == "add_table" and diff_table.name == "t"


def test_create_table_reverse_and_double_reverse(table):
    create = ops.CreateTableOp.from_table(table)
    drop = create.reverse()
    assert isinstance(drop, ops.DropTableOp)
    assert (drop.table_name, drop.schema, drop.comment) == ("t", "s", "cmt")
    assert drop.to_diff_tuple()[0] == "remove_table"
    again = drop.reverse()
    assert isinstance(again, ops.CreateTableOp)
    assert _compile(sa.schema.CreateTable(again.to_table())) == _compile(
        sa.schema.CreateTable(create.to_table())
    )


def test_drop_table_without_original_reverses_to_empty_table():
    drop = ops.DropTableOp("t", schema="s", table_kw={"comment": "c"})
    rebuilt = drop.reverse().to_table()
    assert (rebuilt.name, rebuilt.schema, rebuilt.comment, list(rebuilt.c)) == ("t", "s", "c", [])


def test_rename_table_reverse():
    op = ops.RenameTableOp("a", "b", schema="s")
    rev = op.reverse()
    assert (rev.table_name, rev.new_table_name, rev.schema) == ("b", "a", "s")
    assert vars(rev.reverse()) == vars(op)


def test_table_comment_ops_reverse():
    create = ops.CreateTableCommentOp("t", "new", existing_comment="old", schema="s")
    rev = create.reverse()
    assert isinstance(rev, ops.CreateTableCommentOp)
    assert (rev.comment, rev.existing_comment, rev.schema) == ("old", "new", "s")
    first = ops.CreateTableCommentOp("t", "new")
    dropped = first.reverse()
    assert isinstance(dropped, ops.DropTableCommentOp)
    assert dropped.existing_comment == "new"
    restored = dropped.reverse()
    assert isinstance(restored, ops.CreateTableCommentOp)
    assert restored.comment == "new"
    tag, tbl, existing = create.to_diff_tuple()
    assert (tag, tbl.comment, existing) == ("add_table_comment", "new", "old")
    tag, tbl = dropped.to_diff_tuple()
    assert (tag, tbl.name) == ("remove_table_comment", "t")


# --------------------------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("name", "op_cls", "drop_type", "diff_tag"),
    [
        ("uq_x", ops.CreateUniqueConstraintOp, "unique", "add_constraint"),
        ("ck_x", ops.CreateCheckConstraintOp, "check", "add_constraint"),
        ("fk_r", ops.CreateForeignKeyOp, "foreignkey", "add_fk"),
        (None, ops.CreatePrimaryKeyOp, "primary", "add_constraint"),
    ],
)
def test_constraint_ops_from_constraint_reverse_and_back(table, name, op_cls, drop_type, diff_tag):
    if op_cls is ops.CreatePrimaryKeyOp:
        constraint = table.primary_key
    else:
        constraint = next(c for c in table.constraints if c.name == name)
    add = ops.AddConstraintOp.from_constraint(constraint)
    assert type(add) is op_cls
    tag, rebuilt = add.to_diff_tuple()
    assert tag == diff_tag and rebuilt.name == name
    drop = add.reverse()
    assert isinstance(drop, ops.DropConstraintOp)
    assert (drop.constraint_name, drop.table_name, drop.schema) == (name, "t", "s")
    assert drop.constraint_type == drop_type
    assert drop.to_diff_tuple()[0] == ("remove_fk" if drop_type == "foreignkey" else
                                       "remove_constraint")
    again = drop.reverse()
    assert type(again) is op_cls
    assert _compile(sa.schema.AddConstraint(again.to_constraint())) == _compile(
        sa.schema.AddConstraint(add.to_constraint())
    )


def test_foreign_key_op_keeps_options(table):
    add = ops.AddConstraintOp.from_constraint(
        next(c for c in table.constraints if c.name == "fk_r")
    )
    assert (add.source_table, add.referent_table, add.local_cols, add.remote_cols) == (
        "t", "r", ["rid"], ["id"]
    )
    assert add.kw["ondelete"] == "CASCADE" and add.kw["source_schema"] == "s"
    assert _compile(sa.schema.AddConstraint(add.to_constraint())) == (
        "ALTER TABLE s.t ADD CONSTRAINT fk_r FOREIGN KEY(rid) REFERENCES r (id) ON DELETE CASCADE"
    )


def test_drop_constraint_without_original():
    drop = ops.DropConstraintOp("fk1", "t", type_="foreignkey")
    assert drop.to_diff_tuple()[0] == "remove_fk"
    assert ops.DropConstraintOp("c", "t").to_diff_tuple()[0] == "remove_constraint"
    with pytest.raises(ValueError, match="'fk1' on t is not reversible"):
        drop.reverse()


# ------------------------------------------------------------------------------------- indexes


def test_index_ops_round_trip(table):
    index = next(iter(table.indexes))
    create = ops.CreateIndexOp.from_index(index)
    assert (create.index_name, create.table_name, create.schema, create.unique) == (
        "ix_x", "t", "s", True
    )
    tag, rebuilt = create.to_diff_tuple()
    assert tag == "add_index" and rebuilt is not index
    assert _compile(sa.schema.CreateIndex(rebuilt)) == "CREATE UNIQUE INDEX ix_x ON s.t (x)"
    drop = create.reverse()
    assert isinstance(drop, ops.DropIndexOp)
    assert (drop.index_name, drop.table_name, drop.schema) == ("ix_x", "t", "s")
    assert drop.to_diff_tuple()[0] == "remove_index"
    again = drop.reverse()
    assert _compile(sa.schema.CreateIndex(again.to_index())) == (
        "CREATE UNIQUE INDEX ix_x ON s.t (x)"
    )


def test_expression_index_round_trip(table):
    index = sa.Index("ix_f", sa.func.lower(table.c.x), table.c.v.desc())
    table.append_constraint(index)
    again = ops.CreateIndexOp.from_index(index).reverse().reverse()
    assert _compile(sa.schema.CreateIndex(again.to_index())) == (
        "CREATE INDEX ix_f ON s.t (lower(x), v DESC)"
    )


def test_drop_index_without_original_reverses_to_placeholder():
    created = ops.DropIndexOp("ix", "t").reverse()
    assert (created.index_name, created.table_name) == ("ix", "t")


# ---------------------------------------------------------------------------------------- data


def test_data_ops_reverse_and_diff():
    execute = ops.ExecuteSQLOp("SELECT 1")
    assert execute.to_diff_tuple() == ("execute", "SELECT 1")
    with pytest.raises(NotImplementedError, match="ExecuteSQLOp"):
        execute.reverse()
    with pytest.raises(NotImplementedError, match="BulkInsertOp"):
        ops.BulkInsertOp(None, []).reverse()
    with pytest.raises(NotImplementedError, match="BulkInsertOp"):
        ops.BulkInsertOp(None, []).to_diff_tuple()


def test_info_dict_is_per_instance():
    a, b = ops.ExecuteSQLOp("x"), ops.ExecuteSQLOp("y")
    a.info["k"] = 1
    assert a.info == {"k": 1} and b.info == {}


# ---------------------------------------------------------------------------------- containers


def test_upgrade_ops_reverse_reverses_order_and_nests(table):
    add = ops.AddColumnOp("t", sa.Column("x", sa.Integer))
    index = ops.CreateIndexOp("ix", "t", ["x"])
    upgrade = ops.UpgradeOps(
        [ops.ModifyTableOps("t", [add, index], schema=None), ops.CreateTableOp.from_table(table)]
    )
    assert not upgrade.is_empty() and ops.UpgradeOps().is_empty()
    downgrade = upgrade.reverse()
    assert isinstance(downgrade, ops.DowngradeOps)
    first, second = downgrade.ops
    assert isinstance(first, ops.DropTableOp)
    assert isinstance(second, ops.ModifyTableOps)
    assert [type(o) for o in second.ops] == [ops.DropIndexOp, ops.DropColumnOp]
    assert [d[0] for d in upgrade.as_diffs()] == ["add_column", "add_index", "add_table"]
    back = downgrade.reverse()
    assert isinstance(back, ops.UpgradeOps)
    assert [type(o) for o in back.ops] == [ops.ModifyTableOps, ops.CreateTableOp]


def test_reverse_into_fills_given_downgrade_ops():
    target = ops.DowngradeOps(ops=[ops.ExecuteSQLOp("stale")], downgrade_token="dg")
    result = ops.UpgradeOps([ops.RenameTableOp("a", "b")]).reverse_into(target)
    assert result is target and target.downgrade_token == "dg"
    assert [(o.table_name, o.new_table_name) for o in target.ops] == [("b", "a")]


def test_migration_script_single_and_lists():
    up, down = ops.UpgradeOps(), ops.DowngradeOps()
    script = ops.MigrationScript("abc", up, down, message="m", head="base")
    assert script.upgrade_ops is up and script.downgrade_ops is down
    assert script.upgrade_ops_list == [up] and script.downgrade_ops_list == [down]
    assert script.imports == set()
    ups = [ops.UpgradeOps(upgrade_token="a"), ops.UpgradeOps(upgrade_token="b")]
    multi = ops.MigrationScript("abc", ups, [ops.DowngradeOps(), ops.DowngradeOps()])
    assert multi.upgrade_ops_list == ups
    with pytest.raises(ValueError, match="upgrade_ops_list"):
        _ = multi.upgrade_ops
    with pytest.raises(ValueError, match="downgrade_ops_list"):
        _ = multi.downgrade_ops
