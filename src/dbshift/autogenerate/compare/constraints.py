"""Indexes, unique constraints, foreign keys, and (opt-in) named CHECK constraints.

Both sides are reduced to plain signatures first (names, column lists, normalised expressions,
foreign key targets and actions); SQLAlchemy objects are built only for what changes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Table, UniqueConstraint
from sqlalchemy.sql.elements import UnaryExpression, conv

from ...operations.ops import (
    AddConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    DropConstraintOp,
    DropIndexOp,
    ModifyTableOps,
)
from ..diffs import remember_source
from ..reflection import ReflectedTable, build_unique_for_op
from ..registry import comparators
from ..reversal import with_reverse
from .tables import CHECKS_PLUGIN

if TYPE_CHECKING:
    from ..context import AutogenContext

PLUGIN = "dbshift.autogenerate.constraints"
log = logging.getLogger("alembic.autogenerate.compare.constraints")  # Alembic's logger name (README)


def _kind_text(item: _Item) -> str:
    return "index" if item.kind == "index" else "unique constraint"


def _column_names(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [c for c in (obj.get("column_names") or []) if c is not None]
    return [c.name for c in obj.columns]


def _name(value: Any) -> str | None:
    if value is None or type(value).__name__ == "_NoneName":
        return None
    return str(value)


class _Item:
    """One index or unique constraint on one side, reduced to what is compared."""

    __slots__ = ("kind", "name", "sig", "unique", "source")

    def __init__(self, kind: str, name: str | None, sig: tuple[str, ...], unique: bool, source: Any):
        self.kind = kind  # "index" or "unique"
        self.name = name
        self.sig = sig
        self.unique = unique
        self.source = source  # metadata object, or reflected dict

    def same_shape(self, other: _Item) -> bool:
        return self.sig == other.sig and (self.kind != "index" or other.kind != "index"
                                          or self.unique == other.unique)


_SORTING = {"desc_op": "desc", "nulls_first_op": "nulls_first", "nullsfirst_op": "nulls_first",
            "nulls_last_op": "nulls_last", "nullslast_op": "nulls_last"}


def _sorted_column(expr: Any) -> tuple[Column, tuple[str, ...]] | None:
    """``(column, sorting)`` for a column under ASC/DESC/NULLS modifiers (else None)."""
    sorting: list[str] = []
    while isinstance(expr, UnaryExpression) and expr.modifier is not None:
        word = _SORTING.get(getattr(expr.modifier, "__name__", ""))
        if word is None and getattr(expr.modifier, "__name__", "") != "asc_op":
            return None
        if word is not None:
            sorting.append(word)
        expr = expr.element
    return (expr, tuple(sorted(sorting))) if isinstance(expr, Column) else None


def _with_sorting(name: str, sorting: tuple[str, ...] | list[str]) -> str:
    words = sorted(w for w in sorting if w != "asc")
    return " ".join([name, *words]) if words else name


def _expression_key(ctx: AutogenContext, expr: Any) -> tuple[str, bool]:
    """``(key, is_plain_column)`` for one index element."""
    if isinstance(expr, Column):
        return expr.name, True
    sorted_column = _sorted_column(expr)
    if sorted_column is not None:
        if not getattr(ctx.impl, "autogen_reflects_index_sorting", True):
            return sorted_column[0].name, True  # the database does not say, as Alembic
        return _with_sorting(sorted_column[0].name, sorted_column[1]), True
    try:
        compiled = str(
            expr.compile(
                dialect=ctx.dialect,
                compile_kwargs={"include_table": False, "literal_binds": True},
            )
        )
    except Exception:  # noqa: BLE001 - anything uncompilable is compared by its text
        compiled = str(expr)
    return ctx.impl.autogen_expression_key(compiled), False


def _reflected_index_sig(ctx: AutogenContext, ix: dict[str, Any]) -> tuple[str, ...]:
    expressions = ix.get("expressions") or []
    sorting = ix.get("column_sorting") or {}
    sig = []
    for pos, col in enumerate(ix.get("column_names") or []):
        if col is None and pos < len(expressions):
            sig.append(ctx.impl.autogen_expression_key(expressions[pos]))
        elif col is not None:
            sig.append(_with_sorting(col, sorting.get(col, ())))
        else:
            sig.append("?")
    return tuple(sig) + ctx.impl.autogen_index_extras(reflected=ix)


@comparators.dispatch_for("table", plugin=PLUGIN, element="indexes")
def compare_indexes_and_uniques(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Indexes and unique constraints added, removed, or changed (drop + create)."""
    ctx = autogen_context
    parent = {"schema_name": schema, "table_name": tname}

    meta_indexes = [
        index for index in sorted(metadata_table.indexes, key=lambda ix: str(ix.name))
        if ctx.run_object_filters(index, index.name, "index", False, None)
    ]
    meta_uniques = [
        const for const in metadata_table.constraints
        if isinstance(const, UniqueConstraint)
        and ctx.run_object_filters(const, const.name, "unique_constraint", False, None)
    ]
    ctx.impl.correct_for_autogen_constraints(
        conn_table.uniques,
        conn_table.indexes,
        meta_uniques,
        meta_indexes,
        conn_foreign_keys=conn_table.foreign_keys,
    )
    meta_items: list[_Item] = []
    for index in meta_indexes:
        keys = tuple(k for k, _ in (_expression_key(ctx, e) for e in index.expressions))
        sig = keys + ctx.impl.autogen_index_extras(index=index)
        meta_items.append(_Item("index", _name(index.name), sig, bool(index.unique), index))
    for const in meta_uniques:
        meta_items.append(
            _Item("unique", _name(const.name), tuple(c.name for c in const.columns), True, const)
        )

    conn_uniques = [
        uq for uq in conn_table.uniques
        if ctx.run_name_filters(uq.get("name"), "unique_constraint", parent)
    ]
    conn_indexes = [
        ix for ix in conn_table.indexes
        if not ix.get("duplicates_constraint")
        and ctx.run_name_filters(ix.get("name"), "index", parent)
    ]
    conn_items = [
        _Item("unique", uq.get("name"), tuple(uq["column_names"]), True, uq) for uq in conn_uniques
    ] + [
        _Item("index", ix.get("name"), _reflected_index_sig(ctx, ix), bool(ix.get("unique")), ix)
        for ix in conn_indexes
    ]

    def compatible(meta: _Item, conn: _Item) -> bool:
        return meta.kind == conn.kind

    claimed: set[int] = set()
    pairs: list[tuple[_Item, _Item]] = []
    unmatched: list[_Item] = []
    conn_by_name = {c.name: c for c in conn_items if c.name}
    for meta in meta_items:
        conn = conn_by_name.get(meta.name) if meta.name else None
        if conn is not None and id(conn) not in claimed and compatible(meta, conn):
            claimed.add(id(conn))
            pairs.append((meta, conn))
        else:
            unmatched.append(meta)
    added: list[_Item] = []
    for meta in unmatched:
        found = None
        if meta.name is None or meta.name not in conn_by_name:
            for conn in conn_items:
                if (
                    id(conn) not in claimed
                    and compatible(meta, conn)
                    and conn.same_shape(meta)
                    and (meta.name is None or conn.name is None)
                ):
                    found = conn
                    break
        if found is not None:
            claimed.add(id(found))
            pairs.append((meta, found))
        else:
            added.append(meta)

    # Alembic's order: removed (by name), then those on both sides (by name: a kind swapped, or
    # a changed shape, is a drop and an add), then added (named by name, then unnamed)
    removed = sorted(
        (c for c in conn_items if id(c) not in claimed),
        key=lambda c: (c.name is None, c.name or ""),
    )
    meta_names = {m.name for m in meta_items if m.name}
    swapped = {c.name: c for c in removed if c.name in meta_names}
    for conn in removed:
        if conn.name in swapped:
            continue
        _drop(ctx, modify_ops, conn_table, conn, tname)
    both: list[tuple[str, _Item, _Item]] = [
        (meta.name, meta, conn) for meta, conn in pairs
        if meta.name and not meta.same_shape(conn)
    ]
    both += [(meta.name, meta, swapped[meta.name]) for meta in added if meta.name in swapped]
    for _, meta, conn in sorted(both, key=lambda item: item[0]):
        if meta.kind != conn.kind:
            if _drop(ctx, modify_ops, conn_table, conn, tname):
                _add(modify_ops, meta)
            continue
        drop = _drop_op(ctx, conn_table, conn, check_filter=False)
        if drop is not None:
            modify_ops.ops.append(drop)
            modify_ops.ops.append(_add_op(meta))
            log.info(
                "Detected changed %s %r on %r: %s", _kind_text(conn), conn.name, tname,
                f"columns {_column_names(conn.source)!r} to {_column_names(meta.source)!r}",
            )
    for meta, conn in pairs:  # unnamed in the model, matched by shape
        if not meta.name and not meta.same_shape(conn):
            drop = _drop_op(ctx, conn_table, conn, check_filter=False)
            if drop is not None:
                modify_ops.ops.append(drop)
                modify_ops.ops.append(_add_op(meta))
    for meta in sorted(
        (m for m in added if m.name not in swapped), key=lambda m: (m.name is None, m.name or "")
    ):
        _add(modify_ops, meta)


