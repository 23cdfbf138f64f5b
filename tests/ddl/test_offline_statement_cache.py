"""The offline statement cache (dbshift.ddl.offline_statement_cache): plain create_table,
add_column and create_index write exactly what compiling writes, and anything else is compiled."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles, deregister
from sqlalchemy.schema import CreateIndex

from dbshift.ddl.impl import DefaultImpl
from dbshift.ddl.offline_statement_cache import OfflineStatementCache
from dbshift.operations import ops
from dbshift.operations.schemaobj import SchemaObjects

DIALECTS = ["postgresql", "mysql", "sqlite", "mssql", "oracle", "default"]

# names that need quoting, reserved words, mixed case, and names that are the cache's placeholders
NAMES = [
    ("t", "c", "ix_t_c"),
    ("Order", "Select", "IX_Mixed"),
    ("select", "from", "index"),
    ("has space", "dash-col", "ix with space"),
    ("dbshiftname0x", "dbshiftname1x", "dbshiftname2x"),
    ("t2", "t2", "t2"),
]


def _run(op, with_cache: bool) -> None:
    if not with_cache:
        op.impl.offline_statement_cache = None
    for table, column, index in NAMES:
        op.add_column(table, sa.Column(column, sa.String(20), nullable=False))
        op.add_column(table, sa.Column(column + "_n", sa.Numeric(10, 2)))
        op.create_index(index, table, [column])
        op.create_index(index + "_u", table, [column, column + "_n"], unique=True)
        op.create_index(index + "_e", table, [column], if_not_exists=True)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_cached_sql_is_what_compiling_writes(offline_op, dialect):
    op, cached = offline_op(dialect)
    _run(op, with_cache=True)
    op, compiled = offline_op(dialect)
    _run(op, with_cache=False)
    assert cached.raw == compiled.raw
    assert len(compiled.raw) >= 5 * len(NAMES)


def test_only_the_first_op_of_a_shape_builds_objects(offline_op, monkeypatch):
    built: list[str | None] = []
    original = DefaultImpl.create_index

    def create_index(self, index, **kw):
        built.append(index.name)
        return original(self, index, **kw)

    def index(self, *args, **kw):
        raise AssertionError("the op layer built an index")

    monkeypatch.setattr(DefaultImpl, "create_index", create_index)
    monkeypatch.setattr(SchemaObjects, "index", index)
    op, sql = offline_op("postgresql")
    for i in range(3):
        op.create_index(f"ix_{i}", f"t{i}", ["a"])
    op.create_index("ix_two", "t", ["a", "b"])
    assert built == ["dbshiftname0x", "dbshiftname0x"]
    assert sql == [
        "CREATE INDEX ix_0 ON t0 (a)",
        "CREATE INDEX ix_1 ON t1 (a)",
        "CREATE INDEX ix_2 ON t2 (a)",
        "CREATE INDEX ix_two ON t (a, b)",
    ]


def test_a_user_compiler_turns_the_cache_off(offline_op):
    @compiles(CreateIndex, "postgresql")
    def _create_index(element, compiler, **kw):
        index = element.element
        kind = "temporary " if index.name.startswith("tmp_") else ""
        columns = ", ".join(c.name for c in index.columns)
        return f"-- {kind}index {index.name} on {index.table.name} ({columns})"

    try:
        op, sql = offline_op("postgresql")
        op.create_index("ix_a", "t", ["a"])
        op.create_index("tmp_b", "t", ["b"])
    finally:
        deregister(CreateIndex)
    assert sql == ["-- index ix_a on t (a)", "-- temporary index tmp_b on t (b)"]


def test_names_longer_than_the_dialect_allows_are_compiled(offline_op):
    long_name = "ix_" + "x" * 70
    op, sql = offline_op("postgresql")
    op.create_index("ix_short", "t", ["a"])
    with pytest.raises(sa.exc.IdentifierError, match="exceeds maximum length of 63"):
        op.create_index(long_name, "t", ["a"])
    assert sql == ["CREATE INDEX ix_short ON t (a)"]


def test_warnings_name_the_real_column(offline_op):
    op, sql = offline_op("mssql")
    for name in ("x", "y"):
        with pytest.warns(UserWarning, match=rf"column t\.{name} is added unconditionally"):
            op.add_column("t", sa.Column(name, sa.Integer), if_not_exists=True)
    assert sql == ["ALTER TABLE t ADD x INTEGER NULL", "GO", "ALTER TABLE t ADD y INTEGER NULL", "GO"]


def test_columns_with_more_than_a_type_are_compiled(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column("t", sa.Column("a", sa.Integer))
    op.add_column("t", sa.Column("b", sa.Integer, server_default="3"))
    op.add_column("t", sa.Column("c", sa.Integer, sa.ForeignKey("u.id")))
    op.add_column("t", sa.Column("d", sa.Integer, comment="note"))
    assert sql == [
        "ALTER TABLE t ADD COLUMN a INTEGER",
        "ALTER TABLE t ADD COLUMN b INTEGER DEFAULT '3'",
        "ALTER TABLE t ADD COLUMN c INTEGER",
        "ALTER TABLE t ADD FOREIGN KEY(c) REFERENCES u (id)",
        "ALTER TABLE t ADD COLUMN d INTEGER",
        "COMMENT ON COLUMN t.d IS 'note'",
    ]


def test_a_convention_that_rewrites_given_names_is_applied(offline_op):
    metadata = sa.MetaData(naming_convention={"ix": "ix_%(table_name)s_%(constraint_name)s"})
    op, sql = offline_op("postgresql", target_metadata=metadata)
    op.create_index("a", "t", ["a"])
    op.create_index("b", "t", ["b"])
    assert sql == ["CREATE INDEX ix_t_a ON t (a)", "CREATE INDEX ix_t_b ON t (b)"]


def _tables(op) -> None:
    for table, column, _ in NAMES:
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(column, sa.String(20), nullable=False),
        )
        op.create_table(
            table + "_big",
            sa.Column("id", sa.BigInteger(), primary_key=True),
            sa.Column(column, sa.Numeric(10, 2)),
        )
        op.create_table(
            table + "_pair",
            sa.Column("a", sa.Integer(), primary_key=True),
            sa.Column(column, sa.Integer(), primary_key=True),
        )
        op.create_table(
            table + "_order",
            sa.Column("a", sa.Integer()),
            sa.Column(column, sa.Integer()),
            sa.PrimaryKeyConstraint(column, "a"),
        )
        op.create_table(table + "_auto", sa.Column("id", sa.Integer(), primary_key=True))
        op.create_table(
            table + "_noauto",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        )
        op.create_table(
            table + "_exists", sa.Column(column, sa.Integer(), primary_key=True), if_not_exists=True
        )
        op.create_table(table + "_nopk", sa.Column(column, sa.Text()))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_cached_create_table_is_what_compiling_writes(offline_op, dialect):
    op, cached = offline_op(dialect)
    _tables(op)
    op, compiled = offline_op(dialect)
    op.impl.offline_statement_cache = None
    _tables(op)
    assert cached.raw == compiled.raw
    assert len(compiled.raw) >= 6 * len(NAMES)


def test_create_table_still_returns_the_table(offline_op):
    op, sql = offline_op("postgresql")
    first = op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    second = op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))
    assert isinstance(second, sa.Table)
    assert second.name == "b" and list(second.c.keys()) == ["id"] and first is not second
    assert sql == [
        "CREATE TABLE a ( id SERIAL NOT NULL, PRIMARY KEY (id) )",
        "CREATE TABLE b ( id SERIAL NOT NULL, PRIMARY KEY (id) )",
    ]


def test_a_convention_naming_the_primary_key_is_applied(offline_op):
    metadata = sa.MetaData(naming_convention={"pk": "pk_%(table_name)s"})
    op, sql = offline_op("postgresql", target_metadata=metadata)
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))
    assert sql == [
        "CREATE TABLE a ( id SERIAL NOT NULL, CONSTRAINT pk_a PRIMARY KEY (id) )",
        "CREATE TABLE b ( id SERIAL NOT NULL, CONSTRAINT pk_b PRIMARY KEY (id) )",
    ]


def test_create_events_still_fire(offline_op):
    seen = []

    def after_create(target, connection, **kw):
        seen.append(target.name)

    sa.event.listen(sa.Table, "after_create", after_create)
    try:
        op, sql = offline_op("postgresql")
        op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
        op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))
    finally:
        sa.event.remove(sa.Table, "after_create", after_create)
    assert seen == ["a", "b"]
    assert len(sql) == 2


def test_dialect_options_are_compiled(offline_op):
    op, sql = offline_op("mysql")
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True), mysql_engine="InnoDB")
    op, lite = offline_op("sqlite")
    op.add_column("t", sa.Column("x", sa.Integer(), nullable=False))
    op.add_column(
        "t", sa.Column("y", sa.Integer(), nullable=False, sqlite_on_conflict_not_null="FAIL")
    )
    assert sql == [
        "CREATE TABLE a ( id INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (id) )",
        "CREATE TABLE b ( id INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (id) )ENGINE=InnoDB",
    ]
    assert lite == [
        "ALTER TABLE t ADD COLUMN x INTEGER NOT NULL",
        "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL ON CONFLICT FAIL",
    ]


def test_conventions_that_keep_given_names_write_what_compiling_writes(offline_op, monkeypatch):
    written = []
    original = OfflineStatementCache.write

    def write(self, *args, **kw):
        written.append(original(self, *args, **kw))
        return written[-1]

    monkeypatch.setattr(OfflineStatementCache, "write", write)
    convention = {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
    runs = []
    for with_cache in (True, False):
        metadata = sa.MetaData(naming_convention=convention)
        op, sql = offline_op("postgresql", target_metadata=metadata)
        _run(op, with_cache)
        _tables(op)
        runs.append(sql)
    assert runs[0].raw == runs[1].raw
    assert "CREATE TABLE t ( id SERIAL NOT NULL, c VARCHAR(20) NOT NULL, " \
        "CONSTRAINT pk_t PRIMARY KEY (id) )" in runs[0]
    assert "CREATE INDEX ix_t_c ON t (c)" in runs[0]
    assert written.count(True) >= 5 * len(NAMES)  # add_column and create_index from the cache


class _PrefixedIndexOp(ops.CreateIndexOp):
    """An op subclass that builds its index its own way (a plugin's)."""

    def to_index(self, migration_context=None):
        index = super().to_index(migration_context)
        index.name = "p_" + index.name
        return index


def test_a_subclassed_op_builds_its_own_index(offline_op):
    op, sql = offline_op("postgresql")
    op.create_index("ix_a", "t", ["a"])
    op.invoke(_PrefixedIndexOp("ix_b", "t", ["b"]))
    op.invoke(_PrefixedIndexOp("ix_c", "t", ["c"]))
    assert sql == [
        "CREATE INDEX ix_a ON t (a)",
        "CREATE INDEX p_ix_b ON t (b)",
        "CREATE INDEX p_ix_c ON t (c)",
    ]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda op: op.create_index("ix_a", "t", ["a"], schema="s"), "CREATE INDEX ix_a ON s.t (a)"),
        (
            lambda op: op.create_index("ix_a", "t", ["a"], postgresql_using="gin"),
            "CREATE INDEX ix_a ON t USING gin (a)",
        ),
        (lambda op: op.add_column("t", sa.Column("a", sa.Integer()), schema="s"),
         "ALTER TABLE s.t ADD COLUMN a INTEGER"),
    ],
)
def test_schemas_and_dialect_options_are_compiled(offline_op, monkeypatch, call, expected):
    op, sql = offline_op("postgresql")
    cache = op.impl.offline_statement_cache
    monkeypatch.setattr(cache, "write", lambda *a, **k: pytest.fail("cache used"))
    call(op)
    assert sql == [expected]
