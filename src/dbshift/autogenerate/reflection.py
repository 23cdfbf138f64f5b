"""Bulk reflection into plain data, and SQLAlchemy objects built from it only on demand.

Each schema is reflected with one ``Inspector.get_multi_*`` call per kind (columns, primary keys,
foreign keys, indexes, unique constraints, table comments, CHECK constraints), so the number of
statements does not grow with the number of tables on databases whose dialect reflects in bulk
(PostgreSQL). Comparators work on the returned dictionaries; a ``Table`` is built from them only
when an operation or a user hook needs one (a dropped table, ``include_object``, ...).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    asc,
    desc,
    nulls_first,
    nulls_last,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.sql.elements import conv

from ..ddl.impl import DefaultImpl


class ReflectedTable:
    """One database table as plain reflected data.

    ``columns``/``indexes``/``uniques``/``foreign_keys``/``checks`` are the inspector's dictionaries.
    Any other attribute (``c``, ``constraints``, ...) is read from a ``Table`` built from the
    data on first use, so comparator plugins written against a reflected ``Table`` keep working.
    """

    def __init__(
        self,
        schema: str | None,
        name: str,
        columns: list[dict[str, Any]],
        pk: dict[str, Any] | None,
        foreign_keys: list[dict[str, Any]],
        indexes: list[dict[str, Any]],
        uniques: list[dict[str, Any]],
        comment: str | None,
        checks: list[dict[str, Any]] | None,
        extras: Callable[[str], Any] | None = None,
    ) -> None:
        self.schema = schema
        self.name = name
        self.columns = columns
        self.columns_by_name = {c["name"]: c for c in columns}
        self.pk = pk or {}
        self.foreign_keys = foreign_keys
        self.indexes = indexes
        self.uniques = uniques
        self.comment = comment
        self.checks: list[dict[str, Any]] = checks if checks is not None else []
        self._checks_reflected = checks is not None
        #: ``extras(kind)`` reflects ``"checks"`` or ``"options"`` of this table when a built
        #: ``Table`` needs them and the bulk reflection did not fetch them.
        self._extras = extras
        self._table: Table | None = None

    def check_constraints(self) -> list[dict[str, Any]]:
        """The reflected CHECK constraints (fetched now if the bulk reflection left them out)."""
        if not self._checks_reflected and self._extras is not None:
            self.checks = list(self._extras("checks") or [])
            self._checks_reflected = True
        return self.checks

    def table_options(self) -> dict[str, Any]:
        """The table's reflected options (``mysql_engine``, ``mysql_default charset`` ...)."""
        if self._extras is None:
            return {}
        return dict(self._extras("options") or {})

    @property
    def fullname(self) -> str:
        """``schema.name`` or ``name``."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def to_table(self) -> Table:
        """A ``Table`` (in a private ``MetaData``) with this table's columns and constraints."""
        if self._table is None:
            self._table = build_table(self)
        return self._table

    def column(self, name: str) -> Column:
        """The built ``Column`` called ``name``."""
        return self.to_table().c[name]

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.to_table(), attr)

    def __repr__(self) -> str:
        return f"<ReflectedTable {self.fullname}>"