def _drop(
    ctx: AutogenContext, modify_ops: ModifyTableOps, conn_table: ReflectedTable, conn: _Item,
    tname: str,
) -> bool:
    op = _drop_op(ctx, conn_table, conn)
    if op is None:
        return False
    modify_ops.ops.append(op)
    log.info("Detected removed %s %r on %r", _kind_text(conn), conn.name, tname)
    return True


def _add(modify_ops: ModifyTableOps, meta: _Item) -> None:
    modify_ops.ops.append(_add_op(meta))
    log.info(
        "Detected added %s %r on '%s'", _kind_text(meta), meta.name, _column_names(meta.source)
    )


def _add_op(meta: _Item) -> Any:
    if meta.kind == "index":
        return with_reverse(
            remember_source(CreateIndexOp.from_index(meta.source), meta.source),
            DropIndexOp.from_index(meta.source),
        )
    return with_reverse(
        AddConstraintOp.from_constraint(meta.source), DropConstraintOp.from_constraint(meta.source)
    )


def _drop_op(
    ctx: AutogenContext, conn_table: ReflectedTable, conn: _Item, check_filter: bool = True
) -> Any:
    table = conn_table.to_table()
    if conn.kind == "index":
        index = next((ix for ix in table.indexes if _name(ix.name) == conn.name), None)
        if index is None:
            return None
        if check_filter and not ctx.run_object_filters(index, index.name, "index", True, None):
            return None
        return DropIndexOp.from_index(index)
    const = next(
        (
            c for c in table.constraints
            if isinstance(c, UniqueConstraint)
            and _name(c.name) == conn.name
            and tuple(col.name for col in c.columns) == conn.sig
        ),
        None,
    )
    if const is None:
        return None
    if check_filter and not ctx.run_object_filters(
        const, const.name, "unique_constraint", True, None
    ):
        return None
    # the re-created constraint carries the dialect options the dialect keeps (render, issue 13)
    return DropConstraintOp.from_constraint(build_unique_for_op(ctx.impl, table, conn.source))


