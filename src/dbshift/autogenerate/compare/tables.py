"""Schemas to scan, and tables added, removed or present on both sides.

Every table of a schema is reflected in one go (:func:`~dbshift.autogenerate.reflection.reflect_tables`);
tables present on both sides are handed to the ``"table"`` comparators as a plain-data
:class:`~dbshift.autogenerate.reflection.ReflectedTable` beside the metadata ``Table``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table

from ...operations.ops import (
    CreateIndexOp,
    CreateTableOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableOp,
    ModifyTableOps,
    UpgradeOps,
)
from ..diffs import remember_source
from ..reflection import ReflectedTable, reflect_tables
from ..registry import DispatchPriority, comparators
from ..reversal import with_reverse

if TYPE_CHECKING:
    from ..context import AutogenContext

log = logging.getLogger("alembic.autogenerate.compare.tables")  # Alembic's logger name (README)

PLUGIN = "dbshift.autogenerate.tables"
SCHEMAS_PLUGIN = "dbshift.autogenerate.schemas"
CHECKS_PLUGIN = "dbshift.ext.checkconstraint_byname"


@comparators.dispatch_for("autogenerate", plugin=SCHEMAS_PLUGIN)
def compare_schemas(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Pick the schemas to compare and run the ``"schema"`` comparators on them."""
    autogen_context.dispatch("schema")(autogen_context, upgrade_ops, schemas_to_compare(autogen_context))


def schemas_to_compare(autogen_context: AutogenContext) -> list[str | None]:
    """``[None]`` (the default schema), or every schema with ``include_schemas``."""
    if not autogen_context.opts.get("include_schemas"):
        return [None]
    inspector = autogen_context.inspector
    default = inspector.default_schema_name
    schemas: list[str | None] = []
    for name in inspector.get_schema_names():
        schema = None if name == default else name
        if schema is not None and autogen_context.impl.autogen_is_system_schema(name):
            continue
        if autogen_context.run_name_filters(schema, "schema", {}):
            schemas.append(schema)
    if None not in schemas and autogen_context.run_name_filters(None, "schema", {}):
        schemas.insert(0, None)
    return schemas


def _metadata_tables(autogen_context: AutogenContext, schema: str | None) -> dict[str, Table]:
    default = None
    tables: dict[str, Table] = {}
    for (table_schema, name), table in autogen_context.table_key_to_table.items():
        if table_schema == schema:
            tables[name] = table
        elif schema is None and table_schema is not None:
            if default is None:
                default = autogen_context.inspector.default_schema_name
            if table_schema == default:
                tables[name] = table
    return tables


