"""SQLiteImpl: exact SQL of the ops SQLite can ALTER, refusals, and transactional DDL."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa

from dbshift.migration import MigrationContext
from dbshift.operations import Operations


def test_add_column_with_foreign_key_renders_references_inline(offline_op) -> None:
    op, sql = offline_op("sqlite")
    op.add_column("t", sa.Column("pid", sa.Integer, sa.ForeignKey("p.id", ondelete="CASCADE")))
    assert sql == ["ALTER TABLE t ADD COLUMN pid INTEGER REFERENCES p (id) ON DELETE CASCADE"]


def test_add_column_keeps_the_name_of_an_inline_foreign_key(offline_op) -> None:
    op, sql = offline_op("sqlite")
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r")))
    op.add_column("t", sa.Column("q", sa.Integer, sa.ForeignKey("r.id", name='fk "q"')),
                  schema="s")
    assert sql == [
        "ALTER TABLE t ADD COLUMN rid INTEGER CONSTRAINT fk_r REFERENCES r (id)",
        'ALTER TABLE s.t ADD COLUMN q INTEGER CONSTRAINT "fk ""q""" REFERENCES r (id)',
    ]


def test_add_column_names_inline_foreign_key_by_naming_convention(offline_op) -> None:
    op, sql = offline_op(
        "sqlite", target_metadata=sa.MetaData(naming_convention={
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}),
    )
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))
    assert sql == ["ALTER TABLE t ADD COLUMN rid INTEGER CONSTRAINT fk_t_rid_r REFERENCES r (id)"]


