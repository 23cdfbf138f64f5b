"""PostgreSQL named ENUM types: created, dropped, values added or changed.

Types are compared on their own (``CREATE TYPE``), not through the tables that use them: a value
appended to the model's ``Enum`` becomes ``ALTER TYPE ... ADD VALUE`` rather than a column change.
Tables and columns created by autogenerate get ``postgresql.ENUM(..., create_type=False)``
in place of their enum types, so the explicit type operations are the only ones that create them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Enum
from sqlalchemy.types import TypeDecorator

from ...operations.ops import (
    AddEnumValueOp,
    CreateEnumTypeOp,
    DropEnumTypeOp,
    RecreateEnumTypeOp,
    UpgradeOps,
)
from ...util.exc import CommandError
from ..registry import DispatchPriority, comparators

if TYPE_CHECKING:
    from ..context import AutogenContext

PLUGIN = "dbshift.autogenerate.enums"
#: Third-party packages whose comparators manage PostgreSQL ENUM types themselves: while one of
#: them has a ``"schema"`` comparator registered, dbshift's enum management steps aside (no type
#: ops, no ``create_type=False`` stand-ins), so the same change is not produced twice.
ENUM_MANAGERS = ("alembic_postgresql_enum",)


def enums_managed_elsewhere(autogen_context: AutogenContext) -> bool:
    """Whether an enum-managing plugin (:data:`ENUM_MANAGERS`) is active in this run."""
    cached = autogen_context.__dict__.get("_enums_managed_elsewhere")
    if cached is None:
        cached = autogen_context.comparators.registered_from("schema", ENUM_MANAGERS)
        autogen_context.__dict__["_enums_managed_elsewhere"] = cached
    return cached


def _is_named_enum(type_: Any) -> bool:
    return isinstance(type_, Enum) and bool(type_.native_enum) and bool(type_.name)


def column_type_without_events(autogen_context: AutogenContext, type_: Any) -> Any:
    """A ``postgresql.ENUM(..., create_type=False)`` standing in for a named enum type (None for
    other types), so that creating a table or column never creates the type itself."""
    if enums_managed_elsewhere(autogen_context):
        return None
    return autogen_context.impl.autogen_standalone_type(type_)


def columns_without_type_events(autogen_context: AutogenContext, items: list[Any]) -> list[Any]:
    """``items`` (a CreateTableOp's columns and constraints) with named enum columns swapped for
    copies whose type does not create itself."""
    out = []
    for item in items:
        new_type = (
            column_type_without_events(autogen_context, item.type)
            if isinstance(item, Column)
            else None
        )
        if new_type is not None:
            item = item._copy()
            item.type = new_type
        out.append(item)
    return out


def named_enums_in(type_: Any) -> list[Any]:
    """The named native ``Enum`` types ``type_`` is or holds (``ARRAY(Enum(...))``, a
    ``TypeDecorator`` over one, a ``Variant``'s types)."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [type_]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _is_named_enum(current):
            found.append(current)
            continue
        stack.append(getattr(current, "item_type", None))
        if isinstance(current, TypeDecorator):
            stack.append(current.impl_instance)
        stack.extend(getattr(current, "mapping", {}).values())
    return found


def _metadata_enums(
    autogen_context: AutogenContext, schemas: list[str | None], default_schema: str | None
) -> dict[tuple[str | None, str], list[str]]:
    found: dict[tuple[str | None, str], list[str]] = {}
    for table in autogen_context.table_key_to_table.values():
        for column in table.c:
            for type_ in named_enums_in(column.type):
                _add_metadata_enum(found, type_, schemas, default_schema)
    return found


def _add_metadata_enum(
    found: dict[tuple[str | None, str], list[str]],
    type_: Any,
    schemas: list[str | None],
    default_schema: str | None,
) -> None:
    schema = type_.schema
    if schema == default_schema:
        schema = None
    if schema in schemas:
        found.setdefault((schema, type_.name), list(type_.enums))


def _columns_using(
    autogen_context: AutogenContext, schema: str | None, name: str
) -> list[tuple[str | None, str, str, str | None]]:
    out = []
    reflected = getattr(autogen_context, "reflected_tables", {})
    for (table_schema, tname), table in sorted(reflected.items(), key=lambda kv: str(kv[0])):
        for col in table.columns:
            type_ = col["type"]
            if isinstance(type_, Enum) and type_.name == name and (
                getattr(type_, "schema", None) in (schema, None)
            ):
                out.append((table_schema, tname, col["name"], col.get("default")))
    return out


def _refuse_dropped_labels_in_use(ctx: AutogenContext, name: str, dropped: list[str]) -> None:
    """Fail at generation time when an index or CHECK constraint in the database uses a label
    the re-created type drops: the generated step could not create it again."""
    if not dropped:
        return
    reflected = getattr(ctx, "reflected_tables", {})
    for (schema, tname), table in sorted(reflected.items(), key=lambda kv: str(kv[0])):
        if not any(
            getattr(t, "name", None) == name for c in table.columns for t in named_enums_in(c["type"])
        ):
            continue
        texts = [
            ("index", ix.get("name"), " ".join(
                [str((ix.get("dialect_options") or {}).get("postgresql_where") or "")]
                + [str(e) for e in ix.get("expressions") or []]
            ))
            for ix in table.indexes
        ]
        try:
            checks = ctx.inspector.get_check_constraints(tname, schema=schema)
        except NotImplementedError:
            checks = []
        texts += [("CHECK constraint", c.get("name"), str(c.get("sqltext") or "")) for c in checks]
        for kind, obj_name, sql in texts:
            for label in dropped:
                if "'" + label.replace("'", "''") + "'" in sql:
                    raise CommandError(
                        f"can't generate the re-creation of ENUM type {name!r} without the "
                        f"label {label!r}: {kind} {obj_name!r} on {tname!r} uses it ({sql.strip()}); "
                        "change or drop it in an earlier migration, or write this step by hand"
                    )


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(value in it for value in small)


@comparators.dispatch_for(
    "schema", qualifier="postgresql", plugin=PLUGIN, element="enums",
    priority=DispatchPriority.LAST,
)
def compare_enums(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    """Named ENUM types: new ones first, value changes first, removed ones last."""
    ctx = autogen_context
    if enums_managed_elsewhere(ctx):
        return
    inspector = ctx.inspector
    default_schema = inspector.default_schema_name
    conn: dict[tuple[str | None, str], list[str]] = {}
    for enum in inspector.get_enums(schema="*"):
        schema = None if enum["schema"] == default_schema else enum["schema"]
        if schema in schemas and ctx.run_name_filters(enum["name"], "enum", {"schema_name": schema}):
            conn[(schema, enum["name"])] = list(enum["labels"])
    meta = _metadata_enums(ctx, schemas, default_schema)

    first: list[Any] = []
    last: list[Any] = []
    for key, labels in meta.items():
        schema, name = key
        if key not in conn:
            first.append(CreateEnumTypeOp(name, labels, schema=schema))
            continue
        existing = conn[key]
        if existing == labels:
            continue
        columns = _columns_using(ctx, schema, name)
        if _is_subsequence(existing, labels):
            current = list(existing)
            for pos, value in enumerate(labels):
                if value in current:
                    continue
                following = next((v for v in labels[pos + 1:] if v in current), None)
                op = AddEnumValueOp(
                    name,
                    value,
                    schema=schema,
                    before=following,
                    after=None,
                    existing_values=current,
                    columns=columns,
                )
                first.append(op)
                current = op.new_values()
        else:
            _refuse_dropped_labels_in_use(ctx, name, [v for v in existing if v not in labels])
            first.append(
                RecreateEnumTypeOp(
                    name, labels, existing_values=existing, schema=schema, columns=columns
                )
            )
    for key, labels in conn.items():
        if key not in meta:
            last.append(DropEnumTypeOp(key[1], labels, schema=key[0]))
    upgrade_ops.ops[:0] = first
    upgrade_ops.ops.extend(last)