# ---------------------------------------------------------------------------------------------
# foreign keys


def _fk_options(options: dict[str, Any]) -> dict[str, Any]:
    """The compared options of one foreign key: actions upper-cased, NO ACTION as None."""
    out: dict[str, Any] = {}
    for key in ("ondelete", "onupdate"):
        value = (options.get(key) or "").upper() or None
        out[key] = None if value == "NO ACTION" else value
    out["deferrable"] = options.get("deferrable")
    out["initially"] = options.get("initially")
    return out


def _fk_sig(
    local: tuple[str, ...],
    ref_schema: str | None,
    ref_table: str,
    ref_cols: tuple[str, ...],
    options: dict[str, Any],
    default_schema: str | None,
) -> tuple[Any, ...]:
    if ref_schema == default_schema:
        ref_schema = None
    return (
        local, ref_schema, ref_table, ref_cols,
        options["ondelete"], options["onupdate"], options["deferrable"], options["initially"],
    )


def _metadata_fk_target(fk: ForeignKeyConstraint) -> tuple[str | None, str, tuple[str, ...]]:
    first = fk.elements[0]
    cols = tuple(e._get_colspec().split(".")[-1] for e in fk.elements)
    if first._table_column is not None:
        table = first.column.table
        return table.schema, table.name, cols
    parts = first._get_colspec().split(".")
    return (".".join(parts[:-2]) or None), parts[-2], cols