def test_add_column_expression_default_is_parenthesised(offline_op) -> None:
    op, sql = offline_op("sqlite")
    op.add_column("t", sa.Column("at", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")))
    op.add_column("t", sa.Column("n", sa.Integer, server_default=sa.text("1 + 1")))
    assert sql == [
        "ALTER TABLE t ADD COLUMN at DATETIME DEFAULT CURRENT_TIMESTAMP",
        "ALTER TABLE t ADD COLUMN n INTEGER DEFAULT (1 + 1)",
    ]


def test_rename_column_and_table(offline_op) -> None:
    op, sql = offline_op("sqlite")
    op.alter_column("t", "a", new_column_name="b")
    op.rename_table("t", "u")
    assert sql == ["ALTER TABLE t RENAME COLUMN a TO b", "ALTER TABLE t RENAME TO u"]


@pytest.mark.parametrize(
    "call",
    [
        lambda op: op.create_unique_constraint("uq", "t", ["a"]),
        lambda op: op.create_check_constraint("ck", "t", "a > 1"),
        lambda op: op.create_foreign_key("fk", "t", "p", ["pid"], ["id"]),
        lambda op: op.drop_constraint("uq", "t", type_="unique"),
    ],
)
def test_constraint_alters_point_to_batch_mode(offline_op, call) -> None:
    op, sql = offline_op("sqlite")
    with pytest.raises(NotImplementedError, match="batch mode"):
        call(op)
    assert sql == []


def test_type_bound_constraint_is_skipped_with_warning(offline_op) -> None:
    op, sql = offline_op("sqlite")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")))
    assert sql == ["ALTER TABLE t ADD COLUMN flag BOOLEAN"]
    assert any("implicit constraint" in str(w.message) for w in caught)


def test_alter_column_type_online_points_to_batch(sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
    with sqlite_engine.connect() as conn:
        op = Operations(MigrationContext.configure(conn))
        with pytest.raises(NotImplementedError, match="batch_alter_table"):
            op.alter_column("t", "a", type_=sa.String(5))


def test_requires_recreate_rules(offline_op) -> None:
    op, _sql = offline_op("sqlite")
    impl = op.impl

    class Batch:
        def __init__(self, *entries):
            self.batch = list(entries)

    plain = sa.Column("x", sa.Integer, server_default="1")
    expr = sa.Column("y", sa.Integer, server_default=sa.text("(1 + 2)"))
    stored = sa.Column("z", sa.Integer, sa.Computed("x * 2", persisted=True))
    assert not impl.requires_recreate_in_batch(Batch(("create_index", (), {}), ("drop_index", (), {})))
    assert not impl.requires_recreate_in_batch(Batch(("add_column", ("t", plain), {})))
    assert impl.requires_recreate_in_batch(Batch(("add_column", ("t", expr), {})))
    assert impl.requires_recreate_in_batch(Batch(("add_column", ("t", stored), {})))
    assert impl.requires_recreate_in_batch(Batch(("alter_column", ("t", "x"), {})))


def test_failed_migration_leaves_no_ddl_behind(sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        op = Operations(ctx)
        with pytest.raises(sa.exc.OperationalError):
            with ctx.begin_transaction():
                op.add_column("t", sa.Column("b", sa.Integer))
                op.create_table("u", sa.Column("id", sa.Integer))
                op.execute("SELECT * FROM no_such_table")
    with sqlite_engine.connect() as conn:
        insp = sa.inspect(conn)
        assert [c["name"] for c in insp.get_columns("t")] == ["a"]
        assert not insp.has_table("u")


def test_rename_table_in_schema_keeps_new_name_unqualified(offline_op) -> None:
    op, sql = offline_op("sqlite")
    op.rename_table("t", "t2", schema="s")
    assert sql == ["ALTER TABLE s.t RENAME TO t2"]


def test_rename_table_in_attached_database_runs() -> None:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ':memory:' AS s")
        conn.exec_driver_sql("CREATE TABLE s.t (a INTEGER)")
        conn.commit()
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            Operations(ctx).rename_table("t", "t2", schema="s")
        assert sa.inspect(conn).get_table_names(schema="s") == ["t2"]
    engine.dispose()


@pytest.mark.parametrize(
    ("column", "kw"),
    [
        (lambda: sa.Column("rid", sa.Integer, sa.ForeignKey("a.id", name="fk_a"),
                           sa.ForeignKey("b.id", name="fk_b")), {"inline_references": True}),
        (lambda: sa.Column("rid", sa.Integer, sa.ForeignKey("a.id", name="fk_a"),
                           sa.ForeignKey("b.id", name="fk_b")), {}),
        (lambda: sa.Column("rid", sa.Integer, sa.ForeignKey("a.id", name="fk_a")),
         {"inline_references": False}),
        (lambda: sa.Column("u", sa.Integer, unique=True), {}),
    ],
    ids=["two_fks_inline", "two_fks", "inline_references_false", "unique"],
)
def test_add_column_with_constraint_alter_refused_before_any_statement(
    offline_op, column, kw
) -> None:
    op, sql = offline_op("sqlite")
    with pytest.raises(NotImplementedError, match="of new column t.* batch mode"):
        op.add_column("t", column(), **kw)
    assert sql == []


def test_add_column_two_foreign_keys_online_leaves_table_unchanged(sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE t (c INTEGER)")
    with sqlite_engine.connect() as conn:
        op = Operations(MigrationContext.configure(conn))
        col = sa.Column("rid", sa.Integer, sa.ForeignKey("a.id", name="fk_1"),
                        sa.ForeignKey("a.id", name="fk_2"))
        with pytest.raises(NotImplementedError, match="batch mode"):
            op.add_column("t", col)
        assert [c["name"] for c in sa.inspect(conn).get_columns("t")] == ["c"]


def test_only_a_columns_single_foreign_key_counts_as_inline(offline_op) -> None:
    op, _sql = offline_op("sqlite")
    meta = sa.MetaData()
    one = sa.Table("t1", meta, sa.Column("rid", sa.Integer, sa.ForeignKey("a.id")))
    two = sa.Table("t2", meta, sa.Column("rid", sa.Integer, sa.ForeignKey("a.id"),
                                         sa.ForeignKey("b.id")))
    composite = sa.Table("t3", meta, sa.Column("x", sa.Integer), sa.Column("y", sa.Integer),
                         sa.ForeignKeyConstraint(["x", "y"], ["a.x", "a.y"]))
    rendered = op.impl.column_constraint_rendered_inline
    assert rendered(next(iter(one.foreign_key_constraints)))
    assert not any(rendered(fk) for fk in two.foreign_key_constraints)
    assert not rendered(next(iter(composite.foreign_key_constraints)))


def test_comments_are_skipped_with_a_warning(offline_op) -> None:
    op, sql = offline_op("sqlite")
    with pytest.warns(UserWarning, match="SQLite has no comments") as caught:
        op.alter_column("t", "c", comment="note", new_column_name="d", existing_type=sa.Integer())
        op.alter_column("t", "d", comment=None, existing_comment="note")
        op.create_table_comment("t", "a table")
        op.drop_table_comment("t")
    assert sql == ["ALTER TABLE t RENAME COLUMN c TO d"]
    assert len([w for w in caught if "SQLite has no comments" in str(w.message)]) == 4


def test_comment_online_does_not_fail_the_migration(sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (c INTEGER)")
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction(), pytest.warns(UserWarning, match="no comments"):
            Operations(ctx).alter_column("t", "c", comment="x", new_column_name="d")
        assert [c["name"] for c in sa.inspect(conn).get_columns("t")] == ["d"]


REFLECTED = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
    "CREATE TABLE t (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  name VARCHAR(20) NOT NULL CHECK (length(name) > 0),\n"
    "  qty NUMERIC(10, 2) DEFAULT 7,\n"
    "  made TIMESTAMP DEFAULT (CURRENT_TIMESTAMP),\n"
    "  twice INTEGER GENERATED ALWAYS AS (qty * 2) STORED,\n"
    "  parent_id INTEGER CONSTRAINT fk_parent REFERENCES parent(id) ON DELETE CASCADE,\n"
    "  code TEXT REFERENCES parent(code),\n"
    "  boss_id INTEGER,\n"
    "  CONSTRAINT uq_name UNIQUE (name),\n"
    "  UNIQUE (qty, boss_id),\n"
    "  CONSTRAINT ck_qty CHECK (qty >= 0),\n"
    "  CONSTRAINT fk_boss FOREIGN KEY (boss_id) REFERENCES t(id)\n"
    ")",
    "CREATE INDEX ix_t_qty ON t (qty DESC, name)",
    "CREATE INDEX ix_t_partial ON t (boss_id) WHERE boss_id IS NOT NULL",
    "CREATE UNIQUE INDEX ix_t_lower ON t (lower(name))",
    "CREATE TABLE plain (id INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (id))",
    "CREATE TABLE opts (k TEXT PRIMARY KEY, v ANY) STRICT, WITHOUT ROWID",
    "CREATE TABLE nopk (a INT, b TEXT)",
    "CREATE TABLE pair (a INT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (b, a))",
)


def _described(table: sa.Table) -> dict:
    return {
        "columns": [
            (c.name, repr(c.type), c.nullable, c.primary_key, c.autoincrement,
             str(c.server_default.arg) if c.server_default is not None and c.computed is None
             else None,
             str(c.computed.sqltext) if c.computed is not None else None)
            for c in table.columns
        ],
        "constraints": sorted(
            (type(c).__name__, str(c.name), tuple(col.name for col in c.columns),
             str(getattr(c, "sqltext", "")), tuple(getattr(c, "column_keys", ())))
            for c in table.constraints
        ),
        "indexes": sorted(
            (i.name, i.unique, tuple(str(e) for e in i.expressions),
             str(i.dialect_options["sqlite"]["where"]))
            for i in table.indexes
        ),
        "options": dict(table.dialect_kwargs),
    }


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
@pytest.mark.parametrize("name", ["t", "plain", "opts", "parent", "nopk", "pair"])
def test_rebuild_reflection_matches_sqlalchemy(sqlite_engine, name) -> None:
    from dbshift.ddl.sqlite_rebuild import SQLiteRebuild

    with sqlite_engine.begin() as conn:
        for statement in REFLECTED:
            conn.exec_driver_sql(statement)
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        rebuild = SQLiteRebuild(ctx.impl, name, None)
        info = rebuild.reflection_info()
        assert info is not None
        fast = sa.Table(name, sa.MetaData(), autoload_with=conn, resolve_fks=False,
                        _reflect_info=info)
        usual = sa.Table(name, sa.MetaData(), autoload_with=conn, resolve_fks=False)
        assert _described(fast) == _described(usual)
        assert fast.primary_key.columns.keys() == usual.primary_key.columns.keys()
        if name == "t":
            rebuild.complete_reflection(fast)
            assert {fk.name for fk in fast.foreign_key_constraints} == {
                "fk_parent", "fk_boss", None}
