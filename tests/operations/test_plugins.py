"""Plugins: a directive registered from outside dbshift, replaced built-ins, third-party dialects."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import registry as sa_dialect_registry
from sqlalchemy.engine.default import DefaultDialect

from dbshift import op
from dbshift.ddl.impl import DefaultImpl
from dbshift.migration import MigrationContext
from dbshift.operations import BatchOperations, Operations, ops
from dbshift.util.exc import CommandError

# ----------------------------------------------------------------- a directive from outside


@Operations.register_operation("create_sequence")
class CreateSequenceOp(ops.MigrateOperation):
    """CREATE SEQUENCE, as a third-party package would add it."""

    def __init__(self, sequence_name: str, *, schema: str | None = None, start: int = 1) -> None:
        self.sequence_name = sequence_name
        self.schema = schema
        self.start = start

    @classmethod
    def create_sequence(cls, operations, sequence_name, *, schema=None, start=1):
        """Create a sequence."""
        return operations.invoke(cls(sequence_name, schema=schema, start=start))

    def reverse(self):
        return DropSequenceOp(self.sequence_name, schema=self.schema)


@Operations.register_operation("drop_sequence")
class DropSequenceOp(ops.MigrateOperation):
    def __init__(self, sequence_name: str, *, schema: str | None = None) -> None:
        self.sequence_name = sequence_name
        self.schema = schema

    @classmethod
    def drop_sequence(cls, operations, sequence_name, *, schema=None):
        """Drop a sequence."""
        operations.invoke(cls(sequence_name, schema=schema))


@Operations.implementation_for(CreateSequenceOp)
def _create_sequence(operations, operation):
    seq = sa.Sequence(operation.sequence_name, start=operation.start, schema=operation.schema)
    operations.impl._exec(sa.schema.CreateSequence(seq))
    return "created " + operation.sequence_name


@Operations.implementation_for(DropSequenceOp)
def _drop_sequence(operations, operation):
    seq = sa.Sequence(operation.sequence_name, schema=operation.schema)
    operations.impl._exec(sa.schema.DropSequence(seq))


def _offline_context(dialect_name: str = "postgresql") -> tuple[MigrationContext, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name=dialect_name, opts={"as_sql": True, "output_buffer": buf}
    )
    return ctx, buf


def _statements(buf: io.StringIO) -> list[str]:
    return [" ".join(s.split()) for s in buf.getvalue().split(";") if s.strip()]


def test_registered_directive_through_op_proxy():
    ctx, buf = _offline_context()
    with Operations.context(ctx):
        result = op.create_sequence("seq_a", start=5, schema="s")
        op.invoke(CreateSequenceOp("seq_b").reverse())
    assert result == "created seq_a"
    assert _statements(buf) == ["CREATE SEQUENCE s.seq_a START WITH 5", "DROP SEQUENCE seq_b"]


def test_registered_directive_keeps_signature_and_doc():
    import inspect

    assert list(inspect.signature(Operations.create_sequence).parameters) == [
        "self", "sequence_name", "schema", "start"
    ]
    assert list(inspect.signature(op.create_sequence).parameters) == [
        "sequence_name", "schema", "start"
    ]
    assert Operations.create_sequence.__doc__ == "Create a sequence."
    assert not hasattr(BatchOperations, "create_sequence")


def test_registered_directive_live(pg_engine):
    with pg_engine.connect() as conn:
        conn.exec_driver_sql("DROP SEQUENCE IF EXISTS seq_live")
        conn.commit()
        ctx = MigrationContext.configure(conn)
        with Operations.context(ctx), ctx.begin_transaction():
            op.create_sequence("seq_live", start=42)
        assert conn.execute(sa.text("SELECT nextval('seq_live')")).scalar() == 42
        conn.exec_driver_sql("DROP SEQUENCE seq_live")
        conn.commit()


# ------------------------------------------------------------------- replacing an implementation


@pytest.fixture
def restore_implementations():
    saved = dict(Operations._registry._by_key)
    yield
    Operations._registry._by_key.clear()
    Operations._registry._by_key.update(saved)


def test_replace_builtin_implementation(restore_implementations):
    calls = []

    @Operations.implementation_for(ops.DropTableOp, replace=True)
    def soft_drop(operations, operation):
        calls.append(operation.table_name)
        operations.impl.rename_table(operation.table_name, "trash_" + operation.table_name)

    ctx, buf = _offline_context("default")
    Operations(ctx).drop_table("users")
    assert calls == ["users"]
    assert _statements(buf) == ["ALTER TABLE users RENAME TO trash_users"]


def test_builtin_is_back_after_replacement_test():
    ctx, buf = _offline_context("default")
    Operations(ctx).drop_table("users")
    assert _statements(buf) == ["DROP TABLE users"]


def test_registering_twice_without_replace_is_a_value_error(restore_implementations):
    with pytest.raises(ValueError, match="DropTableOp is already registered.*replace=True"):
        Operations.implementation_for(ops.DropTableOp)(lambda operations, operation: None)


# --------------------------------------------------------------------- a third-party dialect


class FakeDBDialect(DefaultDialect):
    name = "fakedb"
    supports_statement_cache = True


class NoImplDialect(DefaultDialect):
    name = "noimpldb"
    supports_statement_cache = True


sa_dialect_registry.register("fakedb", __name__, "FakeDBDialect")
sa_dialect_registry.register("noimpldb", __name__, "NoImplDialect")


class FakeDBImpl(DefaultImpl):
    """What a third-party dialect package ships: its own DefaultImpl subclass."""

    __dialect__ = "fakedb"
    transactional_ddl = True
    command_terminator = " $$"

    def rename_table(self, old_table_name, new_table_name, schema=None):
        self._exec(f"RENAME {old_table_name} TO {new_table_name}")


@pytest.mark.parametrize(
    "how", [{"url": "fakedb://"}, {"dialect_name": "fakedb"}, {"dialect": FakeDBDialect()}]
)
def test_third_party_dialect_gets_its_impl(how):
    buf = io.StringIO()
    ctx = MigrationContext.configure(**how, opts={"as_sql": True, "output_buffer": buf})
    assert type(ctx.impl) is FakeDBImpl
    with ctx.begin_transaction():
        Operations(ctx).rename_table("a", "b")
        Operations(ctx).add_column("a", sa.Column("x", sa.Integer))
    assert buf.getvalue().split("\n\n")[:4] == [
        "BEGIN $$", "RENAME a TO b $$", "ALTER TABLE a ADD COLUMN x INTEGER $$", "COMMIT $$"
    ]


def test_dialect_without_impl_is_a_command_error_naming_it():
    with pytest.raises(CommandError, match="'noimpldb'"):
        MigrationContext.configure(dialect_name="noimpldb", opts={"as_sql": True})


def test_unknown_dialect_name_is_a_command_error_naming_it():
    with pytest.raises(CommandError, match="nosuchdb") as info:
        MigrationContext.configure(dialect_name="nosuchdb")
    assert "\n" not in str(info.value)