def _multi(
    fn: Callable[..., dict[Any, Any]], schema: str | None, filter_names: list[str] | None
) -> dict[Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
            return fn(schema=schema, filter_names=filter_names)
    except NotImplementedError:
        return {}


def reflect_tables(
    inspector: Inspector,
    impl: DefaultImpl,
    schema: str | None,
    names: Iterable[str],
    all_names: Iterable[str],
    *,
    comments: bool,
    checks: bool,
) -> dict[str, ReflectedTable]:
    """Reflect the tables ``names`` of ``schema`` in bulk: one inspector call per kind, or the
    dialect's own bulk reflection (:meth:`~dbshift.ddl.impl.DefaultImpl.autogen_reflect`).

    Every column goes through the dialect's ``autogen_column_reflect`` hook.
    """
    wanted = set(names)
    if not wanted:
        return {}
    filter_names = None if wanted >= set(all_names) else sorted(wanted)
    bulk = impl.autogen_reflect(schema, filter_names)
    if bulk is not None:
        columns = bulk["columns"]
        pks = bulk["pk"]
        fks = bulk["foreign_keys"]
        indexes = bulk["indexes"]
        uniques = bulk["uniques"]
        table_comments = bulk.get("comments", {}) if comments else {}
        check_data = bulk.get("checks", {}) if checks else {}
    else:
        columns = _multi(inspector.get_multi_columns, schema, filter_names)
        pks = _multi(inspector.get_multi_pk_constraint, schema, filter_names)
        fks = _multi(inspector.get_multi_foreign_keys, schema, filter_names)
        indexes = _multi(inspector.get_multi_indexes, schema, filter_names)
        uniques = _multi(inspector.get_multi_unique_constraints, schema, filter_names)
        table_comments = (
            _multi(inspector.get_multi_table_comment, schema, filter_names) if comments else {}
        )
        check_data = (
            _multi(inspector.get_multi_check_constraints, schema, filter_names) if checks else {}
        )
    column_hook = (
        impl.autogen_column_reflect
        if type(impl).autogen_column_reflect is not DefaultImpl.autogen_column_reflect
        else None
    )
    def extras_of(tname: str) -> Callable[[str], Any]:
        def extras(kind: str) -> Any:
            fn = (
                inspector.get_check_constraints if kind == "checks"
                else inspector.get_table_options
            )
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
                    return fn(tname, schema=schema)
            except NotImplementedError:
                return None

        return extras

    result: dict[str, ReflectedTable] = {}
    for (_, tname), cols in columns.items():
        if tname not in wanted:
            continue
        key = (schema, tname)
        comment = (table_comments.get(key) or {}).get("text") or None
        table = result[tname] = ReflectedTable(
            schema,
            tname,
            cols,
            pks.get(key),
            fks.get(key, []),
            indexes.get(key, []),
            uniques.get(key, []),
            comment,
            check_data.get(key, []) if checks else None,
            extras_of(tname),
        )
        if column_hook is not None:
            for col in cols:
                column_hook(inspector, table, col)
    return result


# ---------------------------------------------------------------------------------------------
# SQLAlchemy objects from reflected data


def _name(value: str | None) -> Any:
    """Reflected names are final: ``conv`` keeps naming conventions away (renders ``op.f()``)."""
    return conv(value) if value else None


def build_column(data: dict[str, Any]) -> Column:
    """A ``Column`` from one reflected column dictionary."""
    args: list[Any] = []
    computed = data.get("computed")
    if computed:
        args.append(Computed(computed["sqltext"], persisted=computed.get("persisted")))
    identity = data.get("identity")
    if identity:
        args.append(Identity(**{k: v for k, v in identity.items() if v is not None}))
    type_ = data["type"]
    if hasattr(type_, "create_type"):
        # a reflected PostgreSQL ENUM/DOMAIN never creates or drops its type with the table;
        # autogenerate manages named types with operations of their own
        type_.create_type = False
    kw: dict[str, Any] = {"nullable": data.get("nullable", True)}
    if data.get("default") is not None and not computed and not identity:
        kw["server_default"] = text(data["default"])
    if data.get("comment"):
        kw["comment"] = data["comment"]
    if "autoincrement" in data:
        kw["autoincrement"] = data["autoincrement"]
    return Column(data["name"], type_, *args, **kw)


def build_table(reflected: ReflectedTable, metadata: MetaData | None = None) -> Table:
    """A ``Table`` with the reflected columns, primary key, foreign keys, uniques, CHECK
    constraints, indexes and table options (what SQLAlchemy's own reflection gives)."""
    metadata = metadata if metadata is not None else MetaData()
    table = Table(
        reflected.name,
        metadata,
        *[build_column(c) for c in reflected.columns],
        schema=reflected.schema,
        comment=reflected.comment,
        **reflected.table_options(),
    )
    pk_cols = reflected.pk.get("constrained_columns") or []
    if pk_cols:
        table.append_constraint(
            PrimaryKeyConstraint(*pk_cols, name=_name(reflected.pk.get("name")))
        )
    for fk in reflected.foreign_keys:
        table.append_constraint(build_foreign_key(fk))
    for uq in reflected.uniques:
        if all(c in table.c for c in uq["column_names"]):
            table.append_constraint(
                UniqueConstraint(
                    *uq["column_names"], name=_name(uq.get("name")),
                    **(uq.get("dialect_options") or {}),
                )
            )
    for check in reflected.check_constraints():
        table.append_constraint(
            CheckConstraint(text(check["sqltext"]), name=_name(check.get("name")),
                            **(check.get("dialect_options") or {}))
        )
    for ix in reflected.indexes:
        if ix.get("duplicates_constraint"):
            continue
        build_index(table, ix)
    return table


def build_unique_for_op(impl: DefaultImpl, table: Table, uq: dict[str, Any]) -> UniqueConstraint:
    """A reflected unique constraint on ``table`` for an operation (a dropped constraint's
    re-creation): with the dialect options the dialect keeps for it (PostgreSQL: without an
    empty ``postgresql_include``)."""
    return UniqueConstraint(
        *[table.c[name] for name in uq["column_names"]],
        name=_name(uq.get("name")),
        **impl.adjust_reflected_dialect_options(uq, "unique_constraint"),
    )


def build_foreign_key(fk: dict[str, Any]) -> ForeignKeyConstraint:
    """A ``ForeignKeyConstraint`` (unattached) from a reflected foreign key."""
    prefix = ".".join(p for p in (fk.get("referred_schema"), fk["referred_table"]) if p)
    options = {k: v for k, v in (fk.get("options") or {}).items() if v is not None}
    return ForeignKeyConstraint(
        list(fk["constrained_columns"]),
        [f"{prefix}.{c}" for c in fk["referred_columns"]],
        name=_name(fk.get("name")),
        **options,
    )


#: A reflected index column's ``column_sorting`` options, as SQLAlchemy's reflection applies them.
_SORT_MODIFIERS: dict[str, Callable[[Any], Any]] = {
    "asc": asc, "desc": desc, "nulls_first": nulls_first, "nulls_last": nulls_last,
}


def build_index(table: Table, ix: dict[str, Any]) -> Index | None:
    """An ``Index`` on ``table`` from a reflected index (expressions as SQL text)."""
    exprs: list[Any] = []
    expressions = ix.get("expressions") or []
    sorting = ix.get("column_sorting") or {}
    for pos, col in enumerate(ix.get("column_names") or []):
        if col is not None and col in table.c:
            element: Any = table.c[col]
            for option in sorting.get(col, ()):
                modifier = _SORT_MODIFIERS.get(option)
                if modifier is not None:
                    element = modifier(element)
            exprs.append(element)
        elif pos < len(expressions):
            exprs.append(text(expressions[pos]))
        else:
            return None
    if not exprs:
        return None
    kw = {k: v for k, v in (ix.get("dialect_options") or {}).items() if v not in (None, [], {})}
    try:
        return Index(_name(ix.get("name")), *exprs, unique=bool(ix.get("unique")), _table=table, **kw)
    except (sa_exc.ArgumentError, TypeError):
        return Index(_name(ix.get("name")), *exprs, unique=bool(ix.get("unique")), _table=table)


class ReflectedColumn:
    """One reflected column: ``data`` is the inspector's dictionary; other attributes come from
    a ``Column`` built on first use (so ``compare_type`` callables get a column to look at)."""

    def __init__(self, table: ReflectedTable, data: dict[str, Any]) -> None:
        self.table_data = table
        self.data = data
        self.name = data["name"]
        self.type = data["type"]
        self.nullable = data.get("nullable", True)
        self.comment = data.get("comment")

    def to_column(self) -> Column:
        """The built ``Column`` (part of the reflected table's ``Table``)."""
        return self.table_data.column(self.name)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.to_column(), attr)

    def __repr__(self) -> str:
        return f"<ReflectedColumn {self.table_data.fullname}.{self.name}>"
