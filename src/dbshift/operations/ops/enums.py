"""PostgreSQL named ENUM types: create, drop, add a value, recreate with new labels.

``op.create_enum_type``, ``op.drop_enum_type``, ``op.add_enum_value`` and ``op.recreate_enum_type``
are directives like any other (autogenerate emits these objects when the metadata's native enums
differ from the database's). Each op gives its SQL (:meth:`EnumTypeOp.statements`, spelled in
:mod:`dbshift.ddl.postgresql`), which both its implementation and the renderer use. Adding a value
runs in an autocommit block; removing or reordering labels recreates the type and converts the
columns that use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..base import Operations
from .base import MigrateOperation

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

#: ``(schema, table, column, default SQL or None)`` of a column that uses an ENUM type.
EnumColumn = tuple[str | None, str, str, str | None]


def escape_colons(sql: str) -> str:
    """``sql`` made safe for ``text()`` (a colon would start a bind parameter)."""
    return sql.replace(":", "\\:")


class EnumTypeOp(MigrateOperation):
    """Base of the ENUM type operations."""

    type_name: str
    schema: str | None

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        """The SQL statements this operation runs, in order (PostgreSQL's spelling)."""
        raise NotImplementedError()

    @property
    def needs_autocommit(self) -> bool:
        """True when the statements must run outside a transaction block."""
        return False


class _WholeEnumTypeOp(EnumTypeOp):
    """Create or drop a whole type (each is the other's reverse): name, labels, schema."""

    #: The first member of the diff tuple.
    _diff_kind: str

    def __init__(self, type_name: str, values: Sequence[str], *, schema: str | None = None) -> None:
        self.type_name = type_name
        self.values = list(values)
        self.schema = schema

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (self._diff_kind, self.schema, self.type_name, tuple(self.values))


@Operations.register_operation("create_enum_type")
class CreateEnumTypeOp(_WholeEnumTypeOp):
    """CREATE TYPE ... AS ENUM."""

    _diff_kind = "add_enum"

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        from ...ddl.postgresql import create_enum_type_sql

        return [create_enum_type_sql(dialect, self.type_name, self.values, self.schema)]

    def reverse(self) -> DropEnumTypeOp:
        return DropEnumTypeOp(self.type_name, self.values, schema=self.schema)

    @classmethod
    def create_enum_type(
        cls, operations: Operations, type_name: str, values: Sequence[str], *, schema: str | None = None
    ) -> None:
        """Create a PostgreSQL ENUM type."""
        operations.invoke(cls(type_name, values, schema=schema))


@Operations.register_operation("drop_enum_type")
class DropEnumTypeOp(_WholeEnumTypeOp):
    """DROP TYPE (``values`` lets the reverse re-create it)."""

    _diff_kind = "remove_enum"

    def __init__(
        self, type_name: str, values: Sequence[str] = (), *, schema: str | None = None
    ) -> None:
        super().__init__(type_name, values, schema=schema)

    def statements(self, dialect: Dialect | None = None) -> list[str]:
        from ...ddl.postgresql import drop_enum_type_sql

        return [drop_enum_type_sql(dialect, self.type_name, self.schema)]

    def reverse(self) -> CreateEnumTypeOp:
        return CreateEnumTypeOp(self.type_name, self.values, schema=self.schema)

    @classmethod
    def drop_enum_type(
        cls, operations: Operations, type_name: str, *, schema: str | None = None
    ) -> None:
        """Drop a PostgreSQL ENUM type."""
        operations.invoke(cls(type_name, schema=schema))


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
        from ...ddl.postgresql import add_enum_value_sql

        return [
            add_enum_value_sql(
                dialect, self.type_name, self.value, self.schema, before=self.before, after=self.after
            )
        ]

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
        from ...ddl.postgresql import recreate_enum_type_sql

        return recreate_enum_type_sql(
            dialect, self.type_name, self.values, self.schema, self.columns
        )

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