@comparators.dispatch_for("schema", plugin=PLUGIN, element="tables", priority=DispatchPriority.FIRST)
def compare_tables(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    """CreateTableOp / DropTableOp for tables on one side only; ModifyTableOps for the rest."""
    ctx = autogen_context
    inspector = ctx.inspector
    migration_context = ctx.migration_context
    version_table = migration_context.version_table if migration_context else None
    version_schema = migration_context.version_table_schema if migration_context else None
    # the version table and dbshift's applied history and journal beside it
    own_tables = {version_table}
    if version_table is not None:
        from ...runtime.history.journal_table import journal_table_name
        from ...runtime.history.table import history_table_name

        own_tables.update((history_table_name(version_table), journal_table_name(version_table)))
    supports_comments = bool(getattr(ctx.dialect, "supports_comments", False))
    want_checks = ctx.plugin_enabled(CHECKS_PLUGIN)
    reflected_all: dict[tuple[str | None, str], ReflectedTable] = ctx.__dict__.setdefault(
        "reflected_tables", {}
    )

    creates: list[Any] = []
    new_tables: set[int] = set()
    removed: list[ReflectedTable] = []
    existing: list[tuple[str | None, str, ReflectedTable, Table]] = []
    for schema in schemas:
        all_names = inspector.get_table_names(schema=schema)
        conn_names = {
            name
            for name in all_names
            if not (name in own_tables and schema == version_schema)
            and ctx.run_name_filters(name, "table", {"schema_name": schema})
        }
        metadata_tables = {
            name: table
            for name, table in _metadata_tables(ctx, schema).items()
            if ctx.run_object_filters(table, name, "table", False, None)
        }
        reflected = reflect_tables(
            inspector,
            ctx.impl,
            schema,
            conn_names,
            all_names,
            comments=supports_comments,
            checks=want_checks,
        )
        for name, table in reflected.items():
            reflected_all[(schema, name)] = table

        for name in sorted(conn_names - set(metadata_tables)):
            conn_table = reflected.get(name)
            if conn_table is None:
                continue
            if ctx.has_object_filters and not ctx.run_object_filters(
                conn_table.to_table(), name, "table", True, None
            ):
                continue
            removed.append(conn_table)

        for name in sorted(conn_names & set(metadata_tables)):
            conn_table = reflected.get(name)
            if conn_table is not None:
                existing.append((schema, name, conn_table, metadata_tables[name]))

        for name in set(metadata_tables) - conn_names:
            new_tables.add(id(metadata_tables[name]))

    # As Alembic: a model table in a schema that is not scanned (no ``include_schemas``) is new.
    default_schema = None
    for table in ctx.sorted_tables:
        if table.schema is not None and table.schema not in schemas:
            if default_schema is None:
                default_schema = inspector.default_schema_name
            if table.schema != default_schema and ctx.run_object_filters(
                table, table.name, "table", False, None
            ):
                new_tables.add(id(table))
        if id(table) in new_tables:
            creates.extend(_create_table_ops(ctx, table))
            log.info("Detected added table %r", _display(table.schema, table.name))

    drops: list[Any] = []
    for conn_table in _drop_order(removed):
        drops.extend(_drop_table_ops(ctx, conn_table))
        log.info("Detected removed table %r", _display(conn_table.schema, conn_table.name))
    # Alembic's order: new tables, removed tables, then the changes of the others
    upgrade_ops.ops.extend(creates + drops)
    table_chain = ctx.dispatch("table")
    for schema, name, conn_table, metadata_table in sorted(
        existing, key=lambda item: (item[0] or "", item[1])
    ):
        modify_ops = ModifyTableOps(name, [], schema=schema)
        table_chain(ctx, modify_ops, schema, name, conn_table, metadata_table)
        if modify_ops.ops:
            modify_ops.ops = sort_table_ops(modify_ops.ops)
            upgrade_ops.ops.append(modify_ops)


def _display(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _create_table_ops(ctx: AutogenContext, table: Table) -> list[Any]:
    from .enums import columns_without_type_events

    create = CreateTableOp.from_table(table, _namespace_metadata=table.metadata)
    remember_source(create, table)
    create.columns = columns_without_type_events(ctx, create.columns)
    drop = DropTableOp(
        table.name,
        schema=table.schema,
        table_kw={
            "comment": table.comment,
            "info": dict(table.info),
            "prefixes": list(table._prefixes),
            **table.kwargs,
        },
        _reverse=create,
    )
    out: list[Any] = [with_reverse(create, drop)]
    index_ops = [
        with_reverse(
            remember_source(CreateIndexOp.from_index(index), index), DropIndexOp.from_index(index)
        )
        for index in sorted(table.indexes, key=lambda ix: str(ix.name))
        if ctx.run_object_filters(index, index.name, "index", False, None)
    ]
    if index_ops:
        out.append(ModifyTableOps(table.name, index_ops, schema=table.schema))
    return out


def _drop_table_ops(ctx: AutogenContext, conn_table: ReflectedTable) -> list[Any]:
    ctx.impl.correct_for_autogen_constraints(
        conn_table.uniques, conn_table.indexes, [], [], conn_foreign_keys=conn_table.foreign_keys
    )
    table = conn_table.to_table()
    out: list[Any] = []
    index_ops = [
        DropIndexOp.from_index(index)
        for index in sorted(table.indexes, key=lambda ix: str(ix.name))
        if ctx.run_object_filters(index, index.name, "index", True, None)
    ]
    if index_ops:
        out.append(ModifyTableOps(table.name, index_ops, schema=table.schema))
    out.append(DropTableOp.from_table(table))
    return out


def _drop_order(tables: list[ReflectedTable]) -> list[ReflectedTable]:
    """Tables that reference others first (reverse dependency order)."""
    by_key = {(t.schema, t.name): t for t in tables}
    ordered: list[ReflectedTable] = []
    seen: set[tuple[str | None, str]] = set()

    def visit(key: tuple[str | None, str]) -> None:
        if key in seen:
            return
        seen.add(key)
        table = by_key[key]
        for fk in table.foreign_keys:
            ref = (fk.get("referred_schema") or table.schema, fk["referred_table"])
            if ref in by_key and ref != key:
                visit(ref)
        ordered.append(table)

    for key in by_key:
        visit(key)
    return list(reversed(ordered))


def sort_table_ops(ops: list[Any]) -> list[Any]:
    """One table's ops in Alembic's order (added and changed columns, indexes and constraints,
    foreign keys, comments, then dropped columns), except that foreign keys are dropped before
    the indexes of the same table: MySQL/MariaDB refuse to drop an index a foreign key needs."""
    drops = [op for op in ops if isinstance(op, DropColumnOp)]
    rest = [op for op in ops if not isinstance(op, DropColumnOp)]
    if any(isinstance(op, DropIndexOp) for op in rest):
        fk_drops = [
            op for op in rest
            if isinstance(op, DropConstraintOp) and op.constraint_type == "foreignkey"
        ]
        moved = {id(op) for op in fk_drops}
        rest = fk_drops + [op for op in rest if id(op) not in moved]
    return rest + drops


def detached_column(column: Column, type_: Any = None) -> Column:
    """A copy of a metadata column for ``add_column``: no foreign keys, index or unique flags
    (autogenerate emits those as operations of their own)."""
    copy = column._copy()
    copy.foreign_keys.clear()
    copy.constraints = {c for c in copy.constraints if not hasattr(c, "elements")}
    copy.index = copy.unique = None
    if type_ is not None:
        copy.type = type_
    return copy
