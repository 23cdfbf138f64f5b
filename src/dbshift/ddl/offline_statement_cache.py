"""Offline SQL of statements that differ only by their names, compiled once per shape.

In ``--sql`` mode most directives of a long history (``create_index("ix_a", "a", ["x"])``,
``add_column("a", Column("c", Integer()))``, ``create_table`` of plain columns) differ from one
revision to the next only in the names they carry. Building SQLAlchemy objects for each and
compiling them costs far more than the text. :class:`OfflineStatementCache` runs the normal path
once per *shape* (everything but the names) with placeholder names, keeps the text it wrote, and for
each later statement of that shape writes the same text with the real names put back, each quoted
by the dialect's own ``IdentifierPreparer.quote``: that is how SQLAlchemy's DDL compilers write a
plain table, column or index name, so the text is the one compiling would have given.

The ``plain_*_shape`` functions decide which statements have a shape: no schema, no dialect
options, no name a naming convention rewrites, no defaults, constraints or comments, plain
SQLAlchemy types; anything else returns None and is compiled as usual. The ``placeholder_*``
functions build the objects the normal path is run with to record a shape.

A shape is only kept when every placeholder shows up in what the normal path wrote, each time as a
name of its own (never inside a longer identifier, as a convention or a truncation would put it); a
shape whose normal path fails or writes nothing usable is remembered as not cacheable and always
takes the normal path (which then reports errors with the real names). Names that SQLAlchemy could
write other than through ``quote`` (a ``quoted_name`` that forces quoting, a name longer than the
dialect allows, which index names get truncated for) are refused by
:meth:`OfflineStatementCache.usable_names`. Third-party implementations and ``@compiles`` overrides
outside dbshift turn the cache off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from sqlalchemy import Column, Index, Integer, MetaData, PrimaryKeyConstraint, Table
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.types import NULLTYPE

from .elements import AddColumn
from .type_impl_cache import type_identity

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

_NOT_CACHEABLE = object()


class OfflineWriter(Protocol):
    """What the cache needs of the implementation it serves (a ``DefaultImpl``)."""

    dialect: Dialect
    output_buffer: TextIO | None


class OfflineStatementCache:
    """For one offline implementation: shape -> the text it writes, split around the names."""

    def __init__(self, writer: OfflineWriter) -> None:
        self.writer = writer
        dialect = writer.dialect
        self._quote = dialect.identifier_preparer.quote
        limits = [dialect.max_identifier_length, getattr(dialect, "max_index_name_length", None)]
        self._max_length = min(n for n in limits if n)
        self._texts: dict[Hashable, Any] = {}
        self._enabled = _dbshift_implementation(type(writer))

    def usable_names(self, names: Sequence[Any]) -> bool:
        """Whether every name is a plain string SQLAlchemy would write through ``quote()``."""
        for name in names:
            kind = type(name)
            if kind is quoted_name:
                if name.quote is not None:
                    return False
            elif kind is not str:
                return False
            if not 0 < len(name) <= self._max_length:
                return False
        return True

    def write(
        self,
        shape: Hashable,
        names: Sequence[str],
        record: Callable[[Sequence[str]], None],
        also_compiled: Sequence[type] = (),
    ) -> bool:
        """Write the statements of ``shape`` for ``names``; False when the caller must run the
        normal path instead.

        ``record(placeholders)`` runs the normal path for this shape with placeholder names; it is
        called once per shape, its output captured. ``also_compiled`` lists further classes whose
        compilers the statements use (the columns' type classes).
        """
        if not self._enabled or has_foreign_compiler(_CHECKED_CLASSES):
            return False
        if also_compiled and has_foreign_compiler(also_compiled):
            return False
        text = self._texts.get(shape)
        if text is None:
            text = self._texts[shape] = self._record(len(names), record)
        if text is _NOT_CACHEABLE:
            return False
        quote = self._quote
        buffer = self.writer.output_buffer
        assert buffer is not None
        flush = getattr(buffer, "flush", None)
        for pieces, slots in text:
            parts = [pieces[0]]
            for slot, piece in zip(slots, pieces[1:]):
                parts.append(quote(names[slot]))
                parts.append(piece)
            buffer.write("".join(parts))
            if flush is not None:
                flush()
        return True

    def _record(self, count: int, record: Callable[[Sequence[str]], None]) -> Any:
        """Run ``record`` with placeholders; each write it made, split around the placeholders."""
        placeholders = [f"dbshiftname{i}x" for i in range(count)]
        if any(self._quote(p) != p or len(p) > self._max_length for p in placeholders):
            return _NOT_CACHEABLE
        writer = self.writer
        real_buffer = writer.output_buffer
        writes = _Writes()
        writer.output_buffer = writes  # type: ignore[assignment]
        try:
            record(placeholders)
        except Exception:
            return _NOT_CACHEABLE
        finally:
            writer.output_buffer = real_buffer
        # each placeholder must be there, and only as a name of its own (not inside a longer one,
        # such as a name a convention or truncation derived from it, nor inside a string literal)
        text = "".join(writes)
        pattern = re.compile(
            r"(?<![\w$\"'`\[])(" + "|".join(placeholders) + r")(?![\w$\"'`\]])"
        )
        found = pattern.findall(text)
        if set(found) != set(placeholders) or len(found) != sum(map(text.count, placeholders)):
            return _NOT_CACHEABLE
        split_writes = []
        for written in writes:
            split = pattern.split(written)
            split_writes.append((split[0::2], [placeholders.index(p) for p in split[1::2]]))
        return split_writes


class _Writes(list):
    """An output buffer that keeps each write."""

    def write(self, text: str) -> None:
        self.append(text)

    def flush(self) -> None:
        pass


# ---------------------------------------------------------------------- shapes


def plain_index_shape(
    columns: Sequence[Any],
    *,
    schema: str | None,
    unique: bool,
    if_not_exists: bool | None,
    naming_convention: Mapping[str, Any] | None,
    dialect_kw: Mapping[str, Any],
) -> Hashable | None:
    """What, besides its names, decides a CREATE INDEX on ``columns`` of a table outside any
    schema, without dialect options, whose given name ``naming_convention`` does not rewrite;
    None for any other index. (That the names are plain strings is :meth:`usable_names`' part.)"""
    if (
        schema is not None
        or dialect_kw
        or not columns
        or convention_renames_given_names(naming_convention)
    ):
        return None
    return ("create_index", bool(unique), if_not_exists, 2 + len(columns))


def plain_add_column_shape(
    column: Any,
    *,
    schema: str | None,
    if_not_exists: bool | None,
    inline_references: bool | None,
    inline_primary_key: bool | None,
    dialect_kw: Mapping[str, Any],
) -> Hashable | None:
    """What, besides the table and column names, decides the ADD COLUMN of a detached plain
    column (see :func:`plain_column_shape`) to a table outside any schema, without dialect
    options; None for any other."""
    if schema is not None or dialect_kw:
        return None
    column_shape = plain_column_shape(column)
    if column_shape is None:
        return None
    return ("add_column", column_shape, if_not_exists, inline_references, inline_primary_key)


def plain_column_shape(column: Any, *, attached: bool = False) -> Hashable | None:
    """What, besides its name, decides the DDL of a column defined by a name, a plain type,
    nullability and primary-key flags only; None for any other column.

    ``attached`` allows a column that belongs to a table (a table being created); otherwise the
    column must be detached and not part of a primary key.
    """
    if (
        type(column) is not Column
        or (column.table is not None and not attached)
        or (column.primary_key and not attached)
        or column.key != column.name
        or column.foreign_keys
        or column.constraints
        or column.unique
        or column.index
        or column.comment is not None
        or column.default is not None
        or column.server_default is not None
        or column.onupdate is not None
        or column.server_onupdate is not None
        or column.computed is not None
        or column.identity is not None
        or column.system
        or _has_dialect_options(column)
    ):
        return None
    type_key = type_identity(column.type)
    if type_key is None:
        return None
    return (type_key, bool(column.nullable), bool(column.primary_key), column.autoincrement)


def plain_table_shape(table: Table) -> Hashable | None:
    """What, besides its table and column names, decides a ``CREATE TABLE`` of plain columns with
    at most an unnamed primary key; None for any other table."""
    if (
        table.schema is not None
        or table.comment is not None
        or table.indexes
        or table._prefixes
        or _has_dialect_options(table)
        or len(table.constraints) != 1
    ):
        return None
    primary_key = table.primary_key
    if (
        type(primary_key) is not PrimaryKeyConstraint
        or primary_key.name is not None
        or _has_dialect_options(primary_key)
        or primary_key.deferrable is not None
        or primary_key.initially is not None
    ):
        return None
    columns = []
    for column in table.columns:
        shape = plain_column_shape(column, attached=True)
        if shape is None:
            return None
        columns.append(shape)
    positions = {column: i for i, column in enumerate(table.columns)}
    pk_positions = tuple(positions[c] for c in primary_key.columns)
    return (*columns, pk_positions, primary_key._implicit_generated)


def convention_renames_given_names(naming_convention: Mapping[str, Any] | None) -> bool:
    """Whether ``naming_convention`` (a ``MetaData``'s) rewrites explicitly given names: one of
    its patterns uses ``%(constraint_name)s``."""
    return bool(naming_convention) and any(
        "constraint_name" in str(v) for v in naming_convention.values()  # type: ignore[union-attr]
    )


def _dialect_options_are_memoized() -> bool:
    """Whether SQLAlchemy keeps an item's dialect options in its ``dialect_options`` attribute,
    set as soon as a dialect option is given and not before (checked once, on two columns)."""
    given = Column("x", Integer(), sqlite_on_conflict_not_null="FAIL")
    return "dialect_options" in given.__dict__ and "dialect_options" not in vars(Column("x"))


def _has_dialect_options(item: Any) -> bool:
    """Whether ``item`` was given dialect options (``mysql_engine=...``); without building the
    per-dialect option dictionaries when SQLAlchemy shows it has none."""
    if _MEMOIZED_DIALECT_OPTIONS and "dialect_options" not in item.__dict__:
        return False
    return bool(item.dialect_kwargs)


_MEMOIZED_DIALECT_OPTIONS = _dialect_options_are_memoized()


# ---------------------------------------------------------------------- placeholder objects


def placeholder_index(names: Sequence[str], unique: bool) -> Index:
    """An index of :func:`plain_index_shape`'s shape named ``names[0]``, on table ``names[1]``,
    of the columns ``names[2:]`` (as the op layer's stub table holds them: no type)."""
    table = Table(names[1], MetaData(), *(Column(name, NULLTYPE) for name in names[2:]))
    kw = {"unique": True} if unique else {}
    return Index(names[0], *(table.c[name] for name in names[2:]), **kw)


def placeholder_column(names: Sequence[str], column: Column) -> Column:
    """A column of plain ``column``'s shape named ``names[1]``, in a table named ``names[0]``."""
    copy = Column(
        names[1], column.type, nullable=column.nullable, autoincrement=column.autoincrement
    )
    Table(names[0], MetaData(), copy)
    return copy


def placeholder_table(table: Table, names: Sequence[str]) -> Table:
    """A table of :func:`plain_table_shape` ``table``'s shape, named ``names[0]``, with columns
    named ``names[1:]``."""
    columns = [
        Column(
            name,
            column.type,
            nullable=column.nullable,
            primary_key=column.primary_key,
            autoincrement=column.autoincrement,
        )
        for name, column in zip(names[1:], table.columns)
    ]
    items: list[Any] = list(columns)
    if not table.primary_key._implicit_generated and len(table.primary_key.columns):
        positions = {column: i for i, column in enumerate(table.columns)}
        items.append(
            PrimaryKeyConstraint(*(names[1 + positions[c]] for c in table.primary_key.columns))
        )
    return Table(names[0], MetaData(), *items)


# ---------------------------------------------------------------------- when the cache is off


def _dbshift_implementation(impl_class: type) -> bool:
    """Whether ``impl_class`` is dbshift's own (a plugin's could depend on a name)."""
    return all(cls.__module__.startswith("dbshift.") for cls in impl_class.__mro__[:-1])


#: The construct classes whose compilers the cached statements use.
_CHECKED_CLASSES = (
    AddColumn, CreateIndex, CreateTable, CreateColumn, Column, Index, Table, PrimaryKeyConstraint
)


def has_foreign_compiler(classes: Sequence[type]) -> bool:
    """Whether an ``@compiles`` function from outside dbshift and SQLAlchemy is registered for one
    of ``classes`` or a base it inherits the registration from (its output could depend on a name
    in ways the cache can't know)."""
    for cls in classes:
        dispatcher = getattr(cls, "_compiler_dispatcher", None)
        if dispatcher is None:
            continue
        for fn in dispatcher.specs.values():
            module = getattr(fn, "__module__", "") or ""
            if not module.startswith(("dbshift.", "sqlalchemy.")):
                return True
    return False
