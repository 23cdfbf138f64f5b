"""Operations on PostgreSQL named ENUM types: create, drop, add a value, recreate with new values.

Autogenerate emits them when the metadata's native enums differ from the database's. Each op knows
its SQL (:meth:`statements`), which both its implementation and the renderer use; the renderer
writes plain ``op.execute(...)`` calls, so the generated revision needs nothing beyond ``op``.
Adding a value is ``ALTER TYPE ... ADD VALUE`` run inside ``autocommit_block()``; removing or
reordering values recreates the type and converts the columns that use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from ..operations import Operations
from ..operations.ops import MigrateOperation


def _dialect(dialect: Dialect | None) -> Dialect:
    return dialect if dialect is not None and dialect.name == "postgresql" else postgresql.dialect()


def _type_name(dialect: Dialect | None, name: str, schema: str | None) -> str:
    return _dialect(dialect).identifier_preparer.format_type(
        postgresql.ENUM(name=name, schema=schema)
    )


def _ident(dialect: Dialect | None, name: str) -> str:
    return _dialect(dialect).identifier_preparer.quote(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _table(dialect: Dialect | None, table: str, schema: str | None) -> str:
    prep = _dialect(dialect).identifier_preparer
    return (prep.quote_schema(schema) + "." if schema else "") + prep.quote(table)


class EnumTypeOp(MigrateOperation):
    """Base of the ENUM type operations."""

    type_name: str
    schema: str | None

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        """The SQL statements this operation runs, in order."""
        raise NotImplementedError()

    @property
    def needs_autocommit(self) -> bool:
        """True when the statements must run outside a transaction block."""
        return False


@Operations.register_operation("create_enum_type")
class CreateEnumTypeOp(EnumTypeOp):
    """CREATE TYPE ... AS ENUM."""

    def __init__(self, type_name: str, values: Sequence[str], *, schema: str | None = None) -> None:
        self.type_name = type_name
        self.values = list(values)
        self.schema = schema

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        labels = ", ".join(_literal(v) for v in self.values)
        return [f"CREATE TYPE {_type_name(dialect, self.type_name, self.schema)} AS ENUM ({labels})"]

    def reverse(self) -> DropEnumTypeOp:
        return DropEnumTypeOp(self.type_name, self.values, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum", self.schema, self.type_name, tuple(self.values))

    @classmethod
    def create_enum_type(
        cls, operations: Operations, type_name: str, values: Sequence[str], *, schema: str | None = None
    ) -> None:
        """Create a PostgreSQL ENUM type."""
        operations.invoke(cls(type_name, values, schema=schema))


@Operations.register_operation("drop_enum_type")
class DropEnumTypeOp(EnumTypeOp):
    """DROP TYPE (``values`` lets the reverse re-create it)."""

    def __init__(
        self, type_name: str, values: Sequence[str] = (), *, schema: str | None = None
    ) -> None:
        self.type_name = type_name
        self.values = list(values)
        self.schema = schema

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        return [f"DROP TYPE {_type_name(dialect, self.type_name, self.schema)}"]

    def reverse(self) -> CreateEnumTypeOp:
        return CreateEnumTypeOp(self.type_name, self.values, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum", self.schema, self.type_name, tuple(self.values))

    @classmethod
    def drop_enum_type(
        cls, operations: Operations, type_name: str, *, schema: str | None = None
    ) -> None:
        """Drop a PostgreSQL ENUM type."""
        operations.invoke(cls(type_name, schema=schema))


#: ``(schema, table, column, default SQL or None)`` of a column that uses an ENUM type.
EnumColumn = tuple[str | None, str, str, str | None]


@Operations.register_operation("add_enum_value")
class AddEnumValueOp(EnumTypeOp):
    """ALTER TYPE ... ADD VALUE, in an autocommit block.

    ``existing_values`` (the labels before) and ``columns`` (those using the type) let the reverse
    take the value out again by recreating the type.
    """

    def __init__(
        self,
        type_name: str,
        value: str,
        *,
        schema: str | None = None,
        before: str | None = None,
        after: str | None = None,
        existing_values: Sequence[str] = (),
        columns: Sequence[EnumColumn] = (),
    ) -> None:
        self.type_name = type_name
        self.value = value
        self.schema = schema
        self.before = before
        self.after = after
        self.existing_values = list(existing_values)
        self.columns = list(columns)

    @property
    def needs_autocommit(self) -> bool:
        return True

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        sql = f"ALTER TYPE {_type_name(dialect, self.type_name, self.schema)} ADD VALUE {_literal(self.value)}"
        if self.before is not None:
            sql += f" BEFORE {_literal(self.before)}"
        elif self.after is not None:
            sql += f" AFTER {_literal(self.after)}"
        return [sql]

    def new_values(self) -> list[str]:
        """The labels after this value is added."""
        values = list(self.existing_values)
        if self.before is not None and self.before in values:
            values.insert(values.index(self.before), self.value)
        elif self.after is not None and self.after in values:
            values.insert(values.index(self.after) + 1, self.value)
        else:
            values.append(self.value)
        return values

    def reverse(self) -> RecreateEnumTypeOp:
        return RecreateEnumTypeOp(
            self.type_name,
            self.existing_values,
            existing_values=self.new_values(),
            schema=self.schema,
            columns=self.columns,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum_value", self.schema, self.type_name, self.value)

    @classmethod
    def add_enum_value(
        cls,
        operations: Operations,
        type_name: str,
        value: str,
        *,
        schema: str | None = None,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        """Add a label to a PostgreSQL ENUM type (runs in an autocommit block)."""
        operations.invoke(cls(type_name, value, schema=schema, before=before, after=after))


@Operations.register_operation("recreate_enum_type")
class RecreateEnumTypeOp(EnumTypeOp):
    """Give an ENUM type a new list of labels: rename the old type, create the new one, convert
    each column through text, drop the old type. Fails if a row holds a label that goes away."""

    def __init__(
        self,
        type_name: str,
        values: Sequence[str],
        *,
        existing_values: Sequence[str] = (),
        schema: str | None = None,
        columns: Sequence[EnumColumn] = (),
    ) -> None:
        self.type_name = type_name
        self.values = list(values)
        self.existing_values = list(existing_values)
        self.schema = schema
        self.columns = list(columns)

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        qname = _type_name(dialect, self.type_name, self.schema)
        old_name = f"{self.type_name}_old"
        old_qname = _type_name(dialect, old_name, self.schema)
        labels = ", ".join(_literal(v) for v in self.values)
        out = [
            f"ALTER TYPE {qname} RENAME TO {_ident(dialect, old_name)}",
            f"CREATE TYPE {qname} AS ENUM ({labels})",
        ]
        for schema, table, column, default in self.columns:
            alter = f"ALTER TABLE {_table(dialect, table, schema)} ALTER COLUMN {_ident(dialect, column)}"
            if default is not None:
                out.append(f"{alter} DROP DEFAULT")
            out.append(
                f"{alter} TYPE {qname} USING CAST(CAST({_ident(dialect, column)} AS TEXT) AS {qname})"
            )
            if default is not None:
                out.append(f"{alter} SET DEFAULT {default}")
        out.append(f"DROP TYPE {old_qname}")
        return out

    def reverse(self) -> RecreateEnumTypeOp:
        return RecreateEnumTypeOp(
            self.type_name,
            self.existing_values,
            existing_values=self.values,
            schema=self.schema,
            columns=self.columns,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (
            "modify_enum", self.schema, self.type_name, tuple(self.existing_values),
            tuple(self.values),
        )

    @classmethod
    def recreate_enum_type(
        cls,
        operations: Operations,
        type_name: str,
        values: Sequence[str],
        *,
        existing_values: Sequence[str] = (),
        schema: str | None = None,
        columns: Sequence[EnumColumn] = (),
    ) -> None:
        """Replace an ENUM type's labels, converting ``columns`` (schema, table, column,
        default) to the new type."""
        operations.invoke(
            cls(type_name, values, existing_values=existing_values, schema=schema, columns=columns)
        )


def escape_colons(sql: str) -> str:
    """``sql`` made safe for ``text()`` (a colon would start a bind parameter)."""
    return sql.replace(":", "\\:")


@Operations.implementation_for(EnumTypeOp)
def _run_enum_op(operations: Operations, operation: EnumTypeOp) -> None:
    statements = operation.statements(operations.migration_context.dialect)

    def run() -> None:
        for sql in statements:
            operations.impl._exec(text(escape_colons(sql)))

    if operation.needs_autocommit:
        with operations.get_context().autocommit_block():
            run()
    else:
        run()