@comparators.dispatch_for("table", plugin=PLUGIN, element="foreignkeys")
def compare_foreign_keys(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Foreign keys added or removed; a changed target or action is a drop plus an add."""
    ctx = autogen_context
    parent = {"schema_name": schema, "table_name": tname}
    default_schema = ctx.inspector.default_schema_name

    meta_pairs: list[tuple[ForeignKeyConstraint, dict[str, Any]]] = [
        (fk, _fk_options({
            "ondelete": fk.ondelete, "onupdate": fk.onupdate,
            "deferrable": fk.deferrable, "initially": fk.initially,
        }))
        for fk in metadata_table.foreign_key_constraints
        if ctx.run_object_filters(fk, fk.name, "foreign_key_constraint", False, None)
    ]
    conn_pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (fk, _fk_options(fk.get("options") or {}))
        for fk in conn_table.foreign_keys
        if ctx.run_name_filters(fk.get("name"), "foreign_key_constraint", parent)
    ]
    ctx.impl.correct_for_autogen_foreignkeys(
        [opts for _, opts in conn_pairs], [opts for _, opts in meta_pairs]
    )

    meta_fks: dict[tuple[Any, ...], list[ForeignKeyConstraint]] = {}
    for fk, options in meta_pairs:
        ref_schema, ref_table, ref_cols = _metadata_fk_target(fk)
        sig = _fk_sig(
            tuple(c.name for c in fk.columns), ref_schema, ref_table, ref_cols, options,
            default_schema,
        )
        meta_fks.setdefault(sig, []).append(fk)

    conn_fks: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for fk, options in conn_pairs:
        sig = _fk_sig(
            tuple(fk["constrained_columns"]),
            fk.get("referred_schema"),
            fk["referred_table"],
            tuple(fk["referred_columns"]),
            options,
            default_schema,
        )
        conn_fks.setdefault(sig, []).append(fk)

    for sig, conn_list in conn_fks.items():
        surplus = conn_list[len(meta_fks.get(sig, [])):]
        for data in surplus:
            const = _reflected_fk(conn_table, data)
            if const is None:
                continue
            if ctx.has_object_filters and not ctx.run_object_filters(
                const, const.name, "foreign_key_constraint", True, None
            ):
                continue
            modify_ops.ops.append(DropConstraintOp.from_constraint(const))
            _log_fk("removed", data["constrained_columns"], data["referred_columns"], schema, tname)
    for sig, meta_list in meta_fks.items():
        for fk in meta_list[len(conn_fks.get(sig, [])):]:
            modify_ops.ops.append(
                with_reverse(
                    CreateForeignKeyOp.from_constraint(fk), DropConstraintOp.from_constraint(fk)
                )
            )
            _log_fk("added", [c.name for c in fk.columns], list(sig[3]), schema, tname)


def _log_fk(
    what: str, source: list[str], target: list[str], schema: str | None, tname: str
) -> None:
    log.info(
        "Detected %s foreign key (%s)(%s) on table %s%s", what, ", ".join(source),
        ", ".join(target), f"{schema}." if schema else "", tname,
    )


def _reflected_fk(conn_table: ReflectedTable, data: dict[str, Any]) -> ForeignKeyConstraint | None:
    table = conn_table.to_table()
    cols = list(data["constrained_columns"])
    for const in table.foreign_key_constraints:
        if _name(const.name) == data.get("name") and [c.name for c in const.columns] == cols:
            return const
    return None


# ---------------------------------------------------------------------------------------------
# named CHECK constraints (opt-in plugin)


@comparators.dispatch_for("table", plugin=CHECKS_PLUGIN, element="checks")
def compare_named_checks(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Named CHECK constraints added or removed, by name only (expressions are not compared)."""
    ctx = autogen_context
    parent = {"schema_name": schema, "table_name": tname}
    meta_checks = {
        _name(c.name): c
        for c in metadata_table.constraints
        if isinstance(c, CheckConstraint)
        and _name(c.name)
        and not getattr(c, "_type_bound", False)
        and ctx.run_object_filters(c, c.name, "check_constraint", False, None)
    }
    conn_list = [
        c for c in conn_table.checks
        if c.get("name") and ctx.run_name_filters(c["name"], "check_constraint", parent)
    ]
    meta_list = list(meta_checks.values())
    ctx.impl.correct_for_autogen_check_constraints(
        conn_list, meta_list, conn_columns=conn_table.columns
    )
    meta_checks = {_name(c.name): c for c in meta_list}
    conn_checks = {c["name"]: c for c in conn_list}
    for name, data in conn_checks.items():
        if name in meta_checks:
            continue
        table = conn_table.to_table()
        const = CheckConstraint(data["sqltext"], name=conv(name))
        table.append_constraint(const)
        modify_ops.ops.append(DropConstraintOp.from_constraint(const))
    for name, const in meta_checks.items():
        if name not in conn_checks:
            modify_ops.ops.append(AddConstraintOp.from_constraint(const))
